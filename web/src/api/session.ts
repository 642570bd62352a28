// The login session: the access token lives in memory only; the refresh token is kept in
// localStorage so a reload stays logged in. The access token is refreshed shortly before it
// expires (single flight: concurrent callers share one refresh; the server rotates refresh tokens,
// so two parallel refreshes would revoke the family). UI thread only.

import type { TokenResponse } from "./types";

const REFRESH_KEY = "aitrader.refresh_token";
const EMAIL_KEY = "aitrader.email";
/** Refresh this long before expiry (at half the lifetime for tokens shorter than two margins). */
export const REFRESH_MARGIN_MS = 60_000;

type Listener = () => void;

export interface SessionSnapshot {
  status: "unknown" | "anonymous" | "authenticated";
  email: string | null;
}

/** The Web Locks API (or a stand-in in tests): serializes refreshes across tabs. */
export interface LockManagerLike {
  request<T>(name: string, cb: () => Promise<T>): Promise<T>;
}

export class Session {
  private access: string | null = null;
  private expiresAt = 0;
  private refreshInFlight: Promise<string | null> | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private listeners = new Set<Listener>();
  private snap: SessionSnapshot;

  constructor(
    private readonly doRefresh: (refreshToken: string) => Promise<TokenResponse>,
    private readonly storage: Pick<Storage, "getItem" | "setItem" | "removeItem"> = window.localStorage,
    private readonly now: () => number = Date.now,
    private readonly locks: LockManagerLike | undefined = typeof navigator !== "undefined" ? (navigator as unknown as { locks?: LockManagerLike }).locks : undefined,
  ) {
    this.snap = { status: storage.getItem(REFRESH_KEY) ? "unknown" : "anonymous", email: storage.getItem(EMAIL_KEY) };
  }

  subscribe = (l: Listener) => {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  };
  snapshot = () => this.snap;

  private emit(next: SessionSnapshot) {
    if (next.status === this.snap.status && next.email === this.snap.email) return;
    this.snap = next;
    for (const l of this.listeners) l();
  }

  /** Store tokens from login or refresh and schedule the next refresh. */
  accept(t: TokenResponse, email?: string) {
    this.access = t.access_token;
    const lifetime = Math.max(1, t.expires_in) * 1000;
    this.expiresAt = this.now() + lifetime;
    this.storage.setItem(REFRESH_KEY, t.refresh_token);
    if (email) this.storage.setItem(EMAIL_KEY, email);
    this.schedule(lifetime);
    this.emit({ status: "authenticated", email: email ?? this.snap.email });
  }

  refreshDelay(lifetimeMs: number): number {
    return Math.max(1000, lifetimeMs > 2 * REFRESH_MARGIN_MS ? lifetimeMs - REFRESH_MARGIN_MS : lifetimeMs / 2);
  }

  private schedule(lifetimeMs: number) {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.refresh(), this.refreshDelay(lifetimeMs));
  }

  hasRefreshToken() {
    return this.storage.getItem(REFRESH_KEY) !== null;
  }
  refreshToken() {
    return this.storage.getItem(REFRESH_KEY);
  }

  /** A valid access token, refreshing first when it expires within 30 s. Null when logged out. */
  async token(): Promise<string | null> {
    if (this.access && this.expiresAt - this.now() > 30_000) return this.access;
    return this.refresh();
  }

  /** Refresh now (single flight). Null and logged out when the refresh token is refused. */
  refresh(): Promise<string | null> {
    if (this.refreshInFlight) return this.refreshInFlight;
    if (!this.storage.getItem(REFRESH_KEY)) {
      this.clear();
      return Promise.resolve(null);
    }
    // Under a lock shared by every tab, and reading the refresh token inside it: another tab may
    // have just rotated it, and sending the old one would be a reuse that revokes the session.
    const run = async (): Promise<string | null> => {
      const rt = this.storage.getItem(REFRESH_KEY);
      if (!rt) return null;
      const t = await this.doRefresh(rt);
      this.accept(t);
      return t.access_token;
    };
    const locked = this.locks ? this.locks.request("aitrader-refresh", run) : run();
    this.refreshInFlight = locked
      .then((tok) => {
        if (tok === null) this.clear();
        return tok;
      })
      .catch((e: unknown) => {
        // Only a refusal logs out; a network failure keeps the refresh token for the next try.
        const status = (e as { status?: number }).status;
        if (status === 401 || status === 403 || status === 400) this.clear();
        return null;
      })
      .finally(() => {
        this.refreshInFlight = null;
      });
    return this.refreshInFlight;
  }

  clear() {
    this.access = null;
    this.expiresAt = 0;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.storage.removeItem(REFRESH_KEY);
    this.emit({ status: "anonymous", email: this.snap.email });
  }
}
