import * as React from "react";
import * as T from "@radix-ui/react-tooltip";

export const TooltipProvider = T.Provider;
export function Tip({ content, children }: { content: React.ReactNode; children: React.ReactElement }) {
  return (
    <T.Root delayDuration={250}>
      <T.Trigger asChild>{children}</T.Trigger>
      <T.Portal>
        <T.Content sideOffset={4} className="z-50 rounded bg-fg text-bg px-2 py-1 text-xs shadow num max-w-xs">
          {content}
        </T.Content>
      </T.Portal>
    </T.Root>
  );
}
