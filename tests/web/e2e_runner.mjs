// The dashboard's CTest (label e2e): unit tests, build, then the browser flows against the real
// server. Stages, each pass/fail:
//   1. npm ci — only when package-lock.json changed (its sha256 kept in node_modules/.aitrader-lock-hash)
//   2. npm test (vitest)   3. npm run build
//   4. `aitrader serve` on a free loopback port (--port 0, the port read from its "listening on"
//      line), a temporary SQLite file and working folder (its var/ secrets stay there), --web web/dist
//   5. web/e2e/flow.mjs    6. web/e2e/screenshots.mjs (every page, dark and light, 1440 and 390 px,
//      into OUT) as a second user whose baseline bots have decided and traded
//   7. the server stops on SIGTERM and exits 0
// Every wait is on a condition with a deadline. Prints "N passed, N failed"; exits 1 on a failure.
//
//   node tests/web/e2e_runner.mjs BUILD/src/app/aitrader OUT_DIR

import { spawn, spawnSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const web = path.join(root, "web");
const bin = path.resolve(process.argv[2] ?? path.join(root, "build/src/app/aitrader"));
const out = path.resolve(process.argv[3] ?? path.join(root, "build/e2e-screenshots"));
const results = [];
const t_all = Date.now();

function record(name, ok, note = "") {
  results.push([name, ok]);
  console.log(`${ok ? "ok  " : "FAIL"} ${name}${note ? ` — ${note}` : ""}`);
  return ok;
}
function run(name, cmd, args, opts = {}) {
  const t0 = Date.now();
  const r = spawnSync(cmd, args, { cwd: web, stdio: "inherit", ...opts });
  return record(name, r.status === 0, `${((Date.now() - t0) / 1000).toFixed(1)} s${r.status === 0 ? "" : `, exit ${r.status ?? r.signal}`}`);
}
function finish() {
  const passed = results.filter((r) => r[1]).length;
  const failed = results.length - passed;
  console.log(`e2e: ${((Date.now() - t_all) / 1000).toFixed(1)} s`);
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
}
async function until(what, fn, ms) {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn().catch(() => null);
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

// 1-3: npm
const lock = crypto.createHash("sha256").update(fs.readFileSync(path.join(web, "package-lock.json"))).digest("hex");
const marker = path.join(web, "node_modules", ".aitrader-lock-hash");
if (fs.existsSync(marker) && fs.readFileSync(marker, "utf8").trim() === lock) {
  record("npm ci", true, "node_modules matches package-lock.json");
} else if (run("npm ci", "npm", ["ci", "--no-audit", "--no-fund", "--loglevel=error"])) {
  fs.writeFileSync(marker, lock + "\n");
} else finish();
run("npm test (vitest)", "npm", ["test", "--silent"]);
if (!run("npm run build", "npm", ["run", "build", "--silent"])) finish();

// 4: the real server
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "aitrader-e2e-"));
const server = spawn(bin, ["serve", "--port", "0", "--host", "127.0.0.1", "--database", `sqlite:${path.join(tmp, "e2e.db")}`,
  "--web", path.join(web, "dist"), "--speed", process.env.E2E_SPEED ?? "1200", "--from", "2025-10-17"],
  { cwd: tmp, stdio: ["ignore", "pipe", "pipe"] });
let log = "";
server.stdout.on("data", (d) => { log += d; });
server.stderr.on("data", (d) => { log += d; });
let exited = null;
const exitPromise = new Promise((r) => server.on("exit", (code, sig) => { exited = { code, sig }; r(exited); }));
let base = null;
try {
  const port = await until("server listening", async () => exited ? Promise.reject(new Error("exited")) : log.match(/listening on http:\/\/127\.0\.0\.1:(\d+)/)?.[1], 30000);
  base = `http://127.0.0.1:${port}`;
  await until("server ready", async () => (await fetch(`${base}/api/ready`)).ok, 30000);
  record("aitrader serve started", true, base);
} catch (e) {
  record("aitrader serve started", false, `${e.message}\n${log}`);
  server.kill("SIGTERM");
  finish();
}

// 5: the flow
const env = { ...process.env, BASE_URL: base };
run("e2e/flow.mjs", "node", ["e2e/flow.mjs"], { env });

// 6: screenshots, as a user whose bots have decided and traded
async function api(method, p, body, token) {
  const headers = {};
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (token) headers.Authorization = `Bearer ${token}`;
  const r = await fetch(`${base}/api${p}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await r.text();
  if (!r.ok) throw new Error(`${method} ${p}: ${r.status} ${text.slice(0, 200)}`);
  return text ? JSON.parse(text) : null;
}
try {
  const shot = { email: `e2e-shots-${Date.now().toString(36)}@aitrader.local`, password: crypto.randomBytes(12).toString("hex") };
  await api("POST", "/auth/register", shot);
  const { access_token: token } = await api("POST", "/auth/login", shot);
  const ids = [];
  for (const spec of [
    { name: "baseline-10x", label: "baseline 10x (rule-based, not an LLM)", model: "baseline", interval: "1h", symbols: ["BTC", "ETH", "SOL", "BNB", "XRP", "DOGE"], risk: { max_leverage: 10 } },
    { name: "baseline-3x", label: "baseline 3x (rule-based, not an LLM)", model: "baseline", interval: "1h", symbols: ["BTC", "ETH", "SOL"], risk: { max_leverage: 3 } },
  ]) {
    const b = await api("POST", "/bots", spec, token);
    await api("POST", `/bots/${b.id}/start`, undefined, token);
    ids.push(b.id);
  }
  await until("a decision and a trade of the screenshot user's bot", async () => {
    const d = await api("GET", `/bots/${ids[0]}/decisions?limit=1`, undefined, token);
    const t = await api("GET", `/bots/${ids[0]}/trades?limit=1`, undefined, token);
    return d.items.length > 0 && t.items.length > 0;
  }, Number(process.env.LIVE_TIMEOUT_MS ?? 120000));
  run("e2e/screenshots.mjs", "node", ["e2e/screenshots.mjs"], { env: { ...env, EMAIL: shot.email, PASSWORD: shot.password, OUT: out } });
} catch (e) {
  record("e2e/screenshots.mjs", false, e.message);
}

// 7: graceful stop
server.kill("SIGTERM");
const stopped = await Promise.race([exitPromise, new Promise((r) => setTimeout(() => r(null), 30000))]);
if (!stopped) server.kill("SIGKILL");
record("server stopped gracefully", !!stopped && stopped.code === 0, stopped ? `exit ${stopped.code ?? stopped.sig}` : "still running after 30 s");
if (!stopped || stopped.code !== 0) console.log(log.slice(-3000));
fs.rmSync(tmp, { recursive: true, force: true });
finish();
