// Types of the /api contract. The wire types are generated from the server's OpenAPI document
// (schema.d.ts, `npm run gen:api`) so the client cannot drift from the API; the view types below
// are what the pages use, produced from wire objects by normalize.ts (which also checks the parts
// the document leaves open: decisions, verdicts, reports, performance, stream payloads).

import type { components } from "./schema";

type S = components["schemas"];

export type Decimal = string;
export type Ms = number;
export type Id = string | number;

export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

// ---- wire types (generated)
export type ApiErrorBody = S["Error"];
export type Me = S["User"];
export type RegisterResponse = S["User"];
export type TokenResponse = S["TokenPair"];
export type Health = S["Health"] & { speed?: number; feed?: string };
export type WireBot = S["Bot"];
export type BotSpecWire = S["BotSpec"];
export type RiskSpec = S["Risk"];
export type LlmSpec = S["LlmSpec"];
export type WirePosition = S["Position"];
export type Fill = S["Trade"]; // GET /bots/{id}/trades: executions (fills) with realized PnL
export type WireOrder = S["Order"];
export type WireDecision = S["Decision"];
export type EquityPoint = S["EquityPoint"] | { at: Ms; equity: Decimal };
export type SymbolInfo = S["Symbol"];
export type Candle = S["Candle"];
/** An alert; `acknowledged_at` (ms) is null until POST /api/alerts/{id}/ack. */
export type Alert = S["Alert"];
export type Credential = S["Credential"];
export type CredentialPut = S["CredentialPut"];
export type CommandResult = S["CommandResult"];
export type EmergencyStopResult = S["EmergencyStopResult"];
export type BacktestRequest = S["BacktestRequest"];
export type WireBacktest = S["Backtest"];
export type PromptInfo = S["Prompt"];
export type PromptPreview = S["PromptPreview"];
export type ArenaEntry = S["ArenaEntry"];
export type StreamMessageWire = S["StreamMessage"];

// ---- view types
export type BotStatus = WireBot["status"];
export type BotMode = "paper" | "testnet" | "live";
export type BotModel = "llm" | "baseline";

/** What the bot form edits: the BotSpec with the fields the form always sets. */
export interface BotSpec extends BotSpecWire {
  name: string;
  model: BotModel;
  symbols: string[];
  interval: string;
  cadence: string;
  capital: Decimal;
  mode: BotMode;
}

/** A bot with its spec's fields lifted for display. */
export interface Bot extends Omit<WireBot, "mode"> {
  mode: BotMode;
  /** the rule-based baseline (never shown as a model) */
  baseline?: boolean;
  llm?: LlmSpec;
  /** the spec's interval and cadence; absent = the server's default (lib/instruments botTiming) */
  interval?: string;
  cadence?: string;
  risk?: RiskSpec;
  trading_state?: "active" | "reducing" | "halted";
}

export interface Position extends Omit<WirePosition, "side"> {
  side: "long" | "short";
}

export interface Order extends WireOrder {
  /** Status changes seen on the stream (the API returns only the current status). */
  history?: Array<{ status: string; at: Ms }>;
}

export type Signal = "buy_to_enter" | "sell_to_enter" | "hold" | "close_position";
export interface ParsedDecision {
  coin: string;
  signal: Signal | null;
  quantity?: Decimal | null;
  leverage?: number | null;
  profit_target?: Decimal | null;
  stop_loss?: Decimal | null;
  invalidation_condition?: string;
  confidence?: number | null;
  risk_usd?: Decimal | null;
  justification?: string;
}
export interface RiskVerdict {
  coin: string;
  accepted: boolean;
  /** accepted (an order was placed), denied (by the risk engine, with a reason), none (a hold) */
  kind?: "accepted" | "denied" | "none";
  action?: string | null;
  reason?: string | null; // reason code: "reward_risk_too_low"
  message?: string | null;
}
export interface DecisionRecord {
  id: Id;
  bot_id: Id;
  at: Ms; // market time of the decision
  cycle?: number;
  reasoning: string;
  decisions: ParsedDecision[];
  verdicts: RiskVerdict[];
  outcome?: string;
  error?: string | null;
  issues?: Array<{ reason: string; coin?: string; field?: string; message: string }>;
  input_tokens: number;
  output_tokens: number;
  cost_usd: Decimal;
  latency_ms: number;
  dry_run?: boolean;
  raw_answer?: string;
  prompt?: string | null;
  prompt_version?: string;
}

/** A closed round trip (backtest report). */
export interface Trade {
  id: Id;
  symbol: string;
  side: "long" | "short";
  quantity: Decimal;
  entry_price: Decimal;
  exit_price: Decimal;
  entry_at: Ms;
  exit_at: Ms;
  pnl: Decimal; // net of fees and funding
  fees: Decimal;
  exit_reason?: string;
}

/** The report's metrics (backtest report and /performance), normalized. */
export interface Performance {
  account_value: Decimal | null;
  initial_equity: Decimal | null;
  return_pct: Decimal | null;
  total_pnl: Decimal | null;
  net_pnl: Decimal | null; // net of LLM cost
  llm_cost: Decimal | null;
  fees: Decimal | null;
  win_rate: Decimal | null; // percent
  biggest_win: Decimal | null;
  biggest_loss: Decimal | null;
  sharpe: Decimal | null;
  max_drawdown: Decimal | null; // percent
  trades: number | null;
}

export interface ArenaRow extends Performance {
  rank: number;
  bot_id: Id | null; // null for the benchmark
  name: string;
  label: string;
  model: string;
  provider: string | null;
  /** positions still open (the bot's open_positions): not in `trades`, which counts closed round trips */
  open_positions: number | null;
  benchmark?: boolean;
}

export interface ReportView {
  metrics: Performance;
  equity: Array<{ at: Ms; equity: Decimal }>;
  trades: Trade[];
}

export interface Backtest {
  id: Id;
  status: WireBacktest["status"];
  progress?: number; // 0..1
  error?: string | null;
  report: ReportView | null;
  // kept by the browser (the API has no list of backtests)
  bot_name?: string;
  from?: Ms;
  to?: Ms;
}

export type StreamType = StreamMessageWire["type"];
export interface StreamMessage<T = unknown> {
  seq: number;
  type: StreamType;
  bot_id: Id;
  at: Ms;
  data: T;
}
