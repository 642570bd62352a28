import { describe, expect, it } from "vitest";
import { QueryClient } from "@tanstack/react-query";
import { qk } from "@/api/queries";
import type { Bot, DecisionRecord, EquityPoint, Order, Position } from "@/api/types";
import { applyEvent, type EventFormat } from "@/stream/cache";
import { makeInstruments } from "@/lib/instruments";

const ins = makeInstruments([
  { symbol: "BTCUSDT", base: "BTC", tick_size: "0.1", step_size: "0.001" },
  { symbol: "DOGEUSDT", base: "DOGE", tick_size: "0.00001", step_size: "1" },
]);
const f: EventFormat = { botLabel: () => "Claude", price: (s, v) => ins.price(s, v), qty: (s, v) => ins.qty(s, v), base: (s) => ins.base(s) };
const msg = (type: string, data: unknown, seq = 1) => ({ seq, type: type as never, bot_id: 7, at: 1000, data });

describe("stream events patch the query cache", () => {
  it("equity appends a point and updates the bot's equity and exact PnL", () => {
    const qc = new QueryClient();
    qc.setQueryData<EquityPoint[]>(qk.equity(7), [{ at: 500, equity: "10000" }]);
    qc.setQueryData<Bot[]>(qk.bots, [{ id: 7, capital: "10000", equity: "10000", pnl: "0" } as Bot]);
    applyEvent(qc, msg("equity", { equity: "10000.30", at: 1000 }), f);
    applyEvent(qc, msg("equity", { equity: "9999", at: 900 }), f); // older: ignored by the curve
    expect(qc.getQueryData<EquityPoint[]>(qk.equity(7))).toEqual([{ at: 500, equity: "10000" }, { at: 1000, equity: "10000.30" }]);
    const b = qc.getQueryData<Bot[]>(qk.bots)![0];
    expect(b.pnl).toBe("-1");
    expect(b.equity).toBe("9999");
  });
  it("position upserts by symbol and a zero quantity removes it", () => {
    const qc = new QueryClient();
    qc.setQueryData<Position[]>(qk.positions(7), [{ symbol: "BTCUSDT", quantity: "0.010", mark_price: "1" } as Position]);
    applyEvent(qc, msg("position", { symbol: "BTCUSDT", quantity: "0.010", mark_price: "2", unrealized_pnl: "0.01" }), f);
    expect(qc.getQueryData<Position[]>(qk.positions(7))![0].mark_price).toBe("2");
    applyEvent(qc, msg("position", { symbol: "DOGEUSDT", side: "SHORT", quantity: "100" }), f);
    expect(qc.getQueryData<Position[]>(qk.positions(7))![1].side).toBe("short");
    expect(qc.getQueryData<Position[]>(qk.positions(7))).toHaveLength(2);
    applyEvent(qc, msg("position", { symbol: "BTCUSDT", quantity: "0" }), f);
    expect(qc.getQueryData<Position[]>(qk.positions(7))!.map((p) => p.symbol)).toEqual(["DOGEUSDT"]);
  });
  it("order status changes update the row in place", () => {
    const qc = new QueryClient();
    qc.setQueryData<Order[]>(qk.orders(7), [{ id: "o1", status: "open" } as unknown as Order]);
    applyEvent(qc, msg("order", { id: "o1", status: "canceled" }), f);
    applyEvent(qc, msg("order", { id: "o2", status: "new" }), f);
    expect(qc.getQueryData<Order[]>(qk.orders(7))!.map((o) => [o.id, o.status])).toEqual([["o2", "new"], ["o1", "canceled"]]);
    // the status history is kept from what the stream showed
    expect(qc.getQueryData<Order[]>(qk.orders(7))![1].history!.map((h) => h.status)).toEqual(["open", "canceled"]);
  });
  it("a decision is prepended once", () => {
    const qc = new QueryClient();
    qc.setQueryData<DecisionRecord[]>(qk.decisions(7), []);
    const d = { id: 11, cycle: 3, decided_at: 1000, raw_answer: "<think>BTC looks strong</think>{\"decisions\":[]}", decisions: [{ coin: "BTC", signal: "buy_to_enter", quantity: "0.01" }], verdicts: [{ coin: "BTC", accepted: false, reason: "cool_down" }], outcome: "denied", latency_ms: 900 };
    applyEvent(qc, msg("decision", d), f);
    applyEvent(qc, msg("decision", d, 2), f);
    const list = qc.getQueryData<DecisionRecord[]>(qk.decisions(7))!;
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ bot_id: 7, at: 1000, reasoning: "BTC looks strong", verdicts: [{ coin: "BTC", accepted: false, reason: "cool_down" }] });
  });
  it("a fill gives a toast formatted to the instrument's tick and step", () => {
    const qc = new QueryClient();
    const t = applyEvent(qc, msg("fill", { symbol: "DOGEUSDT", side: "buy", quantity: "1500.0", price: "0.189123" }), f);
    expect(t).toEqual({ title: "Fill · Claude", description: "BUY 1,500 DOGE @ 0.18912", tone: "up" });
  });
  it("malformed payloads are ignored", () => {
    const qc = new QueryClient();
    qc.setQueryData<Position[]>(qk.positions(7), []);
    expect(applyEvent(qc, msg("position", "garbage"), f)).toBeNull();
    expect(applyEvent(qc, msg("equity", { equity: 5 }), f)).toBeNull();
    expect(qc.getQueryData<Position[]>(qk.positions(7))).toEqual([]);
  });
});
