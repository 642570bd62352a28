// Arena (home): is anything wrong, how am I doing, what is happening now. Leaderboard with Alpha
// Arena's columns and the BTC buy-and-hold row, one equity chart for every bot (lazy-loaded),
// the live model-chat feed across bots, open positions across bots.
import { lazy, Suspense, useMemo, useState } from "react";
import { Link } from "react-router-dom";
import { useQueries, useQuery } from "@tanstack/react-query";
import { AlertTriangle, Plus } from "lucide-react";
import { ApiError } from "@/api/client";
import { fetchCandles, fetchDecisions, fetchEquity, fetchFills, fetchPerformance, fetchPositions, qk, useAlerts, useArena, useBots } from "@/api/queries";
import type { ArenaEntry, ArenaRow, Bot, Candle, Fill, Performance } from "@/api/types";
import { cmp, decToPlain, div, formatDec, formatPct, formatUsd, mul, parseDec, percentOf, sub, sum, toScale, type Dec } from "@/lib/decimal";
import { useInstruments } from "@/lib/instruments";
import { cn } from "@/lib/utils";
import { useLive, useMarketNow } from "@/stream/StreamProvider";
import { Empty, ErrorState, LoadingRows, ModelLabel, Signed, StaleNote, useNow } from "@/components/common";
import { DecisionCard } from "@/components/Decision";
import { PositionsTable, Td, type BotPosition } from "@/components/tables";
import { Panel } from "@/components/ui/panel";
import { Button } from "@/components/ui/button";
import { Skeleton } from "@/components/ui/skeleton";
import { Badge } from "@/components/ui/badge";

const EquityChart = lazy(() => import("@/charts/EquityChart"));

function Stat({ label, children, className }: { label: string; children: React.ReactNode; className?: string }) {
  return (
    <div className={cn("bg-panel px-3 py-2 min-w-0", className)}>
      <div className="text-xs text-muted">{label}</div>
      <div className="text-[17px] font-semibold num truncate">{children}</div>
    </div>
  );
}

