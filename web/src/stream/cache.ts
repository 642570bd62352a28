// Applies one accepted stream event to the TanStack Query cache in place (no refetch storm), and
// says which toast it deserves. Event payloads are untrusted: fields are checked before use.
import type { QueryClient } from "@tanstack/react-query";
import { isAcknowledged, qk, patchBot } from "@/api/queries";
import { normalizeBacktest, normalizeDecision, normalizePosition } from "@/api/normalize";
import { decToPlain, parseDec, sub } from "@/lib/decimal";
import type { Alert, Backtest, Bot, DecisionRecord, EquityPoint, Order, Position, StreamMessage, WireBacktest, WirePosition } from "@/api/types";

const isObj = (x: unknown): x is Record<string, unknown> => typeof x === "object" && x !== null;
const str = (x: unknown) => (typeof x === "string" ? x : undefined);

export interface ToastIntent { title: string; description?: string; tone: "info" | "up" | "down" | "warn" | "danger" }

export interface EventFormat {
  botLabel: (id: string) => string;
  price: (symbol: string, v: string | undefined) => string;
  qty: (symbol: string, v: string | undefined) => string;
  base: (symbol: string) => string;
}

export function applyEvent(qc: QueryClient, msg: StreamMessage, f: EventFormat): ToastIntent | null {
  const botLabel = f.botLabel;
  const id = String(msg.bot_id);
  const d = msg.data;
  switch (msg.type) {
    case "equity": {
      if (!isObj(d) || !str(d.equity)) return null;
      const at = typeof d.at === "number" ? d.at : msg.at;
      const point: EquityPoint = { at, equity: d.equity as string };
      qc.setQueryData<EquityPoint[]>(qk.equity(id), (pts) => (pts && (pts.length === 0 || pts[pts.length - 1].at < at) ? [...pts, point] : pts));
      const bot = qc.getQueryData<Bot[]>(qk.bots)?.find((b) => String(b.id) === id) ?? qc.getQueryData<Bot>(qk.bot(id));
      const cap = parseDec(bot?.capital ?? null);
      const eq = parseDec(point.equity);
      patchBot(qc, { id, equity: point.equity, ...(cap && eq ? { pnl: decToPlain(sub(eq, cap)) } : {}) } );
      qc.invalidateQueries({ queryKey: qk.arena, refetchType: "none" });
      return null;
    }
    case "position": {
      if (!isObj(d) || !str(d.symbol)) return null;
      const p: Position = normalizePosition(d as unknown as WirePosition);
      qc.setQueryData<Position[]>(qk.positions(id), (list) => {
        if (!list) return list;
        const rest = list.filter((x) => x.symbol !== p.symbol);
        const q = parseDec(p.quantity);
        if (!q || q.v === 0n || (d as { closed?: boolean }).closed) return rest;
        const i = list.findIndex((x) => x.symbol === p.symbol);
        if (i < 0) return [...list, p];
        const copy = list.slice();
        copy[i] = { ...list[i], ...p };
        return copy;
      });
      return null;
    }
    case "order": {
      if (!isObj(d) || d.id === undefined) return null;
      const o = d as unknown as Order;
      qc.setQueryData<Order[]>(qk.orders(id), (list) => {
        if (!list) return list;
        const i = list.findIndex((x) => String(x.id) === String(o.id));
        const step = typeof o.status === "string" ? [{ status: o.status, at: msg.at }] : [];
        if (i < 0) return [{ ...o, history: step }, ...list];
        const copy = list.slice();
        const prev = list[i];
        const changed = typeof o.status === "string" && o.status !== prev.status;
        copy[i] = { ...prev, ...o, history: changed ? [...(prev.history ?? [{ status: prev.status, at: prev.updated_at ?? prev.created_at }]), ...step] : prev.history };
        return copy;
      });
      return null;
    }
    case "fill": {
      for (const k of [qk.trades(id), qk.positions(id), qk.orders(id), qk.bot(id), qk.bots, qk.performance(id)]) qc.invalidateQueries({ queryKey: k });
      if (!isObj(d)) return null;
      const side = str(d.side) ?? "";
      const sym = str(d.symbol) ?? "";
      return { title: `Fill · ${botLabel(id)}`, description: `${side.toUpperCase()} ${f.qty(sym, str(d.quantity))} ${f.base(sym)} @ ${f.price(sym, str(d.price))}`, tone: side === "sell" ? "down" : "up" };
    }
    case "decision": {
      if (!isObj(d)) return null;
      const rec: DecisionRecord = normalizeDecision(d, msg.bot_id);
      qc.setQueryData<DecisionRecord[]>(qk.decisions(id), (list) => (list && !list.some((x) => String(x.id) === String(rec.id)) ? [rec, ...list] : list));
      patchBot(qc, { id, last_decision_at: rec.at || msg.at });
      return null;
    }
    case "alert": {
      if (!isObj(d)) return null;
      const a = d as unknown as Alert;
      qc.setQueryData<Alert[]>(qk.alerts, (list) => (list && !list.some((x) => String(x.id) === String(a.id)) ? [a, ...list] : list));
      if (!isAcknowledged(a)) qc.setQueryData<{ items: Alert[]; more: boolean }>(qk.unackedAlerts, (v) => (v && !v.items.some((x) => String(x.id) === String(a.id)) ? { ...v, items: [a, ...v.items] } : v));
      return { title: `Alert · ${botLabel(id)}`, description: str(a.message), tone: a.severity === "critical" ? "danger" : a.severity === "info" ? "info" : "warn" };
    }
    case "status": {
      if (!isObj(d) || !str(d.status)) return null;
      patchBot(qc, { id, status: d.status as Bot["status"] });
      if (d.reason === "emergency_stop") {
        qc.invalidateQueries({ queryKey: qk.positions(id) });
        qc.invalidateQueries({ queryKey: qk.orders(id) });
        return { title: `Emergency stop · ${botLabel(id)}`, description: "Bot stopped; positions closed at the venue", tone: "danger" };
      }
      return null;
    }
    case "backtest": {
      if (!isObj(d) || d.id === undefined) return null;
      const bid = String(d.id);
      const status = str(d.status) as Backtest["status"] | undefined;
      qc.setQueryData<Backtest>(qk.backtest(bid), (b) => (b ? { ...b, status: status ?? b.status, progress: typeof d.progress === "number" ? d.progress : b.progress, ...(d.report ? { report: normalizeBacktest(d as unknown as WireBacktest).report } : {}) } : b));
      if (d.status === "done" || d.status === "failed") {
        qc.invalidateQueries({ queryKey: qk.backtest(bid) });
        return { title: `Backtest ${d.status === "done" ? "finished" : "failed"}`, description: `#${bid}`, tone: d.status === "done" ? "info" : "danger" };
      }
      return null;
    }
    default:
      return null;
  }
}
