import { Link } from "react-router-dom";
import { BellOff } from "lucide-react";
import { useAlerts, useBots } from "@/api/queries";
import { fmtUtc } from "@/lib/time";
import { useMarketNow } from "@/stream/StreamProvider";
import { Ago, Empty, ErrorState, LoadingRows } from "@/components/common";
import { Panel } from "@/components/ui/panel";
import { Badge } from "@/components/ui/badge";

export default function AlertsPage() {
  const alerts = useAlerts();
  const bots = useBots();
  const now = useMarketNow();
  const name = (id: unknown) => bots.data?.find((b) => String(b.id) === String(id));
  return (
    <Panel title={<>Alerts <span className="text-muted font-normal num">{alerts.data?.length ?? ""}</span></>}>
      {alerts.isLoading ? <LoadingRows rows={5} /> : alerts.error && !alerts.data ? <ErrorState error={alerts.error} retry={() => alerts.refetch()} /> : !alerts.data?.length ? (
        <Empty title="No alerts" icon={<BellOff size={22} />}>Stops hit, risk halts, budget exhaustion and venue problems appear here and as toasts.</Empty>
      ) : (
        <ul>
          {alerts.data.map((a) => {
            const b = name(a.bot_id);
            return (
              <li key={String(a.id)} className="slidein flex flex-col sm:flex-row sm:items-center gap-1 sm:gap-3 px-3 py-2 border-b border-border last:border-0">
                <div className="flex items-center gap-2 sm:w-56 shrink-0">
                  <Badge tone={a.severity === "critical" ? "danger" : a.severity === "warning" ? "warn" : "accent"}>{a.severity}</Badge>
                  <span className="text-xs text-muted num" title={fmtUtc(a.at, true) + " UTC"}>{fmtUtc(a.at)}</span>
                </div>
                <div className="flex-1 min-w-0 text-[13px]">{a.message}</div>
                <div className="flex items-center gap-2 text-xs text-muted shrink-0">
                  {b && <Link to={`/bots/${b.id}`} className="hover:underline">{b.label || b.name}</Link>}
                  <Ago ms={a.at} now={now} />
                </div>
              </li>
            );
          })}
        </ul>
      )}
    </Panel>
  );
}
