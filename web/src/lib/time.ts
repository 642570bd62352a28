// Time display. Market time (replay) and the wall clock are different things: callers say which.
// A time that is absent, 0 or not a finite number is unknown and shows as "—" everywhere (the
// server and normalizers use 0 for "no time": printing it would say "1970-01-01" or "20379 d ago").
const pad = (n: number) => String(n).padStart(2, "0");

/** A usable timestamp: a finite number of ms after the epoch. */
export function knownTime(ms: number | null | undefined): ms is number {
  return typeof ms === "number" && Number.isFinite(ms) && ms > 0;
}

export function fmtUtc(ms: number | null | undefined, seconds = false): string {
  if (!knownTime(ms)) return "—";
  const d = new Date(ms);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}${seconds ? ":" + pad(d.getUTCSeconds()) : ""}`;
}
export function fmtUtcShort(ms: number | null | undefined): string {
  if (!knownTime(ms)) return "—";
  const d = new Date(ms);
  return `${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
}
/** "12 s ago", "5 min ago", "3 h ago", "2 d ago" relative to `now` (same clock as `ms`); "—" when
 *  either time is unknown. */
export function fmtAgo(ms: number | null | undefined, now: number): string {
  if (!knownTime(ms) || !knownTime(now)) return "—";
  const s = Math.max(0, Math.round((now - ms) / 1000));
  if (s < 60) return `${s} s ago`;
  const m = Math.round(s / 60);
  if (m < 60) return `${m} min ago`;
  const h = Math.round(m / 60);
  if (h < 48) return `${h} h ago`;
  return `${Math.round(h / 24)} d ago`;
}
export function fmtDuration(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  return `${(ms / 1000).toFixed(1)} s`;
}
