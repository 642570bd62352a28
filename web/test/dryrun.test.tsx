// "Dry run" (POST /api/bots/{id}/dry-run → the stored decision, dry_run: true; x-planned in the
// OpenAPI document): on the bot detail page and the edit form, shown as the feed shows a decision,
// labelled DRY RUN, the button disabled while it runs, a refusal shown in place.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { cleanup, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { session } from "@/api/client";
import BotDetailPage from "@/pages/BotDetailPage";
import BotFormPage from "@/pages/BotFormPage";
import { fakeFetch, renderAt } from "./helpers";
import { detailRoutes, page, wireBot, wireDecision } from "./fixtures";

vi.mock("@/charts/CandleChart", () => ({ default: () => <div data-testid="candle-chart" /> }));
vi.mock("@/charts/EquityChart", () => ({ default: () => <div data-testid="equity-chart" /> }));

const llmBot = wireBot({ model: "claude-sonnet-4-5", provider: "anthropic", spec: { model: "llm", llm: { provider: "anthropic", model: "claude-sonnet-4-5" }, interval: "1h" } });

/** A response the test releases when it wants (to see the button while the call runs). */
function deferred() {
  let release!: (r: { status: number; body?: unknown }) => void;
  const p = new Promise<{ status: number; body?: unknown }>((r) => (release = r));
  return { p, release };
}

beforeEach(() => session.clear());
afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

describe("dry run on the bot detail page", () => {
  it("disables the button while it runs, then shows the decision labelled DRY RUN", async () => {
    const answer = deferred();
    let posted = 0;
    const base = detailRoutes(llmBot);
    const fn = vi.fn(async (input: RequestInfo | URL, init: RequestInit = {}) => {
      const u = new URL(String(input), "http://localhost");
      if (u.pathname === "/api/bots/7/dry-run" && init.method === "POST") {
        posted++;
        const r = await answer.p;
        return new Response(JSON.stringify(r.body), { status: r.status, headers: { "Content-Type": "application/json" } });
      }
      const r = base(u, init) ?? { status: 404, body: { error: { code: "not_found", message: "no" } } };
      return new Response(JSON.stringify(r.body), { status: r.status, headers: { "Content-Type": "application/json" } });
    });
    vi.stubGlobal("fetch", fn);
    renderAt("/bots/7", [{ path: "/bots/:id", element: <BotDetailPage /> }], { stream: true });

    const button = await screen.findByRole("button", { name: "Dry run" });
    await userEvent.click(button);
    const running = screen.getByRole("button", { name: /Asking the model…/ });
    expect(running).toBeDisabled();
    await userEvent.click(running); // a second click sends nothing
    expect(posted).toBe(1);
    expect(screen.getByTestId("dry-run-result")).toHaveTextContent(/DRY RUN — no order placed/);

    answer.release({ status: 200, body: wireDecision({ id: 99, dry_run: true }) });
    const result = await screen.findByTestId("dry-run-result");
    await waitFor(() => expect(within(result).getByTestId("decision")).toBeInTheDocument());
    const card = within(result).getByTestId("decision");
    expect(within(card).getByText("DRY RUN · no order placed")).toBeInTheDocument();
    expect(within(card).getByText(/BTC holds above the 4h EMA20/)).toBeInTheDocument(); // reasoning
    expect(within(card).getByText("LONG")).toBeInTheDocument(); // parsed signal
    expect(within(card).getByText("105,000.0")).toBeInTheDocument(); // its stop at BTC's tick
    expect(within(card).getByText("would pass")).toBeInTheDocument(); // accepted, but no order
    expect(within(card).getByText(/reward-to-risk after fees is too low/)).toBeInTheDocument(); // the denial
    expect(within(card).getByText("7,000 in · 500 out")).toBeInTheDocument();
    expect(within(card).getByText("$0.0285")).toBeInTheDocument();
    expect(within(card).getByText("3.4 s")).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Dry run" })).toBeEnabled();
  });

  it("shows the server's refusal in place (budget spent)", async () => {
    fakeFetch(detailRoutes(llmBot, undefined, (u, init) => (u.pathname === "/api/bots/7/dry-run" && init.method === "POST"
      ? { status: 409, body: { error: { code: "budget_exhausted", message: "the daily LLM budget of $20.00 is spent" } } } : undefined)));
    renderAt("/bots/7", [{ path: "/bots/:id", element: <BotDetailPage /> }], { stream: true });
    await userEvent.click(await screen.findByRole("button", { name: "Dry run" }));
    const result = await screen.findByTestId("dry-run-result");
    expect(await within(result).findByText("the daily LLM budget of $20.00 is spent")).toBeInTheDocument();
    expect(within(result).getByText("409 budget_exhausted")).toBeInTheDocument();
    expect(within(result).getByRole("button", { name: /Retry/ })).toBeInTheDocument();
  });

  it("a stored decision whose model call failed says so (a 200 with outcome llm_error)", async () => {
    fakeFetch(detailRoutes(llmBot, undefined, (u, init) => (u.pathname === "/api/bots/7/dry-run" && init.method === "POST"
      ? { status: 200, body: wireDecision({ dry_run: true, outcome: "llm_error", error: "anthropic: HTTP 529 overloaded", decisions: {}, verdicts: [], raw_answer: "" }) } : undefined)));
    renderAt("/bots/7", [{ path: "/bots/:id", element: <BotDetailPage /> }], { stream: true });
    await userEvent.click(await screen.findByRole("button", { name: "Dry run" }));
    const err = await screen.findByTestId("decision-error");
    expect(err).toHaveTextContent("the model call failed: every coin held — anthropic: HTTP 529 overloaded");
  });

  it("the decision feed marks a stored dry run", async () => {
    fakeFetch(detailRoutes(llmBot, undefined, (u) => (u.pathname === "/api/bots/7/decisions"
      ? { status: 200, body: page([wireDecision({ id: 5, dry_run: true }), wireDecision({ id: 4, cycle: 11 })]) } : undefined)));
    renderAt("/bots/7", [{ path: "/bots/:id", element: <BotDetailPage /> }], { stream: true });
    await waitFor(() => expect(screen.getAllByTestId("decision")).toHaveLength(2));
    const [dry, real] = screen.getAllByTestId("decision");
    expect(within(dry).getByText("DRY RUN · no order placed")).toBeInTheDocument();
    expect(within(dry).getByText("would pass")).toBeInTheDocument();
    expect(within(real).queryByText(/DRY RUN/)).toBeNull();
    expect(within(real).getByText("ok")).toBeInTheDocument();
  });
});

