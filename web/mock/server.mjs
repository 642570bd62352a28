// Dev-only mock of the `aitrader serve` API contract (issue 10) with fake data, so every page of the
// dashboard can be developed and screenshotted before the real server exists. Loopback only. It is
// NOT the engine: no test that claims to test the real server uses it.
//
//   node mock/server.mjs [--port 8787] [--web dist] [--tick-ms 2000] [--access-ttl 900]
//
// Demo login: demo@aitrader.local / demo-password-1

import http from "node:http";
import fs from "node:fs";
import path from "node:path";
import crypto from "node:crypto";
import { WebSocketServer } from "ws";

const args = Object.fromEntries(
  process.argv.slice(2).reduce((acc, a, i, all) => {
    if (a.startsWith("--")) acc.push([a.slice(2), all[i + 1] && !all[i + 1].startsWith("--") ? all[i + 1] : "true"]);
    return acc;
  }, []),
);
const PORT = Number(args.port ?? 8787);
const WEB = args.web ? path.resolve(args.web) : null;
const TICK_MS = Number(args["tick-ms"] ?? 2000);
const ACCESS_TTL = Number(args["access-ttl"] ?? 900);
const HOST = "127.0.0.1";

// ---------------------------------------------------------------- deterministic fake data
let seed = 42;
const rnd = () => ((seed = (seed * 1664525 + 1013904223) >>> 0) / 2 ** 32);
const BAR = 5 * 60_000;
const START = Date.UTC(2025, 9, 17, 0, 0);
const HISTORY_BARS = 1200; // ~4 days of 5m bars before "now"
let marketTime = START + HISTORY_BARS * BAR;

const SYMBOLS = [
  { symbol: "BTCUSDT", base: "BTC", tick_size: "0.1", step_size: "0.001", min_notional: "100", max_leverage: 10, p0: 106500 },
  { symbol: "ETHUSDT", base: "ETH", tick_size: "0.01", step_size: "0.001", min_notional: "20", max_leverage: 10, p0: 3870 },
  { symbol: "SOLUSDT", base: "SOL", tick_size: "0.01", step_size: "0.01", min_notional: "5", max_leverage: 10, p0: 187.3 },
  { symbol: "BNBUSDT", base: "BNB", tick_size: "0.01", step_size: "0.01", min_notional: "5", max_leverage: 10, p0: 1092.4 },
  { symbol: "XRPUSDT", base: "XRP", tick_size: "0.0001", step_size: "0.1", min_notional: "5", max_leverage: 10, p0: 2.3921 },
  { symbol: "DOGEUSDT", base: "DOGE", tick_size: "0.00001", step_size: "1", min_notional: "5", max_leverage: 10, p0: 0.18912 },
];
const dp = (step) => (step.includes(".") ? step.split(".")[1].replace(/0+$/, "").length : 0);
const fmt = (x, step) => Number(x).toFixed(dp(step));
const money = (x) => Number(x).toFixed(2);

const candles = {}; // base → [{open_time, o,h,l,c,v}] numbers
function genCandle(sym, prev, t) {
  const vol = 0.0025;
  const o = prev;
  const c = o * (1 + (rnd() - 0.495) * vol * 2);
  const h = Math.max(o, c) * (1 + rnd() * vol * 0.6);
  const l = Math.min(o, c) * (1 - rnd() * vol * 0.6);
  return { open_time: t, o, h, l, c, v: (rnd() * 1000 + 50) * (100000 / sym.p0) ** 0.3 };
}
for (const s of SYMBOLS) {
  const arr = [];
  let p = s.p0;
  for (let i = 0; i < HISTORY_BARS; i++) {
    const k = genCandle(s, p, START + i * BAR);
    arr.push(k);
    p = k.c;
  }
  candles[s.base] = arr;
}
const lastPrice = (base) => candles[base].at(-1).c;
const symInfo = (x) => SYMBOLS.find((s) => s.base === x || s.symbol === x);

// ---------------------------------------------------------------- users, tokens
const users = new Map(); // email → {id, email, password}
const accessTokens = new Map(); // token → {user_id, exp}
const refreshTokens = new Map(); // token → {user_id, family, used}
let nextUserId = 1;
function addUser(email, password) {
  const u = { id: nextUserId++, email, password };
  users.set(email, u);
  return u;
}
const demo = addUser("demo@aitrader.local", "demo-password-1");
addUser("other@aitrader.local", "other-password-1");
function issueTokens(user_id, family = crypto.randomUUID()) {
  const access_token = crypto.randomBytes(24).toString("base64url");
  const refresh_token = crypto.randomBytes(32).toString("base64url");
  accessTokens.set(access_token, { user_id, exp: Date.now() + ACCESS_TTL * 1000 });
  refreshTokens.set(refresh_token, { user_id, family, used: false });
  return { access_token, token_type: "bearer", expires_in: ACCESS_TTL, refresh_token };
}

// ---------------------------------------------------------------- bots and their records
const bots = [];
let nextBotId = 1;
const events = new Map(); // bot_id → [{seq,...}]
const seqs = new Map();
const alerts = [];
const credentials = new Map(); // user_id → Map(name → {last4, updated_at})
credentials.set(demo.id, new Map([["anthropic", { last4: "x9Qf", updated_at: marketTime - 86400000 }], ["openai", { last4: "a1B2", updated_at: marketTime - 3600000 }]]));
const backtests = [];

