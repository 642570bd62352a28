// Emergency stop, for one bot or all of the caller's bots. The confirmation lists every position
// and open order it will close, per bot — each position with its notional at mark, each order
// with its type, side, size (a close-position stop: the whole position) and its trigger and/or
// limit price; after it, the venue's answer (re-read until flat).
import { useState } from "react";
import { useQueries, useQueryClient } from "@tanstack/react-query";
import { OctagonX, CheckCircle2 } from "lucide-react";
import { emergencyStopAll, emergencyStopBot, fetchOpenOrders, fetchPositions, qk } from "@/api/queries";
import { isOpenOrder } from "@/api/orders";
import type { Bot, Id, Position } from "@/api/types";
import { formatUsd, mul, parseDec, sum } from "@/lib/decimal";
import { useInstruments } from "@/lib/instruments";
import { closesWholePosition, orderPrices } from "./tables";
import { Button } from "./ui/button";
import { Dialog, DialogContent, DialogTrigger } from "./ui/dialog";
import { ErrorState, LoadingRows } from "./common";

export { isOpenOrder };

interface Outcome { bot_id: Id; flat: boolean; positions: number; orders: number }

/** Quantity × mark (the entry price while the venue has sent no mark yet). */
export function notional(positions: Position[]) {
  return sum(positions.map((p) => {
    const q = parseDec(p.quantity);
    const m = parseDec(p.mark_price ?? null) ?? parseDec(p.entry_price);
    return q && m ? mul(q, m) : null;
  }));
}

export function EmergencyStopButton({ bots, scope, compact }: { bots: Bot[]; scope: "all" | "bot"; compact?: boolean }) {
  const [open, setOpen] = useState(false);
  return (
    <Dialog open={open} onOpenChange={setOpen}>
      <DialogTrigger asChild>
        <Button variant="danger" size={compact ? "icon" : "md"} aria-label={scope === "all" ? "Emergency stop all bots" : "Emergency stop"} title="Emergency stop">
          <OctagonX size={15} />
          {!compact && (scope === "all" ? "Stop all" : "Emergency stop")}
        </Button>
      </DialogTrigger>
      {open && <EmergencyStopContent bots={bots} scope={scope} onDone={() => undefined} />}
    </Dialog>
  );
}

