// Chart colours come from the same CSS variables as the rest of the app (one up/down pair).
export function cssVar(name: string, fallback: string): string {
  if (typeof document === "undefined") return fallback;
  const v = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  return v || fallback;
}
export function chartColors() {
  return {
    bg: cssVar("--panel", "#12161d"),
    fg: cssVar("--muted", "#97a1b0"),
    grid: cssVar("--border", "#262d38"),
    up: cssVar("--up", "#2ebd6f"),
    down: cssVar("--down", "#f0616d"),
    warn: cssVar("--warn", "#e0a53a"),
    accent: cssVar("--accent", "#4f8cff"),
  };
}
export const SERIES_COLORS = ["#4f8cff", "#e0a53a", "#b67cff", "#2fc4c4", "#ff7ab6", "#9bd34d", "#ff9f43", "#8f9bb3"];
