import type { ReactNode } from "react";
import { MemoryRouter, Route, Routes } from "react-router-dom";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { render } from "@testing-library/react";
import { vi } from "vitest";
import { TooltipProvider } from "@/components/ui/tooltip";
import { Toaster } from "@/components/ui/toast";
import { StreamProvider } from "@/stream/StreamProvider";

/** Renders routes at `path`. `stream`: inside the StreamProvider (pages that read the live state;
 *  keep the session logged out there, or it opens a WebSocket). */
export function renderAt(path: string, routes: Array<{ path: string; element: ReactNode }>, opts: { stream?: boolean } = {}) {
  const qc = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  const tree = (
    <MemoryRouter initialEntries={[path]}>
      <Routes>
        {routes.map((r) => <Route key={r.path} path={r.path} element={r.element} />)}
      </Routes>
    </MemoryRouter>
  );
  const utils = render(
    <QueryClientProvider client={qc}>
      <TooltipProvider>
        {opts.stream ? <StreamProvider>{tree}</StreamProvider> : tree}
        <Toaster />
      </TooltipProvider>
    </QueryClientProvider>,
  );
  return { ...utils, qc };
}

export type Handler = (url: URL, init: RequestInit) => { status: number; body?: unknown } | undefined;

/** Replaces fetch with a router over fake responses; records every call. */
export function fakeFetch(handler: Handler) {
  const calls: Array<{ method: string; path: string; body: unknown }> = [];
  const fn = vi.fn(async (input: RequestInfo | URL, init: RequestInit = {}) => {
    const url = new URL(String(input), "http://localhost");
    const method = init.method ?? "GET";
    calls.push({ method, path: url.pathname + url.search, body: init.body ? JSON.parse(String(init.body)) : undefined });
    const r = handler(url, init) ?? { status: 404, body: { error: { code: "not_found", message: "no such route" } } };
    return new Response(r.body === undefined ? null : JSON.stringify(r.body), { status: r.status, headers: { "Content-Type": "application/json" } });
  });
  vi.stubGlobal("fetch", fn);
  return calls;
}
