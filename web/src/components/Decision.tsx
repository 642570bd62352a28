// One decision of the "model chat": bot and model, time, reasoning (collapsed after 3 lines), the
// parsed signal per coin, the risk verdicts in plain words, tokens, cost, latency; the full prompt
// and raw answer in a side panel with copy buttons.
import { useState } from "react";
import { useQuery } from "@tanstack/react-query";
import { Check, Copy, FileText, ShieldCheck, ShieldX } from "lucide-react";
import { api } from "@/api/client";
import type { Bot, DecisionRecord, Page, ParsedDecision } from "@/api/types";
import { formatDec, formatUsd } from "@/lib/decimal";
import type { Instruments } from "@/lib/instruments";
import { fmtDuration, fmtUtc } from "@/lib/time";
import { cn } from "@/lib/utils";
import { Ago, ErrorState, LoadingRows, ModelLabel, reasonWords } from "./common";
import { Badge } from "./ui/badge";
import { Button } from "./ui/button";
import { Dialog, DialogContent, DialogTrigger } from "./ui/dialog";

const SIGNAL: Record<string, { text: string; tone: "up" | "down" | "neutral" | "warn" }> = {
  buy_to_enter: { text: "LONG", tone: "up" },
  sell_to_enter: { text: "SHORT", tone: "down" },
  hold: { text: "HOLD", tone: "neutral" },
  close_position: { text: "CLOSE", tone: "warn" },
};

export function SignalBadge({ d }: { d: ParsedDecision }) {
  const s = d.signal ? SIGNAL[d.signal] : undefined;
  return <Badge tone={s?.tone ?? "neutral"}>{s?.text ?? "unreadable"}</Badge>;
}

/** The cycle outcomes where the model gave no usable answer (engine/bot.cpp), in plain words:
 *  every coin was held. */
export const OUTCOME_WORDS: Record<string, string> = {
  budget_exhausted: "the daily LLM budget is spent: no model call, every coin held",
  llm_error: "the model call failed: every coin held",
  parse_failed: "the answer could not be read as decisions: every coin held",
  truncated: "the answer was cut off (token limit): every coin held",
};