function EmergencyStopContent({ bots, scope }: { bots: Bot[]; scope: "all" | "bot"; onDone: () => void }) {
  const qc = useQueryClient();
  const ins = useInstruments();
  const targets = bots;
  const positions = useQueries({
    queries: targets.map((b) => ({ queryKey: qk.positions(b.id), queryFn: () => fetchPositions(b.id) })),
  });
  // every open order (?open=true): the bot's newest orders could miss a stop placed long ago
  const orders = useQueries({
    queries: targets.map((b) => ({ queryKey: qk.openOrders(b.id), queryFn: () => fetchOpenOrders(b.id) })),
  });
  const [state, setState] = useState<{ busy: boolean; error?: unknown; results?: Outcome[]; waiting?: boolean }>({ busy: false });
  const loading = positions.some((q) => q.isLoading) || orders.some((q) => q.isLoading);
  const failed = [...positions, ...orders].find((q) => q.error);
  const allPositions = positions.flatMap((q) => q.data ?? []);
  const openOrders = orders.map((q) => (q.data ?? []).filter((o) => isOpenOrder(o.status)));
  const totalOrders = openOrders.reduce((n, l) => n + l.length, 0);

  // 202: the stop is queued; confirm at the venue by re-reading positions and open orders until
  // every bot is flat (or the deadline passes, then say what is still open).
  const confirmFlat = async (): Promise<Outcome[]> => {
    const deadline = Date.now() + 15_000;
    for (;;) {
      const out = await Promise.all(targets.map(async (b) => {
        const [ps, os] = await Promise.all([fetchPositions(b.id), fetchOpenOrders(b.id)]);
        qc.setQueryData(qk.positions(b.id), ps);
        qc.setQueryData(qk.openOrders(b.id), os);
        const open = os.filter((o) => isOpenOrder(o.status)).length;
        return { bot_id: b.id, flat: ps.length === 0 && open === 0, positions: ps.length, orders: open };
      }));
      if (out.every((o) => o.flat) || Date.now() > deadline) return out;
      await new Promise((r) => setTimeout(r, 500));
    }
  };

  const go = async () => {
    setState({ busy: true });
    try {
      if (scope === "all") await emergencyStopAll();
      else await emergencyStopBot(targets[0].id);
      setState({ busy: true, waiting: true });
      const results = await confirmFlat();
      setState({ busy: false, results });
      for (const b of targets) {
        qc.invalidateQueries({ queryKey: qk.bot(b.id) });
        qc.invalidateQueries({ queryKey: qk.orders(b.id) });
      }
      qc.invalidateQueries({ queryKey: qk.bots });
    } catch (e) {
      setState({ busy: false, error: e });
    }
  };

  if (state.results) {
    return (
      <DialogContent title="Emergency stop done">
        <div className="flex flex-col gap-2">
          {state.results.map((r) => {
            const b = targets.find((x) => String(x.id) === String(r.bot_id));
            return (
              <div key={String(r.bot_id)} className="flex items-center gap-2">
                <CheckCircle2 size={16} className={r.flat ? "text-up" : "text-warn"} />
                <span className="font-medium">{b?.label || b?.name || `bot ${r.bot_id}`}</span>
                <span className="text-muted num">
                  {r.flat ? "stopped, flat at the venue" : `NOT flat yet: ${r.positions} positions, ${r.orders} open orders — check the venue`}
                </span>
              </div>
            );
          })}
        </div>
      </DialogContent>
    );
  }

  return (
    <DialogContent
      title={scope === "all" ? "Emergency stop every bot?" : `Emergency stop ${targets[0]?.label || targets[0]?.name}?`}
      description="Cancels every open order and closes every position at market, then stops the bot. This cannot be undone."
    >
      {loading ? <LoadingRows rows={4} /> : failed ? <ErrorState error={failed.error} compact /> : (
        <div className="flex flex-col gap-3">
          {targets.map((b, i) => {
            const ps = positions[i].data ?? [];
            const os = openOrders[i] ?? [];
            if (scope === "all" && ps.length === 0 && os.length === 0) return null;
            return (
              <div key={String(b.id)} className="rounded border border-border" data-testid="estop-bot">
                <div className="px-3 h-8 flex items-center justify-between gap-2 bg-panel-2 text-xs font-medium">
                  <span className="truncate">{b.label || b.name}{b.mode !== "paper" ? <span className="ml-1.5 text-danger uppercase">{b.mode}</span> : null}</span>
                  <span className="num text-muted shrink-0">{ps.length} position{ps.length === 1 ? "" : "s"} · {os.length} open order{os.length === 1 ? "" : "s"}</span>
                </div>
                {ps.length === 0 && os.length === 0 ? <div className="px-3 py-2 text-xs text-muted">Nothing open: the bot is only stopped.</div> : (
                  <ul className="px-3 py-1.5 text-xs num flex flex-col gap-1">
                    {ps.map((p) => (
                      <li key={"p" + p.symbol} className="flex flex-wrap justify-between gap-x-2">
                        <span>Close {p.side.toUpperCase()} {ins.qty(p.symbol, p.quantity)} {ins.base(p.symbol)} at market</span>
                        <span className="text-muted ml-auto text-right">≈ {formatUsd(notional([p]))} {p.mark_price ? `at mark ${ins.price(p.symbol, p.mark_price)}` : `at entry ${ins.price(p.symbol, p.entry_price)} (no mark yet)`}</span>
                      </li>
                    ))}
                    {os.map((o) => (
                      <li key={"o" + o.id} className="flex flex-wrap justify-between gap-x-2 text-muted">
                        <span>Cancel {o.type.toLowerCase().replace(/_/g, " ")} {o.side.toUpperCase()} {closesWholePosition(o.quantity) ? `(whole ${ins.base(o.symbol)} position)` : `${ins.qty(o.symbol, o.quantity)} ${ins.base(o.symbol)}`}{o.reduce_only ? " reduce-only" : ""}</span>
                        <span className="ml-auto text-right">{orderPrices(o, ins, ps.find((p) => p.symbol === o.symbol))}</span>
                      </li>
                    ))}
                  </ul>
                )}
              </div>
            );
          })}
          {scope === "all" && (() => {
            const idle = targets.filter((_, i) => (positions[i].data ?? []).length === 0 && (openOrders[i] ?? []).length === 0);
            const names = idle.map((b) => b.label || b.name).join(", ");
            return idle.length ? <div className="text-xs text-muted">{idle.length === targets.length ? `Nothing open: ${names} — only stopped.` : `Also stopped, nothing open: ${names}.`}</div> : null;
          })()}
          <div className="text-xs text-muted num">
            Total: {allPositions.length} positions (≈ {formatUsd(notional(allPositions))} notional), {totalOrders} open orders.
          </div>
          {state.error ? <ErrorState error={state.error} compact /> : null}
          <Button variant="danger" size="lg" onClick={go} disabled={state.busy} data-testid="estop-confirm" className="w-full sticky bottom-0 shadow-[0_-8px_16px_var(--panel)]">
            <OctagonX size={16} /> {state.waiting ? "Waiting for the venue to confirm flat…" : state.busy ? "Stopping…" : allPositions.length + totalOrders === 0 ? `Stop ${targets.length === 1 ? "the bot" : `${targets.length} bots`} (nothing open)` : `Close ${allPositions.length} positions, cancel ${totalOrders} orders and stop`}
          </Button>
        </div>
      )}
    </DialogContent>
  );
}

