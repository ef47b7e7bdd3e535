'use client';
import * as React from 'react';
import Link from 'next/link';
import { useForm } from 'react-hook-form';
import { zodResolver } from '@hookform/resolvers/zod';
import { z } from 'zod';
import { ChevronRight, Sparkles, TriangleAlert } from 'lucide-react';
import { useGenerateKongTemplate } from '@/lib/api/gateway';
import { ApiError, type ErrorDetail } from '@/lib/api/client';
import { KONG_USE_CASES, type GeneratedKongTemplate, type KongTemplateOptions, type KongUseCase, type Trigger } from '@/lib/api/types';
import { cn } from '@/lib/utils';
import { Button } from '@/components/ui/button';
import { Field } from '@/components/ui/field';
import { Input } from '@/components/ui/input';
import { NativeSelect } from '@/components/ui/native-select';
import { Textarea } from '@/components/ui/textarea';
import { InlineError } from '@/components/common/states';
import { describeTrigger } from '@/components/workflows/trigger-label';
import { useCases } from './use-cases';

const digits = z.string().trim().regex(/^\d*$/, 'A whole number');
const schema = z.object({
  workflowId: z.string().min(1, 'Pick a workflow'),
  useCase: z.enum(KONG_USE_CASES),
  path: z.string().trim(),
  rateLimitPerSecond: digits,
  rateLimitBy: z.enum(['', 'ip', 'service', 'consumer']),
  cacheTtlSeconds: digits,
  auth: z.enum(['key-auth', 'jwt']),
  allowGroups: z.string(),
  jwtIssuer: z.string().trim(),
  jwtPublicKey: z.string().trim(),
});
type Values = z.infer<typeof schema>;
type OptionField = Exclude<keyof Values, 'workflowId' | 'useCase'>;
const OPTION_FIELDS: OptionField[] = ['path', 'rateLimitPerSecond', 'rateLimitBy', 'cacheTtlSeconds', 'auth', 'allowGroups', 'jwtIssuer', 'jwtPublicKey'];

/** Only the options of the chosen pattern are sent: the api refuses unknown ones. */
function toOptions(v: Values): KongTemplateOptions | undefined {
  const o: KongTemplateOptions = {};
  if (v.path) o.path = v.path;
  if (v.useCase === 'webhook_handler') {
    if (v.rateLimitPerSecond) o.rateLimitPerSecond = Number(v.rateLimitPerSecond);
    if (v.rateLimitBy) o.rateLimitBy = v.rateLimitBy;
  }
  if (v.useCase === 'smart_aggregator' && v.cacheTtlSeconds) o.cacheTtlSeconds = Number(v.cacheTtlSeconds);
  if (v.useCase === 'federated_security') {
    o.auth = v.auth;
    const groups = v.allowGroups.split(/[\s,]+/).filter(Boolean);
    if (groups.length) o.allowGroups = groups;
    if (v.auth === 'jwt') {
      if (v.jwtIssuer) o.jwtIssuer = v.jwtIssuer;
      if (v.jwtPublicKey) o.jwtPublicKey = v.jwtPublicKey;
    }
  }
  return Object.keys(o).length ? o : undefined;
}

/** An api detail path (`workflow_id`, `options.allowGroups.0`) as the form field showing it, if any. */
function fieldOf(path: string): keyof Values | undefined {
  if (path === 'workflow_id') return 'workflowId';
  if (path === 'use_case') return 'useCase';
  const name = path.match(/^options\.([A-Za-z]+)/)?.[1];
  return OPTION_FIELDS.find((f) => f === name);
}

/** Why a workflow does not suit a pattern, before asking the api (which has the last word). */
function triggerHint(trigger: Trigger | undefined, useCase: KongUseCase): string | undefined {
  if (!trigger) return undefined;
  if (trigger.type !== 'webhook') return `This workflow has a ${trigger.type} trigger; Kong routes front webhooks, so give it a webhook trigger first.`;
  if (useCases[useCase].wantsSync && trigger.responseMode !== 'sync') {
    return `${useCases[useCase].label} returns the run's result, but this webhook answers 202 at once (async): set its response mode to sync.`;
  }
  return undefined;
}