export default function ArenaPage() {
  const bots = useBots();
  const arena = useArena();
  const alerts = useAlerts();
  const live = useLive();
  const now = useNow(1000);
  const mnow = useMarketNow();
  const ins = useInstruments();
  const list = bots.data ?? [];
  const active = list.filter((b) => b.status !== "stopped");
  const positions = useQueries({
    queries: active.map((b) => ({ queryKey: qk.positions(b.id), queryFn: () => fetchPositions(b.id) })),
  });
  const decisions = useQueries({
    queries: list.map((b) => ({ queryKey: qk.decisions(b.id), queryFn: () => fetchDecisions(b.id) })),
  });
  const perfs = useQueries({ queries: list.map((b) => ({ queryKey: qk.performance(b.id), queryFn: () => fetchPerformance(b.id) })) });
  // biggest win and loss: the largest realized PnL of a closing fill (performance does not carry them)
  const fills = useQueries({ queries: list.map((b) => ({ queryKey: qk.trades(b.id), queryFn: () => fetchFills(b.id) })) });
  const equities = useQueries({ queries: list.map((b) => ({ queryKey: qk.equity(b.id), queryFn: () => fetchEquity(b.id) })) });
  // the benchmark: BTC bought at the first bot's start (on the market clock: its first equity
  // point; created_at is wall-clock time) with the first bot's capital
  const firstPoints = equities.flatMap((q) => [q.data?.[0]?.at, q.data?.[q.data.length - 1]?.at]).filter((t): t is number => typeof t === "number");
  const start = firstPoints.length ? Math.min(...firstPoints) : 0;
  const btcSymbol = ins.get("BTC")?.symbol ?? "BTCUSDT";
  const btcInterval = (ins.get("BTC")?.intervals ?? ["1h"]).includes("1h") ? "1h" : ins.get("BTC")?.intervals?.[0] ?? "1h";
  const btc = useQuery({ queryKey: qk.candles(btcSymbol, btcInterval, start), queryFn: () => fetchCandles(btcSymbol, btcInterval, start), staleTime: 60_000, enabled: start > 0 });
  const refCapital = list[0]?.capital ?? "10000";
  const byId = useMemo(() => new Map(list.map((b) => [String(b.id), b])), [list]);
  const allPositions: BotPosition[] = positions.flatMap((q, i) => (q.data ?? []).map((p) => ({ ...p, bot: active[i] })));
  const feed = decisions.flatMap((q) => q.data ?? []).sort((a, b) => b.at - a.at).slice(0, 40);
  const stale = live.conn !== "live";
  const [feedAll, setFeedAll] = useState(false);

  // how am I doing: exact sums over the bots
  const equity = sum(list.map((b) => parseDec(b.equity)));
  const capital = sum(list.map((b) => parseDec(b.capital)));
  const pnl = sub(equity, capital);
  // without GET /api/arena (404 while the route is planned) rank the bots by PnL from the bot list
  const arenaMissing = arena.error instanceof ApiError && arena.error.status === 404;
  const entries = arena.data ?? (arenaMissing ? rankFromBots(list) : []);
  const llmCost = sum(entries.map((r) => parseDec(r.llm_cost_usd)));
  const bench = useMemo(() => benchmark(btc?.data, refCapital), [btc?.data, refCapital]);
  const rows = useMemo(
    () => leaderboardRows(entries, byId, new Map(list.map((b, i) => [String(b.id), perfs[i]?.data ? { ...perfs[i].data!, ...extremes(fills[i]?.data) } : undefined]))),
    [entries, byId, list, perfs, fills],
  );
  const net = sub(pnl, llmCost);
  const halted = list.filter((b) => b.trading_state === "halted" || b.trading_state === "reducing");
  const critical = (alerts.data ?? []).filter((a) => a.severity === "critical" && !a.acknowledged).length;

  const eqData = equities.map((q) => q.data);
  const series = useMemo(() => {
    const out: Array<{ id: Bot["id"] | null; name: string; points: Array<{ at: number; equity: string }>; benchmark?: boolean }> = list.map((b, i) => ({ id: b.id, name: b.label || b.name, points: eqData[i] ?? [] }));
    if (bench) out.push({ id: null, name: "BTC buy & hold", points: bench.points, benchmark: true });
    return out;
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [list, bench, ...eqData]);

  if (bots.isSuccess && list.length === 0) {
    return (
      <Panel>
        <Empty title="No bots yet">
          Create your first bot: pick a model (or the rule-based baseline), coins and risk limits, and run it on the paper exchange.
          <div className="mt-3"><Button asChild variant="default"><Link to="/bots/new"><Plus size={14} /> Create your first bot</Link></Button></div>
        </Empty>
      </Panel>
    );
  }

  return (
    <div className="flex flex-col gap-3">
      {(halted.length > 0 || critical > 0 || live.conn === "offline") && (
        <div role="alert" className="flex flex-wrap items-center gap-2 rounded-md border border-warn/50 bg-warn/10 px-3 py-2 text-[13px]">
          <AlertTriangle size={15} className="text-warn" />
          {live.conn === "offline" && <span>Stream offline — showing the last data received.</span>}
          {halted.map((b) => <span key={String(b.id)}><Link to={`/bots/${b.id}`} className="font-medium underline">{b.label || b.name}</Link> is {b.trading_state}.</span>)}
          {critical > 0 && <Link to="/alerts" className="underline">{critical} critical alert{critical > 1 ? "s" : ""}</Link>}
        </div>
      )}

      <section className="rounded-lg border border-border bg-border overflow-hidden grid gap-px grid-cols-2 sm:grid-cols-3 lg:grid-cols-6" aria-label="Summary">
        {bots.isLoading ? Array.from({ length: 6 }, (_, i) => <div key={i} className="p-3 bg-panel"><Skeleton className="h-9" /></div>) : (
          <>
            <Stat label="Account value">{formatUsd(equity)}</Stat>
            <Stat label="Total PnL"><Signed value={pnl} /></Stat>
            <Stat label="Net of LLM cost">{arenaMissing ? "—" : <Signed value={net} />}</Stat>
            <Stat label="Return"><Signed value={percentOf(pnl, capital)} kind="pct" /></Stat>
            <Stat label="LLM cost">{arenaMissing ? "—" : formatUsd(llmCost)}</Stat>
            <Stat label="Bots running">{list.filter((b) => b.status === "running").length} <span className="text-muted text-[13px] font-normal">/ {list.length}</span></Stat>
          </>
        )}
      </section>

      <Panel title="Leaderboard" actions={<>{stale && <StaleNote since={live.lastEventWall} now={now} />}<span className="text-xs text-muted hidden sm:inline">{arenaMissing ? "ranked by PnL (the server has no arena ranking yet: LLM cost unknown)" : "ranked by PnL net of LLM cost"}</span></>}>
        {arena.isLoading ? <LoadingRows rows={5} /> : arena.error && !arena.data && !arenaMissing ? <ErrorState error={arena.error} retry={() => arena.refetch()} /> : (
          <Leaderboard rows={rows} benchmark={bench?.row} bots={byId} />
        )}
      </Panel>

      <div className="grid gap-3 lg:grid-cols-[minmax(0,1fr)_420px]">
        <div className="flex flex-col gap-3 min-w-0">
          <Panel title="Equity">
            {equities.some((q) => q.isLoading) ? <Skeleton className="h-[300px] m-3" /> : (
              <Suspense fallback={<Skeleton className="h-[340px] m-3" />}>
                <EquityChart series={series} />
              </Suspense>
            )}
          </Panel>
          <Panel title={<>Open positions <span className="text-muted font-normal num">{allPositions.length}</span></>} actions={stale && <StaleNote since={live.lastEventWall} now={now} />}>
            {positions.some((q) => q.isLoading) ? <LoadingRows rows={3} /> : allPositions.length === 0 ? <Empty title="No open positions">The bots are flat.</Empty> : (
              <PositionsTable rows={allPositions} ins={ins} now={mnow} showBot />
            )}
          </Panel>
        </div>
        <Panel title={<>Model chat <Badge tone={live.conn === "live" ? "up" : "warn"}>{live.conn === "live" ? "live" : "paused"}</Badge></>} className="lg:max-h-[calc(100vh-140px)] lg:sticky lg:top-[60px] flex flex-col" bodyClassName="overflow-auto flex-1">
          {decisions.some((q) => q.isLoading) && feed.length === 0 ? <LoadingRows rows={6} /> : feed.length === 0 ? <Empty title="No decisions yet">Start a bot: each cycle's reasoning, signals and risk verdicts appear here live.</Empty> : (
            <div aria-live="polite">
              {(feedAll ? feed : feed.slice(0, 12)).map((d) => <DecisionCard key={`${d.bot_id}-${d.id}`} d={d} bot={byId.get(String(d.bot_id))} ins={ins} now={mnow} />)}
              {!feedAll && feed.length > 12 && <div className="p-2 text-center"><Button size="sm" variant="ghost" onClick={() => setFeedAll(true)}>Show {feed.length - 12} older</Button></div>}
            </div>
          )}
        </Panel>
      </div>
    </div>
  );
}

