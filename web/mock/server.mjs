// Dev-only mock of the `aitrader serve` API contract (issue 10) with fake data, so every page of the
// dashboard can be developed and screenshotted before the real server exists. Loopback only. It is
// NOT the engine: no test that claims to test the real server uses it.
//
//   node mock/server.mjs [--port 8787] [--web dist] [--tick-ms 2000] [--access-ttl 900] [--planned]
//
// --planned also serves what the server is getting but the OpenAPI document does not describe yet
// (so `npm run mock:check`, which runs without it, still checks the document's contract): alert
// acknowledgement — POST /api/alerts/{id}/ack, acknowledged_at on alerts, ?unacknowledged=true.
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
const PLANNED = args.planned === "true";
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
const iso = (t) => new Date(t).toISOString().replace(".000Z", "Z");

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
// Every object below has exactly the fields of the OpenAPI document's schemas (additionalProperties
// false there), so the dashboard is developed against the contract, not against this mock.
const bots = [];
let nextBotId = 1;
let nextOrderId = 1;
let nextFillId = 1;
let nextDecisionId = 1;
const events = new Map(); // bot_id → [{seq,...}]
const seqs = new Map();
const alerts = [];
const credentials = new Map(); // user_id → Map(name → Credential)
credentials.set(demo.id, new Map([["anthropic", { name: "anthropic", last4: "x9Qf", has_secret: false, created_at: marketTime - 86400000 }], ["openai", { name: "openai", last4: "a1B2", has_secret: false, created_at: marketTime - 3600000 }]]));
const backtests = [];
const templates = new Map(); // user_id → Map(id → text)

const DEFAULT_RISK = { max_leverage: 10, max_notional_to_equity: "3", max_open_positions: 6, min_reward_risk: "1.5", daily_loss_limit: "0.05", drawdown_reduce: "0.15", drawdown_halt: "0.25", max_price_deviation: "0.02" };

function makeBot(owner, spec, history = true, status = "created", drift = 0) {
  const id = nextBotId++;
  const s = {
    name: spec.name, label: spec.label ?? spec.name, model: spec.model ?? "baseline", ...(spec.llm ? { llm: spec.llm } : {}),
    symbols: spec.symbols ?? SYMBOLS.map((x) => x.base), interval: spec.interval ?? "5m", cadence: spec.cadence ?? "15m",
    capital: spec.capital ?? "10000", risk: { ...DEFAULT_RISK, ...(spec.risk ?? {}) }, prompt_version: spec.prompt_version ?? "v1",
    daily_budget_usd: spec.daily_budget_usd ?? (spec.model === "llm" ? "20" : "0"), close_on_stop: spec.close_on_stop ?? true, mode: spec.mode ?? "paper",
  };
  const bot = { id, owner, status, spec: s, created_at: history ? START : marketTime, equityCurve: [], positions: [], fills: [], orders: [], decisions: [], closed: [], llmCost: 0, fees: 0, drift, cycle: 0 };
  const cap = Number(s.capital);
  let eq = cap;
  if (history) {
    for (let i = 0; i < HISTORY_BARS; i += 3) {
      eq = eq * (1 + (rnd() - 0.5 + drift) * 0.004);
      bot.equityCurve.push(equityPoint(START + i * BAR, eq, 0));
    }
    for (let i = 0; i < 14; i++) {
      const sy = SYMBOLS[Math.floor(rnd() * SYMBOLS.length)];
      if (!s.symbols.includes(sy.base)) continue;
      const k0 = Math.floor(rnd() * (HISTORY_BARS - 60));
      const k1 = k0 + 5 + Math.floor(rnd() * 50);
      const long = rnd() > 0.5;
      const e = candles[sy.base][k0].c, x = candles[sy.base][k1].c;
      const qty = Number(fmt(1500 / e, sy.step_size));
      const pnl = (long ? x - e : e - x) * qty;
      const f1 = e * qty * 0.0005, f2 = x * qty * 0.0005;
      bot.fees += f1 + f2;
      bot.closed.push({ pnl: pnl - f1 - f2, symbol: sy.symbol, side: long ? "long" : "short", quantity: fmt(qty, sy.step_size), leverage: 5, entry_time: iso(candles[sy.base][k0].open_time), entry_price: fmt(e, sy.tick_size), exit_time: iso(candles[sy.base][k1].open_time), exit_price: fmt(x, sy.tick_size), exit_reason: rnd() > 0.5 ? "take_profit" : "stop_loss", realized_pnl: money(pnl), fees: money(f1 + f2), funding: "0.00", net_pnl: money(pnl - f1 - f2) });
      bot.fills.push(fill(sy, long ? "BUY" : "SELL", qty, e, f1, 0, candles[sy.base][k0].open_time));
      bot.fills.push(fill(sy, long ? "SELL" : "BUY", qty, x, f2, pnl, candles[sy.base][k1].open_time));
    }
    bot.fills.sort((a, b) => b.at - a.at);
    if (status !== "stopped") {
      for (const base of s.symbols.slice(0, 1 + Math.floor(rnd() * 3))) openPosition(bot, base, rnd() > 0.4 ? "LONG" : "SHORT", false);
      for (let i = 0; i < 6; i++) bot.decisions.push(makeDecision(bot, marketTime - (6 - i) * 15 * 60_000));
    }
    bot.llmCost = s.model === "baseline" ? 0 : 3 + rnd() * 9;
  } else {
    bot.equityCurve.push(equityPoint(marketTime, cap, 0));
  }
  bots.push(bot);
  events.set(id, []);
  seqs.set(id, 0);
  return bot;
}
const equityPoint = (at, eq, upnl) => ({ at, equity: money(eq), wallet_balance: money(eq - upnl), unrealized_pnl: money(upnl) });
const fill = (sy, side, qty, price, fee, pnl, at) => ({ id: nextFillId++, symbol: sy.symbol, side, quantity: fmt(qty, sy.step_size), price: fmt(price, sy.tick_size), fee: fee.toFixed(4), realized_pnl: money(pnl), is_maker: false, at });