export function TemplateForm({
  workflows,
  onGenerated,
}: {
  workflows: { id: string; name: string; trigger: Trigger }[];
  onGenerated(template: GeneratedKongTemplate): void;
}) {
  const generate = useGenerateKongTemplate();
  const [optionsOpen, setOptionsOpen] = React.useState(false);
  const [unplaced, setUnplaced] = React.useState<ErrorDetail[]>([]);
  const form = useForm<Values>({
    resolver: zodResolver(schema),
    defaultValues: {
      workflowId: workflows.find((w) => w.trigger.type === 'webhook')?.id ?? '',
      useCase: 'webhook_handler',
      path: '',
      rateLimitPerSecond: '',
      rateLimitBy: '',
      cacheTtlSeconds: '',
      auth: 'key-auth',
      allowGroups: '',
      jwtIssuer: '',
      jwtPublicKey: '',
    },
  });
  const { errors } = form.formState;
  const [workflowId, useCase, auth] = form.watch(['workflowId', 'useCase', 'auth']);
  const workflow = workflows.find((w) => w.id === workflowId);
  const hint = triggerHint(workflow?.trigger, useCase);
  const slug = workflowId || '<workflow id>';

  function onSubmit(v: Values) {
    setUnplaced([]);
    generate.mutate(
      { workflow_id: v.workflowId, use_case: v.useCase, options: toOptions(v) },
      {
        onSuccess: onGenerated,
        onError: (err) => {
          if (!(err instanceof ApiError)) return;
          const rest: ErrorDetail[] = [];
          for (const d of err.details) {
            const f = fieldOf(d.path);
            if (f) form.setError(f, { message: d.message });
            else rest.push(d);
            if (f && f !== 'workflowId' && f !== 'useCase') setOptionsOpen(true);
          }
          setUnplaced(rest);
        },
      },
    );
  }

  return (
    <form noValidate className="flex flex-col gap-4" onSubmit={form.handleSubmit(onSubmit)} data-testid="kong-template-form">
      <Field
        id="kong-workflow"
        label="Workflow"
        required
        error={errors.workflowId?.message}
        description={
          workflows.length === 0 ? (
            <>
              No workflows yet: <Link href="/workflows/new" className="text-primary underline-offset-4 hover:underline">create one with a webhook trigger</Link>.
            </>
          ) : workflow ? (
            describeTrigger(workflow.trigger)
          ) : undefined
        }
      >
        {(aria) => (
          <NativeSelect data-testid="kong-workflow" {...aria} {...form.register('workflowId')}>
            <option value="">Pick a workflow…</option>
            {workflows.map((w) => (
              <option key={w.id} value={w.id}>
                {w.name}
                {w.trigger.type === 'webhook' ? '' : ` (${w.trigger.type} trigger)`}
              </option>
            ))}
          </NativeSelect>
        )}
      </Field>

      <fieldset className="flex flex-col gap-2">
        <legend className="mb-1.5 text-sm font-medium">Pattern</legend>
        {KONG_USE_CASES.map((key) => {
          const meta = useCases[key];
          const Icon = meta.icon;
          return (
            <label
              key={key}
              className={cn(
                'flex cursor-pointer items-start gap-3 rounded-lg border p-3 transition-colors hover:bg-muted/40 has-[:focus-visible]:ring-[3px] has-[:focus-visible]:ring-ring/40',
                useCase === key && 'border-primary bg-accent/60',
              )}
              data-testid={`use-case-${key}`}
            >
              <input type="radio" value={key} className="sr-only" {...form.register('useCase')} />
              <Icon className={cn('mt-0.5 size-4 shrink-0', useCase === key ? 'text-primary' : 'text-muted-foreground')} aria-hidden />
              <span className="min-w-0">
                <span className="block text-sm font-medium">{meta.label}</span>
                <span className="block text-xs text-muted-foreground">{meta.summary}</span>
              </span>
            </label>
          );
        })}
        {errors.useCase?.message && (
          <p role="alert" className="text-xs font-medium text-destructive">
            {errors.useCase.message}
          </p>
        )}
      </fieldset>

      {hint && (
        <p className="flex items-start gap-2 rounded-md border border-warning/50 bg-warning/10 px-3 py-2 text-xs" data-testid="kong-template-hint">
          <TriangleAlert className="mt-0.5 size-3.5 shrink-0" aria-hidden /> {hint}
        </p>
      )}

      <div className="rounded-lg border">
        <button
          type="button"
          aria-expanded={optionsOpen}
          aria-controls="kong-options"
          onClick={() => setOptionsOpen((o) => !o)}
          className="flex w-full items-center gap-2 rounded-lg px-3 py-2 text-left text-sm font-medium outline-none hover:bg-muted/40 focus-visible:ring-[3px] focus-visible:ring-ring/40"
          data-testid="kong-options-toggle"
        >
          <ChevronRight className={cn('size-4 transition-transform', optionsOpen && 'rotate-90')} aria-hidden /> Options
          <span className="text-xs font-normal text-muted-foreground">(defaults are fine to start)</span>
        </button>
        <div id="kong-options" hidden={!optionsOpen} className="flex flex-col gap-4 border-t p-3">
          <Field id="kong-path" label="Public path" description="Where Kong's proxy serves the route." error={errors.path?.message}>
            {(aria) => <Input placeholder={`/${useCases[useCase].prefix}/${slug}`} autoComplete="off" data-testid="kong-path" {...aria} {...form.register('path')} />}
          </Field>
          {useCase === 'webhook_handler' && (
            <div className="grid gap-4 sm:grid-cols-2">
              <Field id="kong-rate" label="Requests per second" error={errors.rateLimitPerSecond?.message}>
                {(aria) => <Input inputMode="numeric" placeholder="100" data-testid="kong-rate" {...aria} {...form.register('rateLimitPerSecond')} />}
              </Field>
              <Field id="kong-rate-by" label="Counted per" error={errors.rateLimitBy?.message}>
                {(aria) => (
                  <NativeSelect {...aria} {...form.register('rateLimitBy')}>
                    <option value="">client IP (default)</option>
                    <option value="consumer">API consumer</option>
                    <option value="service">whole route</option>
                  </NativeSelect>
                )}
              </Field>
            </div>
          )}
          {useCase === 'smart_aggregator' && (
            <Field id="kong-cache-ttl" label="Cache time (seconds)" error={errors.cacheTtlSeconds?.message}>
              {(aria) => <Input inputMode="numeric" placeholder="300" {...aria} {...form.register('cacheTtlSeconds')} />}
            </Field>
          )}
          {useCase === 'federated_security' && (
            <>
              <Field id="kong-auth" label="Authentication" error={errors.auth?.message}>
                {(aria) => (
                  <NativeSelect data-testid="kong-auth" {...aria} {...form.register('auth')}>
                    <option value="key-auth">API keys (key-auth)</option>
                    <option value="jwt">Identity provider JWTs (RS256) or API keys</option>
                  </NativeSelect>
                )}
              </Field>
              <Field id="kong-groups" label="Allowed ACL groups" description="Separated by commas; give your API consumers one of them." error={errors.allowGroups?.message}>
                {(aria) => <Input placeholder={`wf-${slug}`} autoComplete="off" {...aria} {...form.register('allowGroups')} />}
              </Field>
              {auth === 'jwt' && (
                <>
                  <Field id="kong-jwt-issuer" label="Token issuer (iss)" error={errors.jwtIssuer?.message}>
                    {(aria) => <Input placeholder="https://idp.example.com/" autoComplete="off" data-testid="kong-jwt-issuer" {...aria} {...form.register('jwtIssuer')} />}
                  </Field>
                  <Field id="kong-jwt-key" label="Issuer's public key (PEM)" error={errors.jwtPublicKey?.message}>
                    {(aria) => <Textarea rows={4} className="font-mono text-xs" placeholder="-----BEGIN PUBLIC KEY-----" data-testid="kong-jwt-key" {...aria} {...form.register('jwtPublicKey')} />}
                  </Field>
                </>
              )}
            </>
          )}
        </div>
      </div>

      <InlineError error={generate.error} details={unplaced} />
      <Button type="submit" disabled={generate.isPending || workflows.length === 0} data-testid="kong-generate">
        <Sparkles /> {generate.isPending ? 'Generating…' : 'Generate template'}
      </Button>
    </form>
  );
}