export function DecisionCard({ d, bot, ins, now, showBot = true }: { d: DecisionRecord; bot?: Bot; ins: Instruments; now: number; showBot?: boolean }) {
  const [open, setOpen] = useState(false);
  const long = d.reasoning && d.reasoning.length > 220;
  const verdictFor = (coin: string) => d.verdicts?.find((v) => v.coin === coin && v.kind !== "none");
  const baseline = !!bot?.baseline || bot?.model === "baseline";
  return (
    <article className="slidein border-b border-border px-3 py-2.5 last:border-b-0" data-testid="decision">
      <header className="flex items-center gap-2 min-w-0 text-xs">
        {showBot && <span className="font-semibold text-[13px] truncate">{bot?.label || bot?.name || `bot ${d.bot_id}`}</span>}
        {bot && <ModelLabel bot={bot} className="text-xs" />}
        {d.dry_run && <Badge tone="warn" title="a dry run: the decision was made and checked, no order was placed">DRY RUN · no order placed</Badge>}
        <span className="flex-1" />
        <Ago ms={d.at} now={now} className="text-xs shrink-0" />
      </header>
      {(d.error || (d.outcome && OUTCOME_WORDS[d.outcome])) && (
        <p role="note" className="mt-1.5 text-xs text-danger flex gap-1" data-testid="decision-error">
          <ShieldX size={12} className="mt-0.5 shrink-0" />
          <span>{d.outcome && OUTCOME_WORDS[d.outcome] ? OUTCOME_WORDS[d.outcome] : "error"}{d.error ? <span className="text-muted"> — {d.error}</span> : null}</span>
        </p>
      )}
      {d.reasoning && (
        <div className="mt-1.5">
          <p className={cn("text-[13px] leading-5 whitespace-pre-wrap", !open && "clamp-3")}>{d.reasoning}</p>
          {long && (
            <button className="text-xs text-accent mt-0.5 cursor-pointer" onClick={() => setOpen((o) => !o)} aria-expanded={open}>
              {open ? "Show less" : "Show more"}
            </button>
          )}
        </div>
      )}
      {d.decisions?.length > 0 && (
        <div className="mt-2 overflow-x-auto">
          {/* at phone width each coin is two lines: coin, signal, size, risk, then leverage, stop,
              target and confidence, labelled (index.css .sig-stack) — no field is dropped */}
          <table className="w-full text-xs num sig-stack" data-testid="signals">
            <thead className="text-muted">
              <tr>
                <th className="text-left font-medium pr-2 py-0.5">coin</th>
                <th className="text-left font-medium pr-2">signal</th>
                <th className="text-right font-medium pr-2">size</th>
                <th className="text-right font-medium pr-2">lev.</th>
                <th className="text-right font-medium pr-2">stop</th>
                <th className="text-right font-medium pr-2">target</th>
                <th className="text-right font-medium pr-2">conf.</th>
                <th className="text-right font-medium">risk</th>
              </tr>
            </thead>
            <tbody>
              {d.decisions.map((x, i) => {
                const v = verdictFor(x.coin);
                const entry = x.signal === "buy_to_enter" || x.signal === "sell_to_enter";
                return (
                  <tr key={x.coin + i} className={cn("align-top", !x.leverage && !x.stop_loss && !x.profit_target && x.confidence == null && "sig-bare")}>
                    <td className="pr-2 py-0.5 font-medium sig-coin">{x.coin}</td>
                    <td className="pr-2 sig-signal"><SignalBadge d={x} /></td>
                    <td className="pr-2 text-right sig-size" data-label="size">{ins.qty(x.coin, x.quantity ?? null)}</td>
                    <td className="pr-2 text-right sig-extra" data-label="lev.">{x.leverage ? `${x.leverage}×` : "—"}</td>
                    <td className="pr-2 text-right sig-extra" data-label="stop">{ins.price(x.coin, x.stop_loss ?? null)}</td>
                    <td className="pr-2 text-right sig-extra" data-label="target">{ins.price(x.coin, x.profit_target ?? null)}</td>
                    <td className="pr-2 text-right sig-extra" data-label="conf.">{x.confidence != null ? `${Math.round(x.confidence * 100)}%` : "—"}</td>
                    <td className="text-right whitespace-nowrap sig-risk">
                      {v ? (v.accepted ? <span className="inline-flex items-center gap-0.5 text-up" title={d.dry_run ? "accepted by the risk engine; a dry run places no order" : "accepted by the risk engine"}><ShieldCheck size={12} /> {d.dry_run ? "would pass" : "ok"}</span>
                        : <span className="inline-flex items-center gap-0.5 text-down" title={reasonWords(v.reason)}><ShieldX size={12} /> denied</span>)
                        : <span className="text-muted">{entry ? "—" : "no order"}</span>}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      {d.verdicts?.some((v) => !v.accepted && v.kind !== "none") && (
        <ul className="mt-1 text-xs text-down flex flex-col gap-0.5">
          {d.verdicts.filter((v) => !v.accepted && v.kind !== "none").map((v) => (
            <li key={v.coin} className="flex gap-1" title={v.message ?? undefined}><ShieldX size={12} className="mt-0.5 shrink-0" /><span><b>{v.coin}</b> denied: {v.reason ? reasonWords(v.reason) : v.message ?? "no reason given"}{v.reason ? <span className="text-muted"> ({v.reason})</span> : null}</span></li>
          ))}
        </ul>
      )}
      {d.issues && d.issues.length > 0 && (
        <ul className="mt-1 text-xs text-warn">
          {d.issues.map((i, k) => <li key={k}>⚠ {reasonWords(i.reason)}{i.message ? ` — ${i.message}` : ""}</li>)}
        </ul>
      )}
      <footer className="mt-1.5 flex flex-wrap items-center gap-x-3 gap-y-1 text-xs text-muted num [&>span]:whitespace-nowrap">
        {baseline ? <span>no model call</span> : (
          <>
            <span title="input / output tokens">{formatDec(String(d.input_tokens ?? 0))} in · {formatDec(String(d.output_tokens ?? 0))} out</span>
            <span title="LLM cost">{formatDec(d.cost_usd, { decimals: 4, prefix: "$" })}</span>
            <span title="latency">{fmtDuration(d.latency_ms ?? 0)}</span>
          </>
        )}
        <span className="flex-1" />
        <PromptPanel d={d} bot={bot} />
      </footer>
    </article>
  );
}

function CopyButton({ text }: { text: string }) {
  const [done, setDone] = useState(false);
  return (
    <Button size="sm" variant="outline" onClick={() => void navigator.clipboard?.writeText(text).then(() => { setDone(true); setTimeout(() => setDone(false), 1500); })}>
      {done ? <Check size={12} /> : <Copy size={12} />} {done ? "Copied" : "Copy"}
    </Button>
  );
}

function PromptPanel({ d, bot }: { d: DecisionRecord; bot?: Bot }) {
  const [open, setOpen] = useState(false);
  return (
    <Dialog open={open} onOpenChange={setOpen}>
      <DialogTrigger asChild>
        <Button size="sm" variant="ghost" className="h-6 text-xs"><FileText size={12} /> Prompt &amp; answer</Button>
      </DialogTrigger>
      {open && (
        <DialogContent side="right" title={`${bot?.label || bot?.name || "bot " + d.bot_id} · decision`} description={`${fmtUtc(d.at, true)} UTC (market time)`}>
          <PromptBody d={d} baseline={!!bot?.baseline || bot?.model === "baseline"} />
        </DialogContent>
      )}
    </Dialog>
  );
}

function PromptBody({ d, baseline }: { d: DecisionRecord; baseline: boolean }) {
  const q = useQuery({
    queryKey: ["decision-prompt", String(d.bot_id), String(d.id)],
    enabled: !d.prompt,
    queryFn: () => api<Page<DecisionRecord>>(`/bots/${d.bot_id}/decisions`, { query: { include: "prompt", limit: 100 } }).then((p) => p.items.find((x) => String(x.id) === String(d.id)) ?? null),
  });
  const full = d.prompt ? d : q.data;
  return (
    <div className="flex flex-col gap-4">
      <section>
        <div className="flex items-center justify-between mb-1.5">
          <h3 className="text-xs font-semibold text-muted uppercase tracking-wide">Prompt</h3>
          {full?.prompt && <CopyButton text={full.prompt} />}
        </div>
        {q.isLoading ? <LoadingRows rows={6} /> : q.error ? <ErrorState error={q.error} retry={() => q.refetch()} compact /> : (
          <pre className="text-xs font-mono whitespace-pre-wrap break-words rounded border border-border bg-panel-2 p-3 max-h-[50vh] overflow-auto">{full?.prompt || (baseline ? "The rule-based baseline sends no prompt: it decides from the indicators by fixed rules." : "The server did not return the prompt for this decision.")}</pre>
        )}
      </section>
      <section>
        <div className="flex items-center justify-between mb-1.5">
          <h3 className="text-xs font-semibold text-muted uppercase tracking-wide">Raw answer</h3>
          {d.raw_answer && <CopyButton text={d.raw_answer} />}
        </div>
        <pre className="text-xs font-mono whitespace-pre-wrap break-words rounded border border-border bg-panel-2 p-3 max-h-[40vh] overflow-auto">{d.raw_answer ?? (full?.raw_answer || "—")}</pre>
      </section>
      <div className="text-xs text-muted num">{formatDec(String(d.input_tokens ?? 0))} input tokens · {formatDec(String(d.output_tokens ?? 0))} output tokens · {formatUsd(d.cost_usd)} · {fmtDuration(d.latency_ms ?? 0)}</div>
    </div>
  );
}