function order(bot, sy, side, type, qty, stop, status, at) {
  return { id: nextOrderId++, client_order_id: `at-${bot.id}-${nextOrderId}`, symbol: sy.symbol, side, type, quantity: fmt(qty, sy.step_size), price: null, stop_price: stop === null ? null : fmt(stop, sy.tick_size), reduce_only: type !== "market", status, filled_quantity: status === "filled" ? fmt(qty, sy.step_size) : "0", avg_price: null, created_at: at, updated_at: at + 200 };
}

function openPosition(bot, base, side, emit = true) {
  const sy = symInfo(base);
  const price = lastPrice(base);
  const lev = 3 + Math.floor(rnd() * 8);
  const qty = Number(fmt(2000 / price, sy.step_size)) || Number(sy.step_size);
  const long = side === "LONG";
  const sl = long ? price * 0.97 : price * 1.03;
  const tp = long ? price * 1.06 : price * 0.94;
  const liq = long ? price * (1 - 0.9 / lev) : price * (1 + 0.9 / lev);
  const opened = emit ? marketTime : marketTime - Math.floor(rnd() * 40) * BAR;
  const pos = { symbol: sy.symbol, side, quantity: fmt(qty, sy.step_size), entry_price: fmt(price, sy.tick_size), leverage: lev, liquidation_price: fmt(liq, sy.tick_size), stop_loss: fmt(sl, sy.tick_size), take_profit: fmt(tp, sy.tick_size), invalidation: `${base} closes ${long ? "below" : "above"} ${fmt(long ? price * 0.975 : price * 1.025, sy.tick_size)} on the 4h`, opened_at: opened };
  bot.positions.push(pos);
  const entry = order(bot, sy, long ? "BUY" : "SELL", "market", qty, null, "filled", opened);
  entry.avg_price = pos.entry_price;
  const stop = order(bot, sy, long ? "SELL" : "BUY", "stop_market", qty, sl, "open", opened + 200);
  const target = order(bot, sy, long ? "SELL" : "BUY", "take_profit_market", qty, tp, "open", opened + 210);
  bot.orders.unshift(entry, stop, target);
  const f = fill(sy, long ? "BUY" : "SELL", qty, price, price * qty * 0.0005, 0, opened);
  bot.fills.unshift(f);
  if (emit) {
    publish(bot, "order", { ...entry, status: "new", updated_at: opened });
    publish(bot, "fill", f);
    publish(bot, "order", entry);
    publish(bot, "order", stop);
    publish(bot, "order", target);
    publish(bot, "position", positionView(pos));
  }
  return pos;
}

