import { cn, prettyJson } from '@/lib/utils';

export function JsonView({ value, className, testId }: { value: unknown; className?: string; testId?: string }) {
  const text = value === undefined ? '—' : typeof value === 'string' ? value : prettyJson(value);
  return (
    <pre
      data-testid={testId}
      className={cn('max-h-80 overflow-auto rounded-md border bg-muted/50 p-3 font-mono text-xs leading-relaxed break-words whitespace-pre-wrap', className)}
    >
      {text}
    </pre>
  );
}
