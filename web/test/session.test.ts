import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { Session } from "@/api/session";
import type { TokenResponse } from "@/api/types";

function storage() {
  const m = new Map<string, string>();
  return { getItem: (k: string) => m.get(k) ?? null, setItem: (k: string, v: string) => void m.set(k, v), removeItem: (k: string) => void m.delete(k), m };
}
const tok = (n: number, ttl = 900): TokenResponse => ({ access_token: `a${n}`, refresh_token: `r${n}`, token_type: "bearer", expires_in: ttl });

describe("session", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("refreshes 60 s before the access token expires and stores the rotated refresh token", async () => {
    let n = 1;
    const refresh = vi.fn(async (rt: string) => {
      expect(rt).toBe(`r${n}`);
      return tok(++n);
    });
    const st = storage();
    const s = new Session(refresh, st, () => Date.now());
    s.accept(tok(1), "a@b.co");
    expect(s.snapshot().status).toBe("authenticated");
    await vi.advanceTimersByTimeAsync(839_000);
    expect(refresh).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(refresh).toHaveBeenCalledTimes(1);
    expect(st.m.get("aitrader.refresh_token")).toBe("r2");
    expect(await s.token()).toBe("a2");
  });

  it("concurrent callers share one refresh (rotation would revoke a second one)", async () => {
    let resolve!: (t: TokenResponse) => void;
    const refresh = vi.fn(() => new Promise<TokenResponse>((r) => (resolve = r)));
    const st = storage();
    st.setItem("aitrader.refresh_token", "r0");
    const s = new Session(refresh, st, () => Date.now());
    const a = s.token();
    const b = s.token();
    const c = s.refresh();
    resolve(tok(1));
    expect(await Promise.all([a, b, c])).toEqual(["a1", "a1", "a1"]);
    expect(refresh).toHaveBeenCalledTimes(1);
  });

  it("a refused refresh logs out; a network failure keeps the refresh token", async () => {
    const st = storage();
    st.setItem("aitrader.refresh_token", "r0");
    const netFail = new Session(async () => { throw new TypeError("fetch failed"); }, st, () => Date.now());
    expect(await netFail.refresh()).toBeNull();
    expect(st.m.get("aitrader.refresh_token")).toBe("r0");
    const refused = new Session(async () => { throw Object.assign(new Error("reused"), { status: 401 }); }, st, () => Date.now());
    expect(refused.snapshot().status).toBe("unknown");
    expect(await refused.refresh()).toBeNull();
    expect(st.m.has("aitrader.refresh_token")).toBe(false);
    expect(refused.snapshot().status).toBe("anonymous");
  });

  it("two tabs refresh one after the other under a shared lock, each with the latest rotated token", async () => {
    const st = storage();
    st.setItem("aitrader.refresh_token", "r0");
    let chain = Promise.resolve();
    const locks = { request<T>(_n: string, cb: () => Promise<T>): Promise<T> { const p = chain.then(cb); chain = p.then(() => undefined, () => undefined); return p; } };
    let n = 0;
    const used: string[] = [];
    const server = async (rt: string) => {
      used.push(rt);
      if (rt !== `r${n}`) throw Object.assign(new Error("reused"), { status: 401 });
      n++;
      return tok(n);
    };
    const tabA = new Session(server, st, () => Date.now(), locks);
    const tabB = new Session(server, st, () => Date.now(), locks);
    const [a, b] = await Promise.all([tabA.refresh(), tabB.refresh()]);
    expect(used).toEqual(["r0", "r1"]); // B used the token A rotated, not the stale r0
    expect([a, b]).toEqual(["a1", "a2"]);
    expect(st.m.get("aitrader.refresh_token")).toBe("r2");
  });

  it("token() refreshes when the access token expires within 30 s", async () => {
    const refresh = vi.fn(async () => tok(2));
    const s = new Session(refresh, storage(), () => Date.now());
    s.accept(tok(1, 60));
    expect(await s.token()).toBe("a1");
    vi.setSystemTime(Date.now() + 31_000);
    expect(await s.token()).toBe("a2");
    expect(refresh).toHaveBeenCalledTimes(1);
  });
});
