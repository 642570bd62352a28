// TanStack Query hooks over the /api contract. Keys are shared with the stream provider, which
// patches these caches in place from live events (so nothing polls except health).
import { useMutation, useQuery, useQueryClient, type QueryClient } from "@tanstack/react-query";
import { api } from "./client";
import type {
  Alert, Arena, Backtest, Bot, BotSpec, Candle, Credential, DecisionRecord, EquityPoint, Health, Id, Me, Order, Page,
  Performance, Position, PromptInfo, PromptPreview, SymbolInfo, Trade,
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
  candles: (symbol: string, interval: string) => ["candles", symbol, interval] as const,
  arena: ["arena"] as const,
  alerts: ["alerts"] as const,
  credentials: ["credentials"] as const,
  backtests: ["backtests"] as const,
  backtest: (id: Id) => ["backtest", String(id)] as const,
  prompts: ["prompts"] as const,
};

export const useMe = () => useQuery({ queryKey: qk.me, queryFn: () => api<Me>("/auth/me") });
export const useHealth = () =>
  useQuery({ queryKey: qk.health, queryFn: () => api<Health>("/health", { auth: false }), refetchInterval: 15_000 });
export const useSymbols = () =>
  useQuery({ queryKey: qk.symbols, queryFn: () => api<Page<SymbolInfo>>("/market/symbols").then((p) => p.items), staleTime: Infinity });
export const useBots = () => useQuery({ queryKey: qk.bots, queryFn: () => api<Page<Bot>>("/bots").then((p) => p.items) });
export const useBot = (id: Id, enabled = true) => useQuery({ queryKey: qk.bot(id), queryFn: () => api<Bot>(`/bots/${id}`), enabled });
export const usePositions = (id: Id, enabled = true) =>
  useQuery({ queryKey: qk.positions(id), queryFn: () => api<Page<Position>>(`/bots/${id}/positions`).then((p) => p.items), enabled });
export const useTrades = (id: Id) => useQuery({ queryKey: qk.trades(id), queryFn: () => api<Page<Trade>>(`/bots/${id}/trades`, { query: { limit: 200 } }).then((p) => p.items) });
export const useOrders = (id: Id, enabled = true) =>
  useQuery({ queryKey: qk.orders(id), queryFn: () => api<Page<Order>>(`/bots/${id}/orders`, { query: { limit: 200 } }).then((p) => p.items), enabled });
export const useDecisions = (id: Id) =>
  useQuery({ queryKey: qk.decisions(id), queryFn: () => api<Page<DecisionRecord>>(`/bots/${id}/decisions`, { query: { limit: 50 } }).then((p) => p.items) });
export const useEquity = (id: Id) => useQuery({ queryKey: qk.equity(id), queryFn: () => api<Page<EquityPoint>>(`/bots/${id}/equity`, { query: { limit: 1000 } }).then((p) => p.items) });
export const usePerformance = (id: Id) => useQuery({ queryKey: qk.performance(id), queryFn: () => api<Performance>(`/bots/${id}/performance`) });
export const useCandles = (symbol: string, interval: string) =>
  useQuery({ queryKey: qk.candles(symbol, interval), queryFn: () => api<Page<Candle>>(`/market/${symbol}/candles`, { query: { interval, limit: 300 } }).then((p) => p.items) });
export const useArena = () => useQuery({ queryKey: qk.arena, queryFn: () => api<Arena>("/arena") });
export const useAlerts = () => useQuery({ queryKey: qk.alerts, queryFn: () => api<Page<Alert>>("/alerts").then((p) => p.items) });
export const useCredentials = () => useQuery({ queryKey: qk.credentials, queryFn: () => api<Page<Credential>>("/credentials").then((p) => p.items) });
export const useBacktests = () => useQuery({ queryKey: qk.backtests, queryFn: () => api<Page<Backtest>>("/backtests").then((p) => p.items) });
export const useBacktest = (id: Id | null) =>
  useQuery({
    queryKey: qk.backtest(id ?? "none"),
    queryFn: () => api<Backtest>(`/backtests/${id}`),
    enabled: id !== null,
    // progress is pushed on the stream; this is the fallback while a run is in flight and the stream is down
    refetchInterval: (q) => (q.state.data && (q.state.data.status === "running" || q.state.data.status === "queued") ? 5000 : false),
  });
export const usePrompts = () => useQuery({ queryKey: qk.prompts, queryFn: () => api<Page<PromptInfo>>("/prompts").then((p) => p.items), staleTime: 60_000 });

export type BotAction = "start" | "pause" | "resume" | "stop";
export function useBotAction() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ id, action }: { id: Id; action: BotAction }) => api<Bot>(`/bots/${id}/${action}`, { method: "POST" }),
    onSuccess: (bot) => patchBot(qc, bot),
  });
}

export function patchBot(qc: QueryClient, bot: Partial<Bot> & { id: Id }) {
  qc.setQueryData<Bot[]>(qk.bots, (list) => list?.map((b) => (String(b.id) === String(bot.id) ? { ...b, ...bot } : b)));
  qc.setQueryData<Bot>(qk.bot(bot.id), (b) => (b ? { ...b, ...bot } : b));
}

export const createBot = (spec: BotSpec) => api<Bot>("/bots", { method: "POST", body: spec });
export const updateBot = (id: Id, spec: Partial<BotSpec>) => api<Bot>(`/bots/${id}`, { method: "PATCH", body: spec });
export const previewPrompt = (spec: Partial<BotSpec>) => api<PromptPreview>("/prompts/preview", { method: "POST", body: { bot: spec } });
export const dryRun = (id: Id) => api<DecisionRecord>(`/bots/${id}/dry-run`, { method: "POST" });
export const startBacktest = (body: { bot?: BotSpec; bot_id?: Id; from: number; to: number; confirm_cost?: boolean }) =>
  api<{ id: Id }>("/backtests", { method: "POST", body });

export interface EmergencyResult { bot_id: Id; closed_positions: Position[]; canceled_orders: Id[]; flat: boolean }
export const emergencyStopBot = (id: Id) => api<EmergencyResult>(`/bots/${id}/emergency-stop`, { method: "POST" });
export const emergencyStopAll = () => api<{ bots: EmergencyResult[]; flat: boolean }>("/emergency-stop", { method: "POST" });
