// Candles for one coin with the bot's entries and exits as markers, and stop-loss, take-profit,
// liquidation and entry price lines. Crosshair OHLC readout. Updates in place from new candles.
import { useEffect, useRef, useState } from "react";
import {
  CandlestickSeries, createChart, createSeriesMarkers, LineStyle, type IChartApi, type IPriceLine, type ISeriesApi,
  type ISeriesMarkersPluginApi, type SeriesMarker, type Time, type UTCTimestamp,
} from "lightweight-charts";
import type { Candle, Fill, Position } from "@/api/types";
import { parseDec } from "@/lib/decimal";
import { formatDec, stepDecimals, toChartNumber } from "@/lib/decimal";
import { useTheme } from "@/lib/theme";
import { chartColors } from "./theme";

interface Props {
  candles: Candle[];
  tick: string;
  step: string;
  fills: Fill[];
  position?: Position;
  height?: number;
}

type Bar = { time: UTCTimestamp; open: number; high: number; low: number; close: number };

export default function CandleChart({ candles, tick, step, fills, position, height = 360 }: Props) {
  const el = useRef<HTMLDivElement>(null);
  const chart = useRef<IChartApi | null>(null);
  const series = useRef<ISeriesApi<"Candlestick"> | null>(null);
  const markers = useRef<ISeriesMarkersPluginApi<Time> | null>(null);
  const lines = useRef<IPriceLine[]>([]);
  const loaded = useRef<{ n: number; last: number }>({ n: 0, last: -1 });
  const raw = useRef<Candle[]>([]);
  const [ohlc, setOhlc] = useState<Candle | null>(null);
  const [theme] = useTheme();

  useEffect(() => {
    if (!el.current) return;
    const c = chartColors();
    const ch = createChart(el.current, {
      autoSize: true,
      layout: { background: { color: "transparent" }, textColor: c.fg, fontSize: 11, attributionLogo: false },
      grid: { vertLines: { color: c.grid }, horzLines: { color: c.grid } },
      rightPriceScale: { borderColor: c.grid },
      timeScale: { borderColor: c.grid, timeVisible: true, secondsVisible: false },
    });
    const s = ch.addSeries(CandlestickSeries, {
      upColor: c.up, downColor: c.down, borderUpColor: c.up, borderDownColor: c.down, wickUpColor: c.up, wickDownColor: c.down,
    });
    chart.current = ch;
    series.current = s;
    markers.current = createSeriesMarkers(s, []);
    ch.subscribeCrosshairMove((p) => {
      if (!p.time) return setOhlc(null);
      const t = (p.time as number) * 1000;
      setOhlc(raw.current.find((k) => k.open_time === t) ?? null);
    });
    return () => {
      ch.remove();
      chart.current = null;
      series.current = null;
      loaded.current = { n: 0, last: -1 };
      lines.current = [];
    };
  }, []);

  useEffect(() => {
    const c = chartColors();
    chart.current?.applyOptions({ layout: { textColor: c.fg }, grid: { vertLines: { color: c.grid }, horzLines: { color: c.grid } } });
    series.current?.applyOptions({ upColor: c.up, downColor: c.down, borderUpColor: c.up, borderDownColor: c.down, wickUpColor: c.up, wickDownColor: c.down });
  }, [theme]);

  useEffect(() => {
    const dec = stepDecimals(tick);
    series.current?.applyOptions({ priceFormat: { type: "price", precision: dec, minMove: Number(tick) || 10 ** -dec } });
  }, [tick]);

  useEffect(() => {
    const s = series.current;
    if (!s) return;
    raw.current = candles;
    const bars: Bar[] = candles.map((k) => ({ time: Math.floor(k.open_time / 1000) as UTCTimestamp, open: toChartNumber(k.open), high: toChartNumber(k.high), low: toChartNumber(k.low), close: toChartNumber(k.close) }));
    const last = bars.at(-1)?.time ?? -1;
    const prev = loaded.current;
    const first = loaded.current.n === 0;
    if (!first && bars.length > 0 && (last === prev.last || bars.length - prev.n <= 2) && last >= prev.last) {
      // in place: the last bar changed or one/two bars were appended
      for (const b of bars.slice(-Math.max(1, bars.length - prev.n + 1))) if (b.time >= prev.last) s.update(b);
    } else s.setData(bars);
    loaded.current = { n: bars.length, last };
    if (first && bars.length) chart.current?.timeScale().fitContent();
  }, [candles]);

  useEffect(() => {
    const c = chartColors();
    const first = candles[0]?.open_time ?? 0;
    const ms: SeriesMarker<Time>[] = [];
    for (const t of fills) {
      if (t.at < first) continue;
      const buy = t.side.toLowerCase() === "buy" || t.side.toLowerCase() === "long";
      const pnl = parseDec(t.realized_pnl);
      const exit = !!pnl && pnl.v !== 0n;
      ms.push({
        time: Math.floor(t.at / 1000) as UTCTimestamp,
        position: buy ? "belowBar" : "aboveBar",
        shape: exit ? "circle" : buy ? "arrowUp" : "arrowDown",
        color: exit ? c.warn : buy ? c.up : c.down,
        text: `${exit ? "exit " : ""}${buy ? "B" : "S"} ${formatDec(t.quantity, { step })}`,
      });
    }
    if (position && position.opened_at >= first) ms.push({ time: Math.floor(position.opened_at / 1000) as UTCTimestamp, position: position.side === "long" ? "belowBar" : "aboveBar", shape: position.side === "long" ? "arrowUp" : "arrowDown", color: position.side === "long" ? c.up : c.down, text: `${position.side === "long" ? "L" : "S"} ${formatDec(position.quantity, { step })} (open)` });
    ms.sort((a, b) => (a.time as number) - (b.time as number));
    markers.current?.setMarkers(ms);

    const s = series.current;
    if (!s) return;
    for (const l of lines.current) s.removePriceLine(l);
    lines.current = [];
    if (position) {
      const add = (price: string | null, title: string, color: string, style: LineStyle) => {
        if (!price) return;
        const v = toChartNumber(price);
        if (Number.isFinite(v)) lines.current.push(s.createPriceLine({ price: v, color, lineWidth: 1, lineStyle: style, axisLabelVisible: true, title }));
      };
      add(position.entry_price ?? null, "entry", c.accent, LineStyle.Solid);
      add(position.stop_loss ?? null, "stop", c.down, LineStyle.Dashed);
      add(position.take_profit ?? null, "target", c.up, LineStyle.Dashed);
      add(position.liquidation_price ?? null, "liq.", c.warn, LineStyle.Dotted);
    }
  }, [fills, position, candles, step, theme]);

  const k = ohlc ?? candles.at(-1);
  return (
    <div className="flex flex-col">
      <div className="px-3 py-1.5 text-xs num text-muted flex flex-wrap gap-x-3" aria-live="off">
        {k ? (
          <>
            <span>O <span className="text-fg">{formatDec(k.open, { step: tick })}</span></span>
            <span>H <span className="text-fg">{formatDec(k.high, { step: tick })}</span></span>
            <span>L <span className="text-fg">{formatDec(k.low, { step: tick })}</span></span>
            <span>C <span className="text-fg">{formatDec(k.close, { step: tick })}</span></span>
          </>
        ) : <span>no candles</span>}
        {position && (
          <span className="ml-auto flex flex-wrap gap-x-3">
            <span>entry <span className="text-accent">{formatDec(position.entry_price, { step: tick })}</span></span>
            {position.stop_loss && <span>stop <span className="text-down">{formatDec(position.stop_loss, { step: tick })}</span></span>}
            {position.take_profit && <span>target <span className="text-up">{formatDec(position.take_profit, { step: tick })}</span></span>}
            {position.liquidation_price && <span>liq. <span className="text-warn">{formatDec(position.liquidation_price, { step: tick })}</span></span>}
          </span>
        )}
      </div>
      <div ref={el} style={{ height }} className="w-full" data-testid="candle-chart" />
    </div>
  );
}
