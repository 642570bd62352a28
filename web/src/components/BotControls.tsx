// Start / pause / resume / stop for a bot, with the server's refusal shown as a toast.
import { Pause, Play, Square } from "lucide-react";
import { ApiError } from "@/api/client";
import { useBotAction, type BotAction } from "@/api/queries";
import type { Bot } from "@/api/types";
import { toast } from "./ui/toast";
import { Button } from "./ui/button";

export function BotControls({ bot, size = "sm" }: { bot: Bot; size?: "sm" | "md" }) {
  const m = useBotAction();
  const run = (action: BotAction) =>
    m.mutate({ id: bot.id, action }, {
      onError: (e) => toast({ title: `Could not ${action} ${bot.label || bot.name}`, description: e instanceof ApiError ? e.message : String(e), tone: "danger" }),
    });
  const busy = m.isPending;
  return (
    <div className="flex items-center gap-1">
      {bot.status !== "running" && (
        <Button size={size} variant="outline" disabled={busy} onClick={() => run(bot.status === "paused" ? "resume" : "start")} aria-label={`Start ${bot.name}`}>
          <Play size={12} /> {bot.status === "paused" ? "Resume" : "Start"}
        </Button>
      )}
      {bot.status === "running" && (
        <Button size={size} variant="outline" disabled={busy} onClick={() => run("pause")} aria-label={`Pause ${bot.name}`}><Pause size={12} /> Pause</Button>
      )}
      {bot.status !== "stopped" && (
        <Button size={size} variant="outline" disabled={busy} onClick={() => run("stop")} aria-label={`Stop ${bot.name}`}><Square size={12} /> Stop</Button>
      )}
    </div>
  );
}
