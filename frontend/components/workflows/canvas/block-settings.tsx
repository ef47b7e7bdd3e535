'use client';
import * as React from 'react';
import Link from 'next/link';
import { Minus, Plus } from 'lucide-react';
import { stepIdError } from '@tributary/contracts/patterns';
import { useWorkflowOptions } from '@/lib/api/workflows';
import type { Step } from '@/lib/api/types';
import { Button } from '@/components/ui/button';
import { Field } from '@/components/ui/field';
import { Input } from '@/components/ui/input';
import { NativeSelect } from '@/components/ui/native-select';
import { Textarea } from '@/components/ui/textarea';
import { useBuilder } from '../builder/builder-context';

type WaitStep = Extract<Step, { type: 'wait' }>;
type WaitFor = WaitStep['for'];

/** A number typed as text: the step changes when the text is a number (or empty, for optional ones). */
function NumberInput({ id, value, onChange, optional, testId, ...aria }: { id: string; value: number | undefined; onChange(n: number | undefined): void; optional?: boolean; testId?: string; 'aria-invalid'?: boolean; 'aria-describedby'?: string }) {
  const [text, setText] = React.useState(value === undefined ? '' : String(value));
  React.useEffect(() => {
    setText((t) => (Number(t) === value || (t === '' && value === undefined) ? t : value === undefined ? '' : String(value)));
  }, [value]);
  return (
    <Input
      id={id}
      {...aria}
      inputMode="numeric"
      value={text}
      data-testid={testId}
      onChange={(e) => {
        const t = e.target.value;
        setText(t);
        if (t.trim() === '' && optional) onChange(undefined);
        else if (/^\d+(\.\d+)?$/.test(t.trim())) onChange(Number(t));
      }}
    />
  );
}

/** The call block's input: a JSON object of templates, applied while it parses. */
function JsonObjectInput({ id, value, onChange, ...aria }: { id: string; value: Record<string, unknown>; onChange(v: Record<string, unknown>): void; 'aria-invalid'?: boolean; 'aria-describedby'?: string }) {
  const [text, setText] = React.useState(() => JSON.stringify(value, null, 2));
  const [bad, setBad] = React.useState(false);
  const shown = React.useRef(JSON.stringify(value));
  React.useEffect(() => {
    const json = JSON.stringify(value);
    if (json !== shown.current) {
      shown.current = json;
      setText(JSON.stringify(value, null, 2));
      setBad(false);
    }
  }, [value]);
  return (
    <>
      <Textarea
        id={id}
        {...aria}
        aria-invalid={bad || aria['aria-invalid']}
        rows={4}
        className="font-mono text-xs"
        value={text}
        data-testid="block-call-input"
        onChange={(e) => {
          setText(e.target.value);
          try {
            const v = JSON.parse(e.target.value || '{}') as unknown;
            if (!v || typeof v !== 'object' || Array.isArray(v)) throw new Error('not an object');
            setBad(false);
            shown.current = JSON.stringify(v);
            onChange(v as Record<string, unknown>);
          } catch {
            setBad(true);
          }
        }}
      />
      {bad && <p className="text-xs font-medium text-destructive">Not a JSON object yet: the last valid input is kept.</p>}
    </>
  );
}

function waitDefaults(step: WaitStep, kind: WaitFor): Step {
  const { id, name, when, onError } = step;
  const base = { id, type: 'wait' as const, ...(name ? { name } : {}), ...(when ? { when } : {}), ...(onError ? { onError } : {}) };
  switch (kind) {
    case 'duration':
      return { ...base, for: 'duration' as const, seconds: 60 };
    case 'until':
      return { ...base, for: 'until' as const, at: '{{order.shipAt}}' };
    case 'webhook':
      return { ...base, for: 'webhook' as const };
    default:
      return { ...base, for: 'approval' as const, message: 'Approve this run?' };
  }
}

/**
 * A block's own settings (condition, loop, parallel, wait, call): its id, label, `when`, what a
 * failure does, and the fields of its type. Every change is a new step handed to `onChange`.
 */
