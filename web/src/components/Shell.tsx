// The persistent frame: top bar (product, market time of the feed, connection state, user, global
// emergency stop) and navigation. At phone width the navigation moves into a menu.
import { NavLink, Outlet, useNavigate } from "react-router-dom";
import { Activity, Bell, Bot as BotIcon, FlaskConical, LayoutDashboard, Menu as MenuIcon, Moon, Settings, Sun, LogOut } from "lucide-react";
import { logout } from "@/api/client";
import { useBots, useHealth, useUnackedAlerts } from "@/api/queries";
import { useLive } from "@/stream/StreamProvider";
import { fmtAgo, fmtUtc, knownTime } from "@/lib/time";
import { cn } from "@/lib/utils";
import { useTheme } from "@/lib/theme";
import { EmergencyStopButton } from "./EmergencyStop";
import { useNow } from "./common";
import { Menu, MenuContent, MenuItem, MenuLabel, MenuSeparator, MenuTrigger } from "./ui/menu";
import { Button } from "./ui/button";
import { Tip } from "./ui/tooltip";
import { useSyncExternalStore } from "react";
import { session } from "@/api/client";

const NAV = [
  { to: "/", label: "Arena", icon: LayoutDashboard, end: true },
  { to: "/bots", label: "Bots", icon: BotIcon },
  { to: "/backtests", label: "Backtests", icon: FlaskConical },
  { to: "/alerts", label: "Alerts", icon: Bell },
  { to: "/settings", label: "Settings", icon: Settings },
];

export function ConnectionPill() {
  const live = useLive();
  const now = useNow(1000);
  const c = live.conn;
  const tone = c === "live" ? "text-up" : c === "offline" ? "text-down" : "text-warn";
  const label = c === "live" ? "live" : c === "connecting" ? "connecting" : c === "reconnecting" ? "reconnecting" : "offline";
  return (
    <Tip content={<span>Stream: {label}. {knownTime(live.lastEventWall) ? `Last event ${fmtAgo(live.lastEventWall, now)}.` : "No event received yet."}{live.stream.duplicates ? ` ${live.stream.duplicates} duplicates dropped.` : ""}</span>}>
      <span className={cn("inline-flex items-center gap-1.5 h-6 px-2 rounded border border-border text-xs font-medium", tone)} aria-live="polite" data-testid="conn">
        <span className={cn("h-2 w-2 rounded-full", c === "live" ? "bg-up" : c === "offline" ? "bg-down" : "bg-warn animate-pulse")} aria-hidden />
        {label}
        {c !== "live" && knownTime(live.lastEventWall) ? <span className="text-muted hidden md:inline num">· {fmtAgo(live.lastEventWall, now)}</span> : null}
      </span>
    </Tip>
  );
}

function MarketTime() {
  const { data } = useHealth();
  const live = useLive();
  const t = Math.max(data?.market_time ?? 0, live.stream.marketTime ?? 0) || null;
  const feed = data?.feed ?? "replay";
  return (
    <Tip content="Market time of the feed (not the wall clock)">
      <span className="hidden sm:inline-flex items-center gap-1.5 text-xs text-muted num">
        <Activity size={13} aria-hidden />
        <span>market</span>
        <span className="text-fg">{t ? `${fmtUtc(t)} UTC` : "—"}</span>
        <span className="hidden lg:inline">· {feed}{data?.speed ? ` ×${data.speed}` : ""}</span>
      </span>
    </Tip>
  );
}

function CaughtUp() {
  const live = useLive();
  if (live.stream.caughtUp === null) return null;
  return <span className="slidein text-xs text-accent num" role="status">caught up {live.stream.caughtUp} events</span>;
}

