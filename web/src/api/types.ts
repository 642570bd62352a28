// The HTTP/WebSocket contract of `aitrader serve` (issue 10), written by hand until the server's
// OpenAPI document (src/api/openapi.json on the api-server branch) exists; then `npm run gen:api`
// generates src/api/schema.d.ts and these names become aliases of the generated ones.
// Money, prices and quantities are decimal strings; times are integer ms since the epoch (UTC).

export type Decimal = string;
export type Ms = number;
export type Id = string | number;

export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

export interface ApiErrorBody {
  error: { code: string; message: string; field?: string };
}

// ---- auth
export interface RegisterResponse { id: Id; email: string }
export interface TokenResponse {
  access_token: string;
  token_type: "bearer";
  expires_in: number; // seconds
  refresh_token: string;
}
export interface Me { id: Id; email: string }

// ---- bots
export type BotStatus = "running" | "paused" | "stopped";
export type BotMode = "paper" | "testnet" | "live";
export type BotModel = "llm" | "baseline";
export type Provider = "anthropic" | "openai" | "deepseek" | "gemini" | string;

export interface LlmSpec {
  provider: Provider;
  model: string;
  base_url?: string;
  temperature?: number;
  max_tokens?: number;
}

export interface RiskSpec {
  max_leverage?: number;
  max_notional_to_equity?: Decimal;
  max_open_positions?: number;
  min_reward_risk?: Decimal;
  daily_loss_limit?: Decimal;
  drawdown_reduce?: Decimal;
  drawdown_halt?: Decimal;
  max_price_deviation?: Decimal;
}

export interface BotSpec {
  name: string;
  label?: string;
  model: BotModel;
  llm?: LlmSpec;
  symbols: string[];
  interval: string;
  cadence: string;
  capital: Decimal;
  risk?: RiskSpec;
  prompt_version?: string;
  prompt_template?: string;
  daily_budget_usd?: Decimal;
  close_on_stop?: boolean;
  mode: BotMode;
}

export interface Bot extends BotSpec {
  id: Id;
  status: BotStatus;
  provider: string | null;
  equity: Decimal;
  pnl: Decimal;
  open_positions: number;
  last_decision_at: Ms | null;
  created_at: Ms;
  trading_state?: "active" | "reducing" | "halted";
}

export interface Position {
  symbol: string;
  side: "long" | "short";
  quantity: Decimal;
  entry_price: Decimal;
  mark_price: Decimal;
  unrealized_pnl: Decimal;
  leverage: number;
  liquidation_price: Decimal | null;
  stop_loss: Decimal | null;
  take_profit: Decimal | null;
  invalidation: string | null;
  opened_at: Ms;
}

export interface Trade {
  id: Id;
  symbol: string;
  side: "long" | "short";
  quantity: Decimal;
  entry_price: Decimal;
  exit_price: Decimal;
  entry_at: Ms;
  exit_at: Ms;
  pnl: Decimal;
  fees: Decimal;
  exit_reason?: string;
}

export type OrderStatus = "new" | "open" | "partially_filled" | "filled" | "canceled" | "rejected" | "expired";
export interface Order {
  id: Id;
  client_order_id?: string;
  symbol: string;
  side: "buy" | "sell";
  type: "market" | "limit" | "stop_market" | "take_profit_market" | string;
  quantity: Decimal;
  price: Decimal | null;
  stop_price?: Decimal | null;
  reduce_only: boolean;
  status: OrderStatus;
  filled_quantity?: Decimal;
  created_at: Ms;
  history?: Array<{ status: OrderStatus; at: Ms; note?: string }>;
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
  reason?: string | null; // reason code: "reward_risk_too_low"
  message?: string | null;
}
export interface DecisionRecord {
  id: Id;
  bot_id: Id;
  at: Ms; // market time of the cycle
  reasoning: string;
  decisions: ParsedDecision[];
  verdicts: RiskVerdict[];
  issues?: Array<{ reason: string; coin?: string; field?: string; message: string }>;
  input_tokens: number;
  output_tokens: number;
  cost_usd: Decimal;
  latency_ms: number;
  dry_run?: boolean;
  raw_answer?: string;
  prompt?: string; // only with ?include=prompt
}

export interface EquityPoint { at: Ms; equity: Decimal }

export interface Performance {
  account_value: Decimal;
  return_pct: Decimal;
  total_pnl: Decimal;
  net_pnl: Decimal; // net of LLM cost
  llm_cost: Decimal;
  fees: Decimal;
  win_rate: Decimal; // percent
  biggest_win: Decimal;
  biggest_loss: Decimal;
  sharpe: Decimal | null;
  max_drawdown: Decimal; // percent
  trades: number;
}

export interface ArenaRow extends Performance {
  rank: number;
  bot_id: Id | null; // null for the benchmark
  name: string;
  label: string;
  model: string;
  provider: string | null;
  benchmark?: boolean; // the BTC buy-and-hold row
}
export interface Arena {
  items: ArenaRow[];
  benchmark?: ArenaRow;
  equity?: Array<{ bot_id: Id | null; name: string; points: EquityPoint[] }>;
}

// ---- market
export interface SymbolInfo {
  symbol: string; // "BTCUSDT"
  base: string; // "BTC"
  tick_size: Decimal;
  step_size: Decimal;
  min_notional?: Decimal;
  max_leverage?: number;
}
export interface Candle {
  open_time: Ms;
  open: Decimal;
  high: Decimal;
  low: Decimal;
  close: Decimal;
  volume: Decimal;
}

// ---- backtests
export type BacktestStatus = "queued" | "running" | "done" | "failed";
export interface Backtest {
  id: Id;
  status: BacktestStatus;
  bot_name: string;
  from: Ms;
  to: Ms;
  progress?: number; // 0..1
  created_at: Ms;
  error?: string | null;
  estimate_usd?: Decimal | null;
  report?: {
    metrics: Performance;
    equity: EquityPoint[];
    trades: Trade[];
  } | null;
}

// ---- prompts
export interface PromptInfo { version: string; name: string; kind: "system" | "user"; text?: string }
export interface PromptPreview { prompt: string; tokens: number; system_prompt?: string }

// ---- alerts and credentials
export interface Alert {
  id: Id;
  bot_id: Id | null;
  at: Ms;
  level: "info" | "warning" | "critical";
  kind: string;
  message: string;
}
export interface Credential { name: string; last4: string; updated_at?: Ms }

export interface Health { status: string; version: string; market_time: Ms | null; speed?: number; feed?: string }

// ---- stream
export type StreamType = "cycle" | "decision" | "order" | "fill" | "position" | "equity" | "alert" | "status" | "backtest";
export interface StreamMessage<T = unknown> {
  seq: number;
  type: StreamType;
  bot_id: Id;
  at: Ms;
  data: T;
}
