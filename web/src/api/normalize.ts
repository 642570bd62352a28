// Wire objects → view objects. The OpenAPI document leaves some shapes open (a decision's parsed
// decisions and verdicts, reports, performance, stream payloads); those are untrusted input here:
// every field is checked, unknown shapes become empty values, nothing throws.

import { parseDec, decToPlain, cmp, type Dec } from "@/lib/decimal";
import type {
  Backtest, Bot, BotMode, DecisionRecord, Id, ParsedDecision, Performance, Position, ReportView, RiskVerdict, Signal,
  Trade, WireBacktest, WireBot, WireDecision, WirePosition,
} from "./types";

type Obj = Record<string, unknown>;
const isObj = (x: unknown): x is Obj => typeof x === "object" && x !== null && !Array.isArray(x);
const str = (x: unknown): string | undefined => (typeof x === "string" ? x : undefined);
const num = (x: unknown): number | undefined => (typeof x === "number" && Number.isFinite(x) ? x : undefined);

/** A decimal string from a decimal string or a JSON number (numbers only for display). */
export function decOf(x: unknown): string | null {
  if (typeof x === "string") return parseDec(x) ? x : null;
  if (typeof x === "number" && Number.isFinite(x)) return String(x);
  return null;
}
/** A display decimal from a double statistic (return %, Sharpe): rounded, never used for money. */
function stat(x: unknown, dp: number, scale = 1): string | null {
  if (typeof x === "string") return parseDec(x) ? x : null;
  const n = num(x);
  return n === undefined ? null : (n * scale).toFixed(dp);
}
/** Times arrive as ms numbers or, in reports, as ISO-8601 UTC strings. */
export function msOf(x: unknown): number | null {
  if (typeof x === "number" && Number.isFinite(x)) return x;
  if (typeof x === "string") {
    const t = Date.parse(x);
    return Number.isFinite(t) ? t : null;
  }
  return null;
}

/** The rule-based baseline, whatever the server calls it ("baseline", "baseline-v1", provider "baseline"). */
export function isBaselineBot(b: { model?: string; provider?: string | null; spec?: { model?: string } }): boolean {
  return b.spec?.model === "baseline" || /^baseline/i.test(b.model ?? "") || b.provider === "baseline";
}

export function normalizeBot(b: WireBot): Bot {
  const spec = isObj(b.spec) ? b.spec : ({} as WireBot["spec"]);
  const mode = (["paper", "testnet", "live"].includes(b.mode) ? b.mode : spec.mode ?? "paper") as BotMode;
  const extra = b as unknown as Obj;
  const ts = str(extra.trading_state);
  const baseline = isBaselineBot(b);
  return {
    ...b,
    baseline,
    mode,
    label: b.label || spec.label || b.name,
    llm: spec.llm,
    risk: spec.risk,
    // only what the spec says: a bot without an interval runs the server's default (the market
    // feed's interval, GET /api/market/symbols), which the pages resolve with botTiming()
    interval: typeof spec.interval === "string" && spec.interval ? spec.interval : undefined,
    cadence: typeof spec.cadence === "string" && spec.cadence ? spec.cadence : undefined,
    trading_state: ts === "reducing" || ts === "halted" || ts === "active" ? ts : b.status === "halted" ? "halted" : undefined,
  };
}

export function normalizePosition(p: WirePosition): Position {
  return { ...p, side: String(p.side).toLowerCase() === "short" ? "short" : "long" };
}

const SIGNALS: Signal[] = ["buy_to_enter", "sell_to_enter", "hold", "close_position"];

function parsedDecision(x: unknown): ParsedDecision | null {
  if (isObj(x) && isObj(x.trade_signal_args)) x = x.trade_signal_args; // the Alpha Arena answer format
  if (!isObj(x)) return null;
  const coin = str(x.coin) ?? str(x.symbol);
  if (!coin) return null;
  const sig = str(x.signal);
  return {
    coin: coin.toUpperCase().replace(/USDT$/, ""),
    signal: sig && (SIGNALS as string[]).includes(sig) ? (sig as Signal) : null,
    quantity: decOf(x.quantity),
    leverage: num(x.leverage) ?? null,
    profit_target: decOf(x.profit_target),
    stop_loss: decOf(x.stop_loss),
    invalidation_condition: str(x.invalidation_condition),
    confidence: num(x.confidence) ?? null,
    risk_usd: decOf(x.risk_usd),
    justification: str(x.justification),
  };
}

