import * as React from "react";
import * as M from "@radix-ui/react-dropdown-menu";
import { cn } from "@/lib/utils";

export const Menu = M.Root;
export const MenuTrigger = M.Trigger;
export function MenuContent({ className, ...p }: React.ComponentProps<typeof M.Content>) {
  return (
    <M.Portal>
      <M.Content sideOffset={4} align="end" className={cn("z-50 min-w-40 rounded-md border border-border bg-panel p-1 shadow-xl", className)} {...p} />
    </M.Portal>
  );
}
export function MenuItem({ className, ...p }: React.ComponentProps<typeof M.Item>) {
  return <M.Item className={cn("flex items-center gap-2 rounded px-2 h-8 text-[13px] outline-none cursor-pointer data-[highlighted]:bg-panel-2 data-[disabled]:opacity-50", className)} {...p} />;
}
export const MenuSeparator = () => <M.Separator className="my-1 h-px bg-border" />;
export const MenuLabel = ({ children }: { children: React.ReactNode }) => <M.Label className="px-2 py-1 text-xs text-muted">{children}</M.Label>;
