// Toasts for fills, stops hit, risk halts and alerts. A tiny store; the Alerts page keeps the list.
import { useSyncExternalStore } from "react";
import { X } from "lucide-react";
import { cn } from "@/lib/utils";

export interface Toast { id: number; title: string; description?: string; tone?: "info" | "up" | "down" | "warn" | "danger" }
let toasts: Toast[] = [];
let nextId = 1;
const listeners = new Set<() => void>();
const emit = () => listeners.forEach((l) => l());

export function toast(t: Omit<Toast, "id">, ttlMs = 6000) {
  const id = nextId++;
  toasts = [{ ...t, id }, ...toasts].slice(0, 5);
  emit();
  if (ttlMs > 0) setTimeout(() => dismiss(id), ttlMs);
  return id;
}
export function dismiss(id: number) {
  toasts = toasts.filter((t) => t.id !== id);
  emit();
}

const bar: Record<NonNullable<Toast["tone"]>, string> = { info: "bg-accent", up: "bg-up", down: "bg-down", warn: "bg-warn", danger: "bg-danger" };

export function Toaster() {
  const list = useSyncExternalStore((l) => (listeners.add(l), () => listeners.delete(l)), () => toasts);
  return (
    <div aria-live="polite" className="fixed z-[60] bottom-3 right-3 left-3 sm:left-auto sm:w-80 flex flex-col gap-2 pointer-events-none">
      {list.map((t) => (
        <div key={t.id} role="status" className="slidein pointer-events-auto relative overflow-hidden rounded-md border border-border bg-panel shadow-xl pl-3.5 pr-8 py-2">
          <span className={cn("absolute left-0 top-0 bottom-0 w-1", bar[t.tone ?? "info"])} />
          <div className="text-[13px] font-medium">{t.title}</div>
          {t.description && <div className="text-xs text-muted num">{t.description}</div>}
          <button className="absolute right-1.5 top-1.5 p-1 rounded hover:bg-panel-2" aria-label="Dismiss" onClick={() => dismiss(t.id)}><X size={14} /></button>
        </div>
      ))}
    </div>
  );
}
