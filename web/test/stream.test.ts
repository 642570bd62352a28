import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { initialStreamState, resumeSince, streamReducer, type StreamState } from "@/stream/reducer";
import { StreamClient, backoffDelay, type ConnectionState, type SocketLike } from "@/stream/connection";

const m = (bot: number | string, seq: number, type = "decision", at = 1000 + seq) => ({ seq, type, bot_id: bot, at, data: {} });

function run(actions: Parameters<typeof streamReducer>[1][], s: StreamState = initialStreamState) {
  return actions.reduce(streamReducer, s);
}

describe("stream reducer", () => {
  it("keeps messages in order and tracks the last seq per bot", () => {
    const s = run([{ kind: "message", msg: m(1, 1) }, { kind: "message", msg: m(2, 1) }, { kind: "message", msg: m(1, 2, "fill") }]);
    expect(s.lastSeq).toEqual({ "1": 2, "2": 1 });
    expect(s.recent.map((x) => [x.bot_id, x.seq])).toEqual([[1, 2], [2, 1], [1, 1]]);
    expect(s.decisions).toHaveLength(2);
    expect(s.accepted).toBe(3);
  });

  it("drops duplicates and older messages per bot, not across bots", () => {
    const s = run([
      { kind: "message", msg: m(1, 5) },
      { kind: "message", msg: m(1, 5) },
      { kind: "message", msg: m(1, 3) },
      { kind: "message", msg: m(2, 3) },
    ]);
    expect(s.duplicates).toBe(2);
    expect(s.accepted).toBe(2);
    expect(s.lastSeq).toEqual({ "1": 5, "2": 3 });
  });

  it("takes every transient backtest event (seq 0, bot_id null) without touching seq or market time", () => {
    const progress = (p: number) => ({ seq: 0, type: "backtest", bot_id: null, at: 5_000_000, data: { id: 7, status: "running", progress: p } });
    const s = run([{ kind: "message", msg: m(1, 1) }, { kind: "message", msg: progress(0.1) }, { kind: "message", msg: progress(0.2) }]);
    expect(s.accepted).toBe(3);
    expect(s.duplicates).toBe(0);
    expect(s.malformed).toBe(0);
    expect(s.lastSeq).toEqual({ "1": 1 });
    expect(s.marketTime).toBe(1001);
    expect(run([{ kind: "message", msg: { ...progress(0.3), seq: 4 } }]).malformed).toBe(1);
  });

  it("a resume that overlaps is deduplicated and counted as caught up", () => {
    let s = run([{ kind: "message", msg: m(1, 1) }, { kind: "message", msg: m(1, 2) }, { kind: "message", msg: m(2, 7) }]);
    // disconnected; resume from the per-bot minimum
    expect(resumeSince(s.lastSeq)).toBe(2);
    s = run(
      [
        { kind: "replay_start" },
        // the server replays seq > 2 for every bot: bot 2's 3..7 are old, bot 1's 3,4 and bot 2's 8 are new
        ...[3, 4, 5, 6, 7].map((q) => ({ kind: "message" as const, msg: m(2, q) })),
        { kind: "message", msg: m(1, 3) },
        { kind: "message", msg: m(1, 4) },
        { kind: "message", msg: m(2, 8) },
        { kind: "replay_end" },
      ],
      s,
    );
    expect(s.caughtUp).toBe(3);
    expect(s.duplicates).toBe(5);
    expect(s.gaps).toBe(0);
    expect(s.lastSeq).toEqual({ "1": 4, "2": 8 });
    s = streamReducer(s, { kind: "clear_caught_up" });
    expect(s.caughtUp).toBeNull();
  });

  it("flags a gap on the live stream but not during replay", () => {
    const s = run([{ kind: "message", msg: m(1, 1) }, { kind: "message", msg: m(1, 4) }]);
    expect(s.gaps).toBe(1);
  });

  it("drops malformed messages without throwing", () => {
    const s = run([
      { kind: "message", msg: null },
      { kind: "message", msg: "text" },
      { kind: "message", msg: { seq: "1", type: "fill", bot_id: 1, at: 1 } },
      { kind: "message", msg: { seq: 1, type: "nope", bot_id: 1, at: 1 } },
      { kind: "message", msg: { seq: 1.5, type: "fill", bot_id: 1, at: 1 } },
      { kind: "message", msg: { seq: 1, type: "fill", at: 1 } },
    ]);
    expect(s.malformed).toBe(6);
    expect(s.accepted).toBe(0);
  });

  it("bounds the recent list", () => {
    let s = initialStreamState;
    for (let i = 1; i <= 400; i++) s = streamReducer(s, { kind: "message", msg: m(1, i, "equity") });
    expect(s.recent).toHaveLength(300);
    expect(s.recent[0].seq).toBe(400);
    expect(s.marketTime).toBe(1400);
  });

  it("resumeSince uses only the bots asked for and is null when nothing was seen", () => {
    expect(resumeSince({})).toBeNull();
    expect(resumeSince({ "1": 9, "2": 4 }, [1])).toBe(9);
    expect(resumeSince({ "1": 9 }, [3])).toBeNull();
  });
});

class FakeSocket implements SocketLike {
  static all: FakeSocket[] = [];
  onopen: SocketLike["onopen"] = null;
  onmessage: SocketLike["onmessage"] = null;
  onclose: SocketLike["onclose"] = null;
  onerror: SocketLike["onerror"] = null;
  readyState = 0;
  closed: number | null = null;
  constructor(public url: string) {
    FakeSocket.all.push(this);
  }
  close(code = 1000) {
    this.closed = code;
  }
  open() {
    this.readyState = 1;
    this.onopen?.({});
  }
  send(obj: unknown) {
    this.onmessage?.({ data: JSON.stringify(obj) });
  }
  drop(code = 1006) {
    this.readyState = 3;
    this.onclose?.({ code });
  }
}

