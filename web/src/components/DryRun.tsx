// "Dry run": POST /api/bots/{id}/dry-run runs one real cycle of the stored bot — the model call,
// the parse, the risk verdicts — and places no order; the answer is the stored decision (as an
// item of GET /bots/{id}/decisions, with dry_run: true). Shown as the decision feed shows a
// decision, labelled DRY RUN. A refusal (budget spent, no key, model unreachable, 409 while the
// bot cannot decide) is shown in the same place with the server's message.
import { useState } from "react";
import { useQueryClient } from "@tanstack/react-query";
import { Play, X } from "lucide-react";
import { ApiError } from "@/api/client";
import { dryRun, qk, useHealth } from "@/api/queries";
import type { Bot, DecisionRecord, Id } from "@/api/types";
import { useInstruments } from "@/lib/instruments";
import { DecisionCard } from "./Decision";
import { ErrorState, useNow } from "./common";
import { Button } from "./ui/button";

export interface DryRunState {
  busy: boolean;
  result: DecisionRecord | null;
  error: unknown;
  run: () => Promise<void>;
  clear: () => void;
}

export function useDryRun(id: Id | null): DryRunState {
  const qc = useQueryClient();
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<DecisionRecord | null>(null);
  const [error, setError] = useState<unknown>(null);
  const run = async () => {
    if (id === null || busy) return;
    setBusy(true);
    setError(null);
    setResult(null);
    try {
      const d = await dryRun(id);
      setResult({ ...d, dry_run: true });
      // the server stores it: the feed shows it (marked DRY RUN) from the next read
      qc.invalidateQueries({ queryKey: qk.decisions(id) });
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return { busy, result, error, run, clear: () => { setResult(null); setError(null); } };
}

export function DryRunButton({ state, disabled, baseline, size = "md", label = "Dry run" }: { state: DryRunState; disabled?: boolean; baseline?: boolean; size?: "sm" | "md"; label?: string }) {
  return (
    <Button type="button" variant="outline" size={size} onClick={() => void state.run()} disabled={disabled || state.busy} aria-busy={state.busy || undefined}
      title="One real decision of the saved bot that places no order">
      <Play size={13} /> {state.busy ? (baseline ? "Deciding…" : "Asking the model…") : label}
    </Button>
  );
}

/** The dry run's answer (or its error) in place; nothing before the first run. */
export function DryRunResult({ state, bot, onClose, now: marketNow }: { state: DryRunState; bot?: Bot; onClose?: () => void; now?: number }) {
  const ins = useInstruments();
  const wall = useNow(5000);
  const health = useHealth();
  // the decision's time is market time: "ago" on the market clock (the page's, else the server's)
  const now = marketNow ?? (health.data?.market_time || wall);
  if (!state.result && !state.error && !state.busy) return null;
  return (
    <div className="rounded-md border border-warn/60 bg-warn/5" data-testid="dry-run-result" aria-live="polite">
      <div className="px-3 h-8 flex items-center gap-2 border-b border-warn/30 text-xs">
        <span className="font-semibold text-warn tracking-wide">DRY RUN</span>{" "}
        <span className="text-muted">— no order placed</span>
        <span className="flex-1" />
        {onClose && !state.busy && <Button size="icon" variant="ghost" className="h-6 w-6" onClick={onClose} aria-label="Close the dry run"><X size={13} /></Button>}
      </div>
      {state.busy ? <p className="px-3 py-2 text-xs text-muted">{bot?.baseline ? "The baseline is deciding…" : "Waiting for the model's answer (this is a real, paid call)…"}</p>
        : state.error ? (
          <>
            <ErrorState error={state.error} compact retry={() => void state.run()} />
            {state.error instanceof ApiError && state.error.status === 404 && state.error.message !== "bot not found" && bot
              ? <p className="px-3 pb-2 text-xs text-muted">This server does not run dry runs yet (POST /api/bots/{String(bot.id)}/dry-run is not served).</p> : null}
          </>
        )
        : state.result ? <DecisionCard d={state.result} bot={bot} ins={ins} now={now} showBot={false} /> : null}
    </div>
  );
}