function positionView(p) {
  const sy = symInfo(p.symbol);
  const mark = lastPrice(sy.base);
  const q = Number(p.quantity), e = Number(p.entry_price);
  const u = (p.side === "LONG" ? mark - e : e - mark) * q;
  return { ...p, mark_price: fmt(mark, sy.tick_size), unrealized_pnl: money(u) };
}

const REASONS = [
  "BTC is holding above the 20-EMA on the 4h with MACD turning up; funding is flat and open interest is rising slowly, which supports continuation. ETH lags but keeps its higher lows. I keep the BTC long with the stop under the last swing low and add nothing new: the risk budget is mostly used. SOL's RSI at 71 is stretched, so no new long there. DOGE shows a lower high on the 3m series; a short is tempting but the reward-to-risk after fees is only 1.2.",
  "Momentum has faded across the board: RSI(14) on the 3m chart dropped under 45 for ETH and SOL while volume fell. My ETH long's invalidation (close below 3,820 on the 4h) has not triggered, so I hold. XRP broke its range to the upside with rising OI; I open a small long with a tight stop and a target at the prior high, leverage 5.",
  "The market sold off sharply in the last hour. BTC lost the 50-EMA and funding turned negative. My invalidation for the BTC long hit: closing it. I stay flat on the rest until volatility settles; a short on BNB is possible but the stop would have to sit above 1,110, which is too wide for the account's current drawdown.",
];
function makeDecision(bot, at, dry = false) {
  const s = bot.spec;
  const coins = s.symbols.slice(0, 3);
  const decisions = coins.map((c, i) => {
    const sy = symInfo(c);
    const p = lastPrice(c);
    const sig = i === 0 ? "hold" : rnd() > 0.6 ? "buy_to_enter" : rnd() > 0.5 ? "sell_to_enter" : "hold";
    const long = sig !== "sell_to_enter";
    return { coin: c, signal: sig, quantity: fmt(1500 / p, sy.step_size), leverage: 5 + (i % 3), profit_target: fmt(long ? p * 1.05 : p * 0.95, sy.tick_size), stop_loss: fmt(long ? p * 0.975 : p * 1.025, sy.tick_size), invalidation_condition: `4h close ${long ? "below" : "above"} ${fmt(long ? p * 0.97 : p * 1.03, sy.tick_size)}`, confidence: Number((0.45 + rnd() * 0.4).toFixed(2)), risk_usd: money(20 + rnd() * 60), justification: "" };
  });
  const verdicts = decisions.filter((d) => d.signal === "buy_to_enter" || d.signal === "sell_to_enter").map((d) => {
    const ok = rnd() > 0.4;
    return ok ? { coin: d.coin, accepted: true } : { coin: d.coin, accepted: false, reason: ["reward_risk_too_low", "max_open_positions", "notional_too_large", "cool_down"][Math.floor(rnd() * 4)] };
  });
  const baseline = s.model === "baseline";
  const reasoning = baseline ? "Rule-based baseline: EMA(20) above EMA(50) and RSI(14) between 45 and 70 on the 4h series; entries use ATR(14)-based stops (1.5×) and targets (3×)." : REASONS[Math.floor(rnd() * REASONS.length)];
  const inTok = baseline ? 0 : 6800 + Math.floor(rnd() * 1500), outTok = baseline ? 0 : 400 + Math.floor(rnd() * 600);
  bot.cycle++;
  return {
    id: nextDecisionId++, cycle: bot.cycle, decided_at: at, prompt_version: s.prompt_version, prompt_hash: crypto.createHash("sha256").update(String(at)).digest("hex").slice(0, 16),
    raw_answer: baseline ? reasoning + "\n" + JSON.stringify({ decisions }, null, 2) : `<think>\n${reasoning}\n</think>\n` + JSON.stringify({ decisions }, null, 2),
    decisions, verdicts, outcome: verdicts.some((v) => v.accepted) ? "executed" : "hold", error: null,
    latency_ms: baseline ? 1 : 2400 + Math.floor(rnd() * 6000), input_tokens: inTok, output_tokens: outTok,
    cost_usd: baseline ? "0" : ((inTok * 3 + outTok * 15) / 1e6).toFixed(4), dry_run: dry,
  };
}
const promptParts = (spec, created_at) => ({
  system: `You are a systematic crypto perpetual-futures trader. Answer with a JSON object {"decisions": [...]} — one entry per coin with signal, quantity, leverage, profit_target, stop_loss, invalidation_condition, confidence, risk_usd, justification. (system prompt ${spec.prompt_version ?? "v1"})`,
  user: `It has been ${Math.round((marketTime - created_at) / 60000)} minutes since you started trading.\n\nCURRENT MARKET STATE FOR ALL COINS\n` + (spec.symbols?.length ? spec.symbols : ["BTC"]).map((c) => `ALL ${c} DATA\ncurrent_price = ${fmt(lastPrice(c), symInfo(c).tick_size)}, current_ema20 = …, current_macd = …, current_rsi (7 period) = …\nIntraday series (3-minute intervals, oldest → latest): …`).join("\n\n") + `\n\nHERE IS YOUR ACCOUNT INFORMATION & PERFORMANCE\nCurrent Total Return (percent): …\nAvailable Cash: …`,
});

