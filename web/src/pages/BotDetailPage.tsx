// Bot detail: candles per coin with entry/exit markers and SL/TP/liquidation lines, the equity
// curve, positions with live unrealized PnL, trades, orders with status history, the decision
// feed, controls and the emergency stop.
import { lazy, Suspense, useEffect, useMemo, useState } from "react";
import { Link, useParams } from "react-router-dom";
import { useQueryClient } from "@tanstack/react-query";
import { Pencil } from "lucide-react";
import { qk, useBot, useCandles, useDecisions, useEquity, useOrders, usePerformance, usePositions, useTrades } from "@/api/queries";
import type { Bot } from "@/api/types";
import { formatUsd, percentOf } from "@/lib/decimal";
import { botTiming, useInstruments } from "@/lib/instruments";
import { useLive, useMarketNow } from "@/stream/StreamProvider";
import { Empty, ErrorState, LoadingRows, ModeBadge, ModelLabel, Signed, StaleNote, StatusBadge, useNow } from "@/components/common";
import { BotControls } from "@/components/BotControls";
import { DecisionCard } from "@/components/Decision";
import { DryRunButton, DryRunResult, useDryRun } from "@/components/DryRun";
import { EmergencyStopButton, isOpenOrder } from "@/components/EmergencyStop";
import { Metrics } from "@/components/BacktestReport";
import { FillsTable, OrdersTable, PositionsTable } from "@/components/tables";
import { Panel } from "@/components/ui/panel";
import { Button } from "@/components/ui/button";
import { Skeleton } from "@/components/ui/skeleton";
import { Tabs, TabsContent, TabsList, TabsTrigger } from "@/components/ui/tabs";
import { cn } from "@/lib/utils";

const CandleChart = lazy(() => import("@/charts/CandleChart"));
const EquityChart = lazy(() => import("@/charts/EquityChart"));

export default function BotDetailPage() {
  const { id = "" } = useParams();
  const bot = useBot(id);
  if (bot.isLoading) return <LoadingRows rows={10} />;
  if (bot.error && !bot.data) return <ErrorState error={bot.error} retry={() => bot.refetch()} />;
  return <Detail bot={bot.data!} />;
}

