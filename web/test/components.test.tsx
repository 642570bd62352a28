import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { DecisionCard } from "@/components/Decision";
import { TooltipProvider } from "@/components/ui/tooltip";
import { makeInstruments } from "@/lib/instruments";
import type { Bot, DecisionRecord } from "@/api/types";
import LoginPage from "@/pages/LoginPage";
import BotFormPage from "@/pages/BotFormPage";
import { session } from "@/api/client";
import { fakeFetch, renderAt } from "./helpers";

const SYMBOLS = [
  { symbol: "BTCUSDT", base: "BTC", tick_size: "0.1", step_size: "0.001" },
  { symbol: "ETHUSDT", base: "ETH", tick_size: "0.01", step_size: "0.001" },
];
const ins = makeInstruments(SYMBOLS);

const decision: DecisionRecord = {
  id: "d1", bot_id: 1, at: 1_000_000, reasoning: "Line one. ".repeat(40),
  decisions: [
    { coin: "BTC", signal: "buy_to_enter", quantity: "0.0123", leverage: 5, stop_loss: "105000.04", profit_target: "112000.06", confidence: 0.61 },
    { coin: "ETH", signal: "hold", quantity: "0.5" },
  ],
  verdicts: [{ coin: "BTC", accepted: false, reason: "reward_risk_too_low" }],
  input_tokens: 7000, output_tokens: 500, cost_usd: "0.0285", latency_ms: 3400,
};

function renderCard(bot: Partial<Bot>) {
  const qc = new QueryClient();
  return render(
    <QueryClientProvider client={qc}><TooltipProvider>
      <DecisionCard d={decision} bot={{ id: 1, name: "b", label: "Bot One", ...bot } as Bot} ins={ins} now={1_060_000} />
    </TooltipProvider></QueryClientProvider>,
  );
}

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  localStorage.clear();
});

describe("DecisionCard", () => {
  it("labels the baseline as the rule-based baseline, never as a model", () => {
    renderCard({ model: "baseline", provider: "" });
    expect(screen.getByText("rule-based baseline")).toBeInTheDocument();
    expect(screen.getByText("no model call")).toBeInTheDocument();
  });
  it("shows an LLM bot's model, signals at tick/step, the denial in plain words, tokens, cost, latency", async () => {
    renderCard({ model: "llm", llm: { provider: "anthropic", model: "claude-sonnet-4-5" }, provider: "anthropic" });
    expect(screen.getByText("claude-sonnet-4-5")).toBeInTheDocument();
    expect(screen.getByText("LONG")).toBeInTheDocument();
    expect(screen.getByText("0.012")).toBeInTheDocument(); // quantity at BTC's step 0.001
    expect(screen.getByText("105,000.0")).toBeInTheDocument(); // stop at BTC's tick 0.1
    expect(screen.getByText(/reward-to-risk after fees is too low/)).toBeInTheDocument();
    expect(screen.getByText("7,000 in · 500 out")).toBeInTheDocument();
    expect(screen.getByText("$0.0285")).toBeInTheDocument();
    expect(screen.getByText("3.4 s")).toBeInTheDocument();
    expect(screen.getByText("1 min ago")).toBeInTheDocument();
    // reasoning collapsed after 3 lines, expandable
    const more = screen.getByRole("button", { name: "Show more" });
    expect(more).toHaveAttribute("aria-expanded", "false");
    await userEvent.click(more);
    expect(screen.getByRole("button", { name: "Show less" })).toHaveAttribute("aria-expanded", "true");
  });
});

describe("LoginPage", () => {
  beforeEach(() => session.clear());

  it("validates before sending", async () => {
    const calls = fakeFetch(() => undefined);
    renderAt("/login", [{ path: "/login", element: <LoginPage /> }]);
    await userEvent.type(screen.getByLabelText("Email"), "not-an-email");
    await userEvent.click(screen.getByRole("button", { name: "Log in" }));
    expect(screen.getByText("Enter a valid email address")).toBeInTheDocument();
    expect(calls).toHaveLength(0);
  });
  it("shows the server's error message", async () => {
    fakeFetch((u) => (u.pathname === "/api/auth/login" ? { status: 401, body: { error: { code: "invalid_credentials", message: "wrong email or password" } } } : undefined));
    renderAt("/login", [{ path: "/login", element: <LoginPage /> }]);
    await userEvent.type(screen.getByLabelText("Email"), "a@b.co");
    await userEvent.type(screen.getByLabelText("Password"), "whatever-1234");
    await userEvent.click(screen.getByRole("button", { name: "Log in" }));
    expect(await screen.findByText("wrong email or password")).toBeInTheDocument();
  });
  it("register puts a field error from the server on its field", async () => {
    fakeFetch((u) => (u.pathname === "/api/auth/register" ? { status: 409, body: { error: { code: "email_taken", message: "an account with this email exists", field: "email" } } } : undefined));
    renderAt("/register", [{ path: "/register", element: <LoginPage register /> }]);
    await userEvent.type(screen.getByLabelText("Email"), "a@b.co");
    await userEvent.type(screen.getByLabelText("Password"), "long-enough-pw");
    await userEvent.click(screen.getByRole("button", { name: "Create account" }));
    expect(await screen.findByText("an account with this email exists")).toBeInTheDocument();
  });
  it("keeps the session: login stores the refresh token", async () => {
    fakeFetch((u) => (u.pathname === "/api/auth/login" ? { status: 200, body: { access_token: "acc", token_type: "bearer", expires_in: 900, refresh_token: "ref" } } : undefined));
    renderAt("/login", [{ path: "/login", element: <LoginPage /> }, { path: "/", element: <div>home</div> }]);
    await userEvent.type(screen.getByLabelText("Email"), "a@b.co");
    await userEvent.type(screen.getByLabelText("Password"), "whatever-1234");
    await userEvent.click(screen.getByRole("button", { name: "Log in" }));
    expect(await screen.findByText("home")).toBeInTheDocument();
    expect(localStorage.getItem("aitrader.refresh_token")).toBe("ref");
  });
});

