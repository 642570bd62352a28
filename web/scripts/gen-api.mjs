// Generates src/api/schema.d.ts from the server's OpenAPI 3.1 document with openapi-typescript.
// Source: ../src/api/openapi.json (the engine's copy); OPENAPI=path overrides it. Before the
// api-server branch is merged, `OPENAPI_REF=api-server` reads it from that branch with git.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const web = path.join(path.dirname(fileURLToPath(import.meta.url)), "..");
let src = process.env.OPENAPI ?? path.join(web, "..", "src", "api", "openapi.json");
if (process.env.OPENAPI_REF) {
  const text = execFileSync("git", ["-C", web, "show", `${process.env.OPENAPI_REF}:src/api/openapi.json`], { encoding: "utf8" });
  src = path.join(os.tmpdir(), "aitrader-openapi.json");
  fs.writeFileSync(src, text);
}
if (!fs.existsSync(src)) {
  console.error(`no OpenAPI document at ${src}`);
  process.exit(2);
}
execFileSync(path.join(web, "node_modules", ".bin", "openapi-typescript"), [src, "-o", path.join(web, "src", "api", "schema.d.ts")], { stdio: "inherit" });
