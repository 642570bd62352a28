import { lazy, Suspense, useEffect, useSyncExternalStore, type ReactNode } from "react";
import { BrowserRouter, Navigate, Route, Routes, useLocation } from "react-router-dom";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { session } from "@/api/client";
import { ApiError } from "@/api/client";
import { Shell } from "@/components/Shell";
import { Toaster } from "@/components/ui/toast";
import { TooltipProvider } from "@/components/ui/tooltip";
import { LoadingRows } from "@/components/common";
import { StreamProvider } from "@/stream/StreamProvider";
import ArenaPage from "@/pages/ArenaPage";
import LoginPage from "@/pages/LoginPage";

// Chart-heavy pages are code-split; the arena loads its chart lazily itself.
const BotsPage = lazy(() => import("@/pages/BotsPage"));
const BotFormPage = lazy(() => import("@/pages/BotFormPage"));
const BotDetailPage = lazy(() => import("@/pages/BotDetailPage"));
const BacktestsPage = lazy(() => import("@/pages/BacktestsPage"));
const AlertsPage = lazy(() => import("@/pages/AlertsPage"));
const SettingsPage = lazy(() => import("@/pages/SettingsPage"));

export const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      staleTime: 10_000,
      retry: (n, e) => !(e instanceof ApiError && e.status >= 400 && e.status < 500) && n < 2,
      refetchOnWindowFocus: false,
    },
  },
});

function RequireAuth({ children }: { children: ReactNode }) {
  const s = useSyncExternalStore(session.subscribe, session.snapshot);
  const loc = useLocation();
  useEffect(() => {
    if (s.status === "unknown") void session.refresh();
  }, [s.status]);
  if (s.status === "unknown") return <div className="p-6"><LoadingRows rows={6} /></div>;
  if (s.status === "anonymous") return <Navigate to="/login" replace state={{ from: loc.pathname }} />;
  return <>{children}</>;
}

const Page = ({ children }: { children: ReactNode }) => <Suspense fallback={<LoadingRows rows={8} />}>{children}</Suspense>;

export default function App() {
  return (
    <QueryClientProvider client={queryClient}>
      <TooltipProvider>
        <BrowserRouter>
          <StreamProvider>
            <Routes>
              <Route path="/login" element={<LoginPage />} />
              <Route path="/register" element={<LoginPage register />} />
              <Route element={<RequireAuth><Shell /></RequireAuth>}>
                <Route index element={<ArenaPage />} />
                <Route path="bots" element={<Page><BotsPage /></Page>} />
                <Route path="bots/new" element={<Page><BotFormPage /></Page>} />
                <Route path="bots/:id" element={<Page><BotDetailPage /></Page>} />
                <Route path="bots/:id/edit" element={<Page><BotFormPage /></Page>} />
                <Route path="backtests" element={<Page><BacktestsPage /></Page>} />
                <Route path="backtests/:id" element={<Page><BacktestsPage /></Page>} />
                <Route path="alerts" element={<Page><AlertsPage /></Page>} />
                <Route path="settings" element={<Page><SettingsPage /></Page>} />
                <Route path="*" element={<div className="p-6 text-muted">No such page.</div>} />
              </Route>
            </Routes>
            <Toaster />
          </StreamProvider>
        </BrowserRouter>
      </TooltipProvider>
    </QueryClientProvider>
  );
}
