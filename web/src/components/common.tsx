import * as React from "react";
import { AlertTriangle, ArrowDownRight, ArrowUpRight, Inbox, RefreshCw } from "lucide-react";
import { ApiError } from "@/api/client";
import type { Bot, BotMode, BotStatus } from "@/api/types";
import { formatDec, formatPct, formatUsd, parseDec, signOf, type Dec } from "@/lib/decimal";
import { fmtAgo, fmtUtc, knownTime } from "@/lib/time";
import { cn } from "@/lib/utils";
import { Badge } from "./ui/badge";
import { Button } from "./ui/button";
import { Skeleton } from "./ui/skeleton";
import { Tip } from "./ui/tooltip";

function sgn(v: string | Dec | null | undefined): -1 | 0 | 1 {
  const d = typeof v === "string" ? parseDec(v) : v ?? null;
  return d ? signOf(d) : 0;
}

/** A signed value with colour AND arrow (readable in greyscale). kind: usd | pct | plain. */
export function Signed({ value, kind = "usd", className, arrow = true }: { value: string | Dec | null | undefined; kind?: "usd" | "pct" | "plain"; className?: string; arrow?: boolean }) {
  const s = sgn(value);
  const text = kind === "usd" ? formatUsd(value, true) : kind === "pct" ? formatPct(value, true) : formatDec(value, { sign: true });
  const Icon = s > 0 ? ArrowUpRight : s < 0 ? ArrowDownRight : null;
  return (
    <span className={cn("num inline-flex items-center justify-end gap-0.5", s > 0 ? "text-up" : s < 0 ? "text-down" : "text-muted", className)}>
      {arrow && Icon ? <Icon size={12} aria-hidden className="shrink-0" /> : null}
      {text}
    </span>
  );
}

export function Usd({ value, className }: { value: string | null | undefined; className?: string }) {
  return <span className={cn("num", className)}>{formatUsd(value)}</span>;
}

/** Market time or wall time shown relative, absolute UTC on hover; "—" when the time is unknown. */
export function Ago({ ms, now, className }: { ms: number | null | undefined; now: number; className?: string }) {
  if (!knownTime(ms)) return <span className={cn("num text-muted", className)} title="no time recorded">—</span>;
  return (
    <Tip content={fmtUtc(ms, true) + " UTC"}>
      <span className={cn("num text-muted", className)}>{fmtAgo(ms, now)}</span>
    </Tip>
  );
}

export function StatusBadge({ status, tradingState }: { status: BotStatus; tradingState?: Bot["trading_state"] }) {
  if (status === "running" && tradingState === "halted") return <Badge tone="danger">halted</Badge>;
  if (status === "running" && tradingState === "reducing") return <Badge tone="warn">reducing</Badge>;
  return (
    <Badge tone={status === "running" ? "up" : status === "paused" ? "warn" : "neutral"}>
      <span className={cn("h-1.5 w-1.5 rounded-full", status === "running" ? "bg-up" : status === "paused" ? "bg-warn" : "bg-muted")} aria-hidden />
      {status}
    </Badge>
  );
}

export function ModeBadge({ mode }: { mode: BotMode }) {
  if (mode === "live") return <Badge tone="danger">LIVE · real money</Badge>;
  if (mode === "testnet") return <Badge tone="warn">testnet</Badge>;
  return <Badge>paper</Badge>;
}

/** The model of a bot. The baseline is never shown as a model. */
export function ModelLabel({ bot, className }: { bot: Pick<Bot, "model" | "llm" | "provider" | "baseline">; className?: string }) {
  if (bot.baseline || bot.model === "baseline") return <Badge tone="accent" className={className}>rule-based baseline</Badge>;
  return (
    <span className={cn("text-muted truncate", className)}>
      {bot.llm?.model ?? bot.model ?? "model"}
      {bot.provider ? <span className="text-muted/80"> · {bot.provider}</span> : null}
    </span>
  );
}

export function LoadingRows({ rows = 5, className }: { rows?: number; className?: string }) {
  return (
    <div className={cn("p-3 flex flex-col gap-2", className)} aria-busy="true" aria-label="Loading">
      {Array.from({ length: rows }, (_, i) => <Skeleton key={i} className="h-6 w-full" />)}
    </div>
  );
}

export function Empty({ title, children, icon }: { title: string; children?: React.ReactNode; icon?: React.ReactNode }) {
  return (
    <div className="flex flex-col items-center justify-center text-center gap-2 py-10 px-4">
      <div className="text-muted">{icon ?? <Inbox size={22} />}</div>
      <div className="font-medium">{title}</div>
      {children && <div className="text-muted text-xs max-w-sm">{children}</div>}
    </div>
  );
}

export function ErrorState({ error, retry, compact }: { error: unknown; retry?: () => void; compact?: boolean }) {
  const msg = error instanceof ApiError ? error.message : error instanceof Error ? error.message : "Something went wrong";
  const code = error instanceof ApiError ? `${error.status} ${error.code}` : null;
  return (
    <div role="alert" className={cn("flex items-center gap-3 text-danger", compact ? "px-3 py-2 text-xs" : "p-4")}>
      <AlertTriangle size={16} className="shrink-0" />
      <div className="min-w-0 flex-1">
        <div className="text-fg">{msg}</div>
        {code && <div className="text-xs text-muted num">{code}</div>}
      </div>
      {retry && <Button size="sm" variant="outline" onClick={retry}><RefreshCw size={12} /> Retry</Button>}
    </div>
  );
}

/** Shown over data that is kept while the connection or a refetch failed: never blank the page. */
export function StaleNote({ since, now }: { since: number | null; now: number }) {
  return (
    <Badge tone="warn" title="The connection is down; values may be out of date">
      stale{knownTime(since) ? ` · ${fmtAgo(since, now)}` : ""}
    </Badge>
  );
}

/** Re-render every `ms` to keep relative times fresh. */
export function useNow(ms = 1000): number {
  const [now, setNow] = React.useState(() => Date.now());
  React.useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(t);
  }, [ms]);
  return now;
}

/** Plain-words explanations for the risk engine's and parser's reason codes. */
export const REASON_WORDS: Record<string, string> = {
  cool_down: "cooling down after a losing close on this coin",
  daily_loss_limit: "the daily loss limit is reached",
  drawdown_reducing: "drawdown too deep: only reducing positions",
  halted: "trading is halted by the drawdown limit",
  insufficient_margin: "not enough free margin",
  invalid_quantity: "the size is not a valid quantity for this coin",
  leverage_out_of_range: "leverage above the cap (max 10×)",
  max_open_positions: "too many open positions",
  no_position_to_close: "there is no position to close",
  notional_too_large: "the position would be too large for the account",
  position_already_open: "a position in this coin is already open",
  price_insane: "the price is too far from the market",
  reward_risk_too_low: "reward-to-risk after fees is too low",
  stop_loss_missing: "no stop-loss given",
  stop_beyond_liquidation: "the stop-loss lies beyond the liquidation price",
  stop_loss_wrong_side: "stop-loss on the wrong side of the price",
  take_profit_wrong_side: "take-profit on the wrong side of the price",
  profit_target_wrong_side: "profit target on the wrong side of the price",
  symbol_not_allowed: "this coin is not on the bot's list",
  no_decision_found: "the answer had no decision in the expected format",
};
export const reasonWords = (code: string | null | undefined) => (code ? REASON_WORDS[code] ?? code.replace(/_/g, " ") : "");
