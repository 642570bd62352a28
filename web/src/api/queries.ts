// TanStack Query hooks over the /api contract. Wire objects are normalized once, in the query
// function (normalize.ts); the stream provider patches these caches in place from live events, so
// nothing polls except health and a backtest in flight.
import { useMutation, useQuery, useQueryClient, type QueryClient } from "@tanstack/react-query";
import { api } from "./client";
import { normalizeBacktest, normalizeBot, normalizeDecision, normalizeMetrics, normalizePosition } from "./normalize";
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
  credentials: ["credentials"] as const,
  backtests: ["backtests"] as const,
  backtest: (id: Id) => ["backtest", String(id)] as const,
  prompts: ["prompts"] as const,
};

export const fetchBots = () => api<Page<WireBot>>("/bots").then((p) => p.items.map(normalizeBot));
export const fetchPositions = (id: Id) => api<Page<WirePosition>>(`/bots/${id}/positions`).then((p) => p.items.map(normalizePosition));
export const fetchOrders = (id: Id) => api<Page<Order>>(`/bots/${id}/orders`, { query: { limit: 200 } }).then((p) => p.items);
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
export const useCandles = (symbol: string, interval: string) => useQuery({ queryKey: qk.candles(symbol, interval), queryFn: () => fetchCandles(symbol, interval) });
export const useArena = () => useQuery({ queryKey: qk.arena, queryFn: () => api<Page<ArenaEntry>>("/arena").then((p) => p.items) });
export const useAlerts = () => useQuery({ queryKey: qk.alerts, queryFn: () => api<Page<Alert>>("/alerts").then((p) => p.items) });
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