const DEFAULT_RISK = { max_leverage: 10, max_notional_to_equity: "3", max_open_positions: 6, min_reward_risk: "1.5", daily_loss_limit: "0.05", drawdown_reduce: "0.15", drawdown_halt: "0.25", max_price_deviation: "0.02" };

function makeBot(owner, spec, history = true) {
  const id = nextBotId++;
  const bot = {
    id, owner, status: spec.status ?? "stopped", trading_state: "active",
    name: spec.name, label: spec.label ?? spec.name, model: spec.model, llm: spec.llm,
    provider: spec.model === "baseline" ? null : spec.llm?.provider ?? null,
    symbols: spec.symbols ?? SYMBOLS.map((s) => s.base), interval: spec.interval ?? "5m", cadence: spec.cadence ?? "15m",
    capital: spec.capital ?? "10000", risk: { ...DEFAULT_RISK, ...(spec.risk ?? {}) }, prompt_version: spec.prompt_version ?? "v1",
    prompt_template: spec.prompt_template, daily_budget_usd: spec.daily_budget_usd ?? (spec.model === "baseline" ? "0" : "20"),
    close_on_stop: spec.close_on_stop ?? true, mode: spec.mode ?? "paper", created_at: history ? START : marketTime,
    equityCurve: [], positions: [], trades: [], orders: [], decisions: [], llmCost: 0, fees: 0, drift: spec.drift ?? 0,
  };
  const cap = Number(bot.capital);
  let eq = cap;
  if (history) {
    for (let i = 0; i < HISTORY_BARS; i += 3) {
      eq = eq * (1 + (rnd() - 0.5 + bot.drift) * 0.004);
      bot.equityCurve.push({ at: START + i * BAR, equity: money(eq) });
    }
    // some closed trades
    for (let i = 0; i < 14; i++) {
      const s = SYMBOLS[Math.floor(rnd() * SYMBOLS.length)];
      if (!bot.symbols.includes(s.base)) continue;
      const k0 = Math.floor(rnd() * (HISTORY_BARS - 60));
      const k1 = k0 + 5 + Math.floor(rnd() * 50);
      const side = rnd() > 0.5 ? "long" : "short";
      const e = candles[s.base][k0].c, x = candles[s.base][k1].c;
      const qty = (1500 / e);
      const pnl = (side === "long" ? x - e : e - x) * Number(fmt(qty, s.step_size));
      const fee = (e + x) * qty * 0.0005;
      bot.fees += fee;
      bot.trades.push({ id: `${id}-t${i}`, symbol: s.symbol, side, quantity: fmt(qty, s.step_size), entry_price: fmt(e, s.tick_size), exit_price: fmt(x, s.tick_size), entry_at: candles[s.base][k0].open_time, exit_at: candles[s.base][k1].open_time, pnl: money(pnl - fee), fees: money(fee), exit_reason: rnd() > 0.5 ? "take_profit" : rnd() > 0.5 ? "stop_loss" : "model_close" });
    }
    bot.trades.sort((a, b) => b.exit_at - a.exit_at);
    if (bot.status !== "stopped") {
      for (const base of bot.symbols.slice(0, 1 + Math.floor(rnd() * 3))) openPosition(bot, base, rnd() > 0.4 ? "long" : "short", false);
      for (let i = 0; i < 6; i++) bot.decisions.push(makeDecision(bot, marketTime - (6 - i) * 15 * 60_000));
    }
    bot.llmCost = bot.model === "baseline" ? 0 : 3 + rnd() * 9;
  } else {
    bot.equityCurve.push({ at: marketTime, equity: money(cap) });
  }
  bots.push(bot);
  events.set(id, []);
  seqs.set(id, 0);
  return bot;
}

