import { describe, expect, it } from "vitest";
import {
  MINUS, add, div, formatDec, formatPct, formatUsd, parseDec, percentOf, roundToStep, stepDecimals, sub, sum,
  decToPlain,
} from "@/lib/decimal";

const p = (s: string) => parseDec(s)!;

describe("parseDec", () => {
  it("accepts plain decimals and rejects exponents and junk", () => {
    expect(parseDec("12.50")).toEqual({ v: 1250n, scale: 2 });
    expect(parseDec("-0.001")).toEqual({ v: -1n, scale: 3 });
    expect(parseDec(".5")).toEqual({ v: 5n, scale: 1 });
    expect(parseDec("1e-5")).toBeNull();
    expect(parseDec("NaN")).toBeNull();
    expect(parseDec("")).toBeNull();
    expect(parseDec("1.2.3")).toBeNull();
    expect(parseDec(0.1)).toBeNull(); // a float is never taken as exact
  });
});

describe("arithmetic is exact", () => {
  it("0.1 + 0.2 is 0.3, not float noise", () => {
    expect(decToPlain(add(p("0.1"), p("0.2")))).toBe("0.3");
    expect(formatDec(add(p("0.1"), p("0.2")))).toBe("0.3");
  });
  it("sub and sum keep every unit", () => {
    expect(decToPlain(sub(p("10000"), p("9999.99")))).toBe("0.01");
    expect(decToPlain(sum([p("1.005"), p("2.995"), null, p("-4")]))).toBe("0.000");
  });
  it("div rounds half away from zero", () => {
    expect(decToPlain(div(p("1"), p("3"), 4)!)).toBe("0.3333");
    expect(decToPlain(div(p("2"), p("3"), 2)!)).toBe("0.67");
    expect(decToPlain(div(p("-2"), p("3"), 2)!)).toBe("-0.67");
    expect(div(p("1"), p("0"), 2)).toBeNull();
  });
  it("percentOf on large values stays exact", () => {
    expect(formatPct(percentOf("125.5", "10000"))).toBe("+1.26%");
    expect(formatPct(percentOf("-80", "10000"))).toBe(`${MINUS}0.80%`);
    expect(formatPct(percentOf("123456789012345678.9", "123456789012345678.9"))).toBe("+100.00%");
  });
});

describe("formatting to tick and step", () => {
  it("derives decimals from the tick", () => {
    expect(stepDecimals("0.1")).toBe(1);
    expect(stepDecimals("0.00001")).toBe(5);
    expect(stepDecimals("0.010")).toBe(2);
    expect(stepDecimals("1")).toBe(0);
  });
  it("BTC at 0.1, DOGE at 0.00001, with thousands separators", () => {
    expect(formatDec("67890.14", { step: "0.1" })).toBe("67,890.1");
    expect(formatDec("67890.15", { step: "0.1" })).toBe("67,890.2");
    expect(formatDec("0.1234567", { step: "0.00001" })).toBe("0.12346");
    expect(formatDec("1234567.5", { step: "1" })).toBe("1,234,568");
  });
  it("pads to the step so columns line up", () => {
    expect(formatDec("3", { step: "0.001" })).toBe("3.000");
  });
  it("rounds to a non-decimal tick", () => {
    expect(decToPlain(roundToStep(p("67890.37"), "0.5"))).toBe("67890.5");
    expect(decToPlain(roundToStep(p("67890.2"), "0.5"))).toBe("67890.0");
    expect(decToPlain(roundToStep(p("-1.25"), "0.5"))).toBe("-1.5");
  });
  it("signs: plus on request, typographic minus always", () => {
    expect(formatDec("1.25", { decimals: 2, sign: true, suffix: "%" })).toBe("+1.25%");
    expect(formatDec("-0.8", { decimals: 2, sign: true, suffix: "%" })).toBe(`${MINUS}0.80%`);
    expect(formatDec("0", { decimals: 2, sign: true })).toBe("0.00");
    expect(formatDec("-0.001", { decimals: 2 })).toBe("0.00"); // rounds to zero: no "−0.00"
  });
  it("money to the cent", () => {
    expect(formatUsd("12345.675")).toBe("$12,345.68");
    expect(formatUsd("-0.345", true)).toBe(`${MINUS}$0.35`);
    expect(formatUsd("1.2", true)).toBe("+$1.20");
    expect(formatUsd("abc")).toBe("—");
    expect(formatUsd(undefined)).toBe("—");
  });
});
