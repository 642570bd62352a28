// Owns the one stream connection of the page while logged in, feeds the reducer, patches the
// query cache and raises toasts. Components read the state with useStream().
import { createContext, useContext, useEffect, useMemo, useRef, useState, useSyncExternalStore, type ReactNode } from "react";
import { useQueryClient } from "@tanstack/react-query";
import { session, streamUrl } from "@/api/client";
import { qk, useHealth } from "@/api/queries";
import type { Bot, SymbolInfo } from "@/api/types";
import { makeInstruments } from "@/lib/instruments";
import { toast } from "@/components/ui/toast";
import { StreamClient, type ConnectionState } from "./connection";
import { initialStreamState, resumeSince, streamReducer, type StreamAction, type StreamState } from "./reducer";
import { applyEvent } from "./cache";

export interface LiveState {
  conn: ConnectionState;
  stream: StreamState;
  lastEventWall: number | null; // wall-clock time of the last event received
}

class Store {
  state: LiveState = { conn: "connecting", stream: initialStreamState, lastEventWall: null };
  private ls = new Set<() => void>();
  subscribe = (l: () => void) => (this.ls.add(l), () => void this.ls.delete(l));
  get = () => this.state;
  set(next: LiveState) {
    this.state = next;
    this.ls.forEach((l) => l());
  }
  dispatch(a: StreamAction) {
    const s = streamReducer(this.state.stream, a);
    if (s !== this.state.stream) this.set({ ...this.state, stream: s, lastEventWall: a.kind === "message" ? Date.now() : this.state.lastEventWall });
    return s;
  }
}

const Ctx = createContext<Store | null>(null);

export function StreamProvider({ children }: { children: ReactNode }) {
  const qc = useQueryClient();
  const store = useMemo(() => new Store(), []);
  const auth = useSyncExternalStore(session.subscribe, session.snapshot);
  const clientRef = useRef<StreamClient | null>(null);

  useEffect(() => {
    if (auth.status !== "authenticated") return;
    const label = (id: string) => {
      const b = qc.getQueryData<Bot[]>(qk.bots)?.find((x) => String(x.id) === id);
      return b ? b.label || b.name : `bot ${id}`;
    };
    let caughtTimer: ReturnType<typeof setTimeout> | null = null;
    const client = new StreamClient({
      url: (token, since) => streamUrl(token, since),
      getToken: () => session.token(),
      getSince: () => resumeSince(store.state.stream.lastSeq),
      onState: (conn) => store.set({ ...store.state, conn }),
      onReplayStart: () => store.dispatch({ kind: "replay_start" }),
      onReplayEnd: () => {
        const s = store.dispatch({ kind: "replay_end" });
        if (s.caughtUp !== null) {
          if (caughtTimer) clearTimeout(caughtTimer);
          caughtTimer = setTimeout(() => store.dispatch({ kind: "clear_caught_up" }), 6000);
          // what we missed may include order history and trades: refresh the lists in view
          if (s.caughtUp > 0) qc.invalidateQueries();
        }
      },
      onMessage: (raw) => {
        const before = store.state.stream;
        const after = store.dispatch({ kind: "message", msg: raw });
        if (after.accepted === before.accepted) return; // duplicate or malformed
        const msg = after.recent[0];
        const ins = makeInstruments(qc.getQueryData<SymbolInfo[]>(qk.symbols));
        const intent = applyEvent(qc, msg, { botLabel: label, price: (sy, v) => ins.price(sy, v), qty: (sy, v) => ins.qty(sy, v), base: (sy) => ins.base(sy) });
        // no toast storm while catching up
        if (intent && !after.replaying) toast({ title: intent.title, description: intent.description, tone: intent.tone });
        if (after.gaps > before.gaps) qc.invalidateQueries();
      },
    });
    clientRef.current = client;
    client.start();
    const online = () => client.reconnectNow();
    window.addEventListener("online", online);
    return () => {
      window.removeEventListener("online", online);
      if (caughtTimer) clearTimeout(caughtTimer);
      client.stop();
      clientRef.current = null;
    };
  }, [auth.status, qc, store]);

  return <Ctx.Provider value={store}>{children}</Ctx.Provider>;
}

export function useLive(): LiveState {
  const store = useContext(Ctx);
  if (!store) throw new Error("useLive outside StreamProvider");
  return useSyncExternalStore(store.subscribe, store.get);
}

/** True when data shown from the stream may be out of date. */
export function useStale(): boolean {
  return useLive().conn !== "live";
}

/** "Now" on the market clock (replay time), for relative times of market events. */
export function useMarketNow(): number {
  const live = useLive();
  const { data } = useHealth();
  const wall = useTick(1000);
  const t = Math.max(live.stream.marketTime ?? 0, data?.market_time ?? 0);
  return t || wall;
}

function useTick(ms: number) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(t);
  }, [ms]);
  return now;
}
