// Tables shared by pages: positions (live unrealized PnL), trades, orders with status history.
// Every table is a .tbl-stack: at phone width (≤ 640 px) each row becomes a card that keeps every
// field, labelled by its cell's data-label (index.css). Wider, less important columns hide first.
import { Fragment, useState, type TdHTMLAttributes } from "react";
import { Link } from "react-router-dom";
import { ChevronDown, ChevronRight } from "lucide-react";
import type { Bot, Fill, Order, Position, Trade } from "@/api/types";
import type { Instruments } from "@/lib/instruments";
import { formatUsd, parseDec, signOf } from "@/lib/decimal";
import { fmtUtc, fmtUtcShort } from "@/lib/time";
import { Ago, Signed } from "./common";
import { Badge } from "./ui/badge";

export type BotPosition = Position & { bot?: Bot };

/** A table cell with its column name, shown as the field's label when the row is a card. */
export function Td({ label, ...props }: TdHTMLAttributes<HTMLTableCellElement> & { label: string }) {
  return <td data-label={label} {...props} />;
}

export function SideBadge({ side }: { side: string }) {
  const s = side.toLowerCase();
  const up = s === "long" || s === "buy";
  return <Badge tone={up ? "up" : "down"}>{up ? "▲" : "▼"} {s.toUpperCase()}</Badge>;
}

