// TanStack Query hooks over the /api contract. Wire objects are normalized once, in the query
// function (normalize.ts); the stream provider patches these caches in place from live events, so
// nothing polls except health and a backtest in flight.
import { useMutation, useQuery, useQueryClient, type QueryClient } from "@tanstack/react-query";
import { api } from "./client";
import { normalizeBacktest, normalizeBot, normalizeDecision, normalizeMetrics, normalizePosition } from "./normalize";
import { isOpenOrder } from "./orders";
import type {
  Alert, ArenaEntry, Backtest, BacktestRequest, Bot, BotSpec, Candle, CommandResult, Credential, DecisionRecord,
  EmergencyStopResult, EquityPoint, Fill, Health, Id, Me, Order, Page, Performance, Position, PromptInfo, PromptPreview,
  SymbolInfo, WireBacktest, WireBot, WireDecision, WirePosition,
} from "./types";

export const qk = {
  me: ["me"] as const,
  health: ["health"] as const,
  symbols: ["symbols"] as const,
  bots: ["bots"] as const,
  bot: (id: Id) => ["bot", String(id)] as const,
  positions: (id: Id) => ["positions", String(id)] as const,
  trades: (id: Id) => ["trades", String(id)] as const,
  orders: (id: Id) => ["orders", String(id)] as const,
  decisions: (id: Id) => ["decisions", String(id)] as const,
  equity: (id: Id) => ["equity", String(id)] as const,
  performance: (id: Id) => ["performance", String(id)] as const,
  candles: (symbol: string, interval: string, from?: number) => ["candles", symbol, interval, from ?? null] as const,
  arena: ["arena"] as const,
  alerts: ["alerts"] as const,
  /** GET /alerts?unacknowledged=true: the nav badge's count */
  unackedAlerts: ["alerts", "unacknowledged"] as const,
  openOrders: (id: Id) => ["orders", String(id), "open"] as const,
  credentials: ["credentials"] as const,
  backtests: ["backtests"] as const,
  backtest: (id: Id) => ["backtest", String(id)] as const,
  prompts: ["prompts"] as const,
};

export const fetchBots = () => api<Page<WireBot>>("/bots").then((p) => p.items.map(normalizeBot));
export const fetchPositions = (id: Id) => api<Page<WirePosition>>(`/bots/${id}/positions`).then((p) => p.items.map(normalizePosition));
export const fetchOrders = (id: Id) => api<Page<Order>>(`/bots/${id}/orders`, { query: { limit: 200 } }).then((p) => p.items);
/** Every open order (`?open=true`, the page maximum): a stop placed long ago is not among the
 *  newest 200 orders. Filtered here too (isOpenOrder), whatever the server's filter keeps. */
export const fetchOpenOrders = (id: Id) => api<Page<Order>>(`/bots/${id}/orders`, { query: { open: true, limit: 1000 } }).then((p) => p.items.filter((o) => isOpenOrder(o.status)));
export const fetchDecisions = (id: Id, limit = 50, include?: "prompt") =>
  api<Page<WireDecision>>(`/bots/${id}/decisions`, { query: { limit, include } }).then((p) => p.items.map((d) => normalizeDecision(d, id)));
export const fetchFills = (id: Id) => api<Page<Fill>>(`/bots/${id}/trades`, { query: { limit: 1000 } }).then((p) => p.items);
export const fetchEquity = (id: Id) => api<Page<EquityPoint>>(`/bots/${id}/equity`, { query: { limit: 1000 } }).then((p) => p.items);
export const fetchPerformance = (id: Id) => api<unknown>(`/bots/${id}/performance`).then((x) => normalizeMetrics(x));
export const fetchCandles = (symbol: string, interval: string, from?: number) =>
  api<Page<Candle>>(`/market/${symbol}/candles`, { query: { interval, limit: from ? 1000 : 300, from } }).then((p) => p.items);

export const useMe = () => useQuery({ queryKey: qk.me, queryFn: () => api<Me>("/auth/me") });
export const useHealth = () =>
  useQuery({ queryKey: qk.health, queryFn: () => api<Health>("/health", { auth: false }), refetchInterval: 15_000 });