makeBot(demo.id, { name: "baseline", label: "baseline 10x", model: "baseline", cadence: "5m" }, true, "running", 0.02);
makeBot(demo.id, { name: "claude", label: "Claude Sonnet 4.5", model: "llm", llm: { provider: "anthropic", model: "claude-sonnet-4-5" } }, true, "running", 0.06);
makeBot(demo.id, { name: "gpt", label: "GPT-5", model: "llm", llm: { provider: "openai", model: "gpt-5" } }, true, "running", -0.05);
makeBot(demo.id, { name: "deepseek", label: "DeepSeek V3.2", model: "llm", llm: { provider: "deepseek", model: "deepseek-chat" }, daily_budget_usd: "5" }, true, "paused", 0.09);
makeBot(demo.id, { name: "gemini-testnet", label: "Gemini 2.5 Pro", model: "llm", llm: { provider: "gemini", model: "gemini-2.5-pro" }, mode: "testnet" }, true, "stopped", -0.08);
makeBot(2, { name: "other-users-bot", label: "not yours", model: "baseline" }, true, "running");
alerts.push({ id: 1, bot_id: 3, at: marketTime - 3 * 3600_000, severity: "warning", kind: "drawdown_reducing", message: "GPT-5: drawdown 15.2% below peak — trading state is now reducing (no new entries)", acknowledged: false });
alerts.push({ id: 2, bot_id: 2, at: marketTime - 7 * 3600_000, severity: "info", kind: "take_profit", message: "Claude Sonnet 4.5: take-profit hit on ETHUSDT, +$84.12", acknowledged: false });
alerts.push({ id: 3, bot_id: 4, at: marketTime - 26 * 3600_000, severity: "critical", kind: "llm_budget", message: "DeepSeek V3.2: daily LLM budget of $5.00 reached — bot paused", acknowledged: false });

function publish(bot, type, data, at = marketTime) {
  const seq = seqs.get(bot.id) + 1;
  seqs.set(bot.id, seq);
  const msg = { seq, type, bot_id: bot.id, at, data };
  const log = events.get(bot.id);
  log.push(msg);
  if (log.length > 5000) log.shift();
  for (const c of clients) if (c.owner === bot.owner && (!c.bots || c.bots.has(String(bot.id)))) c.ws.send(JSON.stringify(msg));
}

const currentEquity = (bot) => Number(bot.equityCurve.at(-1)?.equity ?? bot.spec.capital);

