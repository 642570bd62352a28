// Settings: stored credentials (write-only: only the last 4 characters come back) and the theme.
import { useState, type FormEvent } from "react";
import { useQueryClient } from "@tanstack/react-query";
import { KeyRound, Moon, Sun, Trash2 } from "lucide-react";
import { api, ApiError } from "@/api/client";
import { qk, useCredentials } from "@/api/queries";
import { fmtUtc } from "@/lib/time";
import { useTheme } from "@/lib/theme";
import { cn } from "@/lib/utils";
import { ErrorState, LoadingRows } from "@/components/common";
import { Td } from "@/components/tables";
import { Panel } from "@/components/ui/panel";
import { Button } from "@/components/ui/button";
import { Field, Input, Select } from "@/components/ui/input";
import { toast } from "@/components/ui/toast";

export const CREDENTIAL_NAMES = [
  { id: "anthropic", label: "Anthropic" },
  { id: "openai", label: "OpenAI" },
  { id: "deepseek", label: "DeepSeek" },
  { id: "gemini", label: "Google Gemini" },
  { id: "binance-testnet", label: "Binance testnet" },
  { id: "binance", label: "Binance (real money)" },
];

export default function SettingsPage() {
  const creds = useCredentials();
  const qc = useQueryClient();
  const [theme, setTheme] = useTheme();
  const [name, setName] = useState("anthropic");
  const [custom, setCustom] = useState("");
  const [secret, setSecret] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const save = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    const n = name === "custom" ? custom.trim() : name;
    if (!/^[a-z0-9][a-z0-9-]{0,39}$/.test(n)) return setError("Name: lower-case letters, digits and -");
    if (secret.trim().length < 8) return setError("The key must have at least 8 characters");
    setBusy(true);
    try {
      await api(`/credentials/${n}`, { method: "PUT", body: { api_key: secret.trim() } });
      setSecret("");
      qc.invalidateQueries({ queryKey: qk.credentials });
      toast({ title: "Key stored", description: `${n}: only its last 4 characters are shown from now on`, tone: "up" });
    } catch (err) {
      setError(err instanceof ApiError ? err.message : "Cannot reach the server");
    } finally {
      setBusy(false);
    }
  };
  const remove = async (n: string) => {
    try {
      await api(`/credentials/${n}`, { method: "DELETE" });
      qc.invalidateQueries({ queryKey: qk.credentials });
    } catch (err) {
      toast({ title: "Could not delete", description: err instanceof ApiError ? err.message : String(err), tone: "danger" });
    }
  };

  return (
    <div className="grid gap-3 lg:grid-cols-[minmax(0,1fr)_360px] max-w-5xl">
      <Panel title={<><KeyRound size={14} /> Credentials</>} actions={<span className="text-xs text-muted">write-only · encrypted at rest</span>}>
        {creds.isLoading ? <LoadingRows rows={3} /> : creds.error && !creds.data ? <ErrorState error={creds.error} retry={() => creds.refetch()} /> : (
          <table className="tbl tbl-stack num">
            <thead><tr><th>name</th><th>key</th><th className="hidden sm:table-cell">stored (UTC)</th><th className="r"><span className="sr-only">actions</span></th></tr></thead>
            <tbody>
              {(creds.data ?? []).length === 0 && <tr><td colSpan={4} className="cell-title"><span className="text-muted font-normal">No keys stored. LLM bots need their provider's key.</span></td></tr>}
              {(creds.data ?? []).map((c) => (
                <tr key={c.name}>
                  <td className="font-medium cell-title">{CREDENTIAL_NAMES.find((x) => x.id === c.name)?.label ?? c.name}</td>
                  <Td label="key" className="font-mono text-muted">••••••••{c.last4}</Td>
                  <Td label="stored (UTC)" className="hidden sm:table-cell text-muted">{fmtUtc(c.created_at)}</Td>
                  <td className="r cell-actions"><Button size="sm" variant="ghost" aria-label={`Delete ${c.name}`} onClick={() => void remove(c.name)}><Trash2 size={13} /></Button></td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <form onSubmit={save} className="p-3 border-t border-border grid gap-2 sm:grid-cols-[180px_minmax(0,1fr)_auto] items-end" noValidate autoComplete="off">
          <Field label="Provider" htmlFor="cred-name">
            <Select id="cred-name" value={name} onChange={(e) => setName(e.target.value)}>
              {CREDENTIAL_NAMES.map((c) => <option key={c.id} value={c.id}>{c.label}</option>)}
              <option value="custom">OpenAI-compatible (named)…</option>
            </Select>
          </Field>
          {name === "custom" ? (
            <div className="grid grid-cols-2 gap-2">
              <Field label="Name" htmlFor="cred-custom"><Input id="cred-custom" value={custom} onChange={(e) => setCustom(e.target.value)} placeholder="my-endpoint" /></Field>
              <Field label="Key" htmlFor="cred-secret"><Input id="cred-secret" type="password" value={secret} onChange={(e) => setSecret(e.target.value)} autoComplete="new-password" /></Field>
            </div>
          ) : (
            <Field label="Key (never shown again)" htmlFor="cred-secret"><Input id="cred-secret" type="password" value={secret} onChange={(e) => setSecret(e.target.value)} autoComplete="new-password" placeholder="paste the API key" /></Field>
          )}
          <Button type="submit" variant="default" disabled={busy}>Store key</Button>
          {error && <p role="alert" className="text-xs text-danger sm:col-span-3">{error}</p>}
        </form>
      </Panel>
      <Panel title="Theme" bodyClassName="p-3 flex gap-2">
        {(["dark", "light"] as const).map((t) => (
          <button key={t} type="button" aria-pressed={theme === t} onClick={() => setTheme(t)} className={cn("flex-1 h-16 rounded-md border flex items-center justify-center gap-2 cursor-pointer text-[13px]", theme === t ? "border-accent bg-accent/10" : "border-border")}>
            {t === "dark" ? <Moon size={15} /> : <Sun size={15} />} {t === "dark" ? "Dark" : "Light"}
          </button>
        ))}
      </Panel>
    </div>
  );
}
