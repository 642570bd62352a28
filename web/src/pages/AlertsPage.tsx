// Alerts: every alert with severity, kind, time, bot and message; new ones arrive live (and as
// toasts). Each can be acknowledged (POST /api/alerts/{id}/ack), or every visible one at once;
// acknowledged alerts stay in the list, dimmed, with the time they were acknowledged.
import { useState } from "react";
import { Link } from "react-router-dom";
import { useQueryClient } from "@tanstack/react-query";
import { BellOff, Check, CheckCheck } from "lucide-react";
import { ApiError } from "@/api/client";
import { acknowledgeAlerts, isAcknowledged, useAlerts, useBots, useUnackedAlerts } from "@/api/queries";
import type { Alert, Id } from "@/api/types";
import { fmtUtc } from "@/lib/time";
import { cn } from "@/lib/utils";
import { useMarketNow } from "@/stream/StreamProvider";
import { Ago, Empty, ErrorState, LoadingRows } from "@/components/common";
import { Panel } from "@/components/ui/panel";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { toast } from "@/components/ui/toast";

type Filter = "all" | "unacknowledged";

export default function AlertsPage() {
  const [filter, setFilter] = useState<Filter>("all");
  const all = useAlerts();
  const unacked = useUnackedAlerts();
  const bots = useBots();
  const now = useMarketNow();
  const qc = useQueryClient();
  const [busy, setBusy] = useState<Set<string>>(new Set());
  const q = filter === "all" ? all : unacked;
  const list: Alert[] | undefined = filter === "all" ? all.data : unacked.data?.items;
  const pending = (list ?? []).filter((a) => !isAcknowledged(a));
  const botOf = (id: unknown) => bots.data?.find((b) => String(b.id) === String(id));

  const ack = async (ids: Id[]) => {
    if (!ids.length) return;
    setBusy((s) => new Set([...s, ...ids.map(String)]));
    const r = await acknowledgeAlerts(qc, ids);
    setBusy((s) => new Set([...s].filter((x) => !ids.map(String).includes(x))));
    if (r.failed.length) {
      const msg = r.error instanceof ApiError ? r.error.message : r.error instanceof Error ? r.error.message : "Cannot reach the server";
      toast({ title: r.failed.length === 1 ? "Could not acknowledge the alert" : `Could not acknowledge ${r.failed.length} alerts`, description: msg, tone: "danger" });
    }
  };

  return (
    <Panel title={<>Alerts <span className="text-muted font-normal num">{list?.length ?? ""}</span></>}>
      <div className="flex items-center justify-between gap-2 px-3 py-2 border-b border-border">
        <div role="radiogroup" aria-label="Show" className="flex rounded-md border border-border p-0.5 text-xs">
          {(["all", "unacknowledged"] as const).map((f) => (
            <button key={f} role="radio" aria-checked={filter === f} onClick={() => setFilter(f)} className={cn("h-6 px-2 rounded cursor-pointer", filter === f ? "bg-panel-2 text-fg font-medium" : "text-muted hover:text-fg")}>
              {f === "all" ? "All" : <>Unacknowledged<span className="num"> {unacked.data ? unacked.data.items.length : ""}</span></>}
            </button>
          ))}
        </div>
        <Button size="sm" variant="outline" disabled={pending.length === 0 || pending.every((a) => busy.has(String(a.id)))} onClick={() => void ack(pending.map((a) => a.id))} aria-label={`Acknowledge all visible (${pending.length})`}>
          <CheckCheck size={13} /> <span className="hidden sm:inline">Acknowledge all visible</span><span className="sm:hidden">Acknowledge all</span>
          <span className="num">({pending.length})</span>
        </Button>
      </div>
      {q.isLoading ? <LoadingRows rows={5} /> : q.error && !list ? <ErrorState error={q.error} retry={() => q.refetch()} /> : !list?.length ? (
        filter === "all" ? <Empty title="No alerts" icon={<BellOff size={22} />}>Stops hit, risk halts, budget exhaustion and venue problems appear here and as toasts.</Empty>
          : <Empty title="Nothing to acknowledge" icon={<CheckCheck size={22} />}>Every alert is acknowledged. New ones arrive here live.</Empty>
      ) : (
        <ul data-testid="alerts">
          {list.map((a) => {
            const b = botOf(a.bot_id);
            const done = isAcknowledged(a);
            return (
              <li key={String(a.id)} data-testid="alert" data-acknowledged={done || undefined} className={cn("slidein grid grid-cols-[1fr_auto] sm:flex sm:items-center gap-x-3 gap-y-1 px-3 py-2 border-b border-border last:border-0", done && "opacity-55")}>
                <div className="flex items-center gap-2 min-w-0 sm:w-64 sm:shrink-0">
                  <Badge tone={a.severity === "critical" ? "danger" : a.severity === "warning" ? "warn" : "accent"}>{a.severity}</Badge>
                  <span className="text-xs text-muted truncate">{a.kind.replace(/_/g, " ")}</span>
                </div>
                <span className="text-xs text-muted num text-right sm:order-last sm:w-48 sm:shrink-0 sm:whitespace-nowrap" title={fmtUtc(a.at, true) + " UTC (market time)"}>
                  {fmtUtc(a.at)} <span className="block sm:inline"><Ago ms={a.at} now={now} /></span>
                </span>
                <div className="col-span-2 min-w-0 text-[13px] sm:flex-1">{a.message}</div>
                <div className="col-span-2 flex items-center justify-between gap-2 text-xs text-muted sm:justify-end sm:shrink-0">
                  {b ? <Link to={`/bots/${b.id}`} className="hover:underline truncate">{b.label || b.name}</Link> : <span>{a.bot_id == null ? "account" : `bot ${a.bot_id}`}</span>}
                  {done ? (
                    <span className="inline-flex items-center gap-1 whitespace-nowrap" title="acknowledged (wall-clock time)"><Check size={12} /> acknowledged{typeof a.acknowledged_at === "number" && a.acknowledged_at > 0 ? ` ${fmtUtc(a.acknowledged_at)} UTC` : ""}</span>
                  ) : (
                    <Button size="sm" variant="outline" disabled={busy.has(String(a.id))} onClick={() => void ack([a.id])} aria-label={`Acknowledge: ${a.message}`}>
                      <Check size={12} /> {busy.has(String(a.id)) ? "Acknowledging…" : "Acknowledge"}
                    </Button>
                  )}
                </div>
              </li>
            );
          })}
        </ul>
      )}
    </Panel>
  );
}
