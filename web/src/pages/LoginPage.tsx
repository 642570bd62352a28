import { useState, useSyncExternalStore, type FormEvent } from "react";
import { Link, Navigate, useLocation, useNavigate } from "react-router-dom";
import { ApiError, api, login, session } from "@/api/client";
import type { RegisterResponse } from "@/api/types";
import { Button } from "@/components/ui/button";
import { Field, Input } from "@/components/ui/input";
import { validateCredentials, type Errors } from "@/lib/validate";

export default function LoginPage({ register = false }: { register?: boolean }) {
  const s = useSyncExternalStore(session.subscribe, session.snapshot);
  const nav = useNavigate();
  const loc = useLocation();
  const [email, setEmail] = useState(s.email ?? "");
  const [password, setPassword] = useState("");
  const [errors, setErrors] = useState<Errors>({});
  const [serverError, setServerError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [created, setCreated] = useState(false);
  if (s.status === "authenticated") return <Navigate to={(loc.state as { from?: string } | null)?.from ?? "/"} replace />;

  const submit = async (ev: FormEvent) => {
    ev.preventDefault();
    setServerError(null);
    const e = validateCredentials(email, password, register);
    setErrors(e);
    if (Object.keys(e).length) return;
    setBusy(true);
    try {
      if (register) {
        await api<RegisterResponse>("/auth/register", { method: "POST", body: { email: email.trim(), password }, auth: false });
        setCreated(true);
      }
      await login(email.trim(), password);
      nav("/", { replace: true });
    } catch (err) {
      if (err instanceof ApiError) {
        if (err.field) setErrors({ [err.field]: err.message });
        else setServerError(err.status === 429 ? `${err.message}${err.retryAfter ? ` — try again in ${err.retryAfter} s` : ""}` : err.message);
      } else setServerError("Cannot reach the server");
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="min-h-full flex items-center justify-center p-4">
      <div className="w-full max-w-sm">
        <div className="flex items-center gap-2 mb-6 justify-center">
          <img src="/favicon.svg" alt="" className="h-7 w-7" />
          <span className="text-lg font-semibold">aitrader</span>
        </div>
        <form onSubmit={submit} noValidate className="rounded-lg border border-border bg-panel p-5 flex flex-col gap-3.5">
          <h1 className="text-base font-semibold">{register ? "Create an account" : "Log in"}</h1>
          <Field label="Email" htmlFor="email" error={errors.email}>
            <Input id="email" type="email" autoComplete="email" value={email} onChange={(e) => setEmail(e.target.value)} aria-invalid={!!errors.email} autoFocus />
          </Field>
          <Field label="Password" htmlFor="password" error={errors.password} hint={register ? "At least 10 characters" : undefined}>
            <Input id="password" type="password" autoComplete={register ? "new-password" : "current-password"} value={password} onChange={(e) => setPassword(e.target.value)} aria-invalid={!!errors.password} />
          </Field>
          {serverError && <p role="alert" className="text-xs text-danger">{serverError}</p>}
          {created && !serverError && <p className="text-xs text-up">Account created; logging in…</p>}
          <Button type="submit" variant="default" size="lg" disabled={busy}>{busy ? "…" : register ? "Create account" : "Log in"}</Button>
          <p className="text-xs text-muted text-center">
            {register ? <>Have an account? <Link className="text-accent" to="/login">Log in</Link></> : <>New here? <Link className="text-accent" to="/register">Create an account</Link></>}
          </p>
        </form>
      </div>
    </div>
  );
}
