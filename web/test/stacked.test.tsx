// Defect: at phone width (≤ 640 px) the tables dropped columns. Now every table is a .tbl-stack:
// below 641 px each row is a card (index.css) in which every cell shows its column's name. jsdom
// has no layout, so this checks the markup the CSS relies on — every field of a row is a labelled
// cell (or the card's title) and none is left out; e2e/screenshots.mjs checks in chromium at 390 px
// that the cards show every cell (no cell of a stacked table is display: none there).
import { afterEach, describe, expect, it, vi } from "vitest";
import { cleanup, render, screen } from "@testing-library/react";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { MemoryRouter } from "react-router-dom";
import { FillsTable, OrdersTable, PositionsTable, TradesTable } from "@/components/tables";
import { Leaderboard, leaderboardRows } from "@/pages/ArenaPage";
import { normalizeBot, normalizeMetrics } from "@/api/normalize";
import { TooltipProvider } from "@/components/ui/tooltip";
import { makeInstruments } from "@/lib/instruments";
import BotsPage from "@/pages/BotsPage";
import AlertsPage from "@/pages/AlertsPage";
import { session } from "@/api/client";
import { fakeFetch, renderAt } from "./helpers";
import { MARKET_NOW, SYMBOLS_1H, page, wireBot } from "./fixtures";

const ins = makeInstruments(SYMBOLS_1H);
const wrap = (ui: React.ReactNode) => render(
  <QueryClientProvider client={new QueryClient()}><TooltipProvider><MemoryRouter>{ui}</MemoryRouter></TooltipProvider></QueryClientProvider>,
);

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

/** The card of the first body row: its title text and label → value text of every field. */
function card(table: Element) {
  expect(table.classList.contains("tbl-stack")).toBe(true);
  const row = table.querySelector("tbody tr")!;
  const cells = [...row.querySelectorAll(":scope > td")];
  const title = cells.filter((c) => c.classList.contains("cell-title")).map((c) => c.textContent);
  const fields: Record<string, string> = {};
  for (const c of cells) {
    if (c.classList.contains("cell-title") || c.classList.contains("cell-actions")) continue;
    // a cell left out of the card must repeat in the title (the leaderboard's rank)
    if (c.classList.contains("cell-hide-stacked")) {
      expect(title.join(" ")).toContain(c.textContent!);
      continue;
    }
    const label = c.getAttribute("data-label");
    expect(label, `an unlabelled cell: ${c.outerHTML.slice(0, 120)}`).toBeTruthy();
    fields[label!] = c.textContent ?? "";
  }
  return { title, fields, headers: [...table.querySelectorAll("thead th")].map((h) => h.textContent).filter(Boolean) };
}