function Detail({ bot }: { bot: Bot }) {
  const id = String(bot.id);
  const ins = useInstruments();
  const live = useLive();
  const now = useNow(1000);
  const mnow = useMarketNow();
  const qc = useQueryClient();
  const positions = usePositions(id);
  const trades = useTrades(id);
  const orders = useOrders(id);
  const decisions = useDecisions(id);
  const equity = useEquity(id);
  const perf = usePerformance(id);
  const coins = bot.symbols.map((x) => ins.base(x));
  const [coin, setCoin] = useState(coins[0] ?? "BTC");
  const [allDecisions, setAllDecisions] = useState(false);
  const sym = ins.get(coin);
  // the spec's interval, else the server's default (the feed's); no candle request until known
  const timing = botTiming(bot, ins.feedInterval);
  const candles = useCandles(sym?.symbol ?? coin + "USDT", timing.interval);
  const stale = live.conn !== "live";
  const dry = useDryRun(bot.id);

  // a new cycle of this bot means a new closed candle: fetch it (the chart updates in place)
  const lastCycle = live.stream.recent.find((m) => String(m.bot_id) === id && (m.type === "cycle" || m.type === "equity"))?.seq;
  useEffect(() => {
    if (lastCycle !== undefined) {
      qc.invalidateQueries({ queryKey: ["candles"] });
      qc.invalidateQueries({ queryKey: qk.performance(id) });
    }
  }, [lastCycle, qc, id]);

  const coinTrades = useMemo(() => (trades.data ?? []).filter((t) => ins.base(t.symbol) === coin), [trades.data, coin, ins]);
  const coinPos = (positions.data ?? []).find((p) => ins.base(p.symbol) === coin);
  const openOrders = (orders.data ?? []).filter((o) => isOpenOrder(o.status)).length;

  return (
    <div className="flex flex-col gap-3">
      {bot.mode !== "paper" && (
        <div className={cn("rounded-md px-3 py-1.5 text-[13px] font-medium", bot.mode === "live" ? "bg-[var(--live-band)] text-white" : "bg-[var(--testnet-band)] text-black")} role="note">
          {bot.mode === "live" ? "LIVE — this bot trades real money on Binance" : "TESTNET — real orders on Binance's test venue, no real funds"}
        </div>
      )}
      <section className="rounded-lg border border-border bg-panel px-3 py-2.5 flex flex-wrap items-center gap-x-5 gap-y-2">
        <div className="min-w-0 basis-full md:basis-0 md:flex-1">
          <div className="flex items-center gap-2 flex-wrap">
            <h1 className="text-[15px] font-semibold truncate">{bot.label || bot.name}</h1>
            <StatusBadge status={bot.status} tradingState={bot.trading_state} />
            <ModeBadge mode={bot.mode} />
            {stale && <StaleNote since={live.lastEventWall} now={now} />}
          </div>
          <div className="text-xs text-muted flex items-center gap-2 mt-0.5 flex-wrap">
            <ModelLabel bot={bot} className="text-xs" />
            <span className="num" title={timing.defaulted ? "the spec names no interval: the server's default, the market feed's interval" : undefined}>
              {timing.interval ?? "—"} candles{timing.defaulted && timing.interval ? " (feed default)" : ""} · decides every {timing.cadence ?? "—"}
            </span>
            <span className="num">{coins.join(" ")}</span>
          </div>
        </div>
        <div className="num">
          <div className="text-xs text-muted">Equity</div>
          <div className="text-[17px] font-semibold">{formatUsd(bot.equity)}</div>
        </div>
        <div className="num">
          <div className="text-xs text-muted">PnL</div>
          <div className="text-[15px] font-semibold flex gap-2"><Signed value={bot.pnl} /> <Signed value={percentOf(bot.pnl, bot.capital)} kind="pct" arrow={false} /></div>
        </div>
        <div className="flex items-center gap-1.5 flex-wrap">
          <BotControls bot={bot} size="md" />
          <DryRunButton state={dry} baseline={bot.baseline} />
          <Button asChild variant="outline"><Link to={`/bots/${id}/edit`}><Pencil size={13} /> Edit</Link></Button>
          <EmergencyStopButton bots={[bot]} scope="bot" />
        </div>
      </section>

      <DryRunResult state={dry} bot={bot} now={mnow} onClose={dry.clear} />

      <div className="grid gap-3 xl:grid-cols-[minmax(0,1fr)_440px]">
        <div className="flex flex-col gap-3 min-w-0">
          <Panel
            title="Chart"
            actions={
              <div className="flex gap-0.5 overflow-x-auto max-w-[60vw]" role="tablist" aria-label="Coin">
                {coins.map((c) => (
                  <button key={c} role="tab" aria-selected={c === coin} onClick={() => setCoin(c)} className={cn("h-6 px-2 rounded text-xs font-medium cursor-pointer", c === coin ? "bg-accent/15 text-fg" : "text-muted hover:text-fg")}>{c}</button>
                ))}
              </div>
            }
          >
            {candles.isLoading || timing.interval === null ? <Skeleton className="h-[380px] m-3" /> : candles.error && !candles.data ? <ErrorState error={candles.error} retry={() => candles.refetch()} /> : (
              <Suspense fallback={<Skeleton className="h-[380px] m-3" />}>
                <CandleChart candles={candles.data ?? []} tick={sym?.tick_size ?? "0.01"} step={sym?.step_size ?? "0.001"} fills={coinTrades} position={coinPos} />
              </Suspense>
            )}
          </Panel>
          <Panel title="Equity curve">
            {equity.isLoading ? <Skeleton className="h-[220px] m-3" /> : equity.error && !equity.data ? <ErrorState error={equity.error} retry={() => equity.refetch()} /> : (
              <Suspense fallback={<Skeleton className="h-[260px] m-3" />}>
                <EquityChart series={[{ id: bot.id, name: bot.label || bot.name, points: equity.data ?? [] }]} height={220} />
              </Suspense>
            )}
          </Panel>
          <Panel bodyClassName="p-0">
            <Tabs defaultValue="positions">
              <div className="px-3 py-2 border-b border-border flex items-center overflow-x-auto">
                <TabsList className="whitespace-nowrap">
                  <TabsTrigger value="positions">Positions <span className="num ml-1 text-muted">{positions.data?.length ?? ""}</span></TabsTrigger>
                  <TabsTrigger value="trades">Trades <span className="num ml-1 text-muted">{trades.data?.length ?? ""}</span></TabsTrigger>
                  <TabsTrigger value="orders">Orders <span className="num ml-1 text-muted">{openOrders ? `${openOrders} open` : ""}</span></TabsTrigger>
                  <TabsTrigger value="performance">Performance</TabsTrigger>
                </TabsList>
              </div>
              <TabsContent value="positions">
                {positions.isLoading ? <LoadingRows rows={3} /> : positions.error && !positions.data ? <ErrorState error={positions.error} retry={() => positions.refetch()} /> : !positions.data?.length ? <Empty title="Flat">No open positions.</Empty> : <PositionsTable rows={positions.data} ins={ins} now={mnow} />}
              </TabsContent>
              <TabsContent value="trades">
                {trades.isLoading ? <LoadingRows rows={3} /> : !trades.data?.length ? <Empty title="No trades yet" /> : <div className="max-h-96 overflow-auto"><FillsTable rows={trades.data} ins={ins} /></div>}
              </TabsContent>
              <TabsContent value="orders">
                {orders.isLoading ? <LoadingRows rows={3} /> : !orders.data?.length ? <Empty title="No orders yet" /> : <div className="max-h-96 overflow-auto"><OrdersTable rows={orders.data} ins={ins} /></div>}
              </TabsContent>
              <TabsContent value="performance" className="p-3">
                {perf.isLoading ? <LoadingRows rows={2} /> : perf.data ? <Metrics m={perf.data} /> : <ErrorState error={perf.error} retry={() => perf.refetch()} />}
              </TabsContent>
            </Tabs>
          </Panel>
        </div>
        <Panel title="Decisions" actions={<span className="text-xs text-muted num">{decisions.data ? `${decisions.data.length} latest` : ""}</span>} className="xl:max-h-[calc(100vh-140px)] xl:sticky xl:top-[60px] flex flex-col" bodyClassName="overflow-auto flex-1">
          {decisions.isLoading ? <LoadingRows rows={6} /> : decisions.error && !decisions.data ? <ErrorState error={decisions.error} retry={() => decisions.refetch()} /> : !decisions.data?.length ? (
            <Empty title="No decisions yet">{bot.status === "running" ? "The first arrives at the next cycle." : "Start the bot to see its decisions here live."}</Empty>
          ) : (
            <>
              {(allDecisions ? decisions.data : decisions.data.slice(0, 10)).map((d) => <DecisionCard key={String(d.id)} d={d} bot={bot} ins={ins} now={mnow} showBot={false} />)}
              {!allDecisions && decisions.data.length > 10 && <div className="p-2 text-center"><Button size="sm" variant="ghost" onClick={() => setAllDecisions(true)}>Show {decisions.data.length - 10} older</Button></div>}
            </>
          )}
        </Panel>
      </div>
    </div>
  );
}
