// One line per bot on one chart, $ or % since start, the BTC buy-and-hold benchmark dashed, 72H/ALL,
// a legend that hides series. Updates in place (series.update) when a point is appended.
import { useEffect, useMemo, useRef, useState } from "react";
import { createChart, LineSeries, LineStyle, type IChartApi, type ISeriesApi, type UTCTimestamp } from "lightweight-charts";
import type { EquityPoint, Id } from "@/api/types";
import { decToPlain, parseDec, percentOf, sub, toChartNumber } from "@/lib/decimal";
import { useTheme } from "@/lib/theme";
import { cn } from "@/lib/utils";
import { chartColors, SERIES_COLORS } from "./theme";

export interface EquitySeries { id: Id | null; name: string; points: EquityPoint[]; benchmark?: boolean }

type Pt = { time: UTCTimestamp; value: number };

function toPoints(points: EquityPoint[], mode: "usd" | "pct", from: number): Pt[] {
  const inRange = points.filter((p) => p.at >= from);
  const base = parseDec(inRange[0]?.equity ?? null);
  const out: Pt[] = [];
  let lastT = -1;
  for (const p of inRange) {
    const t = Math.floor(p.at / 1000);
    if (t <= lastT) continue; // lightweight-charts needs strictly increasing times
    lastT = t;
    let v: number;
    if (mode === "usd") v = toChartNumber(p.equity);
    else {
      const e = parseDec(p.equity);
      const pct = e && base ? percentOf(sub(e, base), base) : null;
      v = pct ? toChartNumber(decToPlain(pct)) : NaN;
    }
    if (Number.isFinite(v)) out.push({ time: t as UTCTimestamp, value: v });
  }
  return out;
}

export default function EquityChart({ series, height = 300, className }: { series: EquitySeries[]; height?: number; className?: string }) {
  const el = useRef<HTMLDivElement>(null);
  const chart = useRef<IChartApi | null>(null);
  const lines = useRef(new Map<string, { s: ISeriesApi<"Line">; n: number; first: number }>());
  const [mode, setMode] = useState<"usd" | "pct">("usd");
  const [range, setRange] = useState<"72H" | "ALL">("ALL");
  const [hidden, setHidden] = useState<Set<string>>(new Set());
  const [theme] = useTheme();

  const latest = useMemo(() => Math.max(0, ...series.map((s) => s.points.at(-1)?.at ?? 0)), [series]);
  const from = range === "ALL" ? 0 : latest - 72 * 3600_000;
  const colorOf = (i: number, s: EquitySeries) => (s.benchmark ? "#8f9bb3" : SERIES_COLORS[i % SERIES_COLORS.length]);

  useEffect(() => {
    if (!el.current) return;
    const c = chartColors();
    const ch = createChart(el.current, {
      autoSize: true,
      layout: { background: { color: "transparent" }, textColor: c.fg, fontSize: 11, attributionLogo: false },
      grid: { vertLines: { color: c.grid }, horzLines: { color: c.grid } },
      rightPriceScale: { borderColor: c.grid },
      // a long curve must fit a phone's width: allow bars much narrower than the default 0.5 px
      timeScale: { borderColor: c.grid, timeVisible: true, minBarSpacing: 0.01 },
      crosshair: { mode: 0 },
    });
    chart.current = ch;
    const map = lines.current;
    return () => {
      ch.remove();
      chart.current = null;
      map.clear();
    };
  }, []);

  useEffect(() => {
    const c = chartColors();
    chart.current?.applyOptions({ layout: { textColor: c.fg }, grid: { vertLines: { color: c.grid }, horzLines: { color: c.grid } } });
  }, [theme]);

  // mode or range change: rebuild data of every series
  useEffect(() => {
    for (const l of lines.current.values()) l.n = -1;
  }, [mode, range]);

  useEffect(() => {
    const ch = chart.current;
    if (!ch) return;
    const seen = new Set<string>();
    series.forEach((s, i) => {
      const key = String(s.id ?? "benchmark");
      seen.add(key);
      let l = lines.current.get(key);
      if (!l) {
        const api = ch.addSeries(LineSeries, {
          color: colorOf(i, s),
          lineWidth: s.benchmark ? 1 : 2,
          lineStyle: s.benchmark ? LineStyle.Dashed : LineStyle.Solid,
          priceLineVisible: false,
          lastValueVisible: !s.benchmark,
          title: "",
          priceFormat: mode === "usd" ? { type: "price", precision: 0, minMove: 1 } : { type: "price", precision: 2, minMove: 0.01 },
        });
        l = { s: api, n: -1, first: -1 };
        lines.current.set(key, l);
      }
      l.s.applyOptions({ visible: !hidden.has(key), priceFormat: mode === "usd" ? { type: "price", precision: 0, minMove: 1 } : { type: "price", precision: 2, minMove: 0.01 } });
      const pts = toPoints(s.points, mode, from);
      const first = pts[0]?.time ?? -1;
      if (l.n >= 0 && pts.length === l.n + 1 && first === l.first && mode === "usd") l.s.update(pts[pts.length - 1]);
      else if (pts.length !== l.n || first !== l.first) l.s.setData(pts);
      l.n = pts.length;
      l.first = first;
    });
    for (const [k, l] of lines.current) if (!seen.has(k)) { ch.removeSeries(l.s); lines.current.delete(k); }
  }, [series, mode, from, hidden]);

  useEffect(() => {
    chart.current?.timeScale().fitContent();
  }, [range, mode, series.length]);

  return (
    <div className={cn("flex flex-col", className)}>
      <div className="flex flex-wrap items-center gap-x-3 gap-y-1 px-3 py-2">
        <div className="flex flex-wrap items-center gap-x-3 gap-y-1 flex-1 min-w-0">
          {series.map((s, i) => {
            const key = String(s.id ?? "benchmark");
            const off = hidden.has(key);
            return (
              <button key={key} type="button" aria-pressed={!off} onClick={() => setHidden((h) => { const n = new Set(h); if (n.has(key)) n.delete(key); else n.add(key); return n; })}
                className={cn("inline-flex items-center gap-1.5 text-xs cursor-pointer", off ? "text-muted/60 line-through" : "text-fg")}>
                <span className="inline-block w-3 h-0.5" style={{ background: colorOf(i, s), borderTop: s.benchmark ? "1px dashed" : undefined }} />
                {s.name}
              </button>
            );
          })}
        </div>
        <div className="flex items-center gap-1">
          <Toggle options={["usd", "pct"] as const} labels={{ usd: "$", pct: "%" }} value={mode} onChange={setMode} label="Units" />
          <Toggle options={["72H", "ALL"] as const} value={range} onChange={setRange} label="Range" />
        </div>
      </div>
      <div ref={el} style={{ height }} className="w-full" data-testid="equity-chart" />
    </div>
  );
}

function Toggle<T extends string>({ options, value, onChange, labels, label }: { options: readonly T[]; value: T; onChange: (v: T) => void; labels?: Partial<Record<T, string>>; label: string }) {
  return (
    <div role="group" aria-label={label} className="inline-flex rounded-md border border-border p-0.5 bg-panel-2">
      {options.map((o) => (
        <button key={o} type="button" aria-pressed={o === value} onClick={() => onChange(o)}
          className={cn("h-6 px-2 rounded text-xs font-medium cursor-pointer", o === value ? "bg-panel text-fg shadow-sm" : "text-muted")}>
          {labels?.[o] ?? o}
        </button>
      ))}
    </div>
  );
}
