// Create / edit a bot. Validates before sending (lib/validate), shows the server's 422 on its
// field, hard caps next to each risk parameter, a live prompt preview with its token estimate,
// a clear warning for testnet/live (typed confirmation for live), "Backtest first" and "Dry run".
import { useEffect, useMemo, useState, type FormEvent } from "react";
import { Link, useNavigate, useParams } from "react-router-dom";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { AlertTriangle, FlaskConical, KeyRound, Play, Save } from "lucide-react";
import { ApiError } from "@/api/client";
import { api } from "@/api/client";
import { createBot, previewPrompt, qk, rememberBacktest, startBacktest, updateBot, useBot, useCredentials, usePrompts, useSymbols } from "@/api/queries";
import type { Bot, BotMode, BotModel, BotSpec, Id, LlmSpec, PromptInfo } from "@/api/types";
import { formatDec } from "@/lib/decimal";
import { feedIntervalOf } from "@/lib/instruments";
import { HARD_MAX_LEVERAGE, INTERVALS, minutesOf, validateBot, type Errors } from "@/lib/validate";
import { cn } from "@/lib/utils";
import { ErrorState, LoadingRows } from "@/components/common";
import { DryRunButton, DryRunResult, useDryRun } from "@/components/DryRun";
import { BacktestReport } from "@/components/BacktestReport";
import { Panel } from "@/components/ui/panel";
import { Button } from "@/components/ui/button";
import { Field, Input, Select, Textarea } from "@/components/ui/input";
import { Switch } from "@/components/ui/switch";
import { Badge } from "@/components/ui/badge";
import { toast } from "@/components/ui/toast";

const PROVIDERS = [
  { id: "anthropic", name: "Anthropic", model: "claude-sonnet-4-5" },
  { id: "openai", name: "OpenAI", model: "gpt-5" },
  { id: "deepseek", name: "DeepSeek", model: "deepseek-chat" },
  { id: "gemini", name: "Google Gemini", model: "gemini-2.5-pro" },
];

export const DEFAULT_SPEC: BotSpec = {
  name: "",
  label: "",
  model: "llm",
  llm: { provider: "anthropic", model: "claude-sonnet-4-5" },
  symbols: ["BTC", "ETH", "SOL", "BNB", "XRP", "DOGE"],
  interval: "1h",
  cadence: "1h",
  capital: "10000",
  risk: { max_leverage: 10, max_open_positions: 6, max_notional_to_equity: "3", min_reward_risk: "1.5", daily_loss_limit: "0.05", drawdown_reduce: "0.15", drawdown_halt: "0.25" },
  prompt_version: "aa-v1",
  daily_budget_usd: "20",
  close_on_stop: true,
  mode: "paper",
};

function useDebounced<T>(value: T, ms: number): T {
  const [v, setV] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setV(value), ms);
    return () => clearTimeout(t);
  }, [value, ms]);
  return v;
}

export default function BotFormPage() {
  const { id } = useParams();
  const existing = useBot(id ?? "none", id !== undefined);
  if (id && existing.isLoading) return <LoadingRows rows={10} />;
  if (id && existing.error) return <ErrorState error={existing.error} retry={() => existing.refetch()} />;
  const spec = existing.data?.spec;
  const initial: BotSpec = id && spec ? {
    ...DEFAULT_SPEC, ...spec,
    // the server's default model is the rule-based baseline (engine/config.cpp ParseBot)
    model: (spec.model ?? "baseline") as BotModel,
    mode: (spec.mode ?? existing.data!.mode) as BotMode,
    symbols: (spec.symbols ?? existing.data!.symbols).map((x) => x.toUpperCase().replace(/USDT$/, "")),
    // no interval in the spec: the server runs its default (the feed's interval), filled in below
    // once the feed is known — never a guess of ours
    interval: spec.interval ?? "",
    cadence: spec.cadence ?? spec.interval ?? "",
    capital: spec.capital ?? existing.data!.capital,
    risk: { ...DEFAULT_SPEC.risk, ...spec.risk },
    llm: spec.llm ?? DEFAULT_SPEC.llm,
  } : DEFAULT_SPEC;
  return <BotForm key={id ?? "new"} id={id ?? null} initial={initial} bot={existing.data} />;
}