function openPosition(bot, base, side, emit = true) {
  const s = symInfo(base);
  const price = lastPrice(base);
  const lev = 3 + Math.floor(rnd() * 8);
  const qty = Number(fmt(2000 / price, s.step_size)) || Number(s.step_size);
  const sl = side === "long" ? price * 0.97 : price * 1.03;
  const tp = side === "long" ? price * 1.06 : price * 0.94;
  const liq = side === "long" ? price * (1 - 0.9 / lev) : price * (1 + 0.9 / lev);
  const pos = { symbol: s.symbol, side, quantity: fmt(qty, s.step_size), entry_price: fmt(price, s.tick_size), leverage: lev, liquidation_price: fmt(liq, s.tick_size), stop_loss: fmt(sl, s.tick_size), take_profit: fmt(tp, s.tick_size), invalidation: `${base} closes ${side === "long" ? "below" : "above"} ${fmt(side === "long" ? price * 0.975 : price * 1.025, s.tick_size)} on the 4h`, opened_at: marketTime - Math.floor(rnd() * 40) * BAR };
  bot.positions.push(pos);
  const oid = () => `${bot.id}-o${bot.orders.length + 1}`;
  const entrySide = side === "long" ? "buy" : "sell", exitSide = side === "long" ? "sell" : "buy";
  bot.orders.unshift({ id: oid(), client_order_id: `at-${bot.id}-${bot.orders.length}`, symbol: s.symbol, side: entrySide, type: "market", quantity: pos.quantity, price: null, reduce_only: false, status: "filled", filled_quantity: pos.quantity, created_at: pos.opened_at, history: [{ status: "new", at: pos.opened_at }, { status: "filled", at: pos.opened_at + 180, note: `avg ${pos.entry_price}` }] });
  bot.orders.unshift({ id: oid(), client_order_id: `at-${bot.id}-${bot.orders.length}`, symbol: s.symbol, side: exitSide, type: "stop_market", quantity: pos.quantity, price: null, stop_price: pos.stop_loss, reduce_only: true, status: "open", filled_quantity: "0", created_at: pos.opened_at + 200, history: [{ status: "new", at: pos.opened_at + 200 }, { status: "open", at: pos.opened_at + 260 }] });
  bot.orders.unshift({ id: oid(), client_order_id: `at-${bot.id}-${bot.orders.length}`, symbol: s.symbol, side: exitSide, type: "take_profit_market", quantity: pos.quantity, price: null, stop_price: pos.take_profit, reduce_only: true, status: "open", filled_quantity: "0", created_at: pos.opened_at + 210, history: [{ status: "new", at: pos.opened_at + 210 }, { status: "open", at: pos.opened_at + 270 }] });
  if (emit) {
    publish(bot, "order", bot.orders[2]);
    publish(bot, "fill", { symbol: s.symbol, side: entrySide, quantity: pos.quantity, price: pos.entry_price, fee: money(2000 * 0.0005), order_id: bot.orders[2].id });
    publish(bot, "position", positionView(pos));
  }
  return pos;
}

function positionView(p) {
  const s = symInfo(p.symbol);
  const mark = lastPrice(s.base);
  const q = Number(p.quantity), e = Number(p.entry_price);
  const u = (p.side === "long" ? mark - e : e - mark) * q;
  return { ...p, mark_price: fmt(mark, s.tick_size), unrealized_pnl: money(u) };
}

const REASONS = [
  "BTC is holding above the 20-EMA on the 4h with MACD turning up; funding is flat and open interest is rising slowly, which supports continuation. ETH lags but keeps its higher lows. I keep the BTC long with the stop under the last swing low and add nothing new: the risk budget is mostly used. SOL's RSI at 71 is stretched, so no new long there. DOGE shows a lower high on the 3m series; a short is tempting but the reward-to-risk after fees is only 1.2.",
  "Momentum has faded across the board: RSI(14) on the 3m chart dropped under 45 for ETH and SOL while volume fell. My ETH long's invalidation (close below 3,820 on the 4h) has not triggered, so I hold. XRP broke its range to the upside with rising OI; I open a small long with a tight stop and a target at the prior high, leverage 5.",
  "The market sold off sharply in the last hour. BTC lost the 50-EMA and funding turned negative. My invalidation for the BTC long hit: closing it. I stay flat on the rest until volatility settles; a short on BNB is possible but the stop would have to sit above 1,110, which is too wide for the account's current drawdown.",
];
function makeDecision(bot, at, dry = false) {
  const coins = bot.symbols.slice(0, 3);
  const decisions = coins.map((c, i) => {
    const s = symInfo(c);
    const p = lastPrice(c);
    const sig = i === 0 ? "hold" : rnd() > 0.6 ? "buy_to_enter" : rnd() > 0.5 ? "sell_to_enter" : "hold";
    const long = sig !== "sell_to_enter";
    return { coin: c, signal: sig, quantity: fmt(1500 / p, s.step_size), leverage: 5 + (i % 3), profit_target: fmt(long ? p * 1.05 : p * 0.95, s.tick_size), stop_loss: fmt(long ? p * 0.975 : p * 1.025, s.tick_size), invalidation_condition: `4h close ${long ? "below" : "above"} ${fmt(long ? p * 0.97 : p * 1.03, s.tick_size)}`, confidence: Number((0.45 + rnd() * 0.4).toFixed(2)), risk_usd: money(20 + rnd() * 60), justification: "" };
  });
  const verdicts = decisions.filter((d) => d.signal === "buy_to_enter" || d.signal === "sell_to_enter").map((d) => {
    const ok = rnd() > 0.4;
    return ok ? { coin: d.coin, accepted: true } : { coin: d.coin, accepted: false, reason: ["reward_risk_too_low", "max_open_positions", "notional_too_large", "cool_down"][Math.floor(rnd() * 4)], message: `${d.coin}: refused by the risk engine` };
  });
  const baseline = bot.model === "baseline";
  const reasoning = baseline ? "Rule-based baseline: EMA(20) above EMA(50) and RSI(14) between 45 and 70 on the 4h series; entries use ATR(14)-based stops (1.5×) and targets (3×)." : REASONS[Math.floor(rnd() * REASONS.length)];
  const inTok = baseline ? 0 : 6800 + Math.floor(rnd() * 1500), outTok = baseline ? 0 : 400 + Math.floor(rnd() * 600);
  return {
    id: `${bot.id}-d${bot.decisions.length + 1}-${at}`, bot_id: bot.id, at, reasoning, decisions, verdicts,
    issues: rnd() > 0.85 ? [{ reason: "stop_loss_wrong_side", coin: decisions[1]?.coin, field: "stop_loss", message: `${decisions[1]?.coin}: stop_loss must be below the current price for a long` }] : [],
    input_tokens: inTok, output_tokens: outTok, cost_usd: baseline ? "0" : ((inTok * 3 + outTok * 15) / 1e6).toFixed(4), latency_ms: baseline ? 1 : 2400 + Math.floor(rnd() * 6000), dry_run: dry,
    raw_answer: baseline ? JSON.stringify({ decisions }, null, 2) : `<think>\n${reasoning}\n</think>\n` + JSON.stringify({ decisions }, null, 2),
  };
}
const promptFor = (bot) => `You are a systematic crypto perpetual-futures trader (${bot.label}).\nIt has been ${Math.round((marketTime - bot.created_at) / 60000)} minutes since you started trading.\n\nCURRENT MARKET STATE FOR ALL COINS\n` + bot.symbols.map((c) => `ALL ${c} DATA\ncurrent_price = ${fmt(lastPrice(c), symInfo(c).tick_size)}, current_ema20 = …, current_macd = …, current_rsi (7 period) = …\nIntraday series (3-minute intervals, oldest → latest): …`).join("\n\n") + `\n\nHERE IS YOUR ACCOUNT INFORMATION & PERFORMANCE\nCurrent Total Return (percent): …\nAvailable Cash: …\n` + (bot.prompt_template ? `\nUSER TEMPLATE\n${bot.prompt_template}\n` : "");

