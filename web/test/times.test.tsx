// Defect: a decision whose timestamp is 0 or missing showed "20379 d ago" (and "1970-01-01" on
// hover). Zero or absent times show "—" wherever a time is formatted.
import { afterEach, describe, expect, it, vi } from "vitest";
import { cleanup, render, screen, within } from "@testing-library/react";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { MemoryRouter } from "react-router-dom";
import { fmtAgo, fmtUtc, fmtUtcShort } from "@/lib/time";
import { normalizeDecision } from "@/api/normalize";
import { DecisionCard } from "@/components/Decision";
import { FillsTable, OrdersTable, PositionsTable } from "@/components/tables";
import { TooltipProvider } from "@/components/ui/tooltip";
import { makeInstruments } from "@/lib/instruments";
import BotsPage from "@/pages/BotsPage";
import { session } from "@/api/client";
import { fakeFetch, renderAt } from "./helpers";
import { MARKET_NOW, SYMBOLS_1H, page, wireBot, wireDecision } from "./fixtures";

const ins = makeInstruments(SYMBOLS_1H);
const wrap = (ui: React.ReactNode) => render(
  <QueryClientProvider client={new QueryClient()}><TooltipProvider><MemoryRouter>{ui}</MemoryRouter></TooltipProvider></QueryClientProvider>,
);

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

describe("unknown times", () => {
  it("format as — (relative and absolute), known ones as before", () => {
    for (const t of [0, null, undefined, Number.NaN, -5]) {
      expect(fmtAgo(t as number, MARKET_NOW)).toBe("—");
      expect(fmtUtc(t as number)).toBe("—");
      expect(fmtUtcShort(t as number)).toBe("—");
    }
    expect(fmtAgo(MARKET_NOW - 90_000, MARKET_NOW)).toBe("2 min ago");
    expect(fmtAgo(MARKET_NOW - 3 * 86_400_000, MARKET_NOW)).toBe("3 d ago");
    expect(fmtUtc(Date.UTC(2025, 9, 20, 9, 5))).toBe("2025-10-20 09:05");
  });

  it("a decision without decided_at (or with 0) shows — in the feed, not days since 1970", () => {
    for (const d of [wireDecision({ decided_at: 0 }), { ...wireDecision(), decided_at: undefined }]) {
      const rec = normalizeDecision(d, 7);
      const { container, unmount } = wrap(<DecisionCard d={rec} ins={ins} now={MARKET_NOW} />);
      const header = container.querySelector("header")!;
      expect(header.textContent).not.toMatch(/ago/);
      expect(within(header).getByText("—")).toBeInTheDocument();
      unmount();
    }
  });

  it("tables: a fill, an order and a position with time 0 show —", () => {
    const { container } = wrap(<>
      <FillsTable rows={[{ id: 1, symbol: "BTCUSDT", side: "BUY", quantity: "0.01", price: "100000.0", fee: "0.5", realized_pnl: "0", is_maker: false, at: 0 } as never]} ins={ins} />
      <OrdersTable rows={[{ id: 2, client_order_id: "c", symbol: "BTCUSDT", side: "SELL", type: "STOP_MARKET", quantity: "0", price: null, stop_price: "95000.0", reduce_only: true, status: "NEW", filled_quantity: "0", avg_price: null, created_at: 0, updated_at: 0 }]} ins={ins} />
      <PositionsTable rows={[{ symbol: "BTCUSDT", side: "long", quantity: "0.01", entry_price: "100000.0", mark_price: "101000.0", unrealized_pnl: "10", leverage: 3, liquidation_price: null, stop_loss: null, take_profit: null, opened_at: 0 }]} ins={ins} now={MARKET_NOW} />
    </>);
    expect(container.textContent).not.toMatch(/01-01 00:00|1970|\d+ d ago/);
    expect(container.querySelector("[data-testid=fills-table] [data-label='time (UTC)']")!.textContent).toBe("—");
    expect(container.querySelector("[data-testid=orders-table] [data-label='created (UTC)']")!.textContent).toBe("—");
    expect(container.querySelector("[data-testid=positions-table] [data-label=opened]")!.textContent).toBe("—");
  });

  it("the bots list shows — for a bot that never decided", async () => {
    session.clear();
    fakeFetch((u) => {
      if (u.pathname === "/api/bots") return { status: 200, body: page([wireBot({ last_decision_at: null })]) };
      if (u.pathname === "/api/health") return { status: 200, body: { status: "ok", version: "t", market_time: MARKET_NOW } };
      return undefined;
    });
    renderAt("/bots", [{ path: "/bots", element: <BotsPage /> }], { stream: true });
    const cell = await screen.findByText("—", { selector: "[data-label='last decision'] *, [data-label='last decision']" });
    expect(cell).toBeInTheDocument();
  });
});
