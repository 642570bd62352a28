// Sets up the demo on a running `aitrader serve` through its public API (no back door):
// registers the demo user (or logs in when it exists), creates the demo arena's bots that are
// missing (rule-based baseline variants, plus one LLM bot per provider whose key is in the
// environment; the key is stored with PUT /api/credentials/{provider} and never printed), and
// starts every demo bot that is not running. Safe to run again: nothing is duplicated.
//
//   BASE_URL=http://127.0.0.1:8080 DEMO_EMAIL=... DEMO_PASSWORD=... node scripts/demo_bootstrap.mjs
// Exits non-zero with a message naming the failing request.

const BASE = process.env.BASE_URL ?? "http://127.0.0.1:8080";
const EMAIL = process.env.DEMO_EMAIL;
const PASSWORD = process.env.DEMO_PASSWORD;
if (!EMAIL || !PASSWORD) {
  console.error("demo: DEMO_EMAIL and DEMO_PASSWORD must be set");
  process.exit(2);
}

const COINS = ["BTC", "ETH", "SOL", "BNB", "XRP", "DOGE"];
const BASELINES = [
  { name: "baseline-10x", label: "baseline 10x (rule-based, not an LLM)", model: "baseline", interval: "1h", symbols: COINS, capital: "10000", risk: { max_leverage: 10 } },
  { name: "baseline-3x", label: "baseline 3x (rule-based, not an LLM)", model: "baseline", interval: "1h", symbols: COINS, capital: "10000", risk: { max_leverage: 3 } },
  { name: "baseline-btc-eth", label: "baseline BTC+ETH (rule-based, not an LLM)", model: "baseline", interval: "1h", symbols: ["BTC", "ETH"], capital: "10000" },
];
const LLMS = [
  { env: "ANTHROPIC_API_KEY", provider: "anthropic", name: "claude", label: "Claude Sonnet 4.5", llm: { model: "claude-sonnet-4-5", temperature: 0.2, max_tokens: 2048 }, training_cutoff: "2025-07-31" },
  { env: "OPENAI_API_KEY", provider: "openai", name: "gpt", label: "GPT-5", llm: { model: "gpt-5", max_tokens: 4096 }, training_cutoff: "2024-09-30" },
  { env: "DEEPSEEK_API_KEY", provider: "deepseek", name: "deepseek", label: "DeepSeek V3.2", llm: { model: "deepseek-chat", temperature: 0.2, max_tokens: 2048 }, training_cutoff: "2025-07-31" },
  { env: "GEMINI_API_KEY", provider: "gemini", name: "gemini", label: "Gemini 2.5 Pro", llm: { model: "gemini-2.5-pro", max_tokens: 4096 }, training_cutoff: "2025-01-31" },
];

async function call(method, path, body, token) {
  const headers = {};
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (token) headers.Authorization = `Bearer ${token}`;
  const r = await fetch(`${BASE}/api${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await r.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch { /* not JSON */ }
  return { status: r.status, json, text };
}
function fail(what, r) {
  // The server's error answers never echo secrets; the body is safe to show.
  console.error(`demo: ${what}: HTTP ${r.status} ${r.text.slice(0, 300)}`);
  process.exit(1);
}

const reg = await call("POST", "/auth/register", { email: EMAIL, password: PASSWORD });
if (reg.status !== 201 && reg.status !== 409) fail("register the demo user", reg);
const login = await call("POST", "/auth/login", { email: EMAIL, password: PASSWORD });
if (login.status !== 200) fail("log in as the demo user (var/demo.credentials no longer matches? run ./scripts/run.sh --reset)", login);
const token = login.json.access_token;

const existing = new Map();
let cursor = null;
do {
  const r = await call("GET", `/bots${cursor ? `?cursor=${encodeURIComponent(cursor)}` : ""}`, undefined, token);
  if (r.status !== 200) fail("list bots", r);
  for (const b of r.json.items) existing.set(b.name, b);
  cursor = r.json.next_cursor;
} while (cursor);

const wanted = [...BASELINES];
for (const l of LLMS) {
  const key = process.env[l.env];
  if (!key) continue;
  const put = await call("PUT", `/credentials/${l.provider}`, { api_key: key }, token);
  if (put.status !== 204) fail(`store the ${l.provider} key (from ${l.env})`, put);
  wanted.push({ name: l.name, label: l.label, model: "llm", interval: "1h", symbols: COINS, capital: "10000", daily_budget_usd: "20", training_cutoff: l.training_cutoff, llm: { provider: l.provider, ...l.llm } });
}

const lines = [];
for (const spec of wanted) {
  let bot = existing.get(spec.name);
  if (!bot) {
    const r = await call("POST", "/bots", spec, token);
    if (r.status !== 201) fail(`create bot ${spec.name}`, r);
    bot = r.json;
  }
  let status = bot.status;
  if (status === "created" || status === "stopped" || status === "halted") {
    const r = await call("POST", `/bots/${bot.id}/start`, undefined, token);
    if (r.status === 202) status = r.json.status;
    else console.error(`demo: warning: bot ${spec.name} not started: HTTP ${r.status} ${r.text.slice(0, 200)}`);
  } else if (status === "paused") {
    const r = await call("POST", `/bots/${bot.id}/resume`, undefined, token);
    if (r.status === 202) status = r.json.status;
    else console.error(`demo: warning: bot ${spec.name} not resumed: HTTP ${r.status} ${r.text.slice(0, 200)}`);
  }
  lines.push(`  ${String(bot.id).padStart(3)}  ${spec.name.padEnd(18)} ${status.padEnd(8)} ${spec.label}`);
}
const skipped = LLMS.filter((l) => !process.env[l.env]).map((l) => l.env);
console.log("demo bots:");
for (const l of lines) console.log(l);
if (skipped.length) console.log(`  (no LLM bot for ${skipped.join(", ")}: not set in the environment)`);