const EMPTY: Performance = { account_value: null, initial_equity: null, return_pct: null, total_pnl: null, net_pnl: null, llm_cost: null, fees: null, win_rate: null, biggest_win: null, biggest_loss: null, sharpe: null, max_drawdown: null, trades: null };

/** Arena entries from the bot list (PnL only; the LLM cost is unknown). */
export function rankFromBots(bots: Bot[]): ArenaEntry[] {
  const sorted = [...bots].sort((a, b) => {
    const x = parseDec(a.pnl), y = parseDec(b.pnl);
    return x && y ? cmp(y, x) : 0;
  });
  return sorted.map((b, i) => ({ rank: i + 1, bot_id: b.id, label: b.label || b.name, equity: b.equity, pnl: b.pnl, llm_cost_usd: "", net_pnl: "" }));
}

/** The largest positive and the most negative realized PnL among fills (exact). */
export function extremes(fills: Fill[] | undefined): Pick<Performance, "biggest_win" | "biggest_loss"> {
  let win: Dec | null = null;
  let loss: Dec | null = null;
  for (const f of fills ?? []) {
    const d = parseDec(f.realized_pnl);
    if (!d) continue;
    if (d.v > 0n && (!win || cmp(d, win) > 0)) win = d;
    if (d.v < 0n && (!loss || cmp(d, loss) < 0)) loss = d;
  }
  return { biggest_win: win ? decToPlain(win) : null, biggest_loss: loss ? decToPlain(loss) : null };
}

