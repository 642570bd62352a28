// Checks that the dev mock serves the server's OpenAPI document: starts the mock on a loopback
// port, calls the routes the dashboard uses, validates every JSON response (and stream message)
// against the document's response schema for its status code, then stops the mock.
//
//   npm run mock:check                 (document: ../src/api/openapi.json)
//   OPENAPI_REF=api-server npm run mock:check   (read it from that git branch)

import { spawn, execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import WebSocket from "ws";

const web = path.join(path.dirname(fileURLToPath(import.meta.url)), "..");
const docText = process.env.OPENAPI_REF
  ? execFileSync("git", ["-C", web, "show", `${process.env.OPENAPI_REF}:src/api/openapi.json`], { encoding: "utf8" })
  : fs.readFileSync(process.env.OPENAPI ?? path.join(web, "..", "src", "api", "openapi.json"), "utf8");
const doc = JSON.parse(docText);

// ---- a small JSON Schema validator for the keywords the document uses
function resolve(s) {
  while (s && s.$ref) s = s.$ref.replace(/^#\//, "").split("/").reduce((o, k) => o[k], doc);
  return s;
}
function typeOf(v) {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  if (Number.isInteger(v)) return "integer";
  return typeof v;
}
function validate(schema, v, at, errs) {
  const s = resolve(schema);
  if (!s || Object.keys(s).length === 0) return;
  if (s.type) {
    const types = Array.isArray(s.type) ? s.type : [s.type];
    const t = typeOf(v);
    if (!types.includes(t) && !(t === "integer" && types.includes("number"))) return errs.push(`${at}: ${t}, expected ${types.join("|")}`);
  }
  if (s.enum && !s.enum.includes(v)) errs.push(`${at}: ${JSON.stringify(v)} not in ${JSON.stringify(s.enum)}`);
  if (typeof v === "string") {
    if (s.pattern && !new RegExp(s.pattern).test(v)) errs.push(`${at}: "${v}" does not match ${s.pattern}`);
    if (s.minLength !== undefined && v.length < s.minLength) errs.push(`${at}: shorter than ${s.minLength}`);
  }
  if (typeof v === "number") {
    if (s.minimum !== undefined && v < s.minimum) errs.push(`${at}: ${v} < ${s.minimum}`);
    if (s.maximum !== undefined && v > s.maximum) errs.push(`${at}: ${v} > ${s.maximum}`);
  }
  if (typeOf(v) === "object") {
    for (const r of s.required ?? []) if (!(r in v)) errs.push(`${at}: missing ${r}`);
    for (const [k, val] of Object.entries(v)) {
      if (s.properties?.[k]) validate(s.properties[k], val, `${at}.${k}`, errs);
      else if (s.additionalProperties === false) errs.push(`${at}: unexpected property ${k}`);
    }
  }
  if (Array.isArray(v) && s.items) v.forEach((x, i) => validate(s.items, x, `${at}[${i}]`, errs));
}
function routeOf(p) {
  for (const tpl of Object.keys(doc.paths)) {
    const re = new RegExp("^" + tpl.replace(/\{[^}]+\}/g, "[^/]+") + "$");
    if (re.test(p)) return tpl;
  }
  return null;
}

// ---- run the mock
const port = 18700 + Math.floor(Math.random() * 200);
const base = `http://127.0.0.1:${port}`;
const mock = spawn(process.execPath, [path.join(web, "mock", "server.mjs"), "--port", String(port), "--tick-ms", "300"], { stdio: ["ignore", "pipe", "inherit"] });
await new Promise((resolveUp, reject) => {
  const t = setTimeout(() => reject(new Error("mock did not start")), 10000);
  mock.stdout.on("data", (d) => { if (String(d).includes("listening")) { clearTimeout(t); resolveUp(); } });
});

const problems = [];
let checked = 0;
let token = null;
async function call(method, p, body, expect) {
  const r = await fetch(base + p, { method, headers: { "Content-Type": "application/json", ...(token ? { Authorization: `Bearer ${token}` } : {}) }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await r.text();
  const json = text ? JSON.parse(text) : undefined;
  const tpl = routeOf(p.split("?")[0]);
  const op = tpl && doc.paths[tpl][method.toLowerCase()];
  if (!op) problems.push(`${method} ${p}: not in the document`);
  else {
    const resp = op.responses?.[String(r.status)];
    if (!resp) problems.push(`${method} ${p}: status ${r.status} not documented`);
    else {
      const schema = resp.content?.["application/json"]?.schema;
      const errs = [];
      if (schema && json !== undefined) validate(schema, json, "body", errs);
      if (!schema && json !== undefined) errs.push("body present but the document declares none");
      for (const e of errs.slice(0, 5)) problems.push(`${method} ${p} ${r.status}: ${e}`);
      checked++;
    }
  }
  if (expect && r.status !== expect) problems.push(`${method} ${p}: status ${r.status}, expected ${expect}`);
  return json;
}

try {
  await call("GET", "/api/health", undefined, 200);
  await call("POST", "/api/auth/register", { email: "x@y.z", password: "short" }, 422);
  await call("POST", "/api/auth/register", { email: `check${port}@aitrader.local`, password: "long-enough-pw" }, 201);
  await call("POST", "/api/auth/login", { email: "demo@aitrader.local", password: "wrong-password" }, 401);
  const t = await call("POST", "/api/auth/login", { email: "demo@aitrader.local", password: "demo-password-1" }, 200);
  token = t.access_token;
  const t2 = await call("POST", "/api/auth/refresh", { refresh_token: t.refresh_token }, 200);
  token = t2.access_token;
  await call("GET", "/api/auth/me", undefined, 200);
  const bots = await call("GET", "/api/bots", undefined, 200);
  const id = bots.items.find((b) => b.status === "running").id;
  for (const r of ["", "/positions", "/trades", "/orders", "/decisions?include=prompt", "/equity", "/performance"]) await call("GET", `/api/bots/${id}${r}`, undefined, 200);
  await call("GET", "/api/bots/999999", undefined, 404);
  await call("GET", "/api/market/symbols", undefined, 200);
  await call("GET", "/api/market/BTCUSDT/candles?interval=1h&limit=50", undefined, 200);
  await call("GET", "/api/arena", undefined, 200);
  await call("GET", "/api/alerts", undefined, 200);
  await call("GET", "/api/credentials", undefined, 200);
  await call("PUT", "/api/credentials/deepseek", { api_key: "sk-test-12345678" }, 204);
  await call("GET", "/api/prompts", undefined, 200);
  await call("POST", "/api/prompts", { name: `tpl${port}`, text: "Prefer fewer trades." }, 201);
  await call("POST", "/api/prompts/preview", { bot: { name: "p", model: "llm", llm: { provider: "anthropic", model: "m" }, symbols: ["BTC"] } }, 200);
  const spec = { name: `new${port}`, model: "baseline", symbols: ["BTC", "ETH"], interval: "5m", cadence: "15m", capital: "5000", mode: "paper", risk: { max_leverage: 5 } };
  await call("POST", "/api/bots", { ...spec, risk: { max_leverage: 11 } }, 422);
  const created = await call("POST", "/api/bots", spec, 201);
  await call("PATCH", `/api/bots/${created.id}`, { label: "renamed" }, 200);
  await call("POST", `/api/bots/${created.id}/start`, undefined, 202);
  await call("POST", `/api/bots/${id}/dry-run`, undefined, 200);
  const bt = await call("POST", "/api/backtests", { bot_id: created.id, from: Date.UTC(2025, 9, 17), to: Date.UTC(2025, 9, 18) }, 202);
  // stream: resume from 0 replays stored events; every message must match StreamMessage
  const ws = new WebSocket(`ws://127.0.0.1:${port}/api/stream?since=0&access_token=${token}`);
  const msgs = [];
  ws.on("message", (d) => msgs.push(JSON.parse(String(d))));
  const deadline = Date.now() + 15000;
  let done = false;
  while (Date.now() < deadline) {
    const b = await call("GET", `/api/backtests/${bt.id}`, undefined, 200);
    if (b.status === "done" && msgs.some((m) => m.type === "decision") && msgs.some((m) => m.type === "backtest")) { done = true; break; }
    await new Promise((r) => setTimeout(r, 300));
  }
  if (!done) problems.push("timed out waiting for the backtest and stream events");
  await call("POST", `/api/bots/${id}/emergency-stop`, undefined, 202);
  await call("POST", "/api/emergency-stop", undefined, 202);
  ws.close();
  const types = new Set();
  for (const m of msgs) {
    const errs = [];
    validate(doc.components.schemas.StreamMessage, m, `stream ${m.type}#${m.seq}`, errs);
    problems.push(...errs.slice(0, 3));
    types.add(m.type);
  }
  console.log(`${checked} responses and ${msgs.length} stream messages (${[...types].join(", ")}) checked against the document`);
} finally {
  mock.kill();
}
if (problems.length) {
  console.error(problems.join("\n"));
  process.exit(1);
}
console.log("mock conforms to the OpenAPI document");