function BotForm({ id, initial, bot }: { id: Id | null; initial: BotSpec; bot?: Bot }) {
  const [spec, setSpec] = useState<BotSpec>(initial);
  const [errors, setErrors] = useState<Errors>({});
  const [serverError, setServerError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [liveConfirm, setLiveConfirm] = useState("");
  const nav = useNavigate();
  const qc = useQueryClient();
  const symbols = useSymbols();
  const creds = useCredentials();
  const prompts = usePrompts();

  const set = <K extends keyof BotSpec>(k: K, v: BotSpec[K]) => setSpec((s) => ({ ...s, [k]: v }));
  const setRisk = (k: keyof NonNullable<BotSpec["risk"]>, v: string | number | undefined) => setSpec((s) => ({ ...s, risk: { ...s.risk, [k]: v } }));
  const keyStored = spec.model !== "llm" ? undefined : creds.data ? creds.data.some((c) => c.name === spec.llm?.provider) : undefined;

  const body = (): BotSpec => {
    const out: BotSpec = { ...spec, name: spec.name.trim(), label: spec.label?.trim() || undefined };
    if (out.model === "baseline") {
      delete out.llm;
      delete out.daily_budget_usd;
    }
    return out;
  };

  const check = (): boolean => {
    const e = validateBot(body(), { keyStored });
    if (spec.mode === "live" && liveConfirm !== "LIVE") e.mode = 'Type LIVE to confirm real-money trading';
    setErrors(e);
    return Object.keys(e).length === 0;
  };

  const showServer = (err: unknown) => {
    if (err instanceof ApiError && err.field) setErrors((e) => ({ ...e, [err.field!]: err.message }));
    setServerError(err instanceof ApiError ? `${err.message}${err.field ? ` (${err.field})` : ""}` : "Cannot reach the server");
  };

  const save = async (ev: FormEvent) => {
    ev.preventDefault();
    setServerError(null);
    if (!check()) return;
    setBusy(true);
    try {
      const bot = id ? await updateBot(id, body()) : await createBot(body());
      qc.invalidateQueries({ queryKey: qk.bots });
      qc.setQueryData(qk.bot(bot.id), bot);
      toast({ title: id ? "Bot saved" : "Bot created", description: bot.label || bot.name, tone: "up" });
      nav(`/bots/${bot.id}`);
    } catch (err) {
      showServer(err);
    } finally {
      setBusy(false);
    }
  };

  const fieldErr = (k: string) => errors[k] ?? null;
  // the candle intervals the market feed runs (GET /api/market/symbols), else the usual set
  const feedIntervals = useMemo(() => {
    const all = new Set<string>();
    for (const x of symbols.data ?? []) for (const i of x.intervals ?? []) all.add(i);
    const known: string[] = INTERVALS.filter((i) => all.has(i));
    return all.size ? known.concat([...all].filter((i) => !known.includes(i))) : [...INTERVALS] as string[];
  }, [symbols.data]);
  const cadences = INTERVALS.filter((c) => minutesOf(c) >= minutesOf(feedIntervals[0] ?? "1m"));
  const feed = feedIntervalOf(symbols.data);
  useEffect(() => {
    if (id === null && feedIntervals.length && !feedIntervals.includes(spec.interval)) {
      setSpec((s) => ({ ...s, interval: feedIntervals[0], cadence: minutesOf(s.cadence) >= minutesOf(feedIntervals[0]) ? s.cadence : feedIntervals[0] }));
    }
    // an edited bot without an interval: show (and keep) the server's default, the feed's interval
    if (id !== null && !spec.interval && feed) setSpec((s) => ({ ...s, interval: feed, cadence: s.cadence || feed }));
  }, [feedIntervals, id, spec.interval, feed]);
  const leverage = spec.risk?.max_leverage ?? 10;

  return (
    <form onSubmit={save} noValidate className="flex flex-col gap-3 max-w-5xl">
      <div className="flex items-center gap-2">
        <h1 className="text-base font-semibold flex-1">{id ? `Edit ${initial.label || initial.name}` : "New bot"}</h1>
        <Button type="button" variant="ghost" onClick={() => nav(-1)}>Cancel</Button>
        <Button type="submit" variant="default" disabled={busy}><Save size={14} /> {busy ? "Saving…" : id ? "Save" : "Create bot"}</Button>
      </div>
      {serverError && <div role="alert" className="rounded-md border border-danger/50 bg-danger/10 px-3 py-2 text-[13px] text-danger">{serverError}</div>}
      {Object.keys(errors).length > 0 && !serverError && <div role="alert" className="text-xs text-danger">Fix the {Object.keys(errors).length} field{Object.keys(errors).length > 1 ? "s" : ""} marked below.</div>}

      <div className="grid gap-3 lg:grid-cols-2">
        <Panel title="Identity and model" bodyClassName="p-3 grid gap-3 sm:grid-cols-2">
          <Field label="Name (id in logs)" htmlFor="name" error={fieldErr("name")}>
            <Input id="name" value={spec.name} onChange={(e) => set("name", e.target.value)} aria-invalid={!!fieldErr("name")} placeholder="claude-6coins" disabled={!!id} />
          </Field>
          <Field label="Label (shown)" htmlFor="label" error={fieldErr("label")}>
            <Input id="label" value={spec.label ?? ""} onChange={(e) => set("label", e.target.value)} placeholder="Claude Sonnet 4.5" />
          </Field>
          <Field label="Decisions by" htmlFor="model" className="sm:col-span-2">
            <div className="flex flex-col sm:flex-row gap-2" role="radiogroup" id="model">
              {(["llm", "baseline"] as const).map((m) => (
                <label key={m} className={cn("flex-1 flex items-center gap-2 rounded-md border px-3 h-9 cursor-pointer text-[13px]", spec.model === m ? "border-accent bg-accent/10" : "border-border")}>
                  <input type="radio" name="model" checked={spec.model === m} onChange={() => set("model", m)} className="accent-[var(--accent)]" />
                  {m === "llm" ? "Language model" : "Rule-based baseline (no LLM)"}
                </label>
              ))}
            </div>
          </Field>
          {spec.model === "llm" && (
            <>
              <Field label="Provider" htmlFor="provider" error={fieldErr("llm.provider")} hint={
                keyStored === undefined ? "…" : keyStored ? <span className="text-up inline-flex items-center gap-1"><KeyRound size={11} /> key stored</span> : <span className="text-warn inline-flex items-center gap-1"><KeyRound size={11} /> no key stored — <Link to="/settings" className="underline">add one</Link></span>
              }>
                <Select id="provider" value={spec.llm?.provider} onChange={(e) => { const p = PROVIDERS.find((x) => x.id === e.target.value)!; set("llm", { ...spec.llm, provider: p.id as LlmSpec["provider"], model: p.model }); }}>
                  {PROVIDERS.map((p) => <option key={p.id} value={p.id}>{p.name}</option>)}
                </Select>
              </Field>
              <Field label="Model" htmlFor="llm-model" error={fieldErr("llm.model")}>
                <Input id="llm-model" value={spec.llm?.model ?? ""} onChange={(e) => set("llm", { ...spec.llm!, model: e.target.value })} aria-invalid={!!fieldErr("llm.model")} />
              </Field>
              <Field label="Daily LLM budget (USD)" htmlFor="budget" error={fieldErr("daily_budget_usd")} hint="The bot pauses for the day when it is spent">
                <Input id="budget" inputMode="decimal" value={spec.daily_budget_usd ?? ""} onChange={(e) => set("daily_budget_usd", e.target.value)} aria-invalid={!!fieldErr("daily_budget_usd")} className="num" />
              </Field>
            </>
          )}
        </Panel>

        <Panel title="Market and money" bodyClassName="p-3 grid gap-3 sm:grid-cols-2">
          <Field label="Capital (USDT)" htmlFor="capital" error={fieldErr("capital")}>
            <Input id="capital" inputMode="decimal" value={spec.capital} onChange={(e) => set("capital", e.target.value)} aria-invalid={!!fieldErr("capital")} className="num" />
          </Field>
          <div className="grid grid-cols-2 gap-3">
            <Field label="Candles" htmlFor="interval" error={fieldErr("interval")}>
              <Select id="interval" value={spec.interval} onChange={(e) => set("interval", e.target.value)}>{feedIntervals.map((i) => <option key={i}>{i}</option>)}</Select>
            </Field>
            <Field label="Decide every" htmlFor="cadence" error={fieldErr("cadence")}>
              <Select id="cadence" value={spec.cadence} onChange={(e) => set("cadence", e.target.value)} aria-invalid={!!fieldErr("cadence")}>{cadences.map((i) => <option key={i}>{i}</option>)}</Select>
            </Field>
          </div>
          <Field label="Coins" error={fieldErr("symbols")} className="sm:col-span-2">
            <div className="flex flex-wrap gap-1.5" role="group" aria-label="Coins">
              {(symbols.data ?? []).map((s) => {
                const on = spec.symbols.includes(s.base);
                return (
                  <button type="button" key={s.base} aria-pressed={on} onClick={() => set("symbols", on ? spec.symbols.filter((x) => x !== s.base) : [...spec.symbols, s.base])}
                    className={cn("h-7 px-2.5 rounded-md border text-xs font-medium cursor-pointer", on ? "border-accent bg-accent/15 text-fg" : "border-border text-muted")}>
                    {s.base}
                  </button>
                );
              })}
              {symbols.isLoading && <span className="text-xs text-muted">loading…</span>}
            </div>
          </Field>
          <label className="flex items-center gap-2 text-[13px] sm:col-span-2">
            <Switch checked={spec.close_on_stop ?? true} onCheckedChange={(v) => set("close_on_stop", v)} aria-label="Close positions on stop" />
            Close every position when the bot is stopped
          </label>
        </Panel>
      </div>

      <Panel title="Risk limits" actions={<span className="text-xs text-muted">hard caps enforced by the server</span>} bodyClassName="p-3 grid gap-3 sm:grid-cols-2 lg:grid-cols-4">
        <Field label={`Max leverage (hard cap ${HARD_MAX_LEVERAGE}×)`} htmlFor="lev" error={fieldErr("risk.max_leverage")}>
          <div className="flex items-center gap-2">
            <input type="range" min={1} max={HARD_MAX_LEVERAGE} value={Math.min(Math.max(1, leverage || 1), HARD_MAX_LEVERAGE)} onChange={(e) => setRisk("max_leverage", Number(e.target.value))} className="flex-1 accent-[var(--accent)]" aria-label="Max leverage slider" />
            <Input id="lev" inputMode="numeric" value={String(spec.risk?.max_leverage ?? "")} onChange={(e) => setRisk("max_leverage", e.target.value === "" ? undefined : Number(e.target.value))} className="w-14 num" aria-invalid={!!fieldErr("risk.max_leverage")} />
          </div>
        </Field>
        <Field label="Max open positions (1–20)" htmlFor="maxpos" error={fieldErr("risk.max_open_positions")}>
          <Input id="maxpos" inputMode="numeric" value={String(spec.risk?.max_open_positions ?? "")} onChange={(e) => setRisk("max_open_positions", e.target.value === "" ? undefined : Number(e.target.value))} className="num" />
        </Field>
        <Field label="Max notional / equity (≤ 10)" htmlFor="notional" error={fieldErr("risk.max_notional_to_equity")} hint="3 = a position ≤ 3× equity">
          <Input id="notional" inputMode="decimal" value={spec.risk?.max_notional_to_equity ?? ""} onChange={(e) => setRisk("max_notional_to_equity", e.target.value)} className="num" />
        </Field>
        <Field label="Min reward:risk after fees" htmlFor="rr" error={fieldErr("risk.min_reward_risk")}>
          <Input id="rr" inputMode="decimal" value={spec.risk?.min_reward_risk ?? ""} onChange={(e) => setRisk("min_reward_risk", e.target.value)} className="num" />
        </Field>
        <Field label="Daily loss limit (fraction, ≤ 1)" htmlFor="dll" error={fieldErr("risk.daily_loss_limit")} hint="0.05 = 5% of the day's starting equity">
          <Input id="dll" inputMode="decimal" value={spec.risk?.daily_loss_limit ?? ""} onChange={(e) => setRisk("daily_loss_limit", e.target.value)} className="num" />
        </Field>
        <Field label="Reduce-only below peak (≤ 1)" htmlFor="ddr" error={fieldErr("risk.drawdown_reduce")} hint="0.15 = 15% drawdown">
          <Input id="ddr" inputMode="decimal" value={spec.risk?.drawdown_reduce ?? ""} onChange={(e) => setRisk("drawdown_reduce", e.target.value)} className="num" />
        </Field>
        <Field label="Halt below peak (≤ 1)" htmlFor="ddh" error={fieldErr("risk.drawdown_halt")} hint="0.25 = 25% drawdown">
          <Input id="ddh" inputMode="decimal" value={spec.risk?.drawdown_halt ?? ""} onChange={(e) => setRisk("drawdown_halt", e.target.value)} className="num" />
        </Field>
      </Panel>

      {spec.model === "llm" && <PromptSection spec={spec} set={set} prompts={prompts.data ?? []} error={fieldErr("prompt_version")} />}

      <Panel title="Mode" bodyClassName="p-3 flex flex-col gap-3">
        <div className="grid gap-2 sm:grid-cols-3" role="radiogroup" aria-label="Mode">
          {(["paper", "testnet", "live"] as BotMode[]).map((m) => (
            <label key={m} className={cn("rounded-md border px-3 py-2 cursor-pointer", spec.mode === m ? (m === "live" ? "border-danger bg-danger/10" : m === "testnet" ? "border-warn bg-warn/10" : "border-accent bg-accent/10") : "border-border")}>
              <div className="flex items-center gap-2 text-[13px] font-medium">
                <input type="radio" name="mode" checked={spec.mode === m} onChange={() => set("mode", m)} className="accent-[var(--accent)]" />
                {m === "paper" ? "Paper" : m === "testnet" ? "Testnet" : "Live — real money"}
              </div>
              <div className="text-xs text-muted mt-0.5 pl-5">
                {m === "paper" ? "Simulated exchange on the market feed. No money at risk." : m === "testnet" ? "Binance futures testnet: real orders, fake funds." : "Binance futures with your real account."}
              </div>
            </label>
          ))}
        </div>
        {spec.mode === "testnet" && (
          <div role="alert" className="flex gap-2 rounded-md border border-warn/60 bg-warn/10 px-3 py-2 text-[13px]"><AlertTriangle size={16} className="text-warn shrink-0 mt-0.5" />Testnet places real orders on Binance's test venue with your testnet key. Results there do not carry over to paper statistics.</div>
        )}
        {spec.mode === "live" && (
          <div role="alert" className="flex flex-col gap-2 rounded-md border border-danger bg-danger/10 px-3 py-2 text-[13px]">
            <div className="flex gap-2"><AlertTriangle size={16} className="text-danger shrink-0 mt-0.5" /><span><b>Real money.</b> This bot will place orders with your Binance account. The model's decisions can lose the whole capital; the risk limits above are the only guard. The server refuses a promotion to live without enough paper days.</span></div>
            <Field label='Type "LIVE" to confirm' htmlFor="liveconfirm" error={fieldErr("mode")}>
              <Input id="liveconfirm" value={liveConfirm} onChange={(e) => setLiveConfirm(e.target.value)} className="max-w-40" autoComplete="off" />
            </Field>
          </div>
        )}
        {spec.mode !== "live" && fieldErr("mode") && <p role="alert" className="text-xs text-danger">{fieldErr("mode")}</p>}
      </Panel>

      <div className="grid gap-3 lg:grid-cols-2">
        <BacktestFirst spec={body} validate={check} onServerError={showServer} />
        <DryRunPanel id={id} bot={bot} />
      </div>
    </form>
  );
}

function PromptSection({ spec, set, prompts, error }: { spec: BotSpec; set: <K extends keyof BotSpec>(k: K, v: BotSpec[K]) => void; prompts: PromptInfo[]; error: string | null }) {
  const qc = useQueryClient();
  const previewSpec = useDebounced(useMemo(() => ({ name: spec.name || "preview", label: spec.label || undefined, model: spec.model, llm: spec.llm, symbols: spec.symbols, interval: spec.interval, cadence: spec.cadence, capital: spec.capital, prompt_version: spec.prompt_version, mode: spec.mode }), [spec]), 500);
  const preview = useQuery({ queryKey: ["prompt-preview", previewSpec], queryFn: () => previewPrompt(previewSpec), placeholderData: (prev) => prev, retry: false });
  const [tplName, setTplName] = useState("");
  const [tplText, setTplText] = useState("");
  const [tplErr, setTplErr] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const saveTemplate = async () => {
    setTplErr(null);
    if (!/^[a-z0-9][a-z0-9_-]{0,39}$/i.test(tplName)) return setTplErr("Name: 1–40 letters, digits, - or _");
    if (!tplText.trim()) return setTplErr("Write the template first");
    if (tplText.length > 20000) return setTplErr("At most 20,000 characters");
    setSaving(true);
    try {
      const p = await api<PromptInfo>("/prompts", { method: "POST", body: { name: tplName, text: tplText } });
      await qc.invalidateQueries({ queryKey: qk.prompts });
      set("prompt_version", p.id);
      toast({ title: "Template saved", description: p.id, tone: "up" });
    } catch (e) {
      setTplErr(e instanceof ApiError ? e.message : "Cannot reach the server");
    } finally {
      setSaving(false);
    }
  };
  const options = prompts.length ? prompts : [{ id: "aa-v1", kind: "system" as const }];
  return (
    <Panel title="Prompt" bodyClassName="p-3 grid gap-3 lg:grid-cols-2">
      <div className="flex flex-col gap-3">
        <Field label="Prompt (system prompt version or your template)" htmlFor="pv" error={error}>
          <Select id="pv" value={spec.prompt_version} onChange={(e) => set("prompt_version", e.target.value)}>
            {options.map((p) => <option key={p.id} value={p.id}>{p.id}{p.kind === "template" ? " — your template" : " — system prompt"}</option>)}
          </Select>
        </Field>
        <fieldset className="rounded-md border border-border p-2.5 flex flex-col gap-2">
          <legend className="px-1 text-xs font-medium text-muted">New template</legend>
          <Field label="Name" htmlFor="tpl-name"><Input id="tpl-name" value={tplName} onChange={(e) => setTplName(e.target.value)} placeholder="fewer-trades" /></Field>
          <Field label="Text" htmlFor="tpl" error={tplErr} hint="The server keeps the decision schema: a template that breaks it is refused.">
            <Textarea id="tpl" rows={6} value={tplText} onChange={(e) => setTplText(e.target.value)} placeholder="Prefer fewer, higher-conviction trades. Never hold more than 3 positions." />
          </Field>
          <div><Button type="button" size="sm" variant="outline" onClick={() => void saveTemplate()} disabled={saving}>{saving ? "Saving…" : "Save template and use it"}</Button></div>
        </fieldset>
      </div>
      <div className="flex flex-col gap-1 min-w-0">
        <div className="flex items-center justify-between">
          <span className="text-xs font-medium text-muted">Live preview — the exact prompt the bot would send now</span>
          {preview.data && <Badge tone="accent" className="num">≈ {formatDec(String(preview.data.token_estimate))} tokens</Badge>}
        </div>
        {preview.error ? <ErrorState error={preview.error} compact retry={() => preview.refetch()} /> : (
          <pre className={cn("text-[11px] font-mono whitespace-pre-wrap break-words rounded border border-border bg-panel-2 p-2.5 h-80 overflow-auto", preview.isFetching && "opacity-70")} data-testid="prompt-preview">
            {preview.data ? <><span className="text-muted">{"── system ──\n"}</span>{preview.data.system}<span className="text-muted">{"\n\n── user ──\n"}</span>{preview.data.user}</> : "…"}
          </pre>
        )}
      </div>
    </Panel>
  );
}

function isoDay(ms: number) {
  return new Date(ms).toISOString().slice(0, 10);
}

function BacktestFirst({ spec, validate, onServerError }: { spec: () => BotSpec; validate: () => boolean; onServerError: (e: unknown) => void }) {
  const [from, setFrom] = useState("2025-10-17");
  const [to, setTo] = useState("2025-10-20");
  const [estimate, setEstimate] = useState<string | null>(null);
  const [runId, setRunId] = useState<Id | null>(null);
  const [err, setErr] = useState<string | null>(null);
  const run = async (confirm = false) => {
    setErr(null);
    if (!validate()) return;
    const f = Date.parse(from + "T00:00:00Z"), t = Date.parse(to + "T00:00:00Z");
    if (!Number.isFinite(f) || !Number.isFinite(t) || t <= f) return setErr("The end must be after the start");
    try {
      const b = spec();
      const r = await startBacktest({ bot: b, from: f, to: t, ...(confirm ? { confirm_cost: true } : {}) });
      rememberBacktest({ id: r.id, bot_name: `${b.label || b.name} (form)`, from: f, to: t, started_at: Date.now() });
      setEstimate(null);
      setRunId(r.id);
    } catch (e) {
      if (e instanceof ApiError && e.field === "confirm_cost") setEstimate(e.message);
      else if (e instanceof ApiError && e.field) onServerError(e);
      else setErr(e instanceof Error ? e.message : String(e));
    }
  };
  return (
    <Panel title={<><FlaskConical size={14} /> Backtest first</>} bodyClassName="p-3 flex flex-col gap-3">
      <div className="flex flex-wrap items-end gap-2">
        <Field label="From (UTC)" htmlFor="bt-from"><Input id="bt-from" type="date" value={from} max={isoDay(Date.now())} onChange={(e) => setFrom(e.target.value)} className="w-40 num" /></Field>
        <Field label="To (UTC)" htmlFor="bt-to"><Input id="bt-to" type="date" value={to} onChange={(e) => setTo(e.target.value)} className="w-40 num" /></Field>
        <Button type="button" variant="outline" onClick={() => void run()}><FlaskConical size={13} /> Run backtest</Button>
      </div>
      {estimate && (
        <div className="rounded-md border border-warn/60 bg-warn/10 px-3 py-2 text-[13px] flex flex-wrap items-center gap-2">
          <AlertTriangle size={15} className="text-warn" /> <span className="flex-1">{estimate}</span>
          <Button type="button" size="sm" variant="default" onClick={() => void run(true)}>Confirm the cost and run</Button>
        </div>
      )}
      {err && <p role="alert" className="text-xs text-danger">{err}</p>}
      {runId !== null ? <BacktestReport id={runId} /> : <p className="text-xs text-muted">Runs this form's bot (unsaved changes included) over the period on the paper exchange and shows its report here.</p>}
    </Panel>
  );
}

function DryRunPanel({ id, bot }: { id: Id | null; bot?: Bot }) {
  const state = useDryRun(id);
  return (
    <Panel title={<><Play size={14} /> Dry run</>} bodyClassName="p-3 flex flex-col gap-2">
      <div className="flex flex-wrap items-center gap-2">
        <DryRunButton state={state} disabled={id === null} baseline={bot?.baseline} label="Show one real decision" />
        {id === null && <span className="text-xs text-muted">Save the bot first: a dry run uses the stored bot.</span>}
      </div>
      <p className="text-xs text-muted">One real cycle — model call, parse, risk verdicts — that places no order and is stored as a dry run. The saved settings are used, not unsaved changes in this form.</p>
      <DryRunResult state={state} bot={bot} onClose={state.clear} />
    </Panel>
  );
}
