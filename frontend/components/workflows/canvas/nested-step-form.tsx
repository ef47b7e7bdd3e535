'use client';
import * as React from 'react';
import { useForm, type Resolver } from 'react-hook-form';
import { zodResolver } from '@hookform/resolvers/zod';
import type { Connector, Step } from '@/lib/api/types';
import { AgentCard } from '../builder/agent-card';
import { builderSchema, emptyBuilder, formPathFor, hasBrokenJson, toStep, toStepValues, type BuilderValues } from '../builder/form-model';
import { StepCard } from '../builder/step-card';

function valuesFor(step: Step, context: Step[], connectors: Connector[]): BuilderValues {
  return { ...emptyBuilder, steps: [...context.map((s) => toStepValues(s, connectors)), toStepValues(step, connectors)] };
}

/**
 * An action step or agent nested in a block, edited with the builder's own cards: a small form of
 * its own holds the steps before it (for the template paths) and the step, and each change is
 * written back into the tree. JSON that does not parse yet is reported, not written.
 */
export function NestedStepForm({
  step,
  position,
  context,
  connectors,
  apiErrors,
  onChange,
  onProblems,
  onShift,
  onRemove,
}: {
  step: Step;
  /** Its place in its own list (1 for a branch's or a loop's first step). */
  position: number;
  /** The steps it can read (before it in its list and the enclosing ones). */
  context: Step[];
  connectors: Connector[];
  apiErrors: { rest: string; message: string }[];
  onChange(step: Step): void;
  onProblems(problems: string[]): void;
  onShift(delta: -1 | 1): void;
  onRemove(): void;
}) {
  const k = context.length;
  const form = useForm<BuilderValues>({
    defaultValues: valuesFor(step, context, connectors),
    resolver: zodResolver(builderSchema) as unknown as Resolver<BuilderValues>,
    mode: 'onChange',
  });
  const written = React.useRef(JSON.stringify(step));
  const latest = React.useRef({ onChange, onProblems });
  React.useEffect(() => {
    latest.current = { onChange, onProblems };
  });

  // A change from elsewhere (undo, the JSON view) resets the form.
  const stepJson = JSON.stringify(step);
  React.useEffect(() => {
    if (stepJson === written.current) return;
    written.current = stepJson;
    form.reset(valuesFor(JSON.parse(stepJson) as Step, context, connectors));
    // context follows the step; connectors do not change while the builder is open
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [stepJson, form]);

  React.useEffect(() => {
    const sub = form.watch(() => {
      const v = form.getValues(`steps.${k}`);
      if (!v) return;
      if (hasBrokenJson(v)) {
        latest.current.onProblems([v.kind === 'agent' ? 'The output schema is not valid JSON' : 'The input is not valid JSON']);
        return;
      }
      latest.current.onProblems([]);
      const next = toStep(v, connectors);
      const json = JSON.stringify(next);
      if (json === written.current) return;
      written.current = json;
      latest.current.onChange(next);
    });
    return () => sub.unsubscribe();
  }, [form, k, connectors]);

  // The api's errors about this step, on its fields.
  const errorsKey = JSON.stringify(apiErrors);
  React.useEffect(() => {
    for (const e of JSON.parse(errorsKey) as { rest: string; message: string }[]) {
      const path = formPathFor(`steps.${k}${e.rest ? `.${e.rest}` : ''}`, form.getValues(), connectors);
      form.setError(path as never, { type: 'server', message: e.message });
    }
  }, [errorsKey, form, k, connectors]);

  const kind = form.getValues(`steps.${k}.kind`);
  const props = {
    index: k,
    count: k + 2,
    position,
    control: form.control,
    register: form.register,
    setValue: form.setValue,
    onMove: (_from: number, to: number) => onShift(to < k ? -1 : 1),
    onRemove: () => onRemove(),
  };
  return kind === 'agent' ? <AgentCard {...props} /> : <StepCard {...props} />;
}
