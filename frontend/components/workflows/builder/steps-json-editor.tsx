'use client';
import { CircleAlert } from 'lucide-react';
import { Textarea } from '@/components/ui/textarea';

/**
 * The steps as JSON (workflow language v2: action steps and blocks, nested). The text is checked
 * against the api's step schema when it is applied (switching back to the form, saving, a dry run).
 */
export function StepsJsonEditor({ value, onChange, errors }: { value: string; onChange(text: string): void; errors: string[] }) {
  const errorId = errors.length ? 'steps-json-errors' : undefined;
  return (
    <div className="flex flex-col gap-2" data-testid="steps-json-view">
      <label htmlFor="steps-json" className="sr-only">
        Steps as JSON
      </label>
      <Textarea
        id="steps-json"
        rows={Math.min(40, Math.max(12, value.split('\n').length + 1))}
        className="font-mono text-xs leading-relaxed"
        spellCheck={false}
        autoCapitalize="off"
        autoCorrect="off"
        value={value}
        onChange={(e) => onChange(e.target.value)}
        aria-invalid={errors.length > 0}
        aria-describedby={['steps-json-desc', errorId].filter(Boolean).join(' ')}
        data-testid="steps-json"
      />
      <p id="steps-json-desc" className="text-xs text-muted-foreground">
        An array of steps: action steps <code className="font-mono">{'{ id, connector, action, input }'}</code> and blocks with <code className="font-mono">type</code>{' '}
        <code className="font-mono">condition</code>, <code className="font-mono">loop</code>, <code className="font-mono">parallel</code>, <code className="font-mono">wait</code>,{' '}
        <code className="font-mono">call</code> or <code className="font-mono">agent</code>. Applied when you switch back to the form, save or dry-run.
      </p>
      {errors.length > 0 && (
        <div id={errorId} role="alert" className="rounded-md border border-destructive/40 bg-destructive/5 p-3 text-sm text-destructive" data-testid="steps-json-errors">
          <p className="flex items-center gap-2 font-medium">
            <CircleAlert className="size-4 shrink-0" aria-hidden /> The steps cannot be applied
          </p>
          <ul className="mt-1 list-disc pl-6 text-xs break-words">
            {errors.map((e, i) => (
              <li key={i}>{e}</li>
            ))}
          </ul>
        </div>
      )}
    </div>
  );
}
