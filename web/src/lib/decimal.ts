// Exact decimal strings. The API sends money, prices and quantities as JSON strings ("67890.1");
// this module keeps them exact (BigInt scaled integers) for the little arithmetic the dashboard
// does (PnL %, sums, differences) and formats them to an instrument's tick or step. Nothing here
// goes through a float. Pure functions, no state.

export interface Dec {
  readonly v: bigint; // unscaled value
  readonly scale: number; // digits after the point
}

const RE = /^\s*([+-])?(\d+)(?:\.(\d*))?\s*$/;
const RE_FRAC_ONLY = /^\s*([+-])?\.(\d+)\s*$/;

/** Parses "12.50", "-0.001", "+3", ".5". Returns null for anything else (exponents, NaN, ""). */
export function parseDec(text: string | number | null | undefined): Dec | null {
  if (text === null || text === undefined) return null;
  if (typeof text === "number") {
    if (!Number.isFinite(text)) return null;
    if (!Number.isInteger(text)) return null; // floats are not accepted as exact input
    return { v: BigInt(text), scale: 0 };
  }
  let m = RE.exec(text);
  let sign: string | undefined;
  let intPart = "0";
  let frac = "";
  if (m) {
    sign = m[1];
    intPart = m[2];
    frac = m[3] ?? "";
  } else {
    m = RE_FRAC_ONLY.exec(text);
    if (!m) return null;
    sign = m[1];
    frac = m[2];
  }
  const v = BigInt(intPart + frac);
  return { v: sign === "-" ? -v : v, scale: frac.length };
}

const TEN = 10n;
function pow10(n: number): bigint {
  return TEN ** BigInt(n);
}

function rescaleUp(d: Dec, scale: number): bigint {
  return d.v * pow10(scale - d.scale);
}

/** Integer division rounding half away from zero. */
function divRound(n: bigint, d: bigint): bigint {
  if (d === 0n) throw new RangeError("division by zero");
  const neg = n < 0n !== d < 0n;
  const an = n < 0n ? -n : n;
  const ad = d < 0n ? -d : d;
  let q = an / ad;
  const r = an % ad;
  if (r * 2n >= ad) q += 1n;
  return neg ? -q : q;
}

export function toScale(d: Dec, scale: number): Dec {
  if (scale >= d.scale) return { v: rescaleUp(d, scale), scale };
  return { v: divRound(d.v, pow10(d.scale - scale)), scale };
}

export function add(a: Dec, b: Dec): Dec {
  const s = Math.max(a.scale, b.scale);
  return { v: rescaleUp(a, s) + rescaleUp(b, s), scale: s };
}
export function sub(a: Dec, b: Dec): Dec {
  const s = Math.max(a.scale, b.scale);
  return { v: rescaleUp(a, s) - rescaleUp(b, s), scale: s };
}
export function mul(a: Dec, b: Dec): Dec {
  return { v: a.v * b.v, scale: a.scale + b.scale };
}
/** a / b rounded half away from zero to `scale` digits; null when b is zero. */
export function div(a: Dec, b: Dec, scale: number): Dec | null {
  if (b.v === 0n) return null;
  // a.v/10^as ÷ b.v/10^bs = a.v·10^(bs+scale-as) / b.v, in units of 10^-scale
  const shift = b.scale + scale - a.scale;
  const n = shift >= 0 ? a.v * pow10(shift) : a.v;
  const d = shift >= 0 ? b.v : b.v * pow10(-shift);
  return { v: divRound(n, d), scale };
}
export function cmp(a: Dec, b: Dec): number {
  const s = Math.max(a.scale, b.scale);
  const x = rescaleUp(a, s);
  const y = rescaleUp(b, s);
  return x < y ? -1 : x > y ? 1 : 0;
}
export function signOf(d: Dec): -1 | 0 | 1 {
  return d.v < 0n ? -1 : d.v > 0n ? 1 : 0;
}
export function neg(d: Dec): Dec {
  return { v: -d.v, scale: d.scale };
}
export function sum(values: Array<Dec | null>): Dec {
  let acc: Dec = { v: 0n, scale: 0 };
  for (const v of values) if (v) acc = add(acc, v);
  return acc;
}

/** The number of decimals a tick or step like "0.001" or "0.5" implies. */
export function stepDecimals(step: string): number {
  const d = parseDec(step);
  if (!d) return 2;
  // strip trailing zeros of the fraction: "0.010" → 2
  let { v, scale } = d;
  while (scale > 0 && v % 10n === 0n && v !== 0n) {
    v /= 10n;
    scale -= 1;
  }
  return scale;
}

