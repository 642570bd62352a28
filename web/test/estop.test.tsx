// The emergency-stop confirmation names every position and open order it will close. Checked
// against what the server does: POST /api/emergency-stop stops every bot of the caller the runtime
// holds (engine Service::EmergencyStopUser) — a stopped bot with close_on_stop off still holds its
// positions — and a bot's stop-loss, placed at entry, can be older than its newest 200 orders.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { cleanup, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { Route, Routes } from "react-router-dom";
import { session } from "@/api/client";
import { Shell } from "@/components/Shell";
import { fakeFetch, renderAt, type Handler } from "./helpers";
import { MARKET_NOW, SYMBOLS_1H, page, wireBot } from "./fixtures";

const order = (over: Record<string, unknown>) => ({
  id: 1, client_order_id: "c", symbol: "BTCUSDT", side: "SELL", type: "MARKET", quantity: "0.012", price: null, stop_price: null,
  reduce_only: false, status: "FILLED", filled_quantity: "0.012", avg_price: "100000.0", created_at: MARKET_NOW - 60_000, updated_at: MARKET_NOW - 60_000, ...over,
});

const running = wireBot({ id: 7, name: "trend", label: "Trend", status: "running" });
const stopped = wireBot({ id: 8, name: "keep", label: "Keeper", status: "stopped", spec: { close_on_stop: false } });
const idle = wireBot({ id: 9, name: "idle", label: "Idle", status: "created", open_positions: 0 });

const server: Handler = (u) => {
  const p = u.pathname;
  if (p === "/api/health") return { status: 200, body: { status: "ok", version: "t", market_time: MARKET_NOW } };
  if (p === "/api/market/symbols") return { status: 200, body: page(SYMBOLS_1H) };
  if (p === "/api/bots") return { status: 200, body: page([running, stopped, idle]) };
  if (p === "/api/alerts") return { status: 200, body: page([]) };
  if (p === "/api/bots/7/positions") return { status: 200, body: page([{ symbol: "BTCUSDT", side: "LONG", quantity: "0.012", entry_price: "100000.0", mark_price: "101000.04", unrealized_pnl: "12.0", leverage: 5, liquidation_price: "81000.0", stop_loss: "97000.0", take_profit: "106000.0", invalidation: null, opened_at: MARKET_NOW - 3_600_000 }]) };
  if (p === "/api/bots/8/positions") return { status: 200, body: page([{ symbol: "ETHUSDT", side: "SHORT", quantity: "0.5", entry_price: "3900.0", mark_price: null, unrealized_pnl: null, leverage: 3, liquidation_price: null, stop_loss: null, take_profit: null, invalidation: null, opened_at: MARKET_NOW - 7_200_000 }]) };
  if (p === "/api/bots/9/positions") return { status: 200, body: page([]) };
  const m = p.match(/^\/api\/bots\/(\d+)\/orders$/);
  if (m) {
    const open = u.searchParams.get("open") === "true";
    if (m[1] === "7") {
      // the newest 200 orders are fills of other trades; the stop and the limit are older
      if (!open) return { status: 200, body: page(Array.from({ length: 200 }, (_, i) => order({ id: 1000 - i })), "800") };
      return { status: 200, body: page([
        order({ id: 12, type: "STOP_MARKET", quantity: "0", stop_price: "97000.04", reduce_only: true, status: "NEW", filled_quantity: "0", avg_price: null }),
        order({ id: 11, type: "STOP", side: "BUY", quantity: "0.005", price: "99500.0", stop_price: "99000.0", status: "TRIGGERED", filled_quantity: "0", avg_price: null }),
        // as the real server stores a close-position take-profit today: no stop_price
        order({ id: 10, type: "TAKE_PROFIT_MARKET", quantity: "0", stop_price: null, reduce_only: true, status: "NEW", filled_quantity: "0", avg_price: null }),
      ]) };
    }
    return { status: 200, body: page([]) };
  }
  return undefined;
};

beforeEach(() => session.clear());
afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

describe("emergency stop all", () => {
  it("names every position and open order of every bot it will stop, with trigger prices", async () => {
    const calls = fakeFetch(server);
    renderAt("/", [{ path: "*", element: <Routes><Route element={<Shell />}><Route path="/" element={<div>home</div>} /></Route></Routes> }], { stream: true });
    await waitFor(() => expect(calls.some((c) => c.path === "/api/bots")).toBe(true));
    await userEvent.click((await screen.findAllByRole("button", { name: "Emergency stop all bots" }))[0]);
    const dialog = await screen.findByRole("dialog");
    await within(dialog).findByText(/^Total:/);

    const bots = within(dialog).getAllByTestId("estop-bot");
    expect(bots.map((b) => b.querySelector("span")!.textContent)).toEqual(["Trend", "Keeper"]);
    const [trend, keeper] = bots;
    expect(trend).toHaveTextContent("1 position · 3 open orders");
    expect(within(trend).getByText("Close LONG 0.012 BTC at market")).toBeInTheDocument();
    expect(within(trend).getByText("≈ $1,212.00 at mark 101,000.0")).toBeInTheDocument();
    expect(within(trend).getByText("Cancel stop market SELL (whole BTC position) reduce-only")).toBeInTheDocument();
    expect(within(trend).getByText("trigger 97,000.0")).toBeInTheDocument();
    // a triggered stop-limit is still working: both its prices
    expect(within(trend).getByText("Cancel stop BUY 0.005 BTC")).toBeInTheDocument();
    expect(within(trend).getByText("trigger 99,000.0 · limit 99,500.0")).toBeInTheDocument();
    // a trigger the server did not send: the position's own take-profit, named as such (not "market")
    expect(within(trend).getByText("Cancel take profit market SELL (whole BTC position) reduce-only")).toBeInTheDocument();
    expect(within(trend).getByText("trigger 106,000.0 (the position's take-profit)")).toBeInTheDocument();
    expect(within(trend).queryByText("market")).toBeNull();
    // the stopped bot keeps a position the server's stop will close: it is listed (no mark yet: at entry)
    expect(within(keeper).getByText("Close SHORT 0.500 ETH at market")).toBeInTheDocument();
    expect(within(keeper).getByText("≈ $1,950.00 at entry 3,900.00 (no mark yet)")).toBeInTheDocument();
    expect(within(dialog).getByText("Also stopped, nothing open: Idle.")).toBeInTheDocument();
    expect(within(dialog).getByText(/^Total: 2 positions \(≈ \$3,162\.00 notional\), 3 open orders\.$/)).toBeInTheDocument();
    expect(within(dialog).getByRole("button", { name: /Close 2 positions, cancel 3 orders and stop/ })).toBeInTheDocument();
    // every open order was asked for, not the newest page
    expect(calls.filter((c) => c.path.startsWith("/api/bots/7/orders")).every((c) => new URL(c.path, "http://x").searchParams.get("open") === "true")).toBe(true);
  });
});