// the engine's report keys (engine/report.cpp)
function performance(bot) {
  const cap = Number(bot.spec.capital);
  const eq = currentEquity(bot);
  const pnl = eq - cap;
  const wins = bot.closed.filter((t) => t.pnl > 0).length;
  let peak = cap, mdd = 0;
  for (const p of bot.equityCurve) { const e = Number(p.equity); peak = Math.max(peak, e); mdd = Math.max(mdd, (peak - e) / peak); }
  return {
    initial_equity: money(cap), final_equity: money(eq), total_return_pct: Number((pnl / cap * 100).toFixed(4)), sharpe: bot.closed.length > 3 ? Number((pnl / cap * 8).toFixed(3)) : null,
    max_drawdown_pct: Number((mdd * 100).toFixed(3)), trades: bot.closed.length, win_rate: bot.closed.length ? wins / bot.closed.length : null,
    profit_factor: null, sortino: null, net_pnl: money(pnl), fees_paid: money(bot.fees), funding_paid: "0.00", equity_points: bot.equityCurve.length,
  };
}

function botView(bot) {
  const eq = currentEquity(bot);
  const s = bot.spec;
  return { id: bot.id, name: s.name, label: s.label, status: bot.status, mode: s.mode, model: s.model, provider: s.model === "llm" ? s.llm?.provider ?? "" : "", symbols: s.symbols, capital: s.capital, equity: money(eq), pnl: money(eq - Number(s.capital)), open_positions: bot.positions.length, last_decision_at: bot.decisions.at(-1)?.decided_at ?? null, created_at: bot.created_at, spec: s };
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
    const upnl = b.positions.reduce((a, p) => a + Number(positionView(p).unrealized_pnl), 0);
    const point = equityPoint(marketTime, eq, upnl);
    b.equityCurve.push(point);
    publish(b, "cycle", { cycle: b.cycle, at: marketTime });
    publish(b, "equity", point);
    for (const p of b.positions) publish(b, "position", positionView(p));
  }
  if (running.length && tick % 2 === 0) {
    const b = running[Math.floor(tick / 2) % running.length];
    const d = makeDecision(b, marketTime);
    b.decisions.push(d);
    publish(b, "decision", d);
    const entry = d.decisions.find((x) => (x.signal === "buy_to_enter" || x.signal === "sell_to_enter") && d.verdicts.find((v) => v.coin === x.coin)?.accepted);
    if (entry && !b.positions.some((p) => symInfo(p.symbol).base === entry.coin) && b.positions.length < 4) openPosition(b, entry.coin, entry.signal === "buy_to_enter" ? "LONG" : "SHORT");
  }
  if (tick % 15 === 0 && running.length) {
    const b = running[tick % running.length];
    const a = { id: alerts.length + 1, bot_id: b.id, at: marketTime, severity: "warning", kind: "risk_denial", message: `${b.spec.label}: entry on SOLUSDT refused — reward:risk 1.2 below the minimum 1.5`, acknowledged: false };
    alerts.unshift(a);
    publish(b, "alert", a);
  }
  for (const bt of backtests) {
    if (bt.status === "queued") bt.status = "running";
    if (bt.status === "running") {
      bt.progress = Math.min(1, bt.progress + 0.25);
      if (bt.progress >= 1) finishBacktest(bt);
      const owner = bots.find((b) => b.owner === bt.owner);
      if (owner) publish(owner, "backtest", { id: bt.id, status: bt.status, progress: bt.progress });
    }
  }
}, TICK_MS).unref();

