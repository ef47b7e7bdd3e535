'use client';
import * as React from 'react';
import { useWatch, type Control, type UseFormRegister, type UseFormSetValue } from 'react-hook-form';
import { CalendarClock, KeyRound, Play } from 'lucide-react';
import { apiUrl } from '@/lib/api/client';
import { useRunWorkflow } from '@/lib/api/workflows';
import type { TriggerType } from '@/lib/api/types';
import { cn, formatDateTime } from '@/lib/utils';
import { Button } from '@/components/ui/button';
import { Card, CardContent, CardHeader, CardTitle } from '@/components/ui/card';
import { Field } from '@/components/ui/field';
import { Input } from '@/components/ui/input';
import { NativeSelect } from '@/components/ui/native-select';
import { useToast } from '@/components/ui/toast';
import { CopyButton } from '@/components/common/copy-button';
import { SecretInput } from '@/components/common/secret-input';
import { triggerMeta } from '../trigger-label';
import { useBuilder } from './builder-context';
import type { BuilderValues } from './form-model';
import { fieldId, useFieldError } from './step-input-fields';

const TYPES: TriggerType[] = ['webhook', 'schedule', 'event', 'manual'];

function timeZones(): string[] {
  try {
    return Intl.supportedValuesOf('timeZone');
  } catch {
    return ['UTC'];
  }
}

