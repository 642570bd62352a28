// Backtests: run one for a stored bot, watch its progress live, read the report, compare runs.
import { lazy, Suspense, useMemo, useState } from "react";
import { Link, useNavigate, useParams } from "react-router-dom";
import { useQueries, useQueryClient } from "@tanstack/react-query";
import { AlertTriangle, FlaskConical } from "lucide-react";
import { api, ApiError } from "@/api/client";
import { normalizeBacktest } from "@/api/normalize";
import { localBacktests, qk, rememberBacktest, startBacktest, useBacktests, useBots } from "@/api/queries";
import type { Backtest, Id, WireBacktest } from "@/api/types";
import { formatDec, formatPct, formatUsd } from "@/lib/decimal";
import { fmtUtc } from "@/lib/time";
import { Empty, ErrorState, LoadingRows, Signed } from "@/components/common";
import { BacktestProgress, BacktestReport } from "@/components/BacktestReport";
import { Td } from "@/components/tables";
import { Panel } from "@/components/ui/panel";
import { Button } from "@/components/ui/button";
import { Field, Input, Select } from "@/components/ui/input";
import { Skeleton } from "@/components/ui/skeleton";

const EquityChart = lazy(() => import("@/charts/EquityChart"));

export default function BacktestsPage() {
  const { id } = useParams();
  const list = useBacktests();
  const runs = useQueries({ queries: (list.data ?? []).map((b) => ({ queryKey: qk.backtest(b.id), queryFn: () => fetchBacktest(b.id) })) });
  const [compare, setCompare] = useState<string[]>([]);
  const nav = useNavigate();
  const toggle = (k: string) => setCompare((c) => (c.includes(k) ? c.filter((x) => x !== k) : [...c, k].slice(-4)));
  return (
    <div className="flex flex-col gap-3">
      <RunForm onStarted={(bid) => nav(`/backtests/${bid}`)} />
      <div className="grid gap-3 xl:grid-cols-[minmax(0,520px)_minmax(0,1fr)]">
        <Panel title="Runs" actions={compare.length >= 2 && <Button size="sm" variant="outline" onClick={() => nav("/backtests/compare")}>Compare {compare.length}</Button>}>
          {list.isLoading ? <LoadingRows rows={4} /> : list.error && !list.data ? <ErrorState error={list.error} retry={() => list.refetch()} /> : !list.data?.length ? <Empty title="No backtests yet">Run one above, or use "Backtest first" in a bot's form. This browser lists the runs it started.</Empty> : (
            <div className="overflow-x-auto">
              <table className="tbl tbl-stack num">
                <thead><tr><th className="w-8"><span className="sr-only">compare</span></th><th>#</th><th>bot</th><th className="hidden sm:table-cell">period (UTC)</th><th>status</th></tr></thead>
                <tbody>
                  {list.data.map((b, i) => { const r = runs[i]?.data; const status = r?.status ?? (runs[i]?.error ? "unknown" : "…"); return (
                    <tr key={String(b.id)} className={String(b.id) === id ? "bg-accent/10" : ""}>
                      <td className="cell-actions"><input type="checkbox" aria-label={`Compare run ${b.id}`} checked={compare.includes(String(b.id))} onChange={() => toggle(String(b.id))} disabled={status !== "done"} className="accent-[var(--accent)]" /></td>
                      <Td label="run"><Link to={`/backtests/${b.id}`} className="hover:underline">{String(b.id)}</Link></Td>
                      <td className="max-w-[10rem] truncate cell-title"><Link to={`/backtests/${b.id}`} className="hover:underline truncate">{b.bot_name}</Link></td>
                      <Td label="period (UTC)" className="hidden sm:table-cell text-muted cell-wide">{fmtUtc(b.from).slice(0, 10)} → {fmtUtc(b.to).slice(0, 10)}</Td>
                      <Td label="status" className="w-40">{status === "running" || status === "queued" ? <BacktestProgress status={status} progress={r?.progress} /> : <span className={status === "done" ? "text-up" : status === "failed" ? "text-down" : "text-muted"}>{status}</span>}</Td>
                    </tr>
                  ); })}
                </tbody>
              </table>
            </div>
          )}
        </Panel>
        <div className="min-w-0">
          {id === "compare" ? <Compare ids={compare} /> : id ? (
            <Panel title={`Backtest #${id}`} bodyClassName="p-3"><BacktestReport id={id} /></Panel>
          ) : (
            <Panel><Empty title="Pick a run" icon={<FlaskConical size={22} />}>Its metrics, equity chart and trades show here. Tick two or more finished runs to compare them.</Empty></Panel>
          )}
        </div>
      </div>
    </div>
  );
}