export function BlockSettings({ step, onChange, idTaken }: { step: Step; onChange(step: Step): void; idTaken(id: string): boolean }) {
  const { workflow } = useBuilder();
  const workflows = useWorkflowOptions();
  const f = (name: string) => `block-${step.id}-${name}`;
  const set = (patch: Record<string, unknown>) => {
    const next = { ...step, ...patch } as Record<string, unknown>;
    for (const [k, v] of Object.entries(patch)) if (v === undefined) delete next[k];
    onChange(next as unknown as Step);
  };
  const [idText, setIdText] = React.useState(step.id);
  React.useEffect(() => setIdText(step.id), [step.id]);
  const idProblem = stepIdError(idText) ?? (idText !== step.id && idTaken(idText) ? `The id “${idText}” is used by another step` : undefined);

  return (
    <div className="flex flex-col gap-4" data-testid="block-settings" data-block-type={step.type}>
      <div className="grid gap-4 sm:grid-cols-2">
        <Field id={f('id')} label="Block id" required error={idProblem} description={<>Read as <code className="font-mono">{`{{steps.${step.id}}}`}</code></>}>
          {(aria) => (
            <Input
              {...aria}
              className="font-mono"
              value={idText}
              data-testid="block-id"
              onChange={(e) => {
                const v = e.target.value;
                setIdText(v);
                if (!stepIdError(v) && !idTaken(v)) set({ id: v });
              }}
            />
          )}
        </Field>
        <Field id={f('name')} label="Label" description="Optional, shown on the canvas">
          {(aria) => <Input {...aria} value={step.name ?? ''} onChange={(e) => set({ name: e.target.value || undefined })} data-testid="block-name" />}
        </Field>
      </div>

      {step.type === 'condition' && (
        <Field id={f('if')} label="If" required description="A template; then runs when it renders true (not empty, not false or 0), else otherwise." error={step.if.trim() ? undefined : 'Write the condition'}>
          {(aria) => <Input {...aria} className="font-mono" value={step.if} onChange={(e) => set({ if: e.target.value })} placeholder='{{eq order.status "paid"}}' data-testid="block-if" />}
        </Field>
      )}

      {step.type === 'loop' && (
        <div className="grid gap-4 sm:grid-cols-[1fr_8rem]">
          <Field id={f('items')} label="For each of" required description={<>A template giving an array; inside, <code className="font-mono">{'{{item}}'}</code> and <code className="font-mono">{'{{$index}}'}</code>.</>} error={step.items.trim() ? undefined : 'Say which array to loop over'}>
            {(aria) => <Input {...aria} className="font-mono" value={step.items} onChange={(e) => set({ items: e.target.value })} placeholder="{{order.items}}" data-testid="block-items" />}
          </Field>
          <Field id={f('concurrency')} label="At a time" description="1 to 50">
            {(aria) => <NumberInput {...aria} id={f('concurrency')} optional value={step.concurrency} onChange={(n) => set({ concurrency: n === undefined ? undefined : Math.min(50, Math.max(1, Math.round(n))) })} testId="block-concurrency" />}
          </Field>
        </div>
      )}

      {step.type === 'parallel' && (
        <div className="flex flex-col gap-2">
          <p className="text-sm font-medium">
            Branches: <span data-testid="block-branch-count">{step.branches.length}</span>
          </p>
          <p className="text-xs text-muted-foreground">They run at the same time; the block fails when one fails. Its output is each branch’s last output.</p>
          <div className="flex gap-2">
            <Button variant="outline" size="sm" onClick={() => set({ branches: [...step.branches, []] })} disabled={step.branches.length >= 10} data-testid="block-add-branch">
              <Plus /> Add a branch
            </Button>
            <Button variant="outline" size="sm" onClick={() => set({ branches: step.branches.slice(0, -1) })} disabled={step.branches.length <= 1} data-testid="block-remove-branch" aria-label={`Remove branch ${step.branches.length}${step.branches.at(-1)?.length ? ` and its ${step.branches.at(-1)?.length} steps` : ''}`}>
              <Minus /> Remove the last
            </Button>
          </div>
        </div>
      )}

      {step.type === 'wait' && (
        <>
          <Field id={f('for')} label="Wait for">
            {(aria) => (
              <NativeSelect {...aria} value={step.for} onChange={(e) => onChange(waitDefaults(step, e.target.value as WaitFor))} data-testid="block-wait-for">
                <option value="duration">A duration</option>
                <option value="until">A point in time</option>
                <option value="webhook">A call to its resume URL</option>
                <option value="approval">An approval</option>
              </NativeSelect>
            )}
          </Field>
          {step.for === 'duration' && (
            <Field id={f('seconds')} label="Seconds" required>
              {(aria) => <NumberInput {...aria} id={f('seconds')} value={step.seconds} onChange={(n) => set({ seconds: n ?? 0 })} testId="block-seconds" />}
            </Field>
          )}
          {step.for === 'until' && (
            <Field id={f('at')} label="At" required description="An ISO time, or a template giving one">
              {(aria) => <Input {...aria} className="font-mono" value={step.at} onChange={(e) => set({ at: e.target.value })} data-testid="block-at" />}
            </Field>
          )}
          {step.for === 'approval' && (
            <Field id={f('message')} label="Message" description="Shown to the approver">
              {(aria) => <Textarea {...aria} rows={2} value={step.message ?? ''} onChange={(e) => set({ message: e.target.value || undefined })} data-testid="block-message" />}
            </Field>
          )}
          {(step.for === 'approval' || step.for === 'webhook') && (
            <Field id={f('timeout')} label="Times out after (seconds)" description="Optional; a timeout fails the wait">
              {(aria) => <NumberInput {...aria} id={f('timeout')} optional value={step.timeoutSeconds} onChange={(n) => set({ timeoutSeconds: n === undefined ? undefined : Math.max(1, Math.round(n)) })} testId="block-timeout" />}
            </Field>
          )}
        </>
      )}

      {step.type === 'call' && (
        <>
          <Field id={f('workflow')} label="Workflow" required error={step.workflowId ? undefined : 'Choose the workflow to run'} description={step.workflowId ? <Link href={`/workflows/${step.workflowId}`} className="text-primary underline-offset-2 hover:underline">Open it</Link> : 'Runs as a child execution of this one'}>
            {(aria) => (
              <NativeSelect {...aria} value={step.workflowId} onChange={(e) => set({ workflowId: e.target.value })} data-testid="block-call-workflow">
                <option value="">{workflows.isLoading ? 'Loading…' : 'Choose a workflow'}</option>
                {(workflows.data ?? [])
                  .filter((w) => w.id !== workflow?.id)
                  .map((w) => (
                    <option key={w.id} value={w.id}>
                      {w.name}
                    </option>
                  ))}
              </NativeSelect>
            )}
          </Field>
          <Field id={f('input')} label="Input (JSON)" description="Its payload; strings may use templates">
            {(aria) => <JsonObjectInput {...aria} id={f('input')} value={step.input ?? {}} onChange={(v) => set({ input: v })} />}
          </Field>
          <label className="flex items-center gap-2 text-sm">
            <input type="checkbox" className="size-4 accent-primary" checked={step.wait !== false} onChange={(e) => set({ wait: e.target.checked })} data-testid="block-call-wait" />
            Wait for it and use its last output
          </label>
        </>
      )}

      <Field id={f('when')} label="Run only when" description="Optional condition; the block is skipped when it renders empty or false.">
        {(aria) => <Input {...aria} className="font-mono" value={step.when ?? ''} onChange={(e) => set({ when: e.target.value || undefined })} placeholder='{{eq order.status "paid"}}' />}
      </Field>
      <Field id={f('onError')} label="When it fails">
        {(aria) => (
          <NativeSelect {...aria} value={step.onError ?? 'fail'} onChange={(e) => set({ onError: e.target.value === 'continue' ? 'continue' : undefined })}>
            <option value="fail">Stop the run</option>
            <option value="continue">Continue with the next step</option>
          </NativeSelect>
        )}
      </Field>
    </div>
  );
}

/** A new block of a type with sensible defaults (the picker's blocks other than the agent). */
export function newBlock(type: 'condition' | 'loop' | 'parallel' | 'wait' | 'call', id: string): Step {
  switch (type) {
    case 'condition':
      return { id, type, if: '{{eq order.status "paid"}}', then: [], else: [] };
    case 'loop':
      return { id, type, items: '{{order.items}}', steps: [] };
    case 'parallel':
      return { id, type, branches: [[], []] };
    case 'wait':
      return { id, type, for: 'duration' as const, seconds: 60 };
    default:
      return { id, type: 'call', workflowId: '', input: {}, wait: true };
  }
}
