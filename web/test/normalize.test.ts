import { describe, expect, it } from "vitest";
import { extractReasoning, isBaselineBot, normalizeBot, normalizeDecision, normalizeMetrics, normalizeReport } from "@/api/normalize";
import { benchmark, extremes, leaderboardRows } from "@/pages/ArenaPage";
import type { Bot, WireBot } from "@/api/types";

describe("normalize wire objects", () => {
  it("lifts a bot's spec fields", () => {
    const b = normalizeBot({ id: 3, name: "c", label: "", status: "halted", mode: "paper", model: "llm", provider: "anthropic", symbols: ["BTC"], capital: "10000", equity: "9000", pnl: "-1000", open_positions: 0, last_decision_at: null, created_at: 1, spec: { name: "c", interval: "15m", cadence: "1h", llm: { provider: "anthropic", model: "claude" } } } as WireBot);
    expect(b).toMatchObject({ label: "c", interval: "15m", cadence: "1h", llm: { model: "claude" }, trading_state: "halted" });
  });
  it("reads reasoning from <think> or the text before the JSON", () => {
    expect(extractReasoning("<think>because</think>{}")).toBe("because");
    expect(extractReasoning("I hold BTC.\n```json\n{}\n```")).toBe("I hold BTC.");
    expect(extractReasoning('{"decisions":[]}', [{ coin: "BTC", signal: "hold", justification: "trend" }])).toBe("BTC: trend");
  });
  it("a decision with junk in the open fields keeps what is valid", () => {
    const d = normalizeDecision({ id: 1, cycle: 2, decided_at: 5, raw_answer: "x", decisions: [{ coin: "btcusdt", signal: "buy_to_enter", quantity: 0.5, stop_loss: "1e5" }, 7, { signal: "hold" }], verdicts: "nope", outcome: "ok", latency_ms: 10 }, 9);
    expect(d.decisions).toEqual([expect.objectContaining({ coin: "BTC", signal: "buy_to_enter", quantity: "0.5", stop_loss: null })]);
    expect(d.verdicts).toEqual([]);
    expect(d.bot_id).toBe(9);
    expect(d.cost_usd).toBe("0");
  });
  it("reads the real server's decision format (decisions keyed by coin, verdicts with an action)", () => {
    // shape served by aitrader serve (api-server branch) for a baseline cycle
    const d = normalizeDecision({
      id: 3, cycle: 2, decided_at: 1758636000000, prompt_version: "baseline", prompt_hash: "", raw_answer: "{}",
      decisions: {
        BTC: { trade_signal_args: { coin: "BTC", signal: "hold", quantity: 0, justification: "[baseline] no setup" } },
        SOL: { trade_signal_args: { coin: "SOL", signal: "sell_to_enter", quantity: 12, leverage: 1, profit_target: 203.21, stop_loss: 226.46, confidence: 0.75, justification: "[baseline] 4h EMA20 < EMA50" } },
        XRP: { trade_signal_args: { coin: "XRP", signal: "buy_to_enter", quantity: 100 } },
      },
      verdicts: [{ coin: "BTC", signal: "hold", action: "held" }, { coin: "SOL", signal: "sell_to_enter", action: "entered" }, { coin: "XRP", signal: "buy_to_enter", action: "denied", reason: "cool_down" }],
      outcome: "executed", error: null, latency_ms: 0, input_tokens: 0, output_tokens: 0, cost_usd: "0",
    }, 1);
    expect(d.decisions.map((x) => [x.coin, x.signal, x.quantity, x.stop_loss])).toEqual([["BTC", "hold", "0", null], ["SOL", "sell_to_enter", "12", "226.46"], ["XRP", "buy_to_enter", "100", null]]);
    expect(d.verdicts.map((v) => [v.coin, v.kind])).toEqual([["BTC", "none"], ["SOL", "accepted"], ["XRP", "denied"]]);
    expect(d.verdicts[2].reason).toBe("cool_down");
    expect(d.reasoning).toBe("BTC: [baseline] no setup\nSOL: [baseline] 4h EMA20 < EMA50");
  });
  it("the baseline is recognised whatever the server calls it", () => {
    expect(isBaselineBot({ model: "baseline-v1", provider: "baseline" })).toBe(true);
    expect(isBaselineBot({ model: "claude-sonnet-4-5", provider: "anthropic" })).toBe(false);
  });
  it("report metrics use the engine's keys; the duplicate trades key is the array", () => {
    // engine/report.cpp writes "trades" twice (count, then the list); JSON.parse keeps the list
    const report = JSON.parse('{"bots":[{"final_equity":"10250.5","total_return_pct":2.505,"net_pnl":"250.5","pnl_net_of_llm_cost":"248.1","llm_cost_usd":"2.4","fees_paid":"12.3","win_rate":0.5,"sharpe":1.234,"max_drawdown_pct":3.21,"trades":2,"equity_curve":[["2025-10-17T00:00:00Z","10000"],["2025-10-18T00:00:00Z","10250.5"]],"trades":[{"symbol":"BTCUSDT","side":"long","quantity":"0.01","entry_time":"2025-10-17T01:00:00Z","entry_price":"1","exit_time":"2025-10-17T02:00:00Z","exit_price":"2","net_pnl":"300.25","fees":"1"},{"symbol":"ETHUSDT","side":"short","quantity":"1","entry_time":"2025-10-17T03:00:00Z","entry_price":"1","exit_time":"2025-10-17T04:00:00Z","exit_price":"2","net_pnl":"-49.75","fees":"1"}]}]}');
    const r = normalizeReport(report)!;
    expect(r.metrics).toMatchObject({ account_value: "10250.5", return_pct: "2.5050", total_pnl: "250.5", net_pnl: "248.1", win_rate: "50.00", sharpe: "1.23", max_drawdown: "3.21", trades: 2, biggest_win: "300.25", biggest_loss: "-49.75" });
    expect(r.equity).toEqual([{ at: Date.UTC(2025, 9, 17), equity: "10000" }, { at: Date.UTC(2025, 9, 18), equity: "10250.5" }]);
    expect(r.trades[1]).toMatchObject({ side: "short", pnl: "-49.75", entry_at: Date.UTC(2025, 9, 17, 3) });
  });
  it("metrics that are missing stay missing", () => {
    expect(normalizeMetrics({})).toMatchObject({ sharpe: null, win_rate: null, trades: null });
  });
});