function finishBacktest(bt) {
  bt.status = "done";
  const cap = Number(bt.spec.capital ?? "10000");
  const curve = [];
  let eq = cap, peak = cap, mdd = 0;
  for (let t = bt.from; t <= bt.to; t += 3600_000) { eq *= 1 + (rnd() - 0.48) * 0.006; peak = Math.max(peak, eq); mdd = Math.max(mdd, (peak - eq) / peak); curve.push([iso(t), money(eq)]); }
  const trades = [];
  for (let i = 0; i < 12; i++) {
    const s = SYMBOLS[i % 6]; const e = s.p0 * (1 + (rnd() - 0.5) * 0.05); const x = e * (1 + (rnd() - 0.5) * 0.04); const side = i % 3 ? "long" : "short"; const q = 1500 / e;
    const pnl = (side === "long" ? x - e : e - x) * q;
    trades.push({ symbol: s.symbol, side, quantity: fmt(q, s.step_size), leverage: 5, entry_time: iso(bt.from + i * 3 * 3600_000), entry_price: fmt(e, s.tick_size), exit_time: iso(bt.from + (i * 3 + 2) * 3600_000), exit_price: fmt(x, s.tick_size), exit_reason: "take_profit", realized_pnl: money(pnl), fees: "1.50", funding: "0.00", net_pnl: money(pnl - 1.5), confidence: 0.6 });
  }
  const pnl = eq - cap;
  const llm = bt.spec.model === "llm" ? 1.9 : 0;
  bt.report = { from: iso(bt.from), to: iso(bt.to), bots: [{ name: bt.spec.name, label: bt.spec.label ?? bt.spec.name, initial_equity: money(cap), final_equity: money(eq), total_return_pct: pnl / cap * 100, sharpe: 1.214, sortino: 1.6, max_drawdown_pct: mdd * 100, trades: 12, win_rate: 7 / 12, net_pnl: money(pnl), fees_paid: "18.00", llm_cost_usd: money(llm), pnl_net_of_llm_cost: money(pnl - llm), equity_curve: curve, trades }] };
  // the engine's JSON writes the key "trades" twice (count, then list); JSON.stringify keeps one: the list
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
  // dev-only hook (not part of the contract): drop every stream connection to exercise resume
  if (p === "/__mock/drop-streams" && req.method === "POST") { for (const c of clients) c.ws.terminate(); return send(res, 204); }
  if (!p.startsWith("/api/")) return serveStatic(req, res, url);
  const m = req.method;
  if (p === "/api/health") return send(res, 200, { status: "ok", version: "mock-0.1", market_time: marketTime });
  if (p === "/api/ready") return send(res, 200, { ready: true, database: true, runtime: true });
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
    return send(res, 201, { id: u.id, email: u.email, created_at: Date.now() });
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
  if (p === "/api/auth/me") return send(res, 200, { id: user.id, email: user.email, created_at: 0 });
  const mine = bots.filter((b) => b.owner === user.id);
  if (p === "/api/market/symbols") return send(res, 200, { items: SYMBOLS.map((s) => ({ symbol: s.symbol, base: s.base, tick_size: s.tick_size, step_size: s.step_size, intervals: ["5m", "15m", "1h", "4h"] })), next_cursor: null });
  let mm = p.match(/^\/api\/market\/([A-Z]+)\/candles$/);
  if (mm) {
    const s = symInfo(mm[1]);
    if (!s) return err(res, 404, "not_found", `unknown symbol ${mm[1]}`);
    const limit = Math.min(Number(url.searchParams.get("limit") ?? 300), 1000);
    const interval = url.searchParams.get("interval") ?? "5m";
    const mult = { "5m": 1, "15m": 3, "1h": 12, "4h": 48 }[interval];
    if (!mult) return err(res, 422, "invalid_interval", `unknown interval ${interval}`, "interval");
    const from = Number(url.searchParams.get("from") ?? 0);
    const agg = [];
    const src = candles[s.base];
    for (let i = 0; i + mult <= src.length; i += mult) {
      const g = src.slice(i, i + mult);
      agg.push({ open_time: g[0].open_time, o: g[0].o, h: Math.max(...g.map((k) => k.h)), l: Math.min(...g.map((k) => k.l)), c: g.at(-1).c, v: g.reduce((a, k) => a + k.v, 0) });
    }
    const pick = from ? agg.filter((k) => k.open_time >= from).slice(0, limit) : agg.slice(-limit);
    return send(res, 200, { items: pick.map((k) => ({ open_time: k.open_time, open: fmt(k.o, s.tick_size), high: fmt(k.h, s.tick_size), low: fmt(k.l, s.tick_size), close: fmt(k.c, s.tick_size), volume: Number(k.v.toFixed(3)) })), next_cursor: null });
  }
  if (p === "/api/bots" && m === "GET") return send(res, 200, { items: mine.map(botView), next_cursor: null });
  if (p === "/api/bots" && m === "POST") {
    const bad = validateSpec(body);
    if (bad) return err(res, 422, "invalid_bot", bad[1], bad[0]);
    if (mine.some((b) => b.spec.name === body.name)) return err(res, 409, "name_taken", `you already have a bot named ${body.name}`, "name");
    return send(res, 201, botView(makeBot(user.id, body, false)));
  }
  if (p === "/api/emergency-stop" && m === "POST") {
    // 202: queued; the runtime is flat within a second
    setTimeout(() => mine.forEach((b) => emergency(b)), 300);
    return send(res, 202, { bots: mine.length });
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
      Object.assign(bot.spec, body, { risk: { ...bot.spec.risk, ...(body.risk ?? {}) } });
      return send(res, 200, botView(bot));
    }
    if (!sub && m === "DELETE") { bots.splice(bots.indexOf(bot), 1); return send(res, 204); }
    if (m === "POST" && ["start", "pause", "resume", "stop"].includes(sub)) {
      const next = sub === "pause" ? "paused" : sub === "stop" ? "stopped" : "running";
      if (sub === "resume" && bot.status !== "paused") return err(res, 409, "not_paused", "the bot is not paused");
      const cmd = { id: Math.floor(rnd() * 1e9), status: "queued" };
      setTimeout(() => {
        bot.status = next;
        if (sub === "stop" && bot.spec.close_on_stop) bot.positions = [];
        publish(bot, "status", { status: bot.status });
      }, 200);
      return send(res, 202, cmd);
    }
    if (m === "POST" && sub === "emergency-stop") { setTimeout(() => emergency(bot), 300); return send(res, 202, { id: Math.floor(rnd() * 1e9), status: "queued" }); }
    if (m === "POST" && sub === "dry-run") { const d = makeDecision(bot, marketTime, true); const pp = promptParts(bot.spec, bot.created_at); d.prompt = pp.system + "\n\n" + pp.user; return send(res, 200, d); }
    if (sub === "positions") return send(res, 200, page(bot.positions.map(positionView)));
    if (sub === "trades") return send(res, 200, page(bot.fills, url.searchParams.get("limit")));
    if (sub === "orders") return send(res, 200, page(bot.orders, url.searchParams.get("limit")));
    if (sub === "decisions") {
      const inc = url.searchParams.get("include") === "prompt";
      const pp = promptParts(bot.spec, bot.created_at);
      return send(res, 200, page([...bot.decisions].reverse().map((d) => (inc ? { ...d, prompt: pp.system + "\n\n" + pp.user } : d)), url.searchParams.get("limit")));
    }
    if (sub === "equity") return send(res, 200, page(bot.equityCurve, 1000));
    if (sub === "performance") return send(res, 200, performance(bot));
    return err(res, 404, "not_found", "no such route");
  }
  if (p === "/api/arena") {
    const rows = mine.map((b) => { const pf = performance(b); return { bot_id: b.id, label: b.spec.label, equity: pf.final_equity, pnl: pf.net_pnl, llm_cost_usd: money(b.llmCost), net_pnl: money(Number(pf.net_pnl) - b.llmCost), return_pct: pf.total_return_pct }; });
    rows.sort((a, b) => Number(b.net_pnl) - Number(a.net_pnl));
    return send(res, 200, { items: rows.map((r, i) => ({ rank: i + 1, ...r })), next_cursor: null });
  }
  if (p === "/api/alerts") {
    let list = alerts.filter((a) => mine.some((b) => b.id === a.bot_id));
    if (!PLANNED) return send(res, 200, page(list));
    if (url.searchParams.get("unacknowledged") === "true") list = list.filter((a) => !a.acknowledged);
    return send(res, 200, page(list.map((a) => ({ ...a, acknowledged_at: a.acknowledged_at ?? null })), url.searchParams.get("limit")));
  }
  mm = PLANNED && m === "POST" ? p.match(/^\/api\/alerts\/(\d+)\/ack$/) : null;
  if (mm) {
    const a = alerts.find((x) => String(x.id) === mm[1] && mine.some((b) => b.id === x.bot_id));
    if (!a) return err(res, 404, "not_found", "alert not found");
    if (!a.acknowledged) Object.assign(a, { acknowledged: true, acknowledged_at: Date.now() });
    return send(res, 200, a);
  }
  if (p === "/api/prompts" && m === "GET") {
    const mineT = templates.get(user.id) ?? new Map();
    return send(res, 200, { items: [{ id: "v1", kind: "system" }, { id: "v2", kind: "system" }, ...[...mineT].map(([id, text]) => ({ id, kind: "template", text }))], next_cursor: null });
  }
  if (p === "/api/prompts" && m === "POST") {
    if (typeof body.name !== "string" || !/^[a-z0-9][a-z0-9_-]{0,39}$/i.test(body.name)) return err(res, 422, "invalid_name", "name must be 1–40 letters, digits, - or _", "name");
    if (typeof body.text !== "string" || !body.text.trim()) return err(res, 422, "invalid_template", "text is empty", "text");
    if (/ignore (the )?(json|schema)/i.test(body.text)) return err(res, 422, "template_breaks_schema", "the template must keep the decision schema", "text");
    const mineT = templates.get(user.id) ?? new Map();
    templates.set(user.id, mineT);
    if (mineT.has(body.name)) return err(res, 409, "name_taken", `a template named ${body.name} exists`, "name");
    mineT.set(body.name, body.text);
    return send(res, 201, { id: body.name, kind: "template", text: body.text });
  }
  if (p === "/api/prompts/preview" && m === "POST") {
    const spec = body.bot ?? {};
    const pp = promptParts(spec, marketTime);
    const tpl = templates.get(user.id)?.get(spec.prompt_version);
    if (tpl) pp.user += "\n\nUSER INSTRUCTIONS\n" + tpl;
    return send(res, 200, { system: pp.system, user: pp.user, token_estimate: Math.ceil((pp.system.length + pp.user.length) / 3.8) + 5200 });
  }
  if (p === "/api/credentials" && m === "GET") {
    const c = credentials.get(user.id) ?? new Map();
    return send(res, 200, { items: [...c.values()], next_cursor: null });
  }
  mm = p.match(/^\/api\/credentials\/([a-z0-9-]+)$/);
  if (mm) {
    const c = credentials.get(user.id) ?? new Map();
    credentials.set(user.id, c);
    if (m === "PUT") {
      const sec = body.api_key;
      if (typeof sec !== "string" || sec.length < 1) return err(res, 422, "invalid_api_key", "api_key is required", "api_key");
      c.set(mm[1], { name: mm[1], last4: sec.slice(-4), has_secret: typeof body.api_secret === "string", created_at: Date.now() });
      return send(res, 204);
    }
    if (m === "DELETE") { c.delete(mm[1]); return send(res, 204); }
  }
  if (p === "/api/backtests" && m === "POST") {
    const spec = body.bot ?? mine.find((b) => String(b.id) === String(body.bot_id))?.spec;
    if (!spec) return err(res, 422, "invalid_backtest", "give bot or bot_id", "bot");
    if (typeof body.from !== "number" || typeof body.to !== "number" || body.to <= body.from) return err(res, 422, "invalid_period", "to must be after from", "to");
    if (spec.model === "llm" && !body.confirm_cost) return err(res, 422, "confirm_cost", "this backtest calls a paid model: estimated $3.40; send confirm_cost: true", "confirm_cost");
    const bt = { id: backtests.length + 1, owner: user.id, status: "queued", progress: 0, from: body.from, to: body.to, spec: spec.spec ?? spec, report: null };
    backtests.unshift(bt);
    return send(res, 202, { id: bt.id });
  }
  mm = p.match(/^\/api\/backtests\/(\d+)$/);
  if (mm) {
    const bt = backtests.find((b) => String(b.id) === mm[1] && b.owner === user.id);
    if (!bt) return err(res, 404, "not_found", "no such backtest");
    return send(res, 200, { id: bt.id, status: bt.status, progress: bt.progress, report: bt.report, error: null });
  }
  return err(res, 404, "not_found", "no such route");
});

function emergency(bot) {
  for (const o of bot.orders.filter((x) => x.status === "open")) { o.status = "canceled"; o.updated_at = marketTime; publish(bot, "order", o); }
  for (const p of bot.positions) {
    const sy = symInfo(p.symbol);
    const v = positionView(p);
    const f = fill(sy, p.side === "LONG" ? "SELL" : "BUY", Number(p.quantity), lastPrice(sy.base), Number(p.quantity) * lastPrice(sy.base) * 0.0005, Number(v.unrealized_pnl), marketTime);
    bot.fills.unshift(f);
    publish(bot, "fill", f);
    publish(bot, "position", { ...v, quantity: "0" });
  }
  bot.positions = [];
  bot.status = "stopped";
  publish(bot, "status", { status: "stopped", reason: "emergency_stop" });
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
