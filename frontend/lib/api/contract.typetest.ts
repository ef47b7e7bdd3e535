/**
 * Type-level test, compiled by `npm run typecheck` (tsc --noEmit), never bundled (nothing imports it):
 * responses as the api sent them (captured from backend/test/api/contracts.e2e-spec.ts) are values of
 * the types this dashboard reads, and what the builder sends is what the api's schema accepts. Those
 * types are @tributary/contracts', which the backend types its answers with, so renaming a field in
 * the contract breaks this file (and the backend's build) until both sides follow.
 */
import type { workflowInputSchema } from '@tributary/contracts';
import type { z } from 'zod';
import { toWorkflowInput, type BuilderValues } from '@/components/workflows/builder/form-model';
import type { Execution, Stats, Workflow } from './types';
import type { PlatformMessage } from '../realtime/types';

export const workflowSample = {
  id: '0b6f7c4e-58b8-4c1e-9a53-2f4b0d1c9e11',
  name: 'Run me',
  description: '',
  enabled: true,
  trigger: { type: 'webhook', responseMode: 'async' },
  steps: [{ id: 'first', connector: 'core', action: 'transform', input: { value: '{{greeting}}' } }],
  errorWorkflowId: null,
  version: 1,
  webhookUrl: 'http://localhost:8080/api/webhooks/0b6f7c4e-58b8-4c1e-9a53-2f4b0d1c9e11',
  createdAt: '2026-11-30T07:12:03.114Z',
  updatedAt: '2026-11-30T07:12:03.114Z',
} satisfies Workflow;

export const executionSample = {
  id: '5d7a2f0e-9c1b-4e7a-8f3d-6b2c1a0e9d44',
  workflowId: '0b6f7c4e-58b8-4c1e-9a53-2f4b0d1c9e11',
  workflowName: 'Run me',
  workflowVersion: 1,
  status: 'succeeded',
  triggerType: 'manual',
  error: null,
  attempts: 1,
  retryOf: null,
  createdAt: '2026-11-30T07:12:03.201Z',
  startedAt: '2026-11-30T07:12:03.240Z',
  finishedAt: '2026-11-30T07:12:03.262Z',
  durationMs: 22,
  payload: { greeting: 'hi' },
  output: 'hi',
  steps: [
    {
      stepId: 'first',
      connector: 'core',
      action: 'transform',
      status: 'succeeded',
      input: { value: 'hi' },
      output: 'hi',
      warnings: [],
      attempts: 1,
      durationMs: 1,
      startedAt: '2026-11-30T07:12:03.245Z',
      finishedAt: '2026-11-30T07:12:03.246Z',
    },
  ],
} satisfies Execution;

export const statsSample = {
  total: 1,
  byStatus: { queued: 0, running: 0, succeeded: 1, failed: 0, cancelled: 0 },
  successRate: null,
  today: { total: 1, succeeded: 1, failed: 0 },
  perWorkflow: [{ workflowId: '0b6f7c4e-58b8-4c1e-9a53-2f4b0d1c9e11', name: 'Run me', total: 1, succeeded: 1, failed: 0 }],
  perHour: [{ hour: '2026-11-30T07:00:00.000Z', total: 1, succeeded: 1, failed: 0 }],
} satisfies Stats;

export const liveSample = {
  event: 'execution.step',
  data: {
    executionId: '5d7a2f0e-9c1b-4e7a-8f3d-6b2c1a0e9d44',
    workflowId: '0b6f7c4e-58b8-4c1e-9a53-2f4b0d1c9e11',
    step: { stepId: 'first', connector: 'core', action: 'transform', status: 'succeeded', attempts: 1, durationMs: 1 },
  },
} satisfies PlatformMessage;

/** What the builder sends is a body the api's workflow schema takes (its input type). */
export const builderBody: z.input<typeof workflowInputSchema> = toWorkflowInput({} as BuilderValues, []);

export const drift = {
  ...executionSample,
  // @ts-expect-error: a field the contract does not have (e.g. one renamed on one side only) does not type-check.
  stepResults: [],
} satisfies Execution;
