import { useSyncExternalStore } from "react";

export type Theme = "dark" | "light";
const KEY = "aitrader.theme";
const ls = new Set<() => void>();

function current(): Theme {
  return document.documentElement.classList.contains("dark") ? "dark" : "light";
}
export function setTheme(t: Theme) {
  document.documentElement.classList.toggle("dark", t === "dark");
  try {
    localStorage.setItem(KEY, t);
  } catch {
    /* private mode */
  }
  ls.forEach((l) => l());
}
export function useTheme(): [Theme, (t: Theme) => void] {
  const t = useSyncExternalStore((l) => (ls.add(l), () => ls.delete(l)), current);
  return [t, setTheme];
}