makeBot(demo.id, { name: "baseline", label: "baseline 10x", model: "baseline", status: "running", cadence: "5m", drift: 0.02 });
makeBot(demo.id, { name: "claude", label: "Claude Sonnet 4.5", model: "llm", llm: { provider: "anthropic", model: "claude-sonnet-4-5" }, status: "running", drift: 0.06 });
makeBot(demo.id, { name: "gpt", label: "GPT-5", model: "llm", llm: { provider: "openai", model: "gpt-5" }, status: "running", drift: -0.05 });
makeBot(demo.id, { name: "deepseek", label: "DeepSeek V3.2", model: "llm", llm: { provider: "deepseek", model: "deepseek-chat" }, status: "paused", drift: 0.09, daily_budget_usd: "5" });
makeBot(demo.id, { name: "gemini-testnet", label: "Gemini 2.5 Pro", model: "llm", llm: { provider: "gemini", model: "gemini-2.5-pro" }, status: "stopped", mode: "testnet", drift: -0.08 });
makeBot(2, { name: "other-users-bot", label: "not yours", model: "baseline", status: "running" });
alerts.push({ id: 1, bot_id: 3, at: marketTime - 3 * 3600_000, level: "warning", kind: "drawdown_reducing", message: "GPT-5: drawdown 15.2% below peak — trading state is now reducing (no new entries)" });
alerts.push({ id: 2, bot_id: 2, at: marketTime - 7 * 3600_000, level: "info", kind: "take_profit", message: "Claude Sonnet 4.5: take-profit hit on ETHUSDT, +$84.12" });
alerts.push({ id: 3, bot_id: 4, at: marketTime - 26 * 3600_000, level: "critical", kind: "llm_budget", message: "DeepSeek V3.2: daily LLM budget of $5.00 reached — bot paused" });

function publish(bot, type, data, at = marketTime) {
  const seq = seqs.get(bot.id) + 1;
  seqs.set(bot.id, seq);
  const msg = { seq, type, bot_id: bot.id, at, data };
  const log = events.get(bot.id);
  log.push(msg);
  if (log.length > 5000) log.shift();
  for (const c of clients) if (c.owner === bot.owner && (!c.bots || c.bots.has(String(bot.id)))) c.ws.send(JSON.stringify(msg));
}

function currentEquity(bot) {
  const base = Number(bot.equityCurve.at(-1)?.equity ?? bot.capital);
  return base;
}

function performance(bot) {
  const cap = Number(bot.capital);
  const eq = currentEquity(bot);
  const pnl = eq - cap;
  const wins = bot.trades.filter((t) => Number(t.pnl) > 0);
  let peak = cap, mdd = 0;
  for (const p of bot.equityCurve) { const e = Number(p.equity); peak = Math.max(peak, e); mdd = Math.max(mdd, (peak - e) / peak); }
  const pnls = bot.trades.map((t) => Number(t.pnl));
  return {
    account_value: money(eq), return_pct: (pnl / cap * 100).toFixed(4), total_pnl: money(pnl), net_pnl: money(pnl - bot.llmCost),
    llm_cost: money(bot.llmCost), fees: money(bot.fees), win_rate: bot.trades.length ? (wins.length / bot.trades.length * 100).toFixed(2) : "0",
    biggest_win: money(Math.max(0, ...pnls)), biggest_loss: money(Math.min(0, ...pnls)), sharpe: bot.trades.length > 3 ? (pnl / cap * 8).toFixed(3) : null,
    max_drawdown: (mdd * 100).toFixed(2), trades: bot.trades.length,
  };
}

function botView(bot) {
  const { owner: _o, equityCurve: _e, positions, trades: _t, orders: _r, decisions, llmCost: _c, fees: _f, drift: _d, ...rest } = bot;
  const eq = currentEquity(bot);
  return { ...rest, equity: money(eq), pnl: money(eq - Number(bot.capital)), open_positions: positions.length, last_decision_at: decisions.at(-1)?.at ?? null };
}