describe("BotFormPage", () => {
  function server(post: (body: unknown) => { status: number; body?: unknown }) {
    return fakeFetch((u, init) => {
      if (u.pathname === "/api/market/symbols") return { status: 200, body: { items: SYMBOLS, next_cursor: null } };
      if (u.pathname === "/api/credentials") return { status: 200, body: { items: [{ name: "anthropic", last4: "abcd", has_secret: false, created_at: 1 }], next_cursor: null } };
      if (u.pathname === "/api/prompts") return { status: 200, body: { items: [{ id: "v1", kind: "system" }], next_cursor: null } };
      if (u.pathname === "/api/prompts/preview") return { status: 200, body: { system: "SYSTEM TEXT", user: "PROMPT TEXT", token_estimate: 6123 } };
      if (u.pathname === "/api/bots" && init.method === "POST") return post(JSON.parse(String(init.body)));
      return undefined;
    });
  }
  beforeEach(() => session.accept({ access_token: "t", refresh_token: "r", token_type: "bearer", expires_in: 900 }));

  it("refuses leverage above the cap before sending, then sends exact decimal strings", async () => {
    const calls = server(() => ({ status: 201, body: { id: 9, name: "x" } }));
    renderAt("/bots/new", [{ path: "/bots/new", element: <BotFormPage /> }, { path: "/bots/:id", element: <div>detail</div> }]);
    expect(await screen.findByText("key stored")).toBeInTheDocument();
    await waitFor(() => expect(screen.getByTestId("prompt-preview")).toHaveTextContent(/SYSTEM TEXT[\s\S]*PROMPT TEXT/));
    expect(screen.getByText(/6,123 tokens/)).toBeInTheDocument();
    await userEvent.type(screen.getByLabelText("Name (id in logs)"), "claude-1");
    const lev = screen.getByLabelText(/Max leverage \(hard cap/);
    await userEvent.clear(lev);
    await userEvent.type(lev, "11");
    await userEvent.click(screen.getByRole("button", { name: /Create bot/ }));
    expect(screen.getByText(/from 1 to 10 \(hard cap\)/)).toBeInTheDocument();
    expect(calls.filter((c) => c.method === "POST" && c.path === "/api/bots")).toHaveLength(0);

    await userEvent.clear(lev);
    await userEvent.type(lev, "7");
    await userEvent.click(screen.getByRole("button", { name: /Create bot/ }));
    expect(await screen.findByText("detail")).toBeInTheDocument();
    const post = calls.find((c) => c.method === "POST" && c.path === "/api/bots")!;
    expect(post.body).toMatchObject({ name: "claude-1", capital: "10000", mode: "paper", risk: { max_leverage: 7, daily_loss_limit: "0.05" }, llm: { provider: "anthropic" } });
  });

  it("shows the server's 422 on its field", async () => {
    server(() => ({ status: 422, body: { error: { code: "invalid_bot", message: "you already have a bot named claude-1", field: "name" } } }));
    renderAt("/bots/new", [{ path: "/bots/new", element: <BotFormPage /> }]);
    await userEvent.type(await screen.findByLabelText("Name (id in logs)"), "claude-1");
    await userEvent.click(screen.getByRole("button", { name: /Create bot/ }));
    expect(await screen.findAllByText(/you already have a bot named claude-1/)).not.toHaveLength(0);
  });

  it("live mode warns and needs the typed confirmation", async () => {
    const calls = server(() => ({ status: 201, body: { id: 9 } }));
    renderAt("/bots/new", [{ path: "/bots/new", element: <BotFormPage /> }]);
    await userEvent.type(await screen.findByLabelText("Name (id in logs)"), "claude-1");
    fireEvent.click(screen.getByLabelText(/Live — real money/));
    expect(screen.getByText(/Real money\./)).toBeInTheDocument();
    await userEvent.click(screen.getByRole("button", { name: /Create bot/ }));
    expect(screen.getByText(/Type LIVE to confirm/)).toBeInTheDocument();
    await waitFor(() => expect(calls.filter((c) => c.method === "POST" && c.path === "/api/bots")).toHaveLength(0));
  });
});
