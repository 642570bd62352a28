import * as React from "react";
import { cva, type VariantProps } from "class-variance-authority";
import { cn } from "@/lib/utils";

const badgeVariants = cva("inline-flex items-center gap-1 rounded px-1.5 h-5 text-[11px] font-medium whitespace-nowrap border", {
  variants: {
    tone: {
      neutral: "border-border text-muted bg-panel-2",
      up: "border-up/40 text-up bg-up/10",
      down: "border-down/40 text-down bg-down/10",
      warn: "border-warn/40 text-warn bg-warn/10",
      accent: "border-accent/40 text-accent bg-accent/10",
      danger: "border-danger bg-danger text-danger-fg",
    },
  },
  defaultVariants: { tone: "neutral" },
});

export function Badge({ className, tone, ...props }: React.HTMLAttributes<HTMLSpanElement> & VariantProps<typeof badgeVariants>) {
  return <span className={cn(badgeVariants({ tone }), className)} {...props} />;
}