/** Rounds to a multiple of `step` (half away from zero), e.g. 67890.37 @ "0.5" → 67890.5. */
export function roundToStep(d: Dec, step: string): Dec {
  const s = parseDec(step);
  const decimals = stepDecimals(step);
  if (!s || s.v <= 0n) return toScale(d, decimals);
  const st = toScale(s, decimals);
  const scale = Math.max(d.scale, decimals);
  const q = divRound(rescaleUp(d, scale), rescaleUp(st, scale));
  return { v: q * st.v, scale: decimals };
}

/** Unscaled digits with a decimal point, no grouping: "-1234.50". */
export function decToPlain(d: Dec): string {
  const negative = d.v < 0n;
  const digits = (negative ? -d.v : d.v).toString().padStart(d.scale + 1, "0");
  const int = digits.slice(0, digits.length - d.scale);
  const frac = d.scale > 0 ? "." + digits.slice(digits.length - d.scale) : "";
  return (negative ? "-" : "") + int + frac;
}

export const MINUS = "\u2212"; // the typographic minus used for display

export interface FormatOptions {
  /** Round to this tick/step ("0.1", "0.00001", "0.5"). */
  step?: string;
  /** Or round to a number of decimals. Default: keep the value's own decimals. */
  decimals?: number;
  /** Show "+" for positive values (and "−" for negative, always). */
  sign?: boolean;
  /** Thousands separators (default true). */
  group?: boolean;
  /** Prefix after the sign, e.g. "$". */
  prefix?: string;
  /** Suffix, e.g. "%". */
  suffix?: string;
  /** Text for a missing or malformed value. */
  fallback?: string;
}

function groupThousands(int: string): string {
  let out = "";
  for (let i = 0; i < int.length; i++) {
    if (i > 0 && (int.length - i) % 3 === 0) out += ",";
    out += int[i];
  }
  return out;
}

/** Formats an exact decimal string for display: sign, grouping, tick/step or decimals. */
export function formatDec(value: string | Dec | null | undefined, opts: FormatOptions = {}): string {
  const fallback = opts.fallback ?? "—";
  const d0 = typeof value === "string" || value == null ? parseDec(value as string) : value;
  if (!d0) return fallback;
  let d = d0;
  if (opts.step !== undefined) d = roundToStep(d, opts.step);
  else if (opts.decimals !== undefined) d = toScale(d, opts.decimals);
  const negative = d.v < 0n;
  const plain = decToPlain({ v: negative ? -d.v : d.v, scale: d.scale });
  const [int, frac] = plain.split(".");
  const body = (opts.group === false ? int : groupThousands(int)) + (frac !== undefined ? "." + frac : "");
  const sign = negative ? MINUS : opts.sign && d.v > 0n ? "+" : "";
  return sign + (opts.prefix ?? "") + body + (opts.suffix ?? "");
}

/** Money to the cent: "$12,345.67", with sign on request ("+$1.20", "−$0.35"). */
export function formatUsd(value: string | Dec | null | undefined, sign = false): string {
  return formatDec(value, { decimals: 2, prefix: "$", sign });
}

/** A percentage with 2 decimals and sign: "+1.25%", "−0.80%". `value` is already in percent. */
export function formatPct(value: string | Dec | null | undefined, sign = true): string {
  return formatDec(value, { decimals: 2, suffix: "%", sign });
}

/** 100 × numer / denom, exact to 4 decimals (formatting rounds to 2). Null when undefined. */
export function percentOf(numer: string | Dec | null | undefined, denom: string | Dec | null | undefined): Dec | null {
  const n = typeof numer === "string" ? parseDec(numer) : numer ?? null;
  const d = typeof denom === "string" ? parseDec(denom) : denom ?? null;
  if (!n || !d) return null;
  return div(mul(n, { v: 100n, scale: 0 }), d, 4);
}

/** Sign of a decimal string: -1, 0, 1, or 0 for malformed. */
export function signOfString(value: string | null | undefined): -1 | 0 | 1 {
  const d = parseDec(value ?? null);
  return d ? signOf(d) : 0;
}

/** For plotting only (lightweight-charts takes numbers): never use the result for arithmetic. */
export function toChartNumber(value: string | null | undefined): number {
  return value == null ? NaN : Number(value);
}