function RunForm({ onStarted }: { onStarted: (id: Id) => void }) {
  const bots = useBots();
  const qc = useQueryClient();
  const [botId, setBotId] = useState("");
  const [from, setFrom] = useState("2025-10-17");
  const [to, setTo] = useState("2025-10-24");
  const [estimate, setEstimate] = useState<string | null>(null);
  const [err, setErr] = useState<unknown>(null);
  const chosen = botId || String(bots.data?.[0]?.id ?? "");
  const run = async (confirm = false) => {
    setErr(null);
    const f = Date.parse(from + "T00:00:00Z"), t = Date.parse(to + "T00:00:00Z");
    if (!chosen) return setErr(new Error("Choose a bot"));
    if (!(t > f)) return setErr(new Error("The end must be after the start"));
    try {
      const r = await startBacktest({ bot_id: Number(chosen), from: f, to: t, ...(confirm ? { confirm_cost: true } : {}) });
      const bot = bots.data?.find((b) => String(b.id) === chosen);
      rememberBacktest({ id: r.id, bot_name: bot?.label || bot?.name || `bot ${chosen}`, from: f, to: t, started_at: Date.now() });
      setEstimate(null);
      qc.invalidateQueries({ queryKey: qk.backtests });
      onStarted(r.id);
    } catch (e) {
      if (e instanceof ApiError && e.field === "confirm_cost") setEstimate(e.message);
      else setErr(e);
    }
  };
  return (
    <Panel title="Run a backtest" bodyClassName="p-3 flex flex-col gap-2">
      <div className="flex flex-wrap items-end gap-2">
        <Field label="Bot" htmlFor="bt-bot" className="w-56">
          <Select id="bt-bot" value={chosen} onChange={(e) => setBotId(e.target.value)}>
            {(bots.data ?? []).map((b) => <option key={String(b.id)} value={String(b.id)}>{b.label || b.name}{b.model === "baseline" ? " (rule-based baseline)" : ""}</option>)}
          </Select>
        </Field>
        <Field label="From (UTC)" htmlFor="bf"><Input id="bf" type="date" value={from} onChange={(e) => setFrom(e.target.value)} className="w-40 num" /></Field>
        <Field label="To (UTC)" htmlFor="bto"><Input id="bto" type="date" value={to} onChange={(e) => setTo(e.target.value)} className="w-40 num" /></Field>
        <Button variant="default" onClick={() => void run()}><FlaskConical size={13} /> Run</Button>
      </div>
      {estimate && (
        <div className="rounded-md border border-warn/60 bg-warn/10 px-3 py-2 text-[13px] flex flex-wrap items-center gap-2">
          <AlertTriangle size={15} className="text-warn" /> <span className="flex-1">{estimate}</span>
          <Button size="sm" variant="default" onClick={() => void run(true)}>Confirm the cost and run</Button>
        </div>
      )}
      {err ? <ErrorState error={err} compact /> : null}
    </Panel>
  );
}

const fetchBacktest = (id: Id) => api<WireBacktest>(`/backtests/${id}`).then((b) => normalizeBacktest(b, localBacktests().find((x) => String(x.id) === String(id))));

function Compare({ ids }: { ids: string[] }) {
  const qs = useQueries({ queries: ids.map((i) => ({ queryKey: qk.backtest(i), queryFn: () => fetchBacktest(i) })) });
  const runs = qs.map((q) => q.data).filter((b): b is Backtest => !!b && !!b.report);
  const series = useMemo(() => runs.map((b) => ({ id: b.id, name: `#${b.id} ${b.bot_name ?? ""}`, points: b.report!.equity })), [runs]);
  if (ids.length < 2) return <Panel><Empty title="Tick two or more finished runs to compare" /></Panel>;
  if (qs.some((q) => q.isLoading)) return <Panel><LoadingRows rows={5} /></Panel>;
  const rows: Array<[string, (b: Backtest) => React.ReactNode]> = [
    ["Account value", (b) => formatUsd(b.report!.metrics.account_value)],
    ["Return", (b) => <Signed value={b.report!.metrics.return_pct} kind="pct" />],
    ["Net of LLM cost", (b) => <Signed value={b.report!.metrics.net_pnl} />],
    ["LLM cost", (b) => formatUsd(b.report!.metrics.llm_cost)],
    ["Fees", (b) => formatUsd(b.report!.metrics.fees)],
    ["Win rate", (b) => formatPct(b.report!.metrics.win_rate, false)],
    ["Sharpe", (b) => (b.report!.metrics.sharpe ? formatDec(b.report!.metrics.sharpe, { decimals: 2 }) : "—")],
    ["Max drawdown", (b) => formatPct(b.report!.metrics.max_drawdown, false)],
    ["Closed trades", (b) => b.report!.metrics.trades ?? "—"],
  ];
  return (
    <Panel title="Compare runs">
      <div className="overflow-x-auto">
        {/* a metric × run matrix: a table at every width (it scrolls sideways on a phone) */}
        <table className="tbl tbl-matrix num">
          <thead><tr><th>metric</th>{runs.map((b) => <th key={String(b.id)} className="r">#{String(b.id)} {b.bot_name}</th>)}</tr></thead>
          <tbody>{rows.map(([k, f]) => <tr key={k}><td className="text-muted">{k}</td>{runs.map((b) => <td key={String(b.id)} className="r">{f(b)}</td>)}</tr>)}</tbody>
        </table>
      </div>
      <Suspense fallback={<Skeleton className="h-[260px] m-3" />}><EquityChart series={series} height={260} /></Suspense>
    </Panel>
  );
}
