import { Link } from "react-router-dom";
import { MoreHorizontal, Plus } from "lucide-react";
import { useBots, useBotAction } from "@/api/queries";
import { percentOf } from "@/lib/decimal";
import { formatUsd } from "@/lib/decimal";
import { useLive, useMarketNow } from "@/stream/StreamProvider";
import { Ago, Empty, ErrorState, LoadingRows, ModeBadge, ModelLabel, Signed, StaleNote, StatusBadge, useNow } from "@/components/common";
import { BotControls } from "@/components/BotControls";
import { Td } from "@/components/tables";
import { Panel } from "@/components/ui/panel";
import { Button } from "@/components/ui/button";
import { Menu, MenuContent, MenuItem, MenuTrigger } from "@/components/ui/menu";
import { useNavigate } from "react-router-dom";

export default function BotsPage() {
  const bots = useBots();
  const live = useLive();
  const now = useNow(1000);
  const nav = useNavigate();
  const mnow = useMarketNow();
  const action = useBotAction();
  return (
    <Panel
      title={<>Bots <span className="text-muted font-normal num">{bots.data?.length ?? ""}</span></>}
      actions={<>{live.conn !== "live" && bots.data && <StaleNote since={live.lastEventWall} now={now} />}<Button asChild variant="default" size="sm"><Link to="/bots/new"><Plus size={13} /> New bot</Link></Button></>}
    >
      {bots.isLoading ? <LoadingRows rows={6} /> : bots.error && !bots.data ? <ErrorState error={bots.error} retry={() => bots.refetch()} /> : !bots.data?.length ? (
        <Empty title="No bots yet">Create your first bot. <Link className="text-accent" to="/bots/new">New bot</Link></Empty>
      ) : (
        <div className="overflow-x-auto">
          <table className="tbl tbl-stack num" data-testid="bots-table">
            <thead>
              <tr>
                <th>bot</th>
                <th className="hidden md:table-cell">status</th>
                <th className="hidden lg:table-cell">model</th>
                <th className="hidden md:table-cell">mode</th>
                <th className="r">equity</th>
                <th className="r">PnL</th>
                <th className="r hidden sm:table-cell">open pos.</th>
                <th className="r hidden lg:table-cell">last decision</th>
                <th className="r">actions</th>
              </tr>
            </thead>
            <tbody>
              {bots.data.map((b) => (
                <tr key={String(b.id)}>
                  <td className="max-w-[14rem] cell-title">
                    <Link to={`/bots/${b.id}`} className="font-medium hover:underline truncate block">{b.label || b.name}</Link>
                    {/* between the phone cards and md the status column is hidden: show it here */}
                    <div className="hidden sm:flex md:hidden items-center gap-1 mt-0.5"><StatusBadge status={b.status} tradingState={b.trading_state} /></div>
                  </td>
                  <Td label="status" className="hidden md:table-cell"><StatusBadge status={b.status} tradingState={b.trading_state} /></Td>
                  <Td label="model" className="hidden lg:table-cell max-w-[14rem] cell-wide"><ModelLabel bot={b} /></Td>
                  <Td label="mode" className="hidden md:table-cell"><ModeBadge mode={b.mode} /></Td>
                  <Td label="equity" className="r">{formatUsd(b.equity)}</Td>
                  <Td label="PnL" className="r"><Signed value={percentOf(b.pnl, b.capital)} kind="pct" /></Td>
                  <Td label="open positions" className="r hidden sm:table-cell">{b.open_positions}</Td>
                  <Td label="last decision" className="r hidden lg:table-cell"><Ago ms={b.last_decision_at} now={mnow} /></Td>
                  <td className="r cell-actions">
                    <div className="hidden sm:flex justify-end"><BotControls bot={b} /></div>
                    <div className="sm:hidden flex justify-end">
                      <Menu>
                        <MenuTrigger asChild><Button size="icon" variant="ghost" aria-label={`Actions for ${b.name}`}><MoreHorizontal size={16} /></Button></MenuTrigger>
                        <MenuContent>
                          {b.status !== "running" && <MenuItem onSelect={() => action.mutate({ id: b.id, action: b.status === "paused" ? "resume" : "start" })}>{b.status === "paused" ? "Resume" : "Start"}</MenuItem>}
                          {b.status === "running" && <MenuItem onSelect={() => action.mutate({ id: b.id, action: "pause" })}>Pause</MenuItem>}
                          {b.status !== "stopped" && <MenuItem onSelect={() => action.mutate({ id: b.id, action: "stop" })}>Stop</MenuItem>}
                          <MenuItem onSelect={() => nav(`/bots/${b.id}/edit`)}>Edit</MenuItem>
                        </MenuContent>
                      </Menu>
                    </div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Panel>
  );
}