export const useSymbols = () =>
  useQuery({ queryKey: qk.symbols, queryFn: () => api<Page<SymbolInfo>>("/market/symbols").then((p) => p.items), staleTime: Infinity });
export const useBots = () => useQuery({ queryKey: qk.bots, queryFn: fetchBots });
export const useBot = (id: Id, enabled = true) => useQuery({ queryKey: qk.bot(id), queryFn: () => api<WireBot>(`/bots/${id}`).then(normalizeBot), enabled });
export const usePositions = (id: Id, enabled = true) => useQuery<Position[]>({ queryKey: qk.positions(id), queryFn: () => fetchPositions(id), enabled });
export const useTrades = (id: Id) => useQuery<Fill[]>({ queryKey: qk.trades(id), queryFn: () => fetchFills(id) });
export const useOrders = (id: Id, enabled = true) => useQuery<Order[]>({ queryKey: qk.orders(id), queryFn: () => fetchOrders(id), enabled });
export const useDecisions = (id: Id) => useQuery<DecisionRecord[]>({ queryKey: qk.decisions(id), queryFn: () => fetchDecisions(id) });
export const useEquity = (id: Id) => useQuery({ queryKey: qk.equity(id), queryFn: () => fetchEquity(id) });
export const usePerformance = (id: Id) => useQuery<Performance>({ queryKey: qk.performance(id), queryFn: () => fetchPerformance(id) });
export const useCandles = (symbol: string, interval: string | null) =>
  useQuery({ queryKey: qk.candles(symbol, interval ?? ""), queryFn: () => fetchCandles(symbol, interval!), enabled: interval !== null });
export const useArena = () => useQuery({ queryKey: qk.arena, queryFn: () => api<Page<ArenaEntry>>("/arena").then((p) => p.items) });
export const useAlerts = () => useQuery({ queryKey: qk.alerts, queryFn: () => api<Page<Alert>>("/alerts").then((p) => p.items) });
/** Unacknowledged alerts (`?unacknowledged=true`, filtered here too): `more` when the page is full. */
export const useUnackedAlerts = () =>
  useQuery({
    queryKey: qk.unackedAlerts,
    queryFn: () => api<Page<Alert>>("/alerts", { query: { unacknowledged: true, limit: 1000 } }).then((p) => ({ items: p.items.filter((a) => !isAcknowledged(a)), more: p.next_cursor !== null })),
  });
export const useCredentials = () => useQuery({ queryKey: qk.credentials, queryFn: () => api<Page<Credential>>("/credentials").then((p) => p.items) });
export const usePrompts = () => useQuery({ queryKey: qk.prompts, queryFn: () => api<Page<PromptInfo>>("/prompts").then((p) => p.items), staleTime: 60_000 });

// The API has no list of backtests: the browser keeps the ones it started (id, bot, period).
const BT_KEY = "aitrader.backtests";
export interface LocalBacktest { id: Id; bot_name: string; from: number; to: number; started_at: number }
export function localBacktests(): LocalBacktest[] {
  try {
    const v = JSON.parse(localStorage.getItem(BT_KEY) ?? "[]");
    return Array.isArray(v) ? v.filter((x) => x && (typeof x.id === "number" || typeof x.id === "string")) : [];
  } catch {
    return [];
  }
}
export function rememberBacktest(b: LocalBacktest) {
  const list = [b, ...localBacktests().filter((x) => String(x.id) !== String(b.id))].slice(0, 50);
  localStorage.setItem(BT_KEY, JSON.stringify(list));
}
export const useBacktests = () => useQuery({ queryKey: qk.backtests, queryFn: async () => localBacktests() });
export const useBacktest = (id: Id | null) =>
  useQuery<Backtest>({
    queryKey: qk.backtest(id ?? "none"),
    queryFn: () => api<WireBacktest>(`/backtests/${id}`).then((b) => normalizeBacktest(b, localBacktests().find((x) => String(x.id) === String(id)))),
    enabled: id !== null,
    // progress is pushed on the stream; this is the fallback while a run is in flight
    refetchInterval: (q) => (q.state.data && (q.state.data.status === "running" || q.state.data.status === "queued") ? 3000 : false),
  });

