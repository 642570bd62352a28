// Tick and step per instrument, from GET /api/market/symbols; prices and quantities are formatted
// to them. Accepts "BTC" or "BTCUSDT".
import { useMemo } from "react";
import { useSymbols } from "@/api/queries";
import type { SymbolInfo } from "@/api/types";
import { formatDec } from "./decimal";

export interface Instruments {
  get(symbol: string): SymbolInfo | undefined;
  price(symbol: string, value: string | null | undefined): string;
  qty(symbol: string, value: string | null | undefined): string;
  base(symbol: string): string;
}

export function makeInstruments(list: SymbolInfo[] | undefined): Instruments {
  const map = new Map<string, SymbolInfo>();
  for (const s of list ?? []) {
    map.set(s.symbol.toUpperCase(), s);
    map.set(s.base.toUpperCase(), s);
  }
  const get = (sym: string) => map.get(sym.toUpperCase()) ?? map.get(sym.toUpperCase().replace(/USDT$/, ""));
  return {
    get,
    // Unknown instrument: show the value as sent (exact), never a guessed rounding.
    price: (sym, v) => formatDec(v, get(sym) ? { step: get(sym)!.tick_size } : {}),
    qty: (sym, v) => formatDec(v, get(sym) ? { step: get(sym)!.step_size } : {}),
    base: (sym) => get(sym)?.base ?? sym.toUpperCase().replace(/USDT$/, ""),
  };
}

export function useInstruments(): Instruments {
  const { data } = useSymbols();
  return useMemo(() => makeInstruments(data), [data]);
}
