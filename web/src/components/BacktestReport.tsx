// A backtest's live progress and, when done, its report: metrics, equity chart (lazy), trades.
import { lazy, Suspense } from "react";
import { useBacktest } from "@/api/queries";
import type { Id, Performance } from "@/api/types";
import { formatDec, formatPct, formatUsd } from "@/lib/decimal";
import { useInstruments } from "@/lib/instruments";
import { fmtUtc } from "@/lib/time";
import { ErrorState, LoadingRows, Signed } from "./common";
import { TradesTable } from "./tables";
import { Skeleton } from "./ui/skeleton";
import { Badge } from "./ui/badge";

const EquityChart = lazy(() => import("@/charts/EquityChart"));

export function Metrics({ m }: { m: Performance }) {
  const items: Array<[string, React.ReactNode]> = [
    ["Account value", formatUsd(m.account_value)],
    ["Return", <Signed key="r" value={m.return_pct} kind="pct" />],
    ["Total PnL", <Signed key="p" value={m.total_pnl} />],
    ["Net of LLM cost", <Signed key="n" value={m.net_pnl} />],
    ["LLM cost", formatUsd(m.llm_cost)],
    ["Fees", formatUsd(m.fees)],
    ["Win rate", formatPct(m.win_rate, false)],
    ["Biggest win", <Signed key="w" value={m.biggest_win} />],
    ["Biggest loss", <Signed key="l" value={m.biggest_loss} />],
    ["Sharpe", m.sharpe ? formatDec(m.sharpe, { decimals: 2 }) : "—"],
    ["Max drawdown", formatPct(m.max_drawdown, false)],
    ["Closed trades", m.trades === null ? "—" : String(m.trades)],
  ];
  return (
    <dl className="grid grid-cols-2 sm:grid-cols-4 lg:grid-cols-6 gap-px bg-border rounded-md overflow-hidden border border-border">
      {items.map(([k, v]) => (
        <div key={k} className="bg-panel px-3 py-2">
          <dt className="text-xs text-muted">{k}</dt>
          <dd className="num font-semibold text-[14px]">{v}</dd>
        </div>
      ))}
    </dl>
  );
}

export function BacktestProgress({ status, progress }: { status: string; progress?: number }) {
  const pct = Math.round((progress ?? 0) * 100);
  return (
    <div className="flex items-center gap-3" role="progressbar" aria-valuenow={pct} aria-valuemin={0} aria-valuemax={100} aria-label="Backtest progress">
      <Badge tone={status === "done" ? "up" : status === "failed" ? "down" : "accent"}>{status}</Badge>
      <div className="flex-1 h-1.5 rounded bg-panel-2 overflow-hidden"><div className="h-full bg-accent transition-all" style={{ width: `${pct}%` }} /></div>
      <span className="num text-xs text-muted w-10 text-right">{pct}%</span>
    </div>
  );
}

export function BacktestReport({ id }: { id: Id }) {
  const q = useBacktest(id);
  const ins = useInstruments();
  if (q.isLoading) return <LoadingRows rows={4} />;
  if (q.error && !q.data) return <ErrorState error={q.error} retry={() => q.refetch()} />;
  const bt = q.data!;
  return (
    <div className="flex flex-col gap-3">
      {bt.bot_name && <div className="text-xs text-muted num">{bt.bot_name} · {fmtUtc(bt.from)} → {fmtUtc(bt.to)} UTC</div>}
      {bt.status !== "done" && <BacktestProgress status={bt.status} progress={bt.progress} />}
      {bt.status === "failed" && <ErrorState error={new Error(bt.error ?? "The backtest failed")} />}
      {bt.report && (
        <>
          <Metrics m={bt.report.metrics} />
          <div className="rounded-md border border-border">
            <Suspense fallback={<Skeleton className="h-[260px] m-3" />}>
              <EquityChart series={[{ id: bt.id, name: bt.bot_name ?? `backtest #${bt.id}`, points: bt.report.equity }]} height={240} />
            </Suspense>
          </div>
          <div className="rounded-md border border-border max-h-80 overflow-auto"><TradesTable rows={bt.report.trades} ins={ins} /></div>
        </>
      )}
    </div>
  );
}
