// The leaderboard's trade count: GET /api/arena carries no count; the column comes from each bot's
// GET /performance `trades`, which counts closed round trips (positions opened and closed,
// routes_runtime.cpp → engine::ComputeMetrics). It was labelled "trades" and the benchmark showed
// 1 (its one position, which never closed). Now the label says "closed trades", and the open
// positions (the bot's open_positions) stand beside the number, not in it.
import { afterEach, describe, expect, it } from "vitest";
import { cleanup, render, screen, within } from "@testing-library/react";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { MemoryRouter } from "react-router-dom";
import { Leaderboard, TRADES_HELP, benchmark, leaderboardRows } from "@/pages/ArenaPage";
import { normalizeBot, normalizeMetrics } from "@/api/normalize";
import { TooltipProvider } from "@/components/ui/tooltip";
import { wireBot } from "./fixtures";

afterEach(cleanup);

describe("leaderboard trades", () => {
  it("says closed trades and shows the open positions beside the count", () => {
    const a = normalizeBot(wireBot({ id: 1, name: "a", label: "A", open_positions: 2 }));
    const b = normalizeBot(wireBot({ id: 2, name: "b", label: "B", open_positions: 0 }));
    const bots = new Map([["1", a], ["2", b]]);
    const rows = leaderboardRows(
      [{ rank: 1, bot_id: 1, label: "A", equity: "10300", pnl: "300", llm_cost_usd: "0", net_pnl: "300" }, { rank: 2, bot_id: 2, label: "B", equity: "9900", pnl: "-100", llm_cost_usd: "0", net_pnl: "-100" }],
      bots,
      new Map([["1", normalizeMetrics({ trades: 5 })], ["2", normalizeMetrics({ trades: 4 })]]),
    );
    const bench = benchmark([{ open_time: 1, open: "100000", high: "100000", low: "100000", close: "100000", volume: 1 }, { open_time: 2, open: "101000", high: "101000", low: "101000", close: "101000", volume: 1 }], "10000")!;
    render(<QueryClientProvider client={new QueryClient()}><TooltipProvider><MemoryRouter><Leaderboard rows={rows} benchmark={bench.row} bots={bots} /></MemoryRouter></TooltipProvider></QueryClientProvider>);

    const header = screen.getByRole("columnheader", { name: "closed trades" });
    expect(header).toHaveAttribute("title", TRADES_HELP);
    expect(TRADES_HELP).toMatch(/round trips/);
    const counts = screen.getAllByTestId("trade-count").map((c) => c.textContent);
    expect(counts).toEqual(["5 +2 open", "4", "0 +1 open"]);
    // the benchmark bought once and holds: no closed round trip
    const benchRow = screen.getByText(/BTC buy & hold/).closest("tr")!;
    expect(within(benchRow).getByTestId("trade-count").textContent).toBe("0 +1 open");
  });
});