describe("stream client reconnect", () => {
  beforeEach(() => {
    vi.useFakeTimers();
    FakeSocket.all = [];
  });
  afterEach(() => vi.useRealTimers());

  function make() {
    let state = initialStreamState;
    const states: ConnectionState[] = [];
    const client = new StreamClient({
      url: (t, since) => `ws://x/api/stream?access_token=${t}` + (since !== null ? `&since=${since}` : ""),
      getToken: async () => "tok",
      getSince: () => resumeSince(state.lastSeq),
      onMessage: (msg) => (state = streamReducer(state, { kind: "message", msg })),
      onState: (s) => states.push(s),
      onReplayStart: () => (state = streamReducer(state, { kind: "replay_start" })),
      onReplayEnd: () => (state = streamReducer(state, { kind: "replay_end" })),
      createSocket: (u) => new FakeSocket(u),
      random: () => 1,
      baseDelayMs: 100,
      maxDelayMs: 1000,
      offlineAfter: 3,
      replayQuietMs: 200,
      replayMaxMs: 1000,
    });
    return { client, states, get state() { return state; } };
  }

  it("backoff doubles and is capped", () => {
    expect([1, 2, 3, 4, 5, 10].map((a) => backoffDelay(a, 100, 1000, () => 1))).toEqual([100, 200, 400, 800, 1000, 1000]);
    expect(backoffDelay(3, 100, 1000, () => 0)).toBe(200);
  });

  it("goes live, reconnects after a drop and resumes from the last seq", async () => {
    const h = make();
    h.client.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(FakeSocket.all).toHaveLength(1);
    expect(FakeSocket.all[0].url).not.toContain("since=");
    FakeSocket.all[0].open();
    expect(h.states).toEqual(["connecting", "live"]);
    FakeSocket.all[0].send(m(1, 1));
    FakeSocket.all[0].send(m(1, 2));
    FakeSocket.all[0].drop();
    expect(h.states.at(-1)).toBe("reconnecting");
    await vi.advanceTimersByTimeAsync(99);
    expect(FakeSocket.all).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(FakeSocket.all).toHaveLength(2);
    expect(FakeSocket.all[1].url).toContain("since=2");
    FakeSocket.all[1].open();
    expect(h.states.at(-1)).toBe("live");
    FakeSocket.all[1].send(m(1, 2)); // overlap
    FakeSocket.all[1].send(m(1, 3));
    FakeSocket.all[1].send({ type: "caught_up" });
    expect(h.state.caughtUp).toBe(1);
    expect(h.state.duplicates).toBe(1);
    h.client.stop();
  });

  it("a replay without a caught_up marker ends after quiet", async () => {
    const h = make();
    h.client.start();
    await vi.advanceTimersByTimeAsync(0);
    FakeSocket.all[0].open();
    FakeSocket.all[0].send(m(1, 1));
    FakeSocket.all[0].drop();
    await vi.advanceTimersByTimeAsync(100);
    FakeSocket.all[1].open();
    FakeSocket.all[1].send(m(1, 2));
    expect(h.state.replaying).toBe(true);
    await vi.advanceTimersByTimeAsync(200);
    expect(h.state.replaying).toBe(false);
    expect(h.state.caughtUp).toBe(1);
    h.client.stop();
  });

  it("a replay under steady live traffic still ends (at the latest replayMaxMs after open)", async () => {
    const h = make();
    h.client.start();
    await vi.advanceTimersByTimeAsync(0);
    FakeSocket.all[0].open();
    FakeSocket.all[0].send(m(1, 1));
    FakeSocket.all[0].drop();
    await vi.advanceTimersByTimeAsync(100);
    FakeSocket.all[1].open();
    // a message every 100 ms: never 200 ms of quiet
    for (let q = 2; q <= 40; q++) {
      FakeSocket.all[1].send(m(1, q));
      await vi.advanceTimersByTimeAsync(100);
    }
    expect(h.state.replaying).toBe(false);
    expect(h.state.caughtUp).not.toBeNull();
    h.client.stop();
  });

  it("says offline after repeated failures and keeps trying", async () => {
    const h = make();
    h.client.start();
    await vi.advanceTimersByTimeAsync(0);
    FakeSocket.all[0].drop();
    await vi.advanceTimersByTimeAsync(100);
    FakeSocket.all[1].drop();
    expect(h.states.at(-1)).toBe("reconnecting");
    await vi.advanceTimersByTimeAsync(200);
    FakeSocket.all[2].drop();
    expect(h.states.at(-1)).toBe("offline");
    await vi.advanceTimersByTimeAsync(400);
    expect(FakeSocket.all).toHaveLength(4);
    FakeSocket.all[3].open();
    expect(h.states.at(-1)).toBe("live");
    h.client.stop();
  });

  it("stop closes the socket and schedules nothing", async () => {
    const h = make();
    h.client.start();
    await vi.advanceTimersByTimeAsync(0);
    FakeSocket.all[0].open();
    h.client.stop();
    expect(FakeSocket.all[0].closed).toBe(1000);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(FakeSocket.all).toHaveLength(1);
  });

  it("without a token it does not connect and retries later", async () => {
    let token: string | null = null;
    const c = new StreamClient({
      url: () => "ws://x",
      getToken: async () => token,
      getSince: () => null,
      onMessage: () => {},
      onState: () => {},
      createSocket: (u) => new FakeSocket(u),
      random: () => 1,
      baseDelayMs: 100,
    });
    c.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(FakeSocket.all).toHaveLength(0);
    token = "t";
    await vi.advanceTimersByTimeAsync(100);
    expect(FakeSocket.all).toHaveLength(1);
    c.stop();
  });
});
