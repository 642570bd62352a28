// The WebSocket connection to GET /api/stream: connects with the current access token (browsers
// cannot set headers on a WebSocket, so it goes in the access_token query parameter), reconnects
// with capped exponential backoff and jitter, resumes from the last sequence (?since=), and tells
// the UI its state: connecting → live, then reconnecting, or offline after repeated failures (it
// keeps retrying at the capped delay). One instance per page; used from the UI thread only.

export type ConnectionState = "connecting" | "live" | "reconnecting" | "offline";

export interface SocketLike {
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: { code: number; reason?: string }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  close(code?: number, reason?: string): void;
  readonly readyState: number;
}

export interface StreamClientOptions {
  /** Builds the URL for a connection; `since` is null on a first connection. */
  url: (token: string, since: number | null) => string;
  /** The access token, refreshed when needed. Null: not logged in (stay offline). */
  getToken: () => Promise<string | null>;
  /** Where to resume from (the reducer's per-bot minimum). */
  getSince: () => number | null;
  onMessage: (msg: unknown) => void;
  onState: (state: ConnectionState) => void;
  onReplayStart?: () => void;
  onReplayEnd?: () => void;
  createSocket?: (url: string) => SocketLike;
  random?: () => number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Failed attempts in a row after which the state says "offline". */
  offlineAfter?: number;
  /** A replay is over when the server says so ({"type":"caught_up"}), after this much quiet, or at
   *  the latest this long after the connection opened (live traffic never leaves a quiet gap). */
  replayQuietMs?: number;
  replayMaxMs?: number;
}

export function backoffDelay(attempt: number, base: number, max: number, random: () => number): number {
  const exp = Math.min(max, base * 2 ** Math.max(0, attempt - 1));
  // full jitter in [exp/2, exp]
  return Math.round(exp / 2 + (exp / 2) * random());
}

export class StreamClient {
  private readonly o: Required<Omit<StreamClientOptions, "onReplayStart" | "onReplayEnd">> &
    Pick<StreamClientOptions, "onReplayStart" | "onReplayEnd">;
  private socket: SocketLike | null = null;
  private attempt = 0;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private quietTimer: ReturnType<typeof setTimeout> | null = null;
  private maxTimer: ReturnType<typeof setTimeout> | null = null;
  private replaying = false;
  private stopped = true;
  private state: ConnectionState | null = null;
  private generation = 0;

  constructor(opts: StreamClientOptions) {
    this.o = {
      createSocket: (url) => new WebSocket(url) as unknown as SocketLike,
      random: Math.random,
      baseDelayMs: 500,
      maxDelayMs: 15_000,
      offlineAfter: 4,
      replayQuietMs: 150,
      replayMaxMs: 2500,
      ...opts,
    };
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.attempt = 0;
    void this.connect();
  }

  stop(): void {
    this.stopped = true;
    this.generation++;
    this.clearTimers();
    if (this.socket) {
      const s = this.socket;
      this.socket = null;
      s.onclose = null;
      s.onmessage = null;
      s.close(1000, "client stop");
    }
  }

  /** Drop the current connection and resume at once (e.g. the browser came back online). */
  reconnectNow(): void {
    if (this.stopped) return;
    this.clearTimers();
    if (this.socket) {
      const s = this.socket;
      this.socket = null;
      s.onclose = null;
      s.onmessage = null;
      s.close(4000, "reconnect");
    }
    void this.connect();
  }

  private setState(s: ConnectionState) {
    if (this.state === s) return;
    this.state = s;
    this.o.onState(s);
  }

  private clearTimers() {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    if (this.quietTimer) clearTimeout(this.quietTimer);
    if (this.maxTimer) clearTimeout(this.maxTimer);
    this.retryTimer = null;
    this.quietTimer = null;
    this.maxTimer = null;
  }

  private async connect(): Promise<void> {
    const gen = ++this.generation;
    if (this.state === null) this.setState("connecting");
    let token: string | null = null;
    try {
      token = await this.o.getToken();
    } catch {
      token = null;
    }
    if (gen !== this.generation || this.stopped) return;
    if (!token) {
      this.scheduleRetry();
      return;
    }
    const since = this.o.getSince();
    let socket: SocketLike;
    try {
      socket = this.o.createSocket(this.o.url(token, since));
    } catch {
      this.scheduleRetry();
      return;
    }
    this.socket = socket;
    socket.onopen = () => {
      if (gen !== this.generation) return;
      this.attempt = 0;
      this.setState("live");
      if (since !== null) {
        this.replaying = true;
        this.o.onReplayStart?.();
        this.armQuiet();
        this.maxTimer = setTimeout(() => this.endReplay(), this.o.replayMaxMs);
      }
    };
    socket.onmessage = (ev) => {
      if (gen !== this.generation) return;
      let parsed: unknown;
      try {
        parsed = typeof ev.data === "string" ? JSON.parse(ev.data) : null;
      } catch {
        parsed = null;
      }
      if (parsed && typeof parsed === "object" && (parsed as { type?: unknown }).type === "caught_up") {
        this.endReplay();
        return;
      }
      if (parsed && typeof parsed === "object" && (parsed as { type?: unknown }).type === "pong") return;
      this.o.onMessage(parsed);
      if (this.replaying) this.armQuiet();
    };
    socket.onerror = () => {
      /* onclose follows */
    };
    socket.onclose = () => {
      if (gen !== this.generation) return;
      this.socket = null;
      this.endReplay();
      if (this.stopped) return;
      this.scheduleRetry();
    };
  }

  private armQuiet() {
    if (this.quietTimer) clearTimeout(this.quietTimer);
    this.quietTimer = setTimeout(() => this.endReplay(), this.o.replayQuietMs);
  }

  private endReplay() {
    if (this.quietTimer) clearTimeout(this.quietTimer);
    if (this.maxTimer) clearTimeout(this.maxTimer);
    this.quietTimer = null;
    this.maxTimer = null;
    if (!this.replaying) return;
    this.replaying = false;
    this.o.onReplayEnd?.();
  }

  private scheduleRetry() {
    if (this.stopped) return;
    this.attempt++;
    this.setState(this.attempt >= this.o.offlineAfter ? "offline" : "reconnecting");
    const delay = backoffDelay(this.attempt, this.o.baseDelayMs, this.o.maxDelayMs, this.o.random);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      void this.connect();
    }, delay);
  }
}
