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
  /** The candle interval the market feed runs (the server's default for a bot without one), or
   *  null while unknown: the first interval every symbol lists (the real server lists one). */
  feedInterval: string | null;
}

export function feedIntervalOf(list: SymbolInfo[] | undefined): string | null {
  const first = list?.[0]?.intervals;
  if (!first?.length) return null;
  return first.find((i) => list!.every((s) => s.intervals?.includes(i))) ?? null;
}

/** A bot's candle interval and cadence as the server runs them: its spec's, else the server's
 *  default (the feed's interval; the cadence defaults to the interval). Null while unknown. */
export function botTiming(bot: { interval?: string; cadence?: string }, feedInterval: string | null): { interval: string | null; cadence: string | null; defaulted: boolean } {
  const interval = bot.interval ?? feedInterval;
  return { interval, cadence: bot.cadence ?? interval, defaulted: bot.interval === undefined };
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
    feedInterval: feedIntervalOf(list),
  };
}

export function useInstruments(): Instruments {
  const { data } = useSymbols();
  return useMemo(() => makeInstruments(data), [data]);
}