function verdict(x: unknown): RiskVerdict | null {
  if (!isObj(x)) return null;
  const coin = str(x.coin) ?? str(x.symbol);
  if (!coin) return null;
  const v = str(x.verdict) ?? str(x.status) ?? str(x.result) ?? str(x.action);
  // the real server: {action: "denied", denials: ["insufficient_margin", …], detail: "insufficient_margin: DOGE: …"}
  const denials = Array.isArray(x.denials) ? x.denials.filter((d): d is string => typeof d === "string" && d !== "") : [];
  const reason = str(x.reason) ?? str(x.code) ?? str(x.reason_code) ?? denials[0];
  const accepted = typeof x.accepted === "boolean" ? x.accepted : typeof x.ok === "boolean" ? x.ok : v ? /^(accept|ok|allow|pass|enter|close|exec|reduc|fill)/i.test(v) : false;
  // "held" (a hold or a kept position) is no order at all, not a denial
  const kind: RiskVerdict["kind"] = accepted ? "accepted" : v && /^(held|hold|skip|none|noop|kept)/i.test(v) && !reason ? "none" : "denied";
  return {
    coin: coin.toUpperCase().replace(/USDT$/, ""),
    accepted,
    kind,
    action: v ?? null,
    reason: reason ?? null,
    message: str(x.message) ?? str(x.detail) ?? null,
  };
}

const list = <T,>(x: unknown, f: (v: unknown) => T | null): T[] => {
  // an array, {items: [...]}, or an object keyed by coin ({"BTC": {...}, ...})
  const arr = Array.isArray(x) ? x : isObj(x) && Array.isArray(x.items) ? x.items : isObj(x) ? Object.entries(x).map(([k, v]) => (isObj(v) && !("coin" in v) && !isObj(v.trade_signal_args) ? { coin: k, ...v } : v)) : [];
  const out: T[] = [];
  for (const v of arr) {
    const r = f(v);
    if (r) out.push(r);
  }
  return out;
};

