import * as React from "react";
import * as D from "@radix-ui/react-dialog";
import { X } from "lucide-react";
import { cn } from "@/lib/utils";

export const Dialog = D.Root;
export const DialogTrigger = D.Trigger;
export const DialogClose = D.Close;

export function DialogContent({ title, description, children, className, side }: {
  title: React.ReactNode; description?: React.ReactNode; children: React.ReactNode; className?: string; side?: "right";
}) {
  return (
    <D.Portal>
      <D.Overlay className="fixed inset-0 z-40 bg-black/50" />
      <D.Content
        className={cn(
          "fixed z-50 bg-panel border border-border shadow-2xl flex flex-col",
          side === "right"
            ? "right-0 top-0 h-full w-full sm:w-[640px] border-y-0 border-r-0"
            : "left-1/2 top-1/2 -translate-x-1/2 -translate-y-1/2 w-[calc(100vw-24px)] max-w-lg max-h-[calc(100vh-48px)] rounded-lg",
          className,
        )}
      >
        <div className="flex items-start justify-between gap-3 px-4 pt-3 pb-2 border-b border-border">
          <div className="min-w-0">
            <D.Title className="text-sm font-semibold">{title}</D.Title>
            {description ? <D.Description className="text-xs text-muted mt-0.5">{description}</D.Description> : <D.Description className="sr-only">dialog</D.Description>}
          </div>
          <D.Close className="rounded p-1 hover:bg-panel-2" aria-label="Close"><X size={16} /></D.Close>
        </div>
        <div className="overflow-auto p-4 min-h-0 flex-1">{children}</div>
      </D.Content>
    </D.Portal>
  );
}
