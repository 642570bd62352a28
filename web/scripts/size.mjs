// Gzipped size of the JavaScript the first page loads: the entry chunk and everything it imports
// statically (recursively), from the Vite manifest of the last `npm run build`. Lazy chunks (the
// chart pages) are listed separately. Fails when the first page exceeds the budget.
//
//   npm run build && npm run size        (BUDGET_KB overrides the 350 KB budget)

import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { fileURLToPath } from "node:url";

const dist = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "dist");
const manifestPath = path.join(dist, ".vite", "manifest.json");
if (!fs.existsSync(manifestPath)) {
  console.error("no dist/.vite/manifest.json: run `npm run build` first");
  process.exit(2);
}
const manifest = JSON.parse(fs.readFileSync(manifestPath, "utf8"));
const budget = Number(process.env.BUDGET_KB ?? 350) * 1024;
const gz = (file) => zlib.gzipSync(fs.readFileSync(path.join(dist, file)), { level: 9 }).length;
const kb = (n) => (n / 1024).toFixed(1).padStart(7) + " KB";

const entryKey = Object.keys(manifest).find((k) => manifest[k].isEntry);
const first = new Set();
const walk = (key) => {
  if (first.has(key)) return;
  first.add(key);
  for (const i of manifest[key].imports ?? []) walk(i);
};
walk(entryKey);

let total = 0;
console.log("first page (entry + static imports), gzip -9:");
for (const k of first) {
  const f = manifest[k].file;
  if (!f.endsWith(".js")) continue;
  const n = gz(f);
  total += n;
  console.log(`  ${kb(n)}  ${f}${manifest[k].isEntry ? "  (entry)" : ""}`);
}
let css = 0;
for (const k of first) for (const c of manifest[k].css ?? []) css += gz(c);
console.log(`  ${kb(total)}  total JavaScript   (budget ${kb(budget).trim()})`);
console.log(`  ${kb(css)}  CSS`);
console.log("lazy chunks (loaded on demand):");
const lazy = Object.keys(manifest).filter((k) => !first.has(k) && manifest[k].file.endsWith(".js"));
let lazyTotal = 0;
for (const k of lazy) {
  const n = gz(manifest[k].file);
  lazyTotal += n;
  console.log(`  ${kb(n)}  ${manifest[k].file}${manifest[k].isDynamicEntry ? "  (dynamic entry)" : ""}`);
}
console.log(`  ${kb(lazyTotal)}  total lazy`);
if (total > budget) {
  console.error(`first page is ${kb(total).trim()}, over the budget of ${kb(budget).trim()}`);
  process.exit(1);
}
