import * as React from "react";
import * as T from "@radix-ui/react-tabs";
import { cn } from "@/lib/utils";

export const Tabs = T.Root;
export function TabsList({ className, ...p }: React.ComponentProps<typeof T.List>) {
  return <T.List className={cn("inline-flex items-center gap-0.5 rounded-md bg-panel-2 p-0.5 border border-border", className)} {...p} />;
}
export function TabsTrigger({ className, ...p }: React.ComponentProps<typeof T.Trigger>) {
  return (
    <T.Trigger
      className={cn("h-6 px-2 rounded text-xs font-medium text-muted data-[state=active]:bg-panel data-[state=active]:text-fg data-[state=active]:shadow-sm cursor-pointer", className)}
      {...p}
    />
  );
}
export const TabsContent = T.Content;