// ---------------------------------------------------------------- the market clock
let tick = 0;
setInterval(() => {
  tick++;
  marketTime += BAR;
  for (const s of SYMBOLS) candles[s.base].push(genCandle(s, lastPrice(s.base), marketTime - BAR));
  const running = bots.filter((b) => b.status === "running");
  for (const b of running) {
    const last = currentEquity(b);
    const eq = last * (1 + (rnd() - 0.5 + b.drift) * 0.004);
    b.equityCurve.push({ at: marketTime, equity: money(eq) });
    publish(b, "equity", { equity: money(eq), at: marketTime });
    for (const p of b.positions) publish(b, "position", positionView(p));
  }
  if (running.length && tick % 2 === 0) {
    const b = running[Math.floor(tick / 2) % running.length];
    const d = makeDecision(b, marketTime);
    b.decisions.push(d);
    publish(b, "cycle", { at: marketTime, phase: "done" });
    publish(b, "decision", d);
    const entry = d.decisions.find((x) => (x.signal === "buy_to_enter" || x.signal === "sell_to_enter") && d.verdicts.find((v) => v.coin === x.coin)?.accepted);
    if (entry && !b.positions.some((p) => symInfo(p.symbol).base === entry.coin) && b.positions.length < 4) openPosition(b, entry.coin, entry.signal === "buy_to_enter" ? "long" : "short");
  }
  if (tick % 15 === 0 && running.length) {
    const b = running[tick % running.length];
    const a = { id: alerts.length + 1, bot_id: b.id, at: marketTime, level: "warning", kind: "risk_denial", message: `${b.label}: entry on SOLUSDT refused — reward:risk 1.2 below the minimum 1.5` };
    alerts.unshift(a);
    publish(b, "alert", a);
  }
  for (const bt of backtests) {
    if (bt.status === "queued") bt.status = "running";
    if (bt.status === "running") {
      bt.progress = Math.min(1, bt.progress + 0.2);
      const owner = bots.find((b) => b.owner === bt.owner);
      if (bt.progress >= 1) finishBacktest(bt);
      if (owner) publish(owner, "backtest", { id: bt.id, status: bt.status, progress: bt.progress });
    }
  }
}, TICK_MS).unref();

function finishBacktest(bt) {
  bt.status = "done";
  const cap = Number(bt.spec.capital ?? "10000");
  const curve = [];
  let eq = cap;
  for (let t = bt.from; t <= bt.to; t += 3600_000) { eq *= 1 + (rnd() - 0.48) * 0.006; curve.push({ at: t, equity: money(eq) }); }
  const trades = [];
  for (let i = 0; i < 12; i++) {
    const s = SYMBOLS[i % 6]; const e = s.p0 * (1 + (rnd() - 0.5) * 0.05); const x = e * (1 + (rnd() - 0.5) * 0.04); const side = i % 3 ? "long" : "short"; const q = 1500 / e;
    trades.push({ id: `bt${bt.id}-t${i}`, symbol: s.symbol, side, quantity: fmt(q, s.step_size), entry_price: fmt(e, s.tick_size), exit_price: fmt(x, s.tick_size), entry_at: bt.from + i * 3 * 3600_000, exit_at: bt.from + (i * 3 + 2) * 3600_000, pnl: money((side === "long" ? x - e : e - x) * q), fees: money(1.5), exit_reason: "take_profit" });
  }
  const pnl = eq - cap;
  bt.report = { metrics: { account_value: money(eq), return_pct: (pnl / cap * 100).toFixed(4), total_pnl: money(pnl), net_pnl: money(pnl - 1.9), llm_cost: bt.spec.model === "baseline" ? "0.00" : "1.90", fees: "18.00", win_rate: "58.33", biggest_win: "142.10", biggest_loss: "-96.40", sharpe: "1.214", max_drawdown: "6.81", trades: 12 }, equity: curve, trades };
}

// ---------------------------------------------------------------- HTTP
const send = (res, status, body, headers = {}) => {
  res.writeHead(status, { "Content-Type": "application/json", "Cache-Control": "no-store", ...headers });
  res.end(body === undefined ? "" : JSON.stringify(body));
};
const err = (res, status, code, message, field) => send(res, status, { error: { code, message, ...(field ? { field } : {}) } });
const page = (items, limit) => ({ items: items.slice(0, Math.min(Number(limit) || 100, 1000)), next_cursor: null });

function authUser(req, url) {
  const h = req.headers.authorization;
  const tok = h?.startsWith("Bearer ") ? h.slice(7) : url.searchParams.get("access_token");
  const t = tok && accessTokens.get(tok);
  if (!t || t.exp < Date.now()) return null;
  return [...users.values()].find((u) => u.id === t.user_id) ?? null;
}

function readBody(req) {
  return new Promise((resolve) => {
    let data = "";
    req.on("data", (c) => { data += c; if (data.length > 1 << 20) req.destroy(); });
    req.on("end", () => {
      if (!data) return resolve({ ok: true, value: undefined });
      try { resolve({ ok: true, value: JSON.parse(data) }); } catch { resolve({ ok: false }); }
    });
  });
}

