import * as React from "react";
import { cn } from "@/lib/utils";

/** A titled section. No cards inside cards: a Panel's body holds tables, charts and lists. */
export function Panel({ title, actions, children, className, bodyClassName, id }: {
  title?: React.ReactNode; actions?: React.ReactNode; children: React.ReactNode; className?: string; bodyClassName?: string; id?: string;
}) {
  return (
    <section id={id} className={cn("rounded-lg border border-border bg-panel min-w-0", className)}>
      {(title || actions) && (
        <header className="flex items-center justify-between gap-2 px-3 h-10 border-b border-border">
          <h2 className="text-[13px] font-semibold truncate flex items-center gap-2">{title}</h2>
          <div className="flex items-center gap-1.5 shrink-0">{actions}</div>
        </header>
      )}
      <div className={cn("min-w-0", bodyClassName)}>{children}</div>
    </section>
  );
}