describe("dry run on the edit form", () => {
  it("runs the stored bot and shows the decision in place", async () => {
    session.accept({ access_token: "t", refresh_token: "r", token_type: "bearer", expires_in: 900 });
    const calls = fakeFetch(detailRoutes(llmBot, undefined, (u, init) => {
      if (u.pathname === "/api/bots/7/dry-run" && init.method === "POST") return { status: 200, body: wireDecision({ dry_run: true }) };
      if (u.pathname === "/api/credentials" || u.pathname === "/api/prompts") return { status: 200, body: page([]) };
      if (u.pathname === "/api/prompts/preview") return { status: 200, body: { system: "S", user: "U", token_estimate: 2 } };
      return undefined;
    }));
    renderAt("/bots/7/edit", [{ path: "/bots/:id/edit", element: <BotFormPage /> }]);
    await userEvent.click(await screen.findByRole("button", { name: "Show one real decision" }));
    const result = await screen.findByTestId("dry-run-result");
    const card = await within(result).findByTestId("decision");
    expect(within(card).getByText("DRY RUN · no order placed")).toBeInTheDocument();
    expect(within(card).getByText("7,000 in · 500 out")).toBeInTheDocument();
    expect(calls.filter((c) => c.method === "POST" && c.path === "/api/bots/7/dry-run")).toHaveLength(1);
    session.clear();
  });

  it("a new bot cannot dry-run before it is saved", async () => {
    session.accept({ access_token: "t", refresh_token: "r", token_type: "bearer", expires_in: 900 });
    fakeFetch(detailRoutes(llmBot, undefined, (u) => (u.pathname === "/api/credentials" || u.pathname === "/api/prompts" ? { status: 200, body: page([]) } : undefined)));
    renderAt("/bots/new", [{ path: "/bots/new", element: <BotFormPage /> }]);
    expect(await screen.findByRole("button", { name: "Show one real decision" })).toBeDisabled();
    expect(screen.getByText(/Save the bot first/)).toBeInTheDocument();
    session.clear();
  });
});

describe("risk verdicts as the real server stores them", () => {
  it("a denial's reason comes from `denials` (engine/store_recorder.cpp), its detail on hover", async () => {
    const { normalizeDecision } = await import("@/api/normalize");
    const d = normalizeDecision(wireDecision({
      verdicts: [{ coin: "DOGE", signal: "sell_to_enter", action: "denied", detail: "insufficient_margin: DOGE: margin 172.00 + fees 1.72 exceed available 172.01", denials: ["insufficient_margin"] }],
    }), 7);
    expect(d.verdicts[0]).toMatchObject({ coin: "DOGE", accepted: false, kind: "denied", reason: "insufficient_margin", message: "insufficient_margin: DOGE: margin 172.00 + fees 1.72 exceed available 172.01" });
    fakeFetch(detailRoutes(llmBot, undefined, (u) => (u.pathname === "/api/bots/7/decisions"
      ? { status: 200, body: page([wireDecision({ verdicts: [{ coin: "ETH", signal: "sell_to_enter", action: "denied", detail: "insufficient_margin: ETH: margin 9 exceeds 8", denials: ["insufficient_margin"] }] })]) } : undefined)));
    renderAt("/bots/7", [{ path: "/bots/:id", element: <BotDetailPage /> }], { stream: true });
    const line = await screen.findByText(/not enough free margin/);
    expect(line.closest("li")).toHaveTextContent("ETH denied: not enough free margin (insufficient_margin)");
    expect(line.closest("li")).toHaveAttribute("title", "insufficient_margin: ETH: margin 9 exceeds 8");
  });
});