function validateSpec(s, partial = false) {
  if (typeof s !== "object" || !s) return ["bot", "expected an object"];
  if (!partial || "name" in s) { if (typeof s.name !== "string" || !/^[a-z0-9][a-z0-9_-]{0,39}$/i.test(s.name)) return ["name", "name must be 1–40 letters, digits, - or _"]; }
  if (!partial || "model" in s) { if (s.model !== "llm" && s.model !== "baseline") return ["model", "model must be \"llm\" or \"baseline\""]; }
  if (s.model === "llm" && (!s.llm || !s.llm.provider || !s.llm.model)) return ["llm.provider", "an llm bot needs llm.provider and llm.model"];
  if (s.llm?.base_url) return ["llm.base_url", "llm.base_url is not on the server's allow-list"];
  if ("capital" in s && !/^\d+(\.\d+)?$/.test(String(s.capital))) return ["capital", "capital must be a positive decimal string"];
  if ("symbols" in s && (!Array.isArray(s.symbols) || !s.symbols.length || s.symbols.some((x) => !symInfo(x)))) return ["symbols", "unknown symbol"];
  if (s.risk?.max_leverage !== undefined && (!Number.isInteger(s.risk.max_leverage) || s.risk.max_leverage < 1 || s.risk.max_leverage > 10)) return ["risk.max_leverage", "max_leverage must be 1..10"];
  if ("mode" in s && !["paper", "testnet", "live"].includes(s.mode)) return ["mode", "mode must be paper, testnet or live"];
  if (s.mode === "live" || s.mode === "testnet") return ["mode", `${s.mode} trading is not available yet: the Binance venue does not exist in this build`];
  return null;
}

function serveStatic(req, res, url) {
  if (!WEB) return err(res, 404, "not_found", "no such route");
  let p = path.normalize(decodeURIComponent(url.pathname)).replace(/^(\.\.[/\\])+/, "");
  let file = path.join(WEB, p);
  if (!file.startsWith(WEB)) return err(res, 404, "not_found", "no such file");
  if (!fs.existsSync(file) || fs.statSync(file).isDirectory()) file = path.join(WEB, "index.html");
  const ext = path.extname(file);
  const types = { ".html": "text/html; charset=utf-8", ".js": "text/javascript", ".css": "text/css", ".svg": "image/svg+xml", ".json": "application/json", ".woff2": "font/woff2", ".png": "image/png" };
  res.writeHead(200, { "Content-Type": types[ext] ?? "application/octet-stream", "Cache-Control": file.includes("/assets/") ? "public, max-age=31536000, immutable" : "no-cache" });
  fs.createReadStream(file).pipe(res);
}

