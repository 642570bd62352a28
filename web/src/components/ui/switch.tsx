import * as S from "@radix-ui/react-switch";
import { cn } from "@/lib/utils";

export function Switch({ className, ...p }: S.SwitchProps) {
  return (
    <S.Root className={cn("relative h-5 w-9 rounded-full bg-border data-[state=checked]:bg-accent transition-colors cursor-pointer", className)} {...p}>
      <S.Thumb className="block h-4 w-4 rounded-full bg-white shadow translate-x-0.5 data-[state=checked]:translate-x-[18px] transition-transform" />
    </S.Root>
  );
}
