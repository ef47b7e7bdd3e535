'use client';
import type { LucideIcon } from 'lucide-react';
import { cn } from '@/lib/utils';

/**
 * One content shown in one of a few ways (canvas, list or JSON; form or JSON): a group of pressed /
 * not pressed buttons, not tabs, since there are no separate panels for tabs to point at.
 */
export function ViewToggle<V extends string>({
  label,
  value,
  onChange,
  options,
  testIdPrefix,
  size = 'default',
  className,
}: {
  /** What the group chooses, for screen readers ("Edit the steps as"). */
  label: string;
  value: V;
  onChange(value: NoInfer<V>): void;
  options: readonly (readonly [NoInfer<V>, string, LucideIcon])[];
  /** Each button's test id is `${testIdPrefix}${value}`. */
  testIdPrefix?: string;
  size?: 'default' | 'sm';
  className?: string;
}) {
  return (
    <div role="group" aria-label={label} className={cn('inline-flex items-center rounded-lg bg-muted p-0.5 text-muted-foreground', size === 'sm' ? 'h-7 w-fit' : 'h-8', className)}>
      {options.map(([v, text, Icon]) => (
        <button
          key={v}
          type="button"
          aria-pressed={value === v}
          onClick={() => onChange(v)}
          className={cn(
            'inline-flex h-full cursor-pointer items-center gap-1.5 rounded-md text-xs font-medium outline-none focus-visible:ring-[3px] focus-visible:ring-ring/50 [&_svg]:size-3.5',
            size === 'sm' ? 'px-2' : 'px-2.5',
            value === v && 'bg-card text-foreground shadow-sm',
          )}
          data-testid={testIdPrefix ? `${testIdPrefix}${v}` : undefined}
        >
          <Icon aria-hidden /> {text}
        </button>
      ))}
    </div>
  );
}
