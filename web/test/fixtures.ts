// Wire objects shaped as the real server sends them (src/api/openapi.json), for page tests with a
// mocked fetch.
import type { WireBot } from "@/api/types";
import type { Handler } from "./helpers";

export const SYMBOLS_1H = [
  { symbol: "BTCUSDT", base: "BTC", tick_size: "0.1", step_size: "0.001", intervals: ["1h"] },
  { symbol: "ETHUSDT", base: "ETH", tick_size: "0.01", step_size: "0.001", intervals: ["1h"] },
];

export const MARKET_NOW = Date.UTC(2025, 9, 20, 12, 0, 0);

/** A bot as GET /api/bots/{id} answers; `spec` is the spec as stored (without interval unless given). */
export function wireBot(over: Omit<Partial<WireBot>, "spec"> & { spec?: Partial<WireBot["spec"]> } = {}): WireBot {
  const { spec, ...rest } = over;
  return {
    id: 7, name: "trend", label: "Trend", status: "running", mode: "paper", model: "baseline-v1", provider: "baseline",
    symbols: ["BTCUSDT", "ETHUSDT"], capital: "10000", equity: "10250.5", pnl: "250.5", open_positions: 1,
    last_decision_at: MARKET_NOW - 3_600_000, created_at: MARKET_NOW - 86_400_000,
    ...rest,
    spec: { name: rest.name ?? "trend", symbols: ["BTC", "ETH"], capital: "10000", ...spec },
  } as WireBot;
}

export const page = <T,>(items: T[], next_cursor: string | null = null) => ({ items, next_cursor });

/** A stored decision (GET /bots/{id}/decisions item), Alpha Arena answer format. */
export function wireDecision(over: Record<string, unknown> = {}) {
  return {
    id: 41, cycle: 12, decided_at: MARKET_NOW - 120_000, prompt_version: "aa-v1", prompt_hash: "ab12",
    raw_answer: "BTC holds above the 4h EMA20; a long with a stop under the swing low.\n```json\n{}\n```",
    decisions: {
      BTC: { trade_signal_args: { coin: "BTC", signal: "buy_to_enter", quantity: "0.0123", leverage: 5, profit_target: "112000.06", stop_loss: "105000.04", confidence: 0.61, justification: "trend" } },
      ETH: { trade_signal_args: { coin: "ETH", signal: "sell_to_enter", quantity: "0.5", leverage: 3, profit_target: "3500", stop_loss: "4100", confidence: 0.4 } },
    },
    verdicts: [{ coin: "BTC", verdict: "accepted" }, { coin: "ETH", verdict: "denied", reason: "reward_risk_too_low" }],
    outcome: "executed", error: null, latency_ms: 3400, input_tokens: 7000, output_tokens: 500, cost_usd: "0.0285",
    ...over,
  };
}

/** The read routes of a bot's detail page; `symbols` sets the feed's intervals. */
export function detailRoutes(bot: ReturnType<typeof wireBot>, symbols: unknown[] = SYMBOLS_1H, extra?: Handler): Handler {
  return (u, init) => {
    const r = extra?.(u, init);
    if (r) return r;
    const p = u.pathname;
    if (p === "/api/health") return { status: 200, body: { status: "ok", version: "t", market_time: MARKET_NOW } };
    if (p === "/api/market/symbols") return { status: 200, body: page(symbols) };
    if (p === `/api/bots/${bot.id}`) return { status: 200, body: bot };
    if (p === "/api/bots") return { status: 200, body: page([bot]) };
    if (/^\/api\/bots\/\d+\/(positions|trades|orders|decisions|equity)$/.test(p)) return { status: 200, body: page([]) };
    if (/^\/api\/bots\/\d+\/performance$/.test(p)) return { status: 200, body: { initial_equity: "10000", final_equity: "10250.5", total_return_pct: 2.505, max_drawdown_pct: 1.2, trades: 3, net_pnl: "250.5", fees_paid: "4.1", funding_paid: "0" } };
    if (/^\/api\/market\/[A-Z]+\/candles$/.test(p)) return { status: 200, body: page([]) };
    return undefined;
  };
}

