// Defect: a bot whose spec names no interval was shown as "5m" (and its chart asked for 5m candles,
// a 422 from a server that runs 1h). The server's default is the market feed's interval
// (routes_bots.cpp BotDefaults: interval = cadence = the feed's; GET /api/market/symbols lists it).
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { cleanup, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { normalizeBot } from "@/api/normalize";
import { botTiming, feedIntervalOf } from "@/lib/instruments";
import { session } from "@/api/client";
import BotDetailPage from "@/pages/BotDetailPage";
import BotFormPage from "@/pages/BotFormPage";
import { fakeFetch, renderAt } from "./helpers";
import { SYMBOLS_1H, detailRoutes, page, wireBot } from "./fixtures";

vi.mock("@/charts/CandleChart", () => ({ default: () => <div data-testid="candle-chart" /> }));
vi.mock("@/charts/EquityChart", () => ({ default: () => <div data-testid="equity-chart" /> }));

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

describe("a bot's interval", () => {
  it("is the spec's when it names one, else unknown to the normalizer (no invented 5m)", () => {
    expect(normalizeBot(wireBot({ spec: { interval: "15m", cadence: "1h" } }))).toMatchObject({ interval: "15m", cadence: "1h" });
    const b = normalizeBot(wireBot());
    expect(b.interval).toBeUndefined();
    expect(b.cadence).toBeUndefined();
  });

  it("defaults to the feed's interval, and the cadence to the interval", () => {
    expect(feedIntervalOf(SYMBOLS_1H)).toBe("1h");
    expect(feedIntervalOf([])).toBeNull();
    expect(feedIntervalOf([{ symbol: "BTCUSDT", base: "BTC", intervals: ["5m", "1h"] }, { symbol: "ETHUSDT", base: "ETH", intervals: ["1h"] }])).toBe("1h");
    expect(botTiming({}, "1h")).toEqual({ interval: "1h", cadence: "1h", defaulted: true });
    expect(botTiming({ interval: "1h", cadence: "4h" }, "1h")).toEqual({ interval: "1h", cadence: "4h", defaulted: false });
    expect(botTiming({}, null)).toEqual({ interval: null, cadence: null, defaulted: true });
  });

  describe("pages", () => {
    beforeEach(() => session.clear());

    it("the detail page shows the feed's interval and asks for those candles", async () => {
      const calls = fakeFetch(detailRoutes(wireBot()));
      renderAt("/bots/7", [{ path: "/bots/:id", element: <BotDetailPage /> }], { stream: true });
      expect(await screen.findByText(/1h candles \(feed default\) · decides every 1h/)).toBeInTheDocument();
      expect(screen.queryByText(/5m/)).toBeNull();
      await waitFor(() => expect(calls.some((c) => c.path.startsWith("/api/market/BTCUSDT/candles"))).toBe(true));
      const candles = calls.filter((c) => c.path.includes("/candles"));
      expect(candles.every((c) => new URL(c.path, "http://x").searchParams.get("interval") === "1h")).toBe(true);
    });

    it("the spec's own interval is shown as is", async () => {
      fakeFetch(detailRoutes(wireBot({ spec: { interval: "1h", cadence: "4h" } })));
      renderAt("/bots/7", [{ path: "/bots/:id", element: <BotDetailPage /> }], { stream: true });
      expect(await screen.findByText(/^1h candles · decides every 4h$/)).toBeInTheDocument();
    });

    it("the edit form shows and keeps the feed's interval for a bot without one", async () => {
      session.accept({ access_token: "t", refresh_token: "r", token_type: "bearer", expires_in: 900 });
      const feed15 = SYMBOLS_1H.map((s) => ({ ...s, intervals: ["15m"] }));
      const calls = fakeFetch(detailRoutes(wireBot({ status: "stopped" }), feed15, (u, init) => {
        if (u.pathname === "/api/bots/7" && init.method === "PATCH") return { status: 200, body: wireBot({ status: "stopped", spec: JSON.parse(String(init.body)) }) };
        if (u.pathname === "/api/credentials" || u.pathname === "/api/prompts") return { status: 200, body: page([]) };
        return undefined;
      }));
      renderAt("/bots/7/edit", [{ path: "/bots/:id/edit", element: <BotFormPage /> }, { path: "/bots/:id", element: <div>detail</div> }]);
      const select = (await screen.findByLabelText("Candles")) as HTMLSelectElement;
      await waitFor(() => expect(select.value).toBe("15m"));
      expect((screen.getByLabelText("Decide every") as HTMLSelectElement).value).toBe("15m");
      await userEvent.click(screen.getByRole("button", { name: /^Save$/ }));
      expect(await screen.findByText("detail")).toBeInTheDocument();
      expect(calls.find((c) => c.method === "PATCH")!.body).toMatchObject({ interval: "15m", cadence: "15m" });
      session.clear();
    });
  });
});
