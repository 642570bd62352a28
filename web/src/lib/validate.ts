// Form validation before sending. Mirrors the server's rules (issue 10 and the config loader) so
// the user sees a mistake at once; the server's 422 still wins and is shown on its field.
import { cmp, parseDec } from "./decimal";
import type { BotSpec } from "@/api/types";

export type Errors = Record<string, string>;

export const HARD_MAX_LEVERAGE = 10;
export const INTERVALS = ["1m", "3m", "5m", "15m", "30m", "1h", "4h"] as const;
const MINUTES: Record<string, number> = { "1m": 1, "3m": 3, "5m": 5, "15m": 15, "30m": 30, "1h": 60, "2h": 120, "4h": 240, "1d": 1440 };
export const minutesOf = (i: string) => MINUTES[i] ?? 0;

export function validateCredentials(email: string, password: string, register: boolean): Errors {
  const e: Errors = {};
  if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email.trim())) e.email = "Enter a valid email address";
  if (register && password.length < 10) e.password = "At least 10 characters";
  if (!register && password.length === 0) e.password = "Enter your password";
  return e;
}

function decimalIn(text: string | undefined, min: string, max: string | null, what: string, allowMinEqual = true): string | null {
  const d = parseDec(text ?? "");
  if (!d) return `${what} must be a number like 1000 or 0.05`;
  const lo = parseDec(min)!;
  const c = cmp(d, lo);
  if (c < 0 || (!allowMinEqual && c === 0)) return `${what} must be ${allowMinEqual ? "at least" : "more than"} ${min}`;
  if (max !== null && cmp(d, parseDec(max)!) > 0) return `${what} must be at most ${max}`;
  return null;
}

export function validateBot(s: BotSpec, opts: { keyStored?: boolean } = {}): Errors {
  const e: Errors = {};
  if (!/^[a-z0-9][a-z0-9_-]{0,39}$/i.test(s.name)) e.name = "1–40 letters, digits, - or _ (starting with a letter or digit)";
  if (s.label && s.label.length > 60) e.label = "At most 60 characters";
  if (s.model === "llm") {
    if (!s.llm?.provider) e["llm.provider"] = "Choose a provider";
    if (!s.llm?.model?.trim()) e["llm.model"] = "Enter the model name";
    if (opts.keyStored === false) e["llm.provider"] = "No key stored for this provider: add one in Settings first";
  }
  if (!s.symbols.length) e.symbols = "Choose at least one coin";
  const capErr = decimalIn(s.capital, "0", "100000000", "Capital", false);
  if (capErr) e.capital = capErr;
  if (!(s.interval in MINUTES)) e.interval = "Unknown interval";
  if (!(s.cadence in MINUTES)) e.cadence = "Unknown cadence";
  else if (MINUTES[s.cadence] < MINUTES[s.interval]) e.cadence = "The cadence cannot be shorter than the candle interval";
  else if (MINUTES[s.cadence] % MINUTES[s.interval] !== 0) e.cadence = "The cadence must be a multiple of the interval";
  const r = s.risk ?? {};
  if (r.max_leverage === undefined || !Number.isInteger(r.max_leverage) || r.max_leverage < 1 || r.max_leverage > HARD_MAX_LEVERAGE)
    e["risk.max_leverage"] = `Leverage must be a whole number from 1 to ${HARD_MAX_LEVERAGE} (hard cap)`;
  if (r.max_open_positions !== undefined && (!Number.isInteger(r.max_open_positions) || r.max_open_positions < 1 || r.max_open_positions > 20))
    e["risk.max_open_positions"] = "From 1 to 20";
  const ratio = (k: keyof typeof r, lo: string, hi: string, what: string) => {
    const v = r[k];
    if (v === undefined || v === "") return;
    const m = decimalIn(String(v), lo, hi, what);
    if (m) e[`risk.${k}`] = m;
  };
  ratio("daily_loss_limit", "0", "1", "Daily loss limit");
  ratio("drawdown_reduce", "0", "1", "Reduce-only drawdown");
  ratio("drawdown_halt", "0", "1", "Halt drawdown");
  ratio("min_reward_risk", "0", "100", "Minimum reward:risk");
  ratio("max_notional_to_equity", "0", "10", "Max notional / equity");
  const red = parseDec(r.drawdown_reduce ?? ""), halt = parseDec(r.drawdown_halt ?? "");
  if (red && halt && cmp(halt, red) < 0 && !e["risk.drawdown_halt"]) e["risk.drawdown_halt"] = "The halt drawdown must not be below the reduce-only drawdown";
  if (s.model === "llm") {
    const b = decimalIn(s.daily_budget_usd ?? "", "0", "10000", "Daily budget", false);
    if (b) e.daily_budget_usd = b;
  }
  if (!["paper", "testnet", "live"].includes(s.mode)) e.mode = "Choose a mode";
  return e;
}
