// Acknowledging alerts, against the planned contract: POST /api/alerts/{id}/ack sets
// acknowledged_at; GET /api/alerts returns it and accepts ?unacknowledged=true. (The route is being
// built on the server: mocked fetch here.)
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { cleanup, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { Route, Routes } from "react-router-dom";
import { session } from "@/api/client";
import AlertsPage from "@/pages/AlertsPage";
import { Shell } from "@/components/Shell";
import { fakeFetch, renderAt, type Handler } from "./helpers";
import { MARKET_NOW, page, wireBot } from "./fixtures";

type WireAlert = { id: number; bot_id: number | null; at: number; severity: string; kind: string; message: string; acknowledged: boolean; acknowledged_at: number | null };

/** A small alerts server: the list, the unacknowledged filter and the ack route. */
function alertsServer(alerts: WireAlert[], opts: { refuse?: number[] } = {}): { handler: Handler; acked: number[] } {
  const acked: number[] = [];
  const handler: Handler = (u, init) => {
    if (u.pathname === "/api/health") return { status: 200, body: { status: "ok", version: "t", market_time: MARKET_NOW } };
    if (u.pathname === "/api/bots") return { status: 200, body: page([wireBot()]) };
    if (u.pathname === "/api/alerts") {
      const only = u.searchParams.get("unacknowledged") === "true";
      return { status: 200, body: page(alerts.filter((a) => !only || a.acknowledged_at === null)) };
    }
    const m = u.pathname.match(/^\/api\/alerts\/(\d+)\/ack$/);
    if (m && init.method === "POST") {
      const id = Number(m[1]);
      if (opts.refuse?.includes(id)) return { status: 500, body: { error: { code: "internal_error", message: "the server failed to answer this request" } } };
      const a = alerts.find((x) => x.id === id)!;
      a.acknowledged_at = MARKET_NOW + 5_000;
      a.acknowledged = true;
      acked.push(id);
      return { status: 200, body: a };
    }
    return undefined;
  };
  return { handler, acked };
}

const make = (): WireAlert[] => [
  { id: 3, bot_id: 7, at: MARKET_NOW - 60_000, severity: "critical", kind: "drawdown_halt", message: "Trend: halted at 25% below peak", acknowledged: false, acknowledged_at: null },
  { id: 2, bot_id: 7, at: MARKET_NOW - 120_000, severity: "warning", kind: "stop_loss_hit", message: "Trend: stop-loss hit on BTCUSDT", acknowledged: false, acknowledged_at: null },
  { id: 1, bot_id: 7, at: MARKET_NOW - 3_600_000, severity: "info", kind: "take_profit_hit", message: "Trend: take-profit hit on ETHUSDT", acknowledged: true, acknowledged_at: Date.UTC(2025, 9, 20, 11, 30) },
];

beforeEach(() => session.clear());
afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const item = (text: string) => screen.getByText(text).closest("[data-testid=alert]") as HTMLElement;

describe("alerts page", () => {
  it("acknowledges one alert: POST …/ack, then it is dimmed with its time", async () => {
    const s = alertsServer(make());
    const calls = fakeFetch(s.handler);
    renderAt("/alerts", [{ path: "/alerts", element: <AlertsPage /> }], { stream: true });
    await screen.findByText("Trend: stop-loss hit on BTCUSDT");
    // the acknowledged one is dimmed and says when
    expect(item("Trend: take-profit hit on ETHUSDT")).toHaveAttribute("data-acknowledged", "true");
    expect(within(item("Trend: take-profit hit on ETHUSDT")).getByText(/acknowledged 2025-10-20 11:30 UTC/)).toBeInTheDocument();
    expect(item("Trend: take-profit hit on ETHUSDT").className).toMatch(/opacity-/);
    expect(item("Trend: stop-loss hit on BTCUSDT")).not.toHaveAttribute("data-acknowledged");

    await userEvent.click(within(item("Trend: stop-loss hit on BTCUSDT")).getByRole("button", { name: /Acknowledge/ }));
    await waitFor(() => expect(s.acked).toEqual([2]));
    expect(calls.filter((c) => c.method === "POST").map((c) => c.path)).toEqual(["/api/alerts/2/ack"]);
    await waitFor(() => expect(item("Trend: stop-loss hit on BTCUSDT")).toHaveAttribute("data-acknowledged", "true"));
    expect(within(item("Trend: stop-loss hit on BTCUSDT")).getByText(/acknowledged 2025-10-20 12:00 UTC/)).toBeInTheDocument();
  });

  it("acknowledges every visible unacknowledged alert at once", async () => {
    const s = alertsServer(make());
    const calls = fakeFetch(s.handler);
    renderAt("/alerts", [{ path: "/alerts", element: <AlertsPage /> }], { stream: true });
    await screen.findByText("Trend: stop-loss hit on BTCUSDT");
    const all = screen.getByRole("button", { name: /Acknowledge all visible/ });
    expect(all).toHaveTextContent("(2)");
    await userEvent.click(all);
    await waitFor(() => expect([...s.acked].sort()).toEqual([2, 3]));
    expect(calls.filter((c) => c.method === "POST").length).toBe(2); // not the one already acknowledged
    await waitFor(() => expect(screen.getAllByTestId("alert").every((a) => a.getAttribute("data-acknowledged") === "true")).toBe(true));
    expect(screen.getByRole("button", { name: /Acknowledge all visible/ })).toBeDisabled();
  });

  it("the unacknowledged view asks the server for ?unacknowledged=true", async () => {
    const s = alertsServer(make());
    const calls = fakeFetch(s.handler);
    renderAt("/alerts", [{ path: "/alerts", element: <AlertsPage /> }], { stream: true });
    await screen.findByText("Trend: stop-loss hit on BTCUSDT");
    await userEvent.click(screen.getByRole("radio", { name: /Unacknowledged/ }));
    expect(screen.queryByText("Trend: take-profit hit on ETHUSDT")).toBeNull();
    expect(screen.getAllByTestId("alert")).toHaveLength(2);
    expect(calls.some((c) => c.path.startsWith("/api/alerts?") && new URL(c.path, "http://x").searchParams.get("unacknowledged") === "true")).toBe(true);
  });

  it("a refused acknowledgement goes back to unacknowledged and says why", async () => {
    const s = alertsServer(make(), { refuse: [3] });
    fakeFetch(s.handler);
    renderAt("/alerts", [{ path: "/alerts", element: <AlertsPage /> }], { stream: true });
    await screen.findByText("Trend: halted at 25% below peak");
    await userEvent.click(within(item("Trend: halted at 25% below peak")).getByRole("button", { name: /Acknowledge/ }));
    expect(await screen.findByText("Could not acknowledge the alert")).toBeInTheDocument();
    expect(screen.getByText("the server failed to answer this request")).toBeInTheDocument();
    await waitFor(() => expect(item("Trend: halted at 25% below peak")).not.toHaveAttribute("data-acknowledged"));
    expect(within(item("Trend: halted at 25% below peak")).getByRole("button", { name: /Acknowledge/ })).toBeEnabled();
  });
});

describe("nav", () => {
  it("shows the number of unacknowledged alerts, and it drops when one is acknowledged", async () => {
    const s = alertsServer(make());
    fakeFetch(s.handler);
    // Shell renders an Outlet: the page is its child route
    renderAt("/alerts", [{ path: "*", element: <Routes><Route element={<Shell />}><Route path="/alerts" element={<AlertsPage />} /></Route></Routes> }], { stream: true });
    const nav = await screen.findByRole("navigation", { name: "Main" });
    await waitFor(() => expect(within(nav).getByTestId("unacked-count")).toHaveTextContent("2"));
    expect(within(nav).getByLabelText("2 unacknowledged alerts")).toBeInTheDocument();
    await userEvent.click(within(item("Trend: halted at 25% below peak")).getByRole("button", { name: /Acknowledge/ }));
    await waitFor(() => expect(within(nav).getByTestId("unacked-count")).toHaveTextContent("1"));
  });
});