/** The arena's ranking (net of LLM cost) joined with each bot's performance for the other columns. */
export function leaderboardRows(entries: ArenaEntry[], bots: Map<string, Bot>, perf: Map<string, Performance | undefined>): ArenaRow[] {
  return entries.map((e) => {
    const b = bots.get(String(e.bot_id));
    const p = perf.get(String(e.bot_id)) ?? EMPTY;
    const ret = b ? percentOf(e.pnl, b.capital) : null;
    return {
      ...p,
      rank: e.rank,
      bot_id: e.bot_id,
      name: b?.name ?? String(e.bot_id),
      label: e.label,
      model: b?.baseline ? "baseline" : b?.llm?.model ?? b?.model ?? "",
      provider: b?.provider || null,
      open_positions: b ? b.open_positions : null,
      account_value: e.equity,
      return_pct: ret ? decToPlain(ret) : p.return_pct,
      total_pnl: e.pnl,
      net_pnl: e.net_pnl,
      llm_cost: e.llm_cost_usd,
    };
  });
}

/** BTC bought and held from the first candle with `capital`: exact decimal arithmetic. */
export function benchmark(candles: Candle[] | undefined, capital: string) {
  const first = parseDec(candles?.[0]?.close ?? null);
  const cap = parseDec(capital);
  if (!candles?.length || !first || first.v === 0n || !cap) return null;
  const valueAt = (close: string) => {
    const c = parseDec(close);
    const v = c ? div(mul(cap, c), first, 2) : null;
    return v ? decToPlain(v) : null;
  };
  const points: Array<{ at: number; equity: string }> = [];
  for (const k of candles) {
    const v = valueAt(k.close);
    if (v) points.push({ at: k.open_time, equity: v });
  }
  const last = points[points.length - 1]?.equity ?? capital;
  const pnl = sub(parseDec(last)!, toScale(cap, 2));
  const ret = percentOf(pnl, cap);
  const row: ArenaRow = { ...EMPTY, rank: 0, bot_id: null, name: "btc-buy-and-hold", label: "BTC buy & hold", model: "benchmark", provider: null, benchmark: true, account_value: last, total_pnl: decToPlain(pnl), net_pnl: decToPlain(pnl), return_pct: ret ? decToPlain(ret) : null, trades: 0, open_positions: 1 };
  return { points, row };
}

/** What the trades column counts: closed round trips (a position opened and closed, GET
 *  /performance `trades`), and beside it the positions still open (not counted yet). */
export const TRADES_HELP = "Closed trades: round trips, each a position opened and closed (the server's performance count). \"+N open\": positions still open, not counted until they close.";

