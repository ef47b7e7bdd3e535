'use client';
import * as React from 'react';
import { ChevronLeft, ChevronRight } from 'lucide-react';
import { Button } from '@/components/ui/button';
import { NativeSelect } from '@/components/ui/native-select';

/**
 * Which iteration of a loop (or turn of an agent) is shown: previous / next, or any one from the
 * list with its status. A native select keeps a loop of thousands of items usable by keyboard.
 */
export function IterationPicker({
  label,
  count,
  selected,
  statuses,
  onSelect,
  testId,
}: {
  /** `Iteration of each`, `Turn of support`: names the control for screen readers. */
  label: string;
  count: number;
  selected: number;
  statuses: readonly string[];
  onSelect(index: number): void;
  testId: string;
}) {
  const id = React.useId();
  if (count === 0) return null;
  return (
    <div className="flex items-center gap-1.5" role="group" aria-label={label} data-testid={testId} data-selected={selected} data-count={count}>
      <Button type="button" size="icon-sm" variant="outline" disabled={selected <= 0} onClick={() => onSelect(selected - 1)} aria-label={`Previous (${label})`} data-testid={`${testId}-prev`}>
        <ChevronLeft />
      </Button>
      <label htmlFor={id} className="sr-only">
        {label}
      </label>
      <NativeSelect id={id} className="min-w-0 flex-1" value={selected} onChange={(e) => onSelect(Number(e.target.value))} data-testid={`${testId}-select`}>
        {Array.from({ length: count }, (_, i) => (
          <option key={i} value={i}>
            {i + 1} of {count}
            {statuses[i] ? ` · ${statuses[i]}` : ''}
          </option>
        ))}
      </NativeSelect>
      <Button type="button" size="icon-sm" variant="outline" disabled={selected >= count - 1} onClick={() => onSelect(selected + 1)} aria-label={`Next (${label})`} data-testid={`${testId}-next`}>
        <ChevronRight />
      </Button>
    </div>
  );
}
