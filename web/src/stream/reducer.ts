// The live-stream state: a pure reducer over messages of GET /api/stream. It drops duplicates by
// the per-bot sequence number (a resume replays from `since`, which may overlap what we already
// have), counts what a resume brought in ("caught up N events"), flags gaps, and keeps bounded
// recent lists for the feeds. Messages are untrusted input: anything malformed is counted and dropped.

import type { Id, StreamMessage, StreamType } from "@/api/types";

export const STREAM_TYPES: readonly StreamType[] = [
  "cycle", "decision", "order", "fill", "position", "equity", "alert", "status", "backtest",
];

export interface StreamState {
  lastSeq: Record<string, number>; // per bot id
  recent: StreamMessage[]; // newest first, bounded
  decisions: StreamMessage[]; // newest first, bounded
  accepted: number;
  duplicates: number;
  malformed: number;
  gaps: number; // sequence jumps seen outside a replay
  replaying: boolean;
  replayCount: number; // accepted during the current replay
  caughtUp: number | null; // events the last finished replay brought in
  marketTime: number | null; // latest `at` seen
}

export const RECENT_LIMIT = 300;
export const DECISION_LIMIT = 100;

export const initialStreamState: StreamState = {
  lastSeq: {},
  recent: [],
  decisions: [],
  accepted: 0,
  duplicates: 0,
  malformed: 0,
  gaps: 0,
  replaying: false,
  replayCount: 0,
  caughtUp: null,
  marketTime: null,
};

export type StreamAction =
  | { kind: "message"; msg: unknown }
  | { kind: "replay_start" }
  | { kind: "replay_end" }
  | { kind: "clear_caught_up" };

/** Validates a decoded message; returns null when it is not a well-formed stream message. */
export function asStreamMessage(raw: unknown): StreamMessage | null {
  if (typeof raw !== "object" || raw === null) return null;
  const m = raw as Record<string, unknown>;
  if (typeof m.seq !== "number" || !Number.isSafeInteger(m.seq) || m.seq < 0) return null;
  if (typeof m.type !== "string" || !(STREAM_TYPES as readonly string[]).includes(m.type)) return null;
  // bot_id is null only on a transient (seq 0) event that is not a bot's: backtest progress.
  const transient = m.seq === 0 && m.bot_id === null;
  if (!transient && typeof m.bot_id !== "string" && typeof m.bot_id !== "number") return null;
  if (typeof m.at !== "number" || !Number.isFinite(m.at)) return null;
  return { seq: m.seq, type: m.type as StreamType, bot_id: (transient ? "" : m.bot_id) as Id, at: m.at, data: m.data ?? {} };
}

export function streamReducer(state: StreamState, action: StreamAction): StreamState {
  switch (action.kind) {
    case "replay_start":
      return { ...state, replaying: true, replayCount: 0 };
    case "replay_end":
      if (!state.replaying) return state;
      return { ...state, replaying: false, caughtUp: state.replayCount, replayCount: 0 };
    case "clear_caught_up":
      return state.caughtUp === null ? state : { ...state, caughtUp: null };
    case "message": {
      const msg = asStreamMessage(action.msg);
      if (!msg) return { ...state, malformed: state.malformed + 1 };
      if (msg.seq === 0) {
        // A transient event (backtest progress): not a bot's sequence, not market time.
        const recent = [msg, ...state.recent];
        if (recent.length > RECENT_LIMIT) recent.length = RECENT_LIMIT;
        return { ...state, recent, accepted: state.accepted + 1 };
      }
      const key = String(msg.bot_id);
      const last = state.lastSeq[key];
      if (last !== undefined && msg.seq <= last) return { ...state, duplicates: state.duplicates + 1 };
      const gap = last !== undefined && msg.seq > last + 1 && !state.replaying;
      const recent = [msg, ...state.recent];
      if (recent.length > RECENT_LIMIT) recent.length = RECENT_LIMIT;
      let decisions = state.decisions;
      if (msg.type === "decision") {
        decisions = [msg, ...state.decisions];
        if (decisions.length > DECISION_LIMIT) decisions.length = DECISION_LIMIT;
      }
      return {
        ...state,
        lastSeq: { ...state.lastSeq, [key]: msg.seq },
        recent,
        decisions,
        accepted: state.accepted + 1,
        gaps: state.gaps + (gap ? 1 : 0),
        replayCount: state.replaying ? state.replayCount + 1 : state.replayCount,
        marketTime: state.marketTime === null || msg.at > state.marketTime ? msg.at : state.marketTime,
      };
    }
  }
}

/**
 * The `since` to resume from. Sequences are per bot and one connection carries several bots, so the
 * smallest last-seen sequence is sent: everything any bot missed is replayed, and the overlap is
 * dropped by the reducer's per-bot dedup. Null when nothing was seen yet (go live directly).
 */
export function resumeSince(lastSeq: Record<string, number>, bots?: readonly Id[]): number | null {
  const keys = bots ? bots.map(String) : Object.keys(lastSeq);
  let min: number | null = null;
  for (const k of keys) {
    const v = lastSeq[k];
    if (v === undefined) continue;
    if (min === null || v < min) min = v;
  }
  return min;
}