export function Leaderboard({ rows, benchmark, bots }: { rows: ArenaRow[]; benchmark?: ArenaRow; bots: Map<string, Bot> }) {
  if (rows.length === 0) return <Empty title="Nothing ranked yet">Bots appear here once they have traded.</Empty>;
  const all = benchmark ? [...rows, benchmark] : rows;
  return (
    <div className="overflow-x-auto">
      <table className="tbl tbl-stack num" data-testid="leaderboard">
        <thead>
          <tr>
            <th className="w-8">#</th>
            <th>bot / model</th>
            <th className="r">account value</th>
            <th className="r">return</th>
            <th className="r hidden md:table-cell">total PnL</th>
            <th className="r hidden sm:table-cell">net of LLM cost</th>
            <th className="r hidden lg:table-cell">fees</th>
            <th className="r hidden lg:table-cell">win rate</th>
            <th className="r hidden xl:table-cell">biggest win</th>
            <th className="r hidden xl:table-cell">biggest loss</th>
            <th className="r hidden lg:table-cell">Sharpe</th>
            <th className="r hidden md:table-cell">max DD</th>
            <th className="r hidden md:table-cell" title={TRADES_HELP}>closed trades</th>
          </tr>
        </thead>
        <tbody>
          {all.map((r) => {
            const bot = r.bot_id !== null ? bots.get(String(r.bot_id)) : undefined;
            return (
              <tr key={String(r.bot_id ?? "bench")} className={cn(r.benchmark && "text-muted bg-panel-2/50")}>
                <td className="text-muted cell-hide-stacked">{r.benchmark ? "—" : r.rank}</td>
                <td className="max-w-[9rem] sm:max-w-[22rem] cell-title">
                  <div className="flex flex-wrap sm:flex-nowrap items-center gap-x-2 gap-y-0.5 min-w-0">
                    {r.benchmark ? <span className="italic truncate">BTC buy &amp; hold <span className="text-xs font-normal hidden sm:inline">(benchmark, from the first bot's start)</span><span className="text-xs font-normal sm:hidden">(benchmark)</span></span> : (
                      <>
                        <span className="flex items-center gap-2 min-w-0 max-w-full">
                          <span className="text-muted font-normal hidden max-sm:inline">#{r.rank}</span>
                          <Link to={`/bots/${r.bot_id}`} className="font-medium hover:underline truncate min-w-0">{r.label || r.name}</Link>
                        </span>
                        <span className="hidden max-sm:inline md:inline shrink-0 max-w-[55%] truncate text-xs font-normal">{bot ? <ModelLabel bot={bot} /> : r.model === "baseline" ? <Badge tone="accent">rule-based baseline</Badge> : r.model}</span>
                      </>
                    )}
                  </div>
                </td>
                <Td label="account value" className="r">{formatUsd(r.account_value)}</Td>
                <Td label="return" className="r"><Signed value={r.return_pct} kind="pct" /></Td>
                <Td label="total PnL" className="r hidden md:table-cell"><Signed value={r.total_pnl} arrow={false} /></Td>
                <Td label="net of LLM cost" className="r hidden sm:table-cell"><Signed value={r.net_pnl} arrow={false} /></Td>
                <Td label="fees" className="r hidden lg:table-cell">{r.benchmark ? "—" : formatUsd(r.fees)}</Td>
                <Td label="win rate" className="r hidden lg:table-cell">{r.benchmark ? "—" : formatPct(r.win_rate, false)}</Td>
                <Td label="biggest win" className="r hidden xl:table-cell">{r.benchmark ? "—" : <Signed value={r.biggest_win} arrow={false} />}</Td>
                <Td label="biggest loss" className="r hidden xl:table-cell">{r.benchmark ? "—" : <Signed value={r.biggest_loss} arrow={false} />}</Td>
                <Td label="Sharpe" className="r hidden lg:table-cell">{r.sharpe ? formatDec(r.sharpe, { decimals: 2 }) : "—"}</Td>
                <Td label="max DD" className="r hidden md:table-cell">{r.benchmark ? "—" : formatPct(r.max_drawdown, false)}</Td>
                <Td label="closed trades" className="r hidden md:table-cell" title={TRADES_HELP}><TradeCount closed={r.trades} open={r.open_positions} /></Td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

function TradeCount({ closed, open }: { closed: number | null; open: number | null }) {
  return (
    <span data-testid="trade-count">
      {closed ?? "—"}
      {open ? <span className="text-muted text-xs"> +{open} open</span> : null}
    </span>
  );
}