const server = http.createServer(async (req, res) => {
  const url = new URL(req.url, `http://${req.headers.host}`);
  const p = url.pathname;
  if (!p.startsWith("/api/")) return serveStatic(req, res, url);
  const m = req.method;
  if (p === "/api/health") return send(res, 200, { status: "ok", version: "mock-0.1", market_time: marketTime, speed: Math.round(BAR / TICK_MS), feed: "replay" });
  if (p === "/api/ready") return send(res, 200, { status: "ready" });
  let body;
  if (m === "POST" || m === "PUT" || m === "PATCH") {
    const b = await readBody(req);
    if (!b.ok) return err(res, 400, "malformed_json", "the body is not valid JSON");
    body = b.value ?? {};
  }
  if (p === "/api/auth/register" && m === "POST") {
    if (typeof body.email !== "string" || !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(body.email)) return err(res, 422, "invalid_email", "email is not a valid address", "email");
    if (typeof body.password !== "string" || body.password.length < 10) return err(res, 422, "weak_password", "password must have at least 10 characters", "password");
    if (users.has(body.email)) return err(res, 409, "email_taken", "an account with this email exists", "email");
    const u = addUser(body.email, body.password);
    return send(res, 201, { id: u.id, email: u.email });
  }
  if (p === "/api/auth/login" && m === "POST") {
    const u = users.get(body.email);
    if (!u || u.password !== body.password) return err(res, 401, "invalid_credentials", "wrong email or password");
    return send(res, 200, issueTokens(u.id));
  }
  if (p === "/api/auth/refresh" && m === "POST") {
    const r = refreshTokens.get(body.refresh_token);
    if (!r) return err(res, 401, "invalid_refresh_token", "the refresh token is not valid");
    if (r.used) { for (const [k, v] of refreshTokens) if (v.family === r.family) refreshTokens.delete(k); return err(res, 401, "refresh_token_reused", "the refresh token was already used; the session is revoked"); }
    r.used = true;
    return send(res, 200, issueTokens(r.user_id, r.family));
  }
  if (p === "/api/auth/logout" && m === "POST") {
    const r = refreshTokens.get(body.refresh_token);
    if (r) for (const [k, v] of refreshTokens) if (v.family === r.family) refreshTokens.delete(k);
    return send(res, 204);
  }
  const user = authUser(req, url);
  if (!user) return err(res, 401, "unauthorized", "missing or expired access token");
  if (p === "/api/auth/me") return send(res, 200, { id: user.id, email: user.email });
  const mine = bots.filter((b) => b.owner === user.id);
  if (p === "/api/market/symbols") return send(res, 200, { items: SYMBOLS.map(({ p0: _p, ...s }) => s), next_cursor: null });
  let mm = p.match(/^\/api\/market\/([A-Z]+)\/candles$/);
  if (mm) {
    const s = symInfo(mm[1]);
    if (!s) return err(res, 404, "not_found", `unknown symbol ${mm[1]}`);
    const limit = Math.min(Number(url.searchParams.get("limit") ?? 300), 1000);
    return send(res, 200, { items: candles[s.base].slice(-limit).map((k) => ({ open_time: k.open_time, open: fmt(k.o, s.tick_size), high: fmt(k.h, s.tick_size), low: fmt(k.l, s.tick_size), close: fmt(k.c, s.tick_size), volume: k.v.toFixed(3) })), next_cursor: null });
  }
  if (p === "/api/bots" && m === "GET") return send(res, 200, { items: mine.map(botView), next_cursor: null });
  if (p === "/api/bots" && m === "POST") {
    const bad = validateSpec(body);
    if (bad) return err(res, 422, "invalid_bot", bad[1], bad[0]);
    if (mine.some((b) => b.name === body.name)) return err(res, 409, "name_taken", `you already have a bot named ${body.name}`, "name");
    return send(res, 201, botView(makeBot(user.id, body, false)));
  }
  if (p === "/api/emergency-stop" && m === "POST") {
    const out = mine.map((b) => emergency(b));
    return send(res, 200, { bots: out, flat: true });
  }
  mm = p.match(/^\/api\/bots\/(\d+)(?:\/([a-z-]+))?$/);
  if (mm) {
    const bot = mine.find((b) => String(b.id) === mm[1]);
    if (!bot) return err(res, 404, "not_found", "no such bot");
    const sub = mm[2];
    if (!sub && m === "GET") return send(res, 200, botView(bot));
    if (!sub && m === "PATCH") {
      const bad = validateSpec(body, true);
      if (bad) return err(res, 422, "invalid_bot", bad[1], bad[0]);
      Object.assign(bot, body, { risk: { ...bot.risk, ...(body.risk ?? {}) } });
      bot.provider = bot.model === "baseline" ? null : bot.llm?.provider ?? null;
      return send(res, 200, botView(bot));
    }
    if (!sub && m === "DELETE") { bots.splice(bots.indexOf(bot), 1); return send(res, 204); }
    if (m === "POST" && ["start", "pause", "resume", "stop"].includes(sub)) {
      bot.status = sub === "pause" ? "paused" : sub === "stop" ? "stopped" : "running";
      if (sub === "stop" && bot.close_on_stop) bot.positions = [];
      publish(bot, "status", { status: bot.status });
      return send(res, 200, botView(bot));
    }
    if (m === "POST" && sub === "emergency-stop") return send(res, 200, emergency(bot));
    if (m === "POST" && sub === "dry-run") { const d = makeDecision(bot, marketTime, true); d.prompt = promptFor(bot); return send(res, 200, d); }
    if (sub === "positions") return send(res, 200, page(bot.positions.map(positionView)));
    if (sub === "trades") return send(res, 200, page(bot.trades, url.searchParams.get("limit")));
    if (sub === "orders") return send(res, 200, page(bot.orders, url.searchParams.get("limit")));
    if (sub === "decisions") {
      const inc = url.searchParams.get("include") === "prompt";
      return send(res, 200, page([...bot.decisions].reverse().map((d) => (inc ? { ...d, prompt: promptFor(bot) } : d)), url.searchParams.get("limit")));
    }
    if (sub === "equity") return send(res, 200, page(bot.equityCurve, 1000));
    if (sub === "performance") return send(res, 200, performance(bot));
    return err(res, 404, "not_found", "no such route");
  }
  if (p === "/api/arena") {
    const rows = mine.map((b) => ({ bot_id: b.id, name: b.name, label: b.label, model: b.model === "baseline" ? "baseline" : b.llm?.model, provider: b.provider, ...performance(b) }));
    rows.sort((a, b) => Number(b.net_pnl) - Number(a.net_pnl));
    rows.forEach((r, i) => (r.rank = i + 1));
    const btc = candles.BTC;
    const b0 = btc[0].c, b1 = btc.at(-1).c;
    const bench = { rank: 0, bot_id: null, name: "btc-buy-and-hold", label: "BTC buy & hold", model: "benchmark", provider: null, benchmark: true, account_value: money(10000 * b1 / b0), return_pct: ((b1 / b0 - 1) * 100).toFixed(4), total_pnl: money(10000 * (b1 / b0 - 1)), net_pnl: money(10000 * (b1 / b0 - 1)), llm_cost: "0.00", fees: "5.00", win_rate: "0", biggest_win: "0.00", biggest_loss: "0.00", sharpe: null, max_drawdown: "4.20", trades: 1 };
    const equity = mine.map((b) => ({ bot_id: b.id, name: b.label, points: b.equityCurve }));
    equity.push({ bot_id: null, name: "BTC buy & hold", points: btc.filter((_, i) => i % 3 === 0).map((k) => ({ at: k.open_time, equity: money(10000 * k.c / b0) })) });
    return send(res, 200, { items: rows, benchmark: bench, equity });
  }
  if (p === "/api/alerts") return send(res, 200, page(alerts.filter((a) => mine.some((b) => b.id === a.bot_id))));
  if (p === "/api/prompts" && m === "GET") return send(res, 200, { items: [{ version: "v1", name: "Alpha Arena season 1", kind: "system" }, { version: "v2", name: "Alpha Arena + invalidation discipline", kind: "system" }], next_cursor: null });
  if (p === "/api/prompts/preview" && m === "POST") {
    const spec = body.bot ?? {};
    const fake = { label: spec.label || spec.name || "new bot", symbols: spec.symbols?.length ? spec.symbols : ["BTC"], created_at: marketTime, prompt_template: spec.prompt_template };
    const text = promptFor(fake);
    return send(res, 200, { prompt: text, tokens: Math.ceil(text.length / 3.8) + 5200, system_prompt: "(system prompt v1)" });
  }
  if (p === "/api/credentials" && m === "GET") {
    const c = credentials.get(user.id) ?? new Map();
    return send(res, 200, { items: [...c].map(([name, v]) => ({ name, ...v })), next_cursor: null });
  }
  mm = p.match(/^\/api\/credentials\/([a-z0-9-]+)$/);
  if (mm) {
    const c = credentials.get(user.id) ?? new Map();
    credentials.set(user.id, c);
    if (m === "PUT") {
      const sec = body.secret ?? body.api_key;
      if (typeof sec !== "string" || sec.length < 8) return err(res, 422, "invalid_secret", "the key must have at least 8 characters", "secret");
      c.set(mm[1], { last4: sec.slice(-4), updated_at: Date.now() });
      return send(res, 200, { name: mm[1], last4: sec.slice(-4) });
    }
    if (m === "DELETE") { c.delete(mm[1]); return send(res, 204); }
  }
  if (p === "/api/backtests" && m === "POST") {
    const spec = body.bot ?? mine.find((b) => String(b.id) === String(body.bot_id));
    if (!spec) return err(res, 422, "invalid_backtest", "give bot or bot_id", "bot");
    if (typeof body.from !== "number" || typeof body.to !== "number" || body.to <= body.from) return err(res, 422, "invalid_period", "to must be after from", "to");
    if (spec.model === "llm" && !body.confirm_cost) return err(res, 422, "confirm_cost", "this backtest calls a paid model: estimated $3.40; send confirm_cost: true", "confirm_cost");
    const bt = { id: backtests.length + 1, owner: user.id, status: "queued", progress: 0, bot_name: spec.label || spec.name, from: body.from, to: body.to, created_at: Date.now(), spec, report: null };
    backtests.unshift(bt);
    return send(res, 202, { id: bt.id });
  }
  if (p === "/api/backtests" && m === "GET") return send(res, 200, page(backtests.filter((b) => b.owner === user.id).map(({ spec: _s, owner: _o, report: _r, ...rest }) => rest)));
  mm = p.match(/^\/api\/backtests\/(\d+)$/);
  if (mm) {
    const bt = backtests.find((b) => String(b.id) === mm[1] && b.owner === user.id);
    if (!bt) return err(res, 404, "not_found", "no such backtest");
    const { spec: _s, owner: _o, ...rest } = bt;
    return send(res, 200, rest);
  }
  return err(res, 404, "not_found", "no such route");
});

