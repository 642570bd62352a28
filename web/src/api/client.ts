// HTTP client for the /api contract: JSON in and out, the bearer token from the session, one
// retry after refreshing on a 401, and errors turned into ApiError with the server's code,
// message and field (the UI shows the server's message as is).

import { Session } from "./session";
import type { ApiErrorBody, TokenResponse } from "./types";

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
    readonly retryAfter?: number,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

export const API_BASE = "/api";

async function parseError(res: Response): Promise<ApiError> {
  let body: ApiErrorBody | null = null;
  try {
    body = (await res.json()) as ApiErrorBody;
  } catch {
    body = null;
  }
  const retry = res.headers.get("Retry-After");
  const e = body?.error;
  return new ApiError(
    res.status,
    typeof e?.code === "string" ? e.code : `http_${res.status}`,
    typeof e?.message === "string" ? e.message : `${res.status} ${res.statusText || "request failed"}`,
    typeof e?.field === "string" ? e.field : undefined,
    retry ? Number(retry) : undefined,
  );
}

async function rawRefresh(refreshToken: string): Promise<TokenResponse> {
  const res = await fetch(`${API_BASE}/auth/refresh`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ refresh_token: refreshToken }),
  });
  if (!res.ok) throw await parseError(res);
  return (await res.json()) as TokenResponse;
}

export const session = new Session(rawRefresh, typeof window !== "undefined" ? window.localStorage : memoryStorage());

function memoryStorage() {
  const m = new Map<string, string>();
  return { getItem: (k: string) => m.get(k) ?? null, setItem: (k: string, v: string) => void m.set(k, v), removeItem: (k: string) => void m.delete(k) };
}

export interface RequestOptions {
  method?: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  body?: unknown;
  query?: Record<string, string | number | boolean | undefined | null>;
  auth?: boolean;
  signal?: AbortSignal;
}

export function withQuery(path: string, query?: RequestOptions["query"]): string {
  if (!query) return path;
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== "") q.set(k, String(v));
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}

export async function api<T>(path: string, opts: RequestOptions = {}): Promise<T> {
  const auth = opts.auth ?? true;
  const send = async (token: string | null) => {
    const headers: Record<string, string> = { Accept: "application/json" };
    if (opts.body !== undefined) headers["Content-Type"] = "application/json";
    if (token) headers.Authorization = `Bearer ${token}`;
    return fetch(API_BASE + withQuery(path, opts.query), {
      method: opts.method ?? "GET",
      headers,
      body: opts.body !== undefined ? JSON.stringify(opts.body) : undefined,
      signal: opts.signal,
    });
  };
  let token = auth ? await session.token() : null;
  let res = await send(token);
  if (res.status === 401 && auth) {
    token = await session.refresh();
    if (token) res = await send(token);
  }
  if (!res.ok) throw await parseError(res);
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

export async function login(email: string, password: string): Promise<void> {
  const t = await api<TokenResponse>("/auth/login", { method: "POST", body: { email, password }, auth: false });
  session.accept(t, email);
}

export async function logout(): Promise<void> {
  const rt = session.refreshToken();
  session.clear();
  if (rt) await api("/auth/logout", { method: "POST", body: { refresh_token: rt }, auth: false }).catch(() => undefined);
}

export function streamUrl(token: string, since: number | null, bots?: Array<string | number>): string {
  const proto = location.protocol === "https:" ? "wss:" : "ws:";
  const q = new URLSearchParams({ access_token: token });
  if (bots && bots.length) q.set("bot", bots.join(","));
  if (since !== null) q.set("since", String(since));
  return `${proto}//${location.host}${API_BASE}/stream?${q.toString()}`;
}