function randomSecret() {
  const bytes = new Uint8Array(24);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

export function TriggerEditor({ control, register, setValue, dirty }: { control: Control<BuilderValues>; register: UseFormRegister<BuilderValues>; setValue: UseFormSetValue<BuilderValues>; dirty: boolean }) {
  const { workflow, sampleValue } = useBuilder();
  const type = useWatch({ control, name: 'trigger.type' });
  const scheduleMode = useWatch({ control, name: 'trigger.scheduleMode' });
  const intervalError = useFieldError(control, 'trigger.intervalSeconds');
  const cronError = useFieldError(control, 'trigger.cron');
  const tzError = useFieldError(control, 'trigger.timezone');
  const topicError = useFieldError(control, 'trigger.topic');
  const secretError = useFieldError(control, 'trigger.secret');
  const triggerError = useFieldError(control, 'trigger');
  const zones = React.useMemo(timeZones, []);
  const run = useRunWorkflow();
  const toast = useToast();
  const webhookUrl = workflow ? (workflow.webhookUrl ?? apiUrl(`/webhooks/${workflow.id}`)) : null;
  const savedType = workflow?.trigger.type;

  return (
    <Card>
      <CardHeader>
        <CardTitle>Trigger</CardTitle>
      </CardHeader>
      <CardContent className="flex flex-col gap-4">
        <fieldset>
          <legend className="sr-only">Trigger type</legend>
          <div className="grid grid-cols-2 gap-2 lg:grid-cols-4">
            {TYPES.map((t) => {
              const meta = triggerMeta[t];
              const Icon = meta.icon;
              return (
                <label
                  key={t}
                  className={cn(
                    'flex cursor-pointer flex-col gap-1 rounded-lg border p-3 text-sm transition-colors has-[:focus-visible]:ring-2 has-[:focus-visible]:ring-ring',
                    type === t ? 'border-primary bg-primary/5' : 'hover:bg-muted/50',
                  )}
                  data-testid={`trigger-type-${t}`}
                >
                  <input type="radio" value={t} className="sr-only" {...register('trigger.type')} />
                  <span className="flex items-center gap-2 font-medium">
                    <Icon className="size-4 text-primary" aria-hidden /> {meta.label}
                  </span>
                  <span className="text-xs text-muted-foreground">{meta.hint}</span>
                </label>
              );
            })}
          </div>
        </fieldset>
        {triggerError && <p role="alert" className="text-sm text-destructive">{triggerError}</p>}

        {type === 'webhook' && (
          <div className="flex flex-col gap-4">
            <div className="flex flex-col gap-1.5">
              <span className="text-sm font-medium">Webhook URL</span>
              {webhookUrl && savedType === 'webhook' ? (
                <div className="flex flex-col gap-2 sm:flex-row sm:items-center">
                  <code className="min-w-0 flex-1 truncate rounded-md border bg-muted/50 px-3 py-2 font-mono text-xs" data-testid="webhook-url" title={webhookUrl}>
                    {webhookUrl}
                  </code>
                  <CopyButton value={webhookUrl} label="Copy URL" testId="copy-webhook-url" />
                </div>
              ) : (
                <p className="rounded-md border border-dashed px-3 py-2 text-xs text-muted-foreground">The URL appears once the workflow is saved with a webhook trigger.</p>
              )}
              <p className="text-xs text-muted-foreground">POST JSON to it; the body becomes the template context (e.g. <code className="font-mono">{'{{user.name}}'}</code>).</p>
            </div>
            <div className="grid gap-4 sm:grid-cols-2">
              <Field id={fieldId('trigger.responseMode')} label="Response" description="Async answers 202 at once; sync waits and answers with the last step's output.">
                {(aria) => (
                  <NativeSelect {...aria} data-testid="trigger-response-mode" {...register('trigger.responseMode')}>
                    <option value="async">Async (202 + execution id)</option>
                    <option value="sync">Sync (last step&apos;s output)</option>
                  </NativeSelect>
                )}
              </Field>
              <Field id={fieldId('trigger.secret')} label="Signing secret" description="Optional: callers sign the body with HMAC-SHA256 in X-Tributary-Signature." error={secretError}>
                {(aria) => (
                  <div className="flex gap-2">
                    <SecretInput className="flex-1" {...aria} {...register('trigger.secret')} />
                    <Button variant="outline" onClick={() => setValue('trigger.secret', randomSecret(), { shouldDirty: true })}>
                      <KeyRound /> Generate
                    </Button>
                  </div>
                )}
              </Field>
            </div>
          </div>
        )}

        {type === 'schedule' && (
          <div className="flex flex-col gap-4">
            <div className="flex gap-4 text-sm" role="radiogroup" aria-label="Schedule kind">
              <label className="flex items-center gap-2">
                <input type="radio" value="interval" className="accent-primary" {...register('trigger.scheduleMode')} /> Every N seconds
              </label>
              <label className="flex items-center gap-2">
                <input type="radio" value="cron" className="accent-primary" {...register('trigger.scheduleMode')} /> Cron expression
              </label>
            </div>
            <div className="grid gap-4 sm:grid-cols-2">
              {scheduleMode === 'cron' ? (
                <Field id={fieldId('trigger.cron')} label="Cron" required description="minute hour day month weekday, e.g. 0 9 * * 1-5" error={cronError}>
                  {(aria) => <Input {...aria} className="font-mono" placeholder="*/15 * * * *" data-testid="trigger-cron" {...register('trigger.cron')} />}
                </Field>
              ) : (
                <Field id={fieldId('trigger.intervalSeconds')} label="Interval (seconds)" required error={intervalError}>
                  {(aria) => <Input {...aria} inputMode="numeric" data-testid="trigger-interval" {...register('trigger.intervalSeconds')} />}
                </Field>
              )}
              <Field id={fieldId('trigger.timezone')} label="Time zone" description="Defaults to UTC" error={tzError}>
                {(aria) => (
                  <>
                    <Input {...aria} list="tz-list" placeholder="UTC" {...register('trigger.timezone')} />
                    <datalist id="tz-list">
                      {zones.map((z) => (
                        <option key={z} value={z} />
                      ))}
                    </datalist>
                  </>
                )}
              </Field>
            </div>
            <div className="rounded-md border bg-muted/30 p-3">
              <p className="flex items-center gap-2 text-sm font-medium">
                <CalendarClock className="size-4" aria-hidden /> Next runs
              </p>
              {workflow?.nextRuns && workflow.nextRuns.length > 0 ? (
                <>
                  <ul className="mt-2 grid gap-1 text-xs tabular-nums sm:grid-cols-2" data-testid="next-runs">
                    {workflow.nextRuns.map((r) => (
                      <li key={r}>{formatDateTime(r)}</li>
                    ))}
                  </ul>
                  {dirty && <p className="mt-2 text-xs text-muted-foreground">As of the last save; save to recompute.</p>}
                </>
              ) : (
                <p className="mt-1 text-xs text-muted-foreground">Save the workflow to see when it runs next.</p>
              )}
            </div>
          </div>
        )}

        {type === 'event' && (
          <Field id={fieldId('trigger.topic')} label="Topic" required description="Runs when an event with this topic is published; its data is the payload." error={topicError}>
            {(aria) => <Input {...aria} placeholder="order.created" className="font-mono" data-testid="trigger-topic" {...register('trigger.topic')} />}
          </Field>
        )}

        {type === 'manual' && (
          <div className="flex flex-col items-start gap-2 text-sm text-muted-foreground">
            <p>Started from here or with <code className="font-mono">POST /api/workflows/:id/run</code>. The sample payload of the dry-run panel is sent as the payload.</p>
          </div>
        )}

        {workflow && (
          <div className="flex flex-wrap items-center gap-2 border-t pt-4">
            <Button
              variant="outline"
              size="sm"
              disabled={run.isPending || dirty}
              data-testid="run-now"
              title={dirty ? 'Save first: a run uses the saved workflow' : undefined}
              onClick={() =>
                run.mutate(
                  { id: workflow.id, payload: sampleValue ?? {} },
                  {
                    onSuccess: (r) => toast({ title: 'Run queued', description: `Execution ${r.executionId}`, variant: 'success' }),
                    onError: (e) => toast({ title: 'Could not start the run', description: e.message, variant: 'error' }),
                  },
                )
              }
            >
              <Play /> Run now with the sample payload
            </Button>
            {dirty && <span className="text-xs text-muted-foreground">Save first: runs use the saved version.</span>}
          </div>
        )}
      </CardContent>
    </Card>
  );
}