describe("arena", () => {
  it("the benchmark buys BTC with the capital at the first close, exactly", () => {
    const k = (t: number, close: string) => ({ open_time: t, open: close, high: close, low: close, close, volume: 1 });
    const b = benchmark([k(1, "100000.0"), k(2, "110000.5")], "10000")!;
    expect(b.points.map((p) => p.equity)).toEqual(["10000.00", "11000.05"]);
    expect(b.row).toMatchObject({ account_value: "11000.05", total_pnl: "1000.05", return_pct: "10.0005", benchmark: true });
    expect(benchmark([], "10000")).toBeNull();
  });
  it("biggest win and loss come from the fills' realized PnL, exactly", () => {
    const f = (pnl: string) => ({ id: 1, symbol: "BTCUSDT", side: "SELL", quantity: "1", price: "1", fee: "0", realized_pnl: pnl, is_maker: false, at: 1 });
    expect(extremes([f("0"), f("12.30"), f("-4.1"), f("12.31"), f("-40.00"), f("junk")])).toEqual({ biggest_win: "12.31", biggest_loss: "-40.00" });
    expect(extremes([])).toEqual({ biggest_win: null, biggest_loss: null });
  });
  it("leaderboard rows join the ranking with performance and compute return exactly", () => {
    const bots = new Map([["1", { id: 1, name: "base", capital: "10000", model: "baseline", provider: "" } as unknown as Bot]]);
    const rows = leaderboardRows([{ rank: 1, bot_id: 1, label: "baseline", equity: "10100", pnl: "100", llm_cost_usd: "0", net_pnl: "100", return_pct: 0.9999999 }], bots, new Map([["1", normalizeMetrics({ fees_paid: "3", win_rate: 0.25 })]]));
    expect(rows[0]).toMatchObject({ model: "baseline", return_pct: "1.0000", fees: "3", win_rate: "25.00", account_value: "10100" });
  });
});