describe("tables become cards that keep every field", () => {
  it("positions", () => {
    const { container } = wrap(<PositionsTable rows={[{ symbol: "BTCUSDT", side: "long", quantity: "0.0123", entry_price: "100000.04", mark_price: "101000.1", unrealized_pnl: "12.3", leverage: 5, liquidation_price: "81000.0", stop_loss: "97000.0", take_profit: "106000.0", opened_at: MARKET_NOW - 7_200_000, bot: normalizeBot(wireBot()) }]} ins={ins} now={MARKET_NOW} showBot />);
    const c = card(container.querySelector("table")!);
    expect(c.title).toEqual(["BTC"]);
    expect(c.fields).toEqual({ bot: "Trend", side: "▲ LONG", size: "0.012", entry: "100,000.0", mark: "101,000.1", unrealized: "+$12.30", leverage: "5×", stop: "97,000.0", target: "106,000.0", liquidation: "81,000.0", opened: "2 h ago" });
    expect(Object.keys(c.fields).length + c.title.length).toBe(c.headers.length);
  });

  it("fills, round trips and orders", () => {
    const { container } = wrap(<>
      <FillsTable rows={[{ id: 1, symbol: "ETHUSDT", side: "SELL", quantity: "0.5", price: "3900.12", fee: "0.98", realized_pnl: "-4.5", is_maker: true, at: Date.UTC(2025, 9, 20, 9, 5) } as never]} ins={ins} />
      <TradesTable rows={[{ id: 1, symbol: "BTCUSDT", side: "short", quantity: "0.01", entry_price: "100000.0", exit_price: "99000.0", entry_at: 1, exit_at: Date.UTC(2025, 9, 20, 10, 0), pnl: "9.5", fees: "0.5", exit_reason: "take_profit" }]} ins={ins} />
      <OrdersTable rows={[{ id: 2, client_order_id: "c", symbol: "BTCUSDT", side: "SELL", type: "STOP_MARKET", quantity: "0", price: null, stop_price: "95000.04", reduce_only: true, status: "NEW", filled_quantity: "0", avg_price: null, created_at: Date.UTC(2025, 9, 20, 8, 0), updated_at: 0 }]} ins={ins} />
    </>);
    const [fills, trips, orders] = [...container.querySelectorAll("table")].map(card);
    expect(fills.title).toEqual(["ETH"]);
    expect(fills.fields).toEqual({ "time (UTC)": "10-20 09:05", side: "▼ SELL", qty: "0.500", price: "3,900.12", fee: "$0.98", "realized PnL": "−$4.50", liquidity: "maker" });
    expect(trips.title).toEqual(["BTC"]);
    expect(trips.fields).toEqual({ "closed (UTC)": "10-20 10:00", side: "▼ SHORT", size: "0.010", entry: "100,000.0", exit: "99,000.0", fees: "$0.50", PnL: "+$9.50", "exit reason": "take profit" });
    expect(orders.title).toEqual(["BTC"]);
    expect(orders.fields).toEqual({ "created (UTC)": "10-20 08:00", type: "stop market", side: "▼ SELL", qty: "whole position", "price / trigger": "trigger 95,000.0", flags: "reduce-only", status: "new", "avg fill": "—" });
  });

  it("the leaderboard, with every Alpha Arena column", () => {
    const bot = normalizeBot(wireBot());
    const rows = leaderboardRows([{ rank: 1, bot_id: 7, label: "Trend", equity: "10250.5", pnl: "250.5", llm_cost_usd: "0", net_pnl: "250.5" }], new Map([["7", bot]]), new Map([["7", { ...normalizeMetrics({ fees_paid: "4.1", win_rate: 0.5, sharpe: 1.234, max_drawdown_pct: 1.2, trades: 3 }), biggest_win: "80", biggest_loss: "-20" }]]));
    const { container } = wrap(<Leaderboard rows={rows} bots={new Map([["7", bot]])} />);
    const c = card(container.querySelector("table")!);
    expect(c.title[0]).toMatch(/^#1Trend/);
    expect(c.fields).toEqual({ "account value": "$10,250.50", return: "+2.51%", "total PnL": "+$250.50", "net of LLM cost": "+$250.50", fees: "$4.10", "win rate": "50.00%", "biggest win": "+$80.00", "biggest loss": "−$20.00", Sharpe: "1.23", "max DD": "1.20%", "closed trades": "3 +1 open" });
  });

  it("the bots list (status, model, mode too) and the alerts (kind too)", async () => {
    session.clear();
    fakeFetch((u) => {
      if (u.pathname === "/api/bots") return { status: 200, body: page([wireBot()]) };
      if (u.pathname === "/api/health") return { status: 200, body: { status: "ok", version: "t", market_time: MARKET_NOW } };
      if (u.pathname === "/api/alerts") return { status: 200, body: page([{ id: 1, bot_id: 7, at: MARKET_NOW - 60_000, severity: "warning", kind: "stop_loss_hit", message: "Trend: stop-loss hit on BTCUSDT", acknowledged: false }]) };
      return undefined;
    });
    renderAt("/bots", [{ path: "/bots", element: <><BotsPage /><AlertsPage /></> }], { stream: true });
    const table = await screen.findByTestId("bots-table");
    const c = card(table);
    expect(c.title[0]).toContain("Trend");
    expect(c.fields).toEqual({ status: "running", model: "rule-based baseline", mode: "paper", equity: "$10,250.50", PnL: "+2.51%", "open positions": "1", "last decision": "1 h ago" });
    const alert = await screen.findByTestId("alert");
    for (const t of ["warning", "stop loss hit", "Trend: stop-loss hit on BTCUSDT", "Trend", "1 min ago"]) expect(alert.textContent).toContain(t);
  });
});
