// Tables shared by pages: positions (live unrealized PnL), trades, orders with status history.
import { Fragment, useState } from "react";
import { Link } from "react-router-dom";
import { ChevronDown, ChevronRight } from "lucide-react";
import type { Bot, Fill, Order, Position, Trade } from "@/api/types";
import type { Instruments } from "@/lib/instruments";
import { formatUsd } from "@/lib/decimal";
import { fmtUtc, fmtUtcShort } from "@/lib/time";
import { cn } from "@/lib/utils";
import { Ago, Signed } from "./common";
import { Badge } from "./ui/badge";

export type BotPosition = Position & { bot?: Bot };

export function SideBadge({ side }: { side: string }) {
  const s = side.toLowerCase();
  const up = s === "long" || s === "buy";
  return <Badge tone={up ? "up" : "down"}>{up ? "▲" : "▼"} {s.toUpperCase()}</Badge>;
}

export function PositionsTable({ rows, ins, now, showBot }: { rows: BotPosition[]; ins: Instruments; now: number; showBot?: boolean }) {
  return (
    <div className="overflow-x-auto">
      <table className="tbl num">
        <thead>
          <tr>
            {showBot && <th>bot</th>}
            <th>coin</th>
            <th className="hidden sm:table-cell">side</th>
            <th className="r">size</th>
            <th className="r hidden md:table-cell">entry</th>
            <th className="r hidden md:table-cell">mark</th>
            <th className="r">unrealized</th>
            <th className="r hidden lg:table-cell">lev.</th>
            <th className="r hidden lg:table-cell">stop</th>
            <th className="r hidden lg:table-cell">target</th>
            <th className="r hidden xl:table-cell">liq.</th>
            <th className="r hidden xl:table-cell">opened</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((p) => (
            <tr key={(p.bot?.id ?? "") + p.symbol}>
              {showBot && <td className="max-w-[9rem] truncate">{p.bot ? <Link to={`/bots/${p.bot.id}`} className="hover:underline">{p.bot.label || p.bot.name}</Link> : "—"}</td>}
              <td className="font-medium">
                {ins.base(p.symbol)}
                <span className={cn("sm:hidden ml-1 text-xs", p.side === "long" ? "text-up" : "text-down")}>{p.side === "long" ? "▲ L" : "▼ S"}</span>
              </td>
              <td className="hidden sm:table-cell"><SideBadge side={p.side} /></td>
              <td className="r">{ins.qty(p.symbol, p.quantity)}</td>
              <td className="r hidden md:table-cell">{ins.price(p.symbol, p.entry_price)}</td>
              <td className="r hidden md:table-cell" key={p.mark_price ?? ""}><span className="flash">{ins.price(p.symbol, p.mark_price)}</span></td>
              <td className="r"><Signed value={p.unrealized_pnl} /></td>
              <td className="r hidden lg:table-cell">{p.leverage}×</td>
              <td className="r hidden lg:table-cell">{ins.price(p.symbol, p.stop_loss)}</td>
              <td className="r hidden lg:table-cell">{ins.price(p.symbol, p.take_profit)}</td>
              <td className="r hidden xl:table-cell text-warn">{ins.price(p.symbol, p.liquidation_price)}</td>
              <td className="r hidden xl:table-cell"><Ago ms={p.opened_at} now={now} /></td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function TradesTable({ rows, ins }: { rows: Trade[]; ins: Instruments }) {
  return (
    <div className="overflow-x-auto">
      <table className="tbl num">
        <thead>
          <tr>
            <th>closed (UTC)</th>
            <th>coin</th>
            <th className="hidden sm:table-cell">side</th>
            <th className="r hidden md:table-cell">size</th>
            <th className="r hidden md:table-cell">entry</th>
            <th className="r hidden md:table-cell">exit</th>
            <th className="r hidden lg:table-cell">fees</th>
            <th className="r">PnL</th>
            <th className="hidden lg:table-cell">exit reason</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((t) => (
            <tr key={String(t.id)}>
              <td title={fmtUtc(t.exit_at, true)}>{fmtUtcShort(t.exit_at)}</td>
              <td className="font-medium">{ins.base(t.symbol)}</td>
              <td className="hidden sm:table-cell"><SideBadge side={t.side} /></td>
              <td className="r hidden md:table-cell">{ins.qty(t.symbol, t.quantity)}</td>
              <td className="r hidden md:table-cell">{ins.price(t.symbol, t.entry_price)}</td>
              <td className="r hidden md:table-cell">{ins.price(t.symbol, t.exit_price)}</td>
              <td className="r hidden lg:table-cell text-muted">{formatUsd(t.fees)}</td>
              <td className="r"><Signed value={t.pnl} /></td>
              <td className="hidden lg:table-cell text-muted">{t.exit_reason?.replace(/_/g, " ") ?? "—"}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

const ORDER_TONE: Record<string, "up" | "down" | "warn" | "neutral" | "accent"> = { filled: "up", open: "accent", new: "neutral", partially_filled: "accent", canceled: "neutral", rejected: "down", expired: "warn" };

/** Status history: creation, changes seen on the stream, the current status at its update time. */
export function orderHistory(o: Order): Array<{ status: string; at: number }> {
  const out: Array<{ status: string; at: number }> = [{ status: "new", at: o.created_at }];
  for (const h of o.history ?? []) if (out[out.length - 1].status.toLowerCase() !== h.status.toLowerCase()) out.push(h);
  if (out[out.length - 1].status.toLowerCase() !== o.status.toLowerCase()) out.push({ status: o.status, at: o.updated_at ?? o.created_at });
  return out;
}

/** Executions (GET /bots/{id}/trades): each fill with its fee and realized PnL. */
export function FillsTable({ rows, ins }: { rows: Fill[]; ins: Instruments }) {
  return (
    <div className="overflow-x-auto">
      <table className="tbl num">
        <thead>
          <tr>
            <th>time (UTC)</th>
            <th>coin</th>
            <th>side</th>
            <th className="r">qty</th>
            <th className="r hidden sm:table-cell">price</th>
            <th className="r hidden md:table-cell">fee</th>
            <th className="r">realized PnL</th>
            <th className="hidden lg:table-cell">liquidity</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((t) => (
            <tr key={String(t.id)}>
              <td title={fmtUtc(t.at, true)}>{fmtUtcShort(t.at)}</td>
              <td className="font-medium">{ins.base(t.symbol)}</td>
              <td><SideBadge side={t.side} /></td>
              <td className="r">{ins.qty(t.symbol, t.quantity)}</td>
              <td className="r hidden sm:table-cell">{ins.price(t.symbol, t.price)}</td>
              <td className="r hidden md:table-cell text-muted">{formatUsd(t.fee)}</td>
              <td className="r"><Signed value={t.realized_pnl} /></td>
              <td className="hidden lg:table-cell text-muted">{t.is_maker ? "maker" : "taker"}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function OrdersTable({ rows, ins }: { rows: Order[]; ins: Instruments }) {
  const [open, setOpen] = useState<string | null>(null);
  return (
    <div className="overflow-x-auto">
      <table className="tbl num">
        <thead>
          <tr>
            <th className="w-6" />
            <th>created (UTC)</th>
            <th>coin</th>
            <th className="hidden sm:table-cell">type</th>
            <th className="hidden sm:table-cell">side</th>
            <th className="r">qty</th>
            <th className="r hidden md:table-cell">price / trigger</th>
            <th className="hidden md:table-cell">flags</th>
            <th>status</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((o) => {
            const id = String(o.id);
            const isOpen = open === id;
            return (
              <Fragment key={id}>
                <tr className="cursor-pointer" onClick={() => setOpen(isOpen ? null : id)} aria-expanded={isOpen}>
                  <td className="text-muted">{isOpen ? <ChevronDown size={13} /> : <ChevronRight size={13} />}</td>
                  <td title={fmtUtc(o.created_at, true)}>{fmtUtcShort(o.created_at)}</td>
                  <td className="font-medium">{ins.base(o.symbol)}</td>
                  <td className="hidden sm:table-cell text-muted">{o.type.replace(/_/g, " ")}</td>
                  <td className="hidden sm:table-cell"><SideBadge side={o.side} /></td>
                  <td className="r">{ins.qty(o.symbol, o.quantity)}</td>
                  <td className="r hidden md:table-cell">{o.stop_price ? ins.price(o.symbol, o.stop_price) : o.price ? ins.price(o.symbol, o.price) : "market"}</td>
                  <td className="hidden md:table-cell text-muted text-xs">{o.reduce_only ? "reduce-only" : ""}</td>
                  <td><Badge tone={ORDER_TONE[o.status.toLowerCase()] ?? "neutral"}>{o.status.toLowerCase().replace(/_/g, " ")}</Badge>{o.avg_price ? <span className="ml-1.5 text-xs text-muted hidden lg:inline">avg {ins.price(o.symbol, o.avg_price)}</span> : null}</td>
                </tr>
                {isOpen && (
                  <tr>
                    <td />
                    <td colSpan={8} className="!h-auto py-1.5">
                      <ol className="flex flex-wrap gap-x-4 gap-y-1 text-xs">
                        {orderHistory(o).map((h, i) => (
                          <li key={i} className="flex items-center gap-1.5">
                            <Badge tone={ORDER_TONE[h.status.toLowerCase()] ?? "neutral"}>{h.status.toLowerCase().replace(/_/g, " ")}</Badge>
                            <span className="text-muted">{fmtUtc(h.at, true)}</span>
                            
                          </li>
                        ))}
                      </ol>
                    </td>
                  </tr>
                )}
              </Fragment>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