export type BotAction = "start" | "pause" | "resume" | "stop";
export function useBotAction() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ id, action }: { id: Id; action: BotAction }) => api<CommandResult>(`/bots/${id}/${action}`, { method: "POST" }),
    // 202: the command is queued; the new status arrives on the stream, and we re-read the bot
    onSuccess: (_r, { id }) => {
      qc.invalidateQueries({ queryKey: qk.bot(id) });
      qc.invalidateQueries({ queryKey: qk.bots });
    },
  });
}

export function patchBot(qc: QueryClient, bot: Omit<Partial<Bot>, "id"> & { id: Id }) {
  qc.setQueryData<Bot[]>(qk.bots, (list) => list?.map((b) => (String(b.id) === String(bot.id) ? ({ ...b, ...bot, id: b.id } as Bot) : b)));
  qc.setQueryData<Bot>(qk.bot(bot.id), (b) => (b ? ({ ...b, ...bot, id: b.id } as Bot) : b));
}

export const createBot = (spec: BotSpec) => api<WireBot>("/bots", { method: "POST", body: spec }).then(normalizeBot);
export const updateBot = (id: Id, spec: Partial<BotSpec>) => api<WireBot>(`/bots/${id}`, { method: "PATCH", body: spec }).then(normalizeBot);
export const previewPrompt = (spec: Partial<BotSpec>) => api<PromptPreview>("/prompts/preview", { method: "POST", body: { bot: spec } });
export const dryRun = (id: Id) => api<WireDecision>(`/bots/${id}/dry-run`, { method: "POST" }).then((d) => normalizeDecision(d, id));
export const startBacktest = (body: BacktestRequest) => api<{ id: Id }>("/backtests", { method: "POST", body });
export const emergencyStopBot = (id: Id) => api<CommandResult>(`/bots/${id}/emergency-stop`, { method: "POST" });
export const emergencyStopAll = () => api<EmergencyStopResult>("/emergency-stop", { method: "POST" });

// ---- alerts: acknowledged when the server says so (the planned acknowledged_at, or the flag)
export const isAcknowledged = (a: Pick<Alert, "acknowledged"> & { acknowledged_at?: number | null }) =>
  a.acknowledged === true || (typeof a.acknowledged_at === "number" && a.acknowledged_at > 0);

/** Marks alerts acknowledged in both caches (or back, with `at` = null, when the server refused). */
export function patchAlerts(qc: QueryClient, ids: Set<string>, at: number | null) {
  const patch = (a: Alert): Alert => (ids.has(String(a.id)) ? { ...a, acknowledged: at !== null, acknowledged_at: at } : a);
  qc.setQueryData<Alert[]>(qk.alerts, (list) => list?.map(patch));
  qc.setQueryData<{ items: Alert[]; more: boolean }>(qk.unackedAlerts, (v) => (v ? { ...v, items: at === null ? v.items : v.items.filter((a) => !ids.has(String(a.id))) } : v));
}

/** POST /api/alerts/{id}/ack → the alert with acknowledged_at set (or no body). */
export const ackAlert = (id: Id) => api<Alert | undefined>(`/alerts/${id}/ack`, { method: "POST" });

/** Acknowledges alerts: optimistic in the caches, each confirmed by the server; a refused one goes
 *  back to unacknowledged. Resolves to the ids the server refused. */
export async function acknowledgeAlerts(qc: QueryClient, ids: Id[]): Promise<{ failed: Id[]; error?: unknown }> {
  const set = new Set(ids.map(String));
  patchAlerts(qc, set, Date.now());
  const failed: Id[] = [];
  let error: unknown;
  // a few at a time: the server has no bulk route
  const queue = [...ids];
  const worker = async () => {
    for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
      try {
        const a = await ackAlert(id);
        if (a && typeof a === "object" && typeof a.acknowledged_at === "number") patchAlerts(qc, new Set([String(id)]), a.acknowledged_at);
      } catch (e) {
        failed.push(id);
        error = e;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(4, ids.length) }, worker));
  if (failed.length) patchAlerts(qc, new Set(failed.map(String)), null);
  qc.invalidateQueries({ queryKey: qk.unackedAlerts });
  return { failed, error };
}