/** The number of unacknowledged alerts, as a badge (nothing when there are none). */
export function UnackedBadge({ className }: { className?: string }) {
  const { data } = useUnackedAlerts();
  const n = data?.items.length ?? 0;
  if (!n) return null;
  const text = data?.more ? `${n}+` : String(n);
  return (
    <span className={cn("num inline-flex items-center justify-center min-w-[18px] h-[18px] px-1 rounded-full bg-danger text-danger-fg text-[10.5px] font-semibold leading-none", className)} aria-label={`${text} unacknowledged alert${n > 1 ? "s" : ""}`} data-testid="unacked-count">
      {text}
    </span>
  );
}

export function Shell() {
  const { data: bots } = useBots();
  const unacked = useUnackedAlerts();
  const [theme, setTheme] = useTheme();
  const nav = useNavigate();
  const auth = useSyncExternalStore(session.subscribe, session.snapshot);
  // the server's emergency stop covers every bot of the caller the runtime holds — a stopped bot
  // may still hold positions (close_on_stop off): the confirmation lists them all
  const all = bots ?? [];
  const liveBot = (bots ?? []).some((b) => b.mode === "live");
  return (
    <div className="min-h-full flex flex-col">
      {liveBot && <div className="h-1 bg-[var(--live-band)]" aria-label="A bot trades real money" />}
      <header className="sticky top-0 z-30 bg-panel/95 backdrop-blur border-b border-border">
        <div className="h-12 px-3 flex items-center gap-3 max-w-[1600px] mx-auto">
          <NavLink to="/" className="flex items-center gap-2 font-semibold text-[14px] shrink-0">
            <img src="/favicon.svg" alt="" className="h-5 w-5" />
            aitrader
          </NavLink>
          <nav className="hidden md:flex items-center gap-0.5 ml-2" aria-label="Main">
            {NAV.map((n) => (
              <NavLink key={n.to} to={n.to} end={n.end} className={({ isActive }) => cn("h-8 px-2.5 rounded-md inline-flex items-center gap-1.5 text-[13px] text-muted hover:text-fg hover:bg-panel-2", isActive && "text-fg bg-panel-2")}>
                <n.icon size={14} aria-hidden />
                {n.label}
                {n.to === "/alerts" && <UnackedBadge />}
              </NavLink>
            ))}
          </nav>
          <div className="flex-1" />
          <CaughtUp />
          <MarketTime />
          <ConnectionPill />
          {auth.email && <span className="hidden xl:inline text-xs text-muted truncate max-w-48" title="Signed in">{auth.email}</span>}
          <span className="hidden sm:inline"><EmergencyStopButton bots={all} scope="all" /></span>
          <span className="sm:hidden"><EmergencyStopButton bots={all} scope="all" compact /></span>
          <Menu>
            <MenuTrigger asChild>
              <Button variant="ghost" size="icon" aria-label="Menu" className="relative">
                <MenuIcon size={16} />
                {/* the navigation is in this menu below md: a dot says an alert waits */}
                {(unacked.data?.items.length ?? 0) > 0 && <span className="md:hidden absolute top-1 right-1 h-2 w-2 rounded-full bg-danger" aria-hidden />}
              </Button>
            </MenuTrigger>
            <MenuContent>
              <MenuLabel>{auth.email ?? "signed in"}</MenuLabel>
              <MenuSeparator />
              <div className="md:hidden">
                {NAV.map((n) => (
                  <MenuItem key={n.to} onSelect={() => nav(n.to)}><n.icon size={14} /> {n.label}{n.to === "/alerts" && <UnackedBadge className="ml-auto" />}</MenuItem>
                ))}
                <MenuSeparator />
              </div>
              <MenuItem onSelect={() => setTheme(theme === "dark" ? "light" : "dark")}>
                {theme === "dark" ? <Sun size={14} /> : <Moon size={14} />} {theme === "dark" ? "Light theme" : "Dark theme"}
              </MenuItem>
              <MenuItem onSelect={() => void logout().then(() => nav("/login"))}><LogOut size={14} /> Log out</MenuItem>
            </MenuContent>
          </Menu>
        </div>
      </header>
      <main className="flex-1 w-full max-w-[1600px] mx-auto p-3 md:p-4">
        <Outlet />
      </main>
    </div>
  );
}