function emergency(bot) {
  const closed = bot.positions.map(positionView);
  const canceled = bot.orders.filter((o) => o.status === "open");
  for (const o of canceled) { o.status = "canceled"; o.history.push({ status: "canceled", at: marketTime, note: "emergency stop" }); }
  bot.positions = [];
  bot.status = "stopped";
  publish(bot, "status", { status: "stopped", reason: "emergency_stop" });
  return { bot_id: bot.id, closed_positions: closed, canceled_orders: canceled.map((o) => o.id), flat: true };
}

// ---------------------------------------------------------------- WebSocket stream
const clients = new Set();
const wss = new WebSocketServer({ noServer: true });
server.on("upgrade", (req, socket, head) => {
  const url = new URL(req.url, `http://${req.headers.host}`);
  const mm = url.pathname.match(/^\/api\/(?:stream|bots\/(\d+)\/stream)$/);
  const user = authUser(req, url);
  if (!mm || !user) { socket.write("HTTP/1.1 401 Unauthorized\r\n\r\n"); socket.destroy(); return; }
  wss.handleUpgrade(req, socket, head, (ws) => {
    const ids = mm[1] ? [mm[1]] : url.searchParams.get("bot")?.split(",");
    const c = { ws, owner: user.id, bots: ids ? new Set(ids) : null };
    const since = url.searchParams.get("since");
    if (since !== null) {
      const s = Number(since);
      for (const b of bots) if (b.owner === user.id && (!c.bots || c.bots.has(String(b.id)))) for (const e of events.get(b.id)) if (e.seq > s) ws.send(JSON.stringify(e));
    }
    clients.add(c);
    ws.on("message", (d) => {
      try { const x = JSON.parse(String(d)); if (x.type === "ping") ws.send(JSON.stringify({ type: "pong" })); } catch { /* ignore */ }
    });
    ws.on("close", () => clients.delete(c));
  });
});

server.listen(PORT, HOST, () => console.log(`mock listening on http://${HOST}:${PORT}` + (WEB ? ` (serving ${WEB})` : "")));