/** The model's reasoning: a <think> block, else the text before the decision JSON. */
export function extractReasoning(raw: string | undefined | null, decisions: ParsedDecision[] = []): string {
  if (raw) {
    const think = /<think>([\s\S]*?)<\/think>/i.exec(raw);
    if (think && think[1].trim()) return think[1].trim();
    const cut = raw.search(/```|\{/);
    const before = (cut >= 0 ? raw.slice(0, cut) : "").trim();
    if (before) return before;
  }
  const just = decisions.map((d) => (d.justification ? `${d.coin}: ${d.justification}` : "")).filter(Boolean);
  return just.join("\n");
}

export function normalizeDecision(d: WireDecision | Obj, botId: Id): DecisionRecord {
  const o = d as Obj;
  const decisions = list(o.decisions, parsedDecision);
  const raw = str(o.raw_answer);
  return {
    id: (num(o.id) ?? str(o.id) ?? `${botId}-${num(o.cycle) ?? 0}`) as Id,
    bot_id: (num(o.bot_id) ?? str(o.bot_id) ?? botId) as Id,
    at: msOf(o.decided_at) ?? msOf(o.at) ?? 0,
    cycle: num(o.cycle),
    reasoning: str(o.reasoning) ?? extractReasoning(raw, decisions),
    decisions,
    verdicts: list(o.verdicts, verdict),
    outcome: str(o.outcome),
    error: str(o.error) ?? null,
    issues: Array.isArray(o.issues) ? (o.issues.filter(isObj).map((i) => ({ reason: str(i.reason) ?? "", coin: str(i.coin), field: str(i.field), message: str(i.message) ?? "" }))) : undefined,
    input_tokens: num(o.input_tokens) ?? 0,
    output_tokens: num(o.output_tokens) ?? 0,
    cost_usd: decOf(o.cost_usd) ?? "0",
    latency_ms: num(o.latency_ms) ?? 0,
    dry_run: o.dry_run === true,
    raw_answer: raw,
    prompt: str(o.prompt) ?? null,
    prompt_version: str(o.prompt_version),
  };
}

function closedTrade(x: unknown, i: number): Trade | null {
  if (!isObj(x)) return null;
  const symbol = str(x.symbol);
  const entry_at = msOf(x.entry_time) ?? msOf(x.entry_at);
  const exit_at = msOf(x.exit_time) ?? msOf(x.exit_at);
  if (!symbol || entry_at === null || exit_at === null) return null;
  return {
    id: (str(x.id) ?? num(x.id) ?? i) as Id,
    symbol,
    side: String(x.side).toLowerCase() === "short" ? "short" : "long",
    quantity: decOf(x.quantity) ?? "0",
    entry_price: decOf(x.entry_price) ?? "0",
    exit_price: decOf(x.exit_price) ?? "0",
    entry_at,
    exit_at,
    pnl: decOf(x.net_pnl) ?? decOf(x.pnl) ?? decOf(x.realized_pnl) ?? "0",
    fees: decOf(x.fees) ?? "0",
    exit_reason: str(x.exit_reason),
  };
}

function extreme(trades: Trade[], sign: 1 | -1): string | null {
  let best: Dec | null = null;
  for (const t of trades) {
    const d = parseDec(t.pnl);
    if (!d || (sign > 0 ? d.v <= 0n : d.v >= 0n)) continue;
    if (!best || cmp(d, best) * sign > 0) best = d;
  }
  return best ? decToPlain(best) : null;
}

/** Metrics of a bot report (engine/report.cpp keys) or of GET /performance. */
export function normalizeMetrics(x: unknown, trades: Trade[] = []): Performance {
  const o = isObj(x) ? x : {};
  if (!trades.length && Array.isArray(o.trades)) trades = list(o.trades.map((t, i) => [t, i] as const), (p) => closedTrade((p as readonly [unknown, number])[0], (p as readonly [unknown, number])[1]));
  const count = Array.isArray(o.trades) ? o.trades.length : num(o.trades) ?? num(o.trade_count) ?? (trades.length || null);
  const winRate = typeof o.win_rate === "number" ? stat(o.win_rate, 2, 100) : stat(o.win_rate, 2);
  return {
    account_value: decOf(o.final_equity) ?? decOf(o.account_value) ?? decOf(o.equity),
    initial_equity: decOf(o.initial_equity),
    return_pct: stat(o.total_return_pct ?? o.return_pct, 4),
    total_pnl: decOf(o.net_pnl) ?? decOf(o.total_pnl) ?? decOf(o.pnl),
    net_pnl: decOf(o.pnl_net_of_llm_cost) ?? decOf(o.net_of_llm_cost),
    llm_cost: decOf(o.llm_cost_usd) ?? decOf(o.llm_cost),
    fees: decOf(o.fees_paid) ?? decOf(o.fees),
    win_rate: winRate,
    biggest_win: decOf(o.biggest_win) ?? extreme(trades, 1),
    biggest_loss: decOf(o.biggest_loss) ?? extreme(trades, -1),
    sharpe: stat(o.sharpe, 2),
    max_drawdown: stat(o.max_drawdown_pct ?? o.max_drawdown, 2),
    trades: count,
  };
}

/** A backtest report: the engine's {bots:[…]} report (first bot) or one bot's report. */
export function normalizeReport(x: unknown): ReportView | null {
  if (!isObj(x)) return null;
  const bot = Array.isArray(x.bots) && isObj(x.bots[0]) ? (x.bots[0] as Obj) : x;
  const trades = Array.isArray(bot.trades) ? list(bot.trades.map((t, i) => [t, i] as const), (p) => closedTrade((p as readonly [unknown, number])[0], (p as readonly [unknown, number])[1])) : [];
  const curve = Array.isArray(bot.equity_curve) ? bot.equity_curve : Array.isArray(bot.equity) ? bot.equity : [];
  const equity: Array<{ at: number; equity: string }> = [];
  for (const p of curve) {
    const at = Array.isArray(p) ? msOf(p[0]) : isObj(p) ? msOf(p.at) : null;
    const eq = Array.isArray(p) ? decOf(p[1]) : isObj(p) ? decOf(p.equity) : null;
    if (at !== null && eq !== null) equity.push({ at, equity: eq });
  }
  return { metrics: normalizeMetrics(isObj(bot.metrics) ? bot.metrics : bot, trades), equity, trades };
}

export function normalizeBacktest(b: WireBacktest, local?: { bot_name?: string; from?: number; to?: number }): Backtest {
  return {
    id: b.id,
    status: b.status,
    progress: typeof b.progress === "number" ? Math.max(0, Math.min(1, b.progress)) : undefined,
    error: b.error ?? null,
    report: normalizeReport(b.report),
    ...local,
  };
}