export function PositionsTable({ rows, ins, now, showBot }: { rows: BotPosition[]; ins: Instruments; now: number; showBot?: boolean }) {
  return (
    <div className="overflow-x-auto">
      <table className="tbl tbl-stack num" data-testid="positions-table">
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
              {showBot && <Td label="bot" className="max-w-[9rem] truncate cell-wide">{p.bot ? <Link to={`/bots/${p.bot.id}`} className="hover:underline truncate">{p.bot.label || p.bot.name}</Link> : "—"}</Td>}
              <Td label="coin" className="font-medium cell-title">{ins.base(p.symbol)}</Td>
              <Td label="side" className="hidden sm:table-cell"><SideBadge side={p.side} /></Td>
              <Td label="size" className="r">{ins.qty(p.symbol, p.quantity)}</Td>
              <Td label="entry" className="r hidden md:table-cell">{ins.price(p.symbol, p.entry_price)}</Td>
              <Td label="mark" className="r hidden md:table-cell" key={p.mark_price ?? ""}><span className="flash">{ins.price(p.symbol, p.mark_price)}</span></Td>
              <Td label="unrealized" className="r"><Signed value={p.unrealized_pnl} /></Td>
              <Td label="leverage" className="r hidden lg:table-cell">{p.leverage}×</Td>
              <Td label="stop" className="r hidden lg:table-cell">{ins.price(p.symbol, p.stop_loss)}</Td>
              <Td label="target" className="r hidden lg:table-cell">{ins.price(p.symbol, p.take_profit)}</Td>
              <Td label="liquidation" className="r hidden xl:table-cell text-warn">{ins.price(p.symbol, p.liquidation_price)}</Td>
              <Td label="opened" className="r hidden xl:table-cell"><Ago ms={p.opened_at} now={now} /></Td>
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
      <table className="tbl tbl-stack num" data-testid="round-trips-table">
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
              <Td label="closed (UTC)" title={fmtUtc(t.exit_at, true)}>{fmtUtcShort(t.exit_at)}</Td>
              <Td label="coin" className="font-medium cell-title">{ins.base(t.symbol)}</Td>
              <Td label="side" className="hidden sm:table-cell"><SideBadge side={t.side} /></Td>
              <Td label="size" className="r hidden md:table-cell">{ins.qty(t.symbol, t.quantity)}</Td>
              <Td label="entry" className="r hidden md:table-cell">{ins.price(t.symbol, t.entry_price)}</Td>
              <Td label="exit" className="r hidden md:table-cell">{ins.price(t.symbol, t.exit_price)}</Td>
              <Td label="fees" className="r hidden lg:table-cell text-muted">{formatUsd(t.fees)}</Td>
              <Td label="PnL" className="r"><Signed value={t.pnl} /></Td>
              <Td label="exit reason" className="hidden lg:table-cell text-muted">{t.exit_reason?.replace(/_/g, " ") ?? "—"}</Td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

const ORDER_TONE: Record<string, "up" | "down" | "warn" | "neutral" | "accent"> = { filled: "up", open: "accent", new: "neutral", partially_filled: "accent", triggered: "accent", canceled: "neutral", rejected: "down", expired: "warn" };

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
      <table className="tbl tbl-stack num" data-testid="fills-table">
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
              <Td label="time (UTC)" title={fmtUtc(t.at, true)}>{fmtUtcShort(t.at)}</Td>
              <Td label="coin" className="font-medium cell-title">{ins.base(t.symbol)}</Td>
              <Td label="side"><SideBadge side={t.side} /></Td>
              <Td label="qty" className="r">{ins.qty(t.symbol, t.quantity)}</Td>
              <Td label="price" className="r hidden sm:table-cell">{ins.price(t.symbol, t.price)}</Td>
              <Td label="fee" className="r hidden md:table-cell text-muted">{formatUsd(t.fee)}</Td>
              <Td label="realized PnL" className="r"><Signed value={t.realized_pnl} /></Td>
              <Td label="liquidity" className="hidden lg:table-cell text-muted">{t.is_maker ? "maker" : "taker"}</Td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** A stop-loss or take-profit order type (it has a trigger price). */
export const triggerKind = (type: string): "stop-loss" | "take-profit" | null =>
  /^take_profit/i.test(type) ? "take-profit" : /^stop/i.test(type) ? "stop-loss" : null;

/** "trigger 105,000.0", "limit 1.2345", both for a stop-limit, "market" for a market order. A
 *  stop or take-profit whose trigger the server did not send shows `plan` — the position's own
 *  stop-loss or take-profit, named as such — else says the trigger is not reported (never
 *  "market", which it is not). */
export function orderPrices(o: Pick<Order, "symbol" | "type" | "price" | "stop_price">, ins: Instruments, plan?: { stop_loss?: string | null; take_profit?: string | null }): string {
  const parts: string[] = [];
  const kind = triggerKind(o.type);
  if (o.stop_price) parts.push(`trigger ${ins.price(o.symbol, o.stop_price)}`);
  else if (kind) {
    const p = kind === "stop-loss" ? plan?.stop_loss : plan?.take_profit;
    parts.push(p ? `trigger ${ins.price(o.symbol, p)} (the position's ${kind})` : "trigger not reported");
  }
  if (o.price) parts.push(`limit ${ins.price(o.symbol, o.price)}`);
  return parts.length ? parts.join(" · ") : "market";
}

export function OrdersTable({ rows, ins }: { rows: Order[]; ins: Instruments }) {
  const [open, setOpen] = useState<string | null>(null);
  return (
    <div className="overflow-x-auto">
      <table className="tbl tbl-stack num" data-testid="orders-table">
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
            <th className="r hidden lg:table-cell">avg fill</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((o) => {
            const id = String(o.id);
            const isOpen = open === id;
            return (
              <Fragment key={id}>
                <tr className="cursor-pointer" onClick={() => setOpen(isOpen ? null : id)} aria-expanded={isOpen}>
                  <td className="text-muted cell-actions">{isOpen ? <ChevronDown size={13} /> : <ChevronRight size={13} />}</td>
                  <Td label="created (UTC)" title={fmtUtc(o.created_at, true)}>{fmtUtcShort(o.created_at)}</Td>
                  <Td label="coin" className="font-medium cell-title">{ins.base(o.symbol)}</Td>
                  <Td label="type" className="hidden sm:table-cell text-muted">{o.type.toLowerCase().replace(/_/g, " ")}</Td>
                  <Td label="side" className="hidden sm:table-cell"><SideBadge side={o.side} /></Td>
                  <Td label="qty" className="r">{closesWholePosition(o.quantity) ? <span className="text-muted">whole position</span> : ins.qty(o.symbol, o.quantity)}</Td>
                  <Td label="price / trigger" className="r hidden md:table-cell cell-wide">{orderPrices(o, ins)}</Td>
                  <Td label="flags" className="hidden md:table-cell text-muted text-xs">{o.reduce_only ? "reduce-only" : "—"}</Td>
                  <Td label="status"><Badge tone={ORDER_TONE[o.status.toLowerCase()] ?? "neutral"}>{o.status.toLowerCase().replace(/_/g, " ")}</Badge></Td>
                  <Td label="avg fill" className="r hidden lg:table-cell text-muted">{o.avg_price ? ins.price(o.symbol, o.avg_price) : "—"}</Td>
                </tr>
                {isOpen && (
                  <tr className="row-detail">
                    <td className="cell-hide-stacked" />
                    <td colSpan={9} className="!h-auto py-1.5">
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

/** A close-position stop or take-profit carries no quantity (0): it closes whatever is open. */
export function closesWholePosition(quantity: string): boolean {
  const d = parseDec(quantity);
  return d !== null && signOf(d) === 0;
}
