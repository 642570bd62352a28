import { describe, expect, it } from "vitest";
import { validateBot, validateCredentials } from "@/lib/validate";
import { DEFAULT_SPEC } from "@/pages/BotFormPage";
import type { BotSpec } from "@/api/types";

const spec = (over: Partial<BotSpec> = {}, risk: BotSpec["risk"] = {}): BotSpec => ({ ...DEFAULT_SPEC, name: "claude-1", ...over, risk: { ...DEFAULT_SPEC.risk, ...risk } });

describe("bot form validation", () => {
  it("accepts the defaults with a name", () => {
    expect(validateBot(spec())).toEqual({});
  });
  it("enforces the leverage hard cap of 10", () => {
    expect(validateBot(spec({}, { max_leverage: 10 }))["risk.max_leverage"]).toBeUndefined();
    expect(validateBot(spec({}, { max_leverage: 11 }))["risk.max_leverage"]).toMatch(/1 to 10/);
    expect(validateBot(spec({}, { max_leverage: 0 }))["risk.max_leverage"]).toBeDefined();
    expect(validateBot(spec({}, { max_leverage: 2.5 }))["risk.max_leverage"]).toBeDefined();
  });
  it("checks names, capital and coins", () => {
    expect(validateBot(spec({ name: "" })).name).toBeDefined();
    expect(validateBot(spec({ name: "has space" })).name).toBeDefined();
    expect(validateBot(spec({ capital: "abc" })).capital).toBeDefined();
    expect(validateBot(spec({ capital: "0" })).capital).toBeDefined();
    expect(validateBot(spec({ capital: "1e5" })).capital).toBeDefined(); // exponents are not exact decimals
    expect(validateBot(spec({ capital: "2500.50" })).capital).toBeUndefined();
    expect(validateBot(spec({ symbols: [] })).symbols).toBeDefined();
  });
  it("cadence must be a multiple of the interval and not shorter", () => {
    expect(validateBot(spec({ interval: "15m", cadence: "5m" })).cadence).toMatch(/shorter/);
    expect(validateBot(spec({ interval: "3m", cadence: "5m" })).cadence).toMatch(/multiple/);
    expect(validateBot(spec({ interval: "5m", cadence: "1h" })).cadence).toBeUndefined();
  });
  it("ratios are fractions and the halt is not below the reduce-only drawdown", () => {
    expect(validateBot(spec({}, { daily_loss_limit: "5" }))["risk.daily_loss_limit"]).toMatch(/at most 1/);
    expect(validateBot(spec({}, { drawdown_reduce: "0.3", drawdown_halt: "0.2" }))["risk.drawdown_halt"]).toBeDefined();
  });
  it("an LLM bot needs a model, a budget, and a stored key when we know there is none", () => {
    expect(validateBot(spec({ llm: { provider: "openai", model: " " } }))["llm.model"]).toBeDefined();
    expect(validateBot(spec({ daily_budget_usd: "" })).daily_budget_usd).toBeDefined();
    expect(validateBot(spec(), { keyStored: false })["llm.provider"]).toMatch(/No key/);
    expect(validateBot(spec({ model: "baseline", daily_budget_usd: "" }), { keyStored: false })).toEqual({});
  });
});

describe("login form validation", () => {
  it("email and password rules (register needs 10 characters)", () => {
    expect(validateCredentials("a@b.co", "x", false)).toEqual({});
    expect(validateCredentials("nope", "x", false).email).toBeDefined();
    expect(validateCredentials("a@b.co", "", false).password).toBeDefined();
    expect(validateCredentials("a@b.co", "short", true).password).toBeDefined();
    expect(validateCredentials("a@b.co", "long-enough", true)).toEqual({});
  });
});
