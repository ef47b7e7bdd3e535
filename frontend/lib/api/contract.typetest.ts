/**
 * Type-level test, compiled by `npm run typecheck` (tsc --noEmit), never bundled (nothing imports it):
 * responses as the api sent them (captured from backend/test/api/contracts.e2e-spec.ts) are values of
 * the types this dashboard reads, and what the builder sends is what the api's schema accepts. Those
 * types are @tributary/contracts', which the backend types its answers with, so renaming a field in
 * the contract breaks this file (and the backend's build) until both sides follow.
 */
import type { workflowInputSchema } from '@tributary/contracts';
import type { EnvironmentList, Variable, variableInputSchema, variableUpdateSchema, WorkflowPromotion } from '@tributary/contracts';
import type { z } from 'zod';
import { toBuilderValues, toWorkflowInput, type BuilderValues } from '@/components/workflows/builder/form-model';
import type { Credential, CredentialTest, CredentialUsage, Execution, Stats, Workflow } from './types';
import type { PlatformMessage } from '../realtime/types';
import type { AuditEntry } from './audit';
import type { AuthOptions, SsoSettings } from './sso';
import { expiryFrom, type ApiKey, type CreateApiKeyInput, type CreatedApiKey } from './api-keys';

export const workflowSample = {
  id: '0b6f7c4e-58b8-4c1e-9a53-2f4b0d1c9e11',
  name: 'Run me',
  description: '',
  enabled: true,
  trigger: { type: 'webhook', responseMode: 'async' },
  steps: [{ id: 'first', connector: 'core', action: 'transform', input: { value: '{{greeting}}' } }],
  errorWorkflowId: null,
  concurrency: null,
  priority: 'normal',
  inputSchema: null,
  environment: 'production',
  tool: null,
  pinData: {},
  promotedFrom: null,
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
  tree: [
    {
      stepId: 'first',
      path: 'first',
      type: 'action',
      status: 'succeeded',
      result: {
        stepId: 'first',
        path: 'first',
        type: 'action',
        idempotencyKey: '5d7a2f0e-9c1b-4e7a-8f3d-6b2c1a0e9d44:first',
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
    },
  ],
  waits: [],
  parentExecutionId: null,
  traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
  environment: 'production',
  usage: null,
} satisfies Execution;

/** Engine v2: a run parked on an approval inside a loop, after a condition and a parallel block; a child of another run. */
export const waitingExecutionSample = {
  ...executionSample,
  id: '8c1e4a7b-2d3f-4e5a-9b6c-7d8e9f0a1b2c',
  status: 'waiting',
  triggerType: 'call',
  finishedAt: null,
  durationMs: null,
  output: null,
  parentExecutionId: '5d7a2f0e-9c1b-4e7a-8f3d-6b2c1a0e9d44',
  steps: [
    {
      stepId: 'gate',
      path: 'each[0].gate',
      type: 'wait',
      connector: 'core',
      action: 'wait',
      status: 'waiting',
      input: { for: 'approval', dueAt: null, message: 'Ship it?' },
      output: { for: 'approval', dueAt: null, message: 'Ship it?' },
      warnings: [],
      attempts: 0,
      durationMs: 3,
      startedAt: '2026-11-30T07:12:03.245Z',
      finishedAt: '2026-11-30T07:12:03.248Z',
    },
  ],
  tree: [
    { stepId: 'vip', path: 'vip', type: 'condition', status: 'succeeded', branch: 'then', steps: [{ stepId: 'gold', path: 'gold', type: 'action', status: 'succeeded' }] },
    {
      stepId: 'enrich',
      path: 'enrich',
      type: 'parallel',
      name: 'Enrich',
      status: 'succeeded',
      branches: [
        { index: 0, steps: [{ stepId: 'geo', path: 'enrich[0].geo', type: 'action', status: 'succeeded' }] },
        { index: 1, steps: [{ stepId: 'crm', path: 'enrich[1].crm', type: 'action', status: 'skipped' }] },
      ],
    },
    {
      stepId: 'each',
      path: 'each',
      type: 'loop',
      status: 'pending',
      iterations: [{ index: 0, steps: [{ stepId: 'gate', path: 'each[0].gate', type: 'wait', status: 'waiting' }, { stepId: 't', path: 'each[0].t', type: 'action', status: 'pending' }] }],
    },
    { stepId: 'child', path: 'child', type: 'call', status: 'pending' },
  ],
  waits: [
    { stepId: 'gate', path: 'each[0].gate', kind: 'approval', dueAt: null, message: 'Ship it?', createdAt: '2026-11-30T07:12:03.248Z' },
    { stepId: 'reply', path: 'reply', kind: 'webhook', dueAt: '2026-12-01T07:12:03.248Z', resumeUrl: 'http://localhost:8080/api/resume/abc', createdAt: '2026-11-30T07:12:03.248Z' },
    { stepId: 'child', path: 'child', kind: 'call', dueAt: null, childExecutionId: '0b6f7c4e-58b8-4c1e-9a53-2f4b0d1c9e11', createdAt: '2026-11-30T07:12:03.248Z' },
  ],
} satisfies Execution;

/** A workflow with blocks (workflow language v2) is a workflow the dashboard reads. */
export const blocksWorkflowSample = {
  ...workflowSample,
  steps: [
    { id: 'first', connector: 'core', action: 'transform', input: {} },
    { id: 'vip', type: 'condition', if: '{{eq tier "gold"}}', then: [{ id: 'gold', connector: 'core', action: 'transform', input: {} }], else: [] },
    { id: 'each', type: 'loop', items: '{{orders}}', concurrency: 1, steps: [{ id: 'gate', type: 'wait', for: 'approval', message: 'Ship it?' }] },
    { id: 'enrich', type: 'parallel', branches: [[{ id: 'geo', connector: 'core', action: 'transform', input: {} }], []] },
    { id: 'pause', type: 'wait', for: 'duration', seconds: 30 },
    { id: 'child', type: 'call', workflowId: '0b6f7c4e-58b8-4c1e-9a53-2f4b0d1c9e11', input: {}, wait: true },
  ],
} satisfies Workflow;

/** AI steps: a workflow offered as an MCP tool, with an agent block that may call a workflow (with approval) and an MCP server's tool. */
export const agentWorkflowSample = {
  ...workflowSample,
  tool: { enabled: true, name: 'triage_ticket', description: 'Triages a support ticket.' },
  steps: [
    {
      id: 'support',
      type: 'agent',
      credentialId: '3f2b1c0d-4e5f-4a6b-8c7d-9e0f1a2b3c4d',
      system: 'You are a support agent.',
      prompt: 'Where is order {{orderId}}?',
      tools: [
        { kind: 'workflow', workflowId: '0b6f7c4e-58b8-4c1e-9a53-2f4b0d1c9e11', approval: true },
        { kind: 'mcp', credentialId: '3f2b1c0d-4e5f-4a6b-8c7d-9e0f1a2b3c4d', tool: 'search_docs', name: 'docs' },
      ],
      maxIterations: 8,
      outputSchema: { type: 'object', properties: { status: { type: 'string' } } },
      temperature: 0.2,
    },
  ],
} satisfies Workflow;

/** An agent's run: its iterations in the tree (model call, tool call, approval) and its output with the conversation. */
export const agentExecutionSample = {
  ...executionSample,
  triggerType: 'mcp',
  usage: { promptTokens: 1200, completionTokens: 330, totalTokens: 1530 },
  steps: [
    {
      stepId: 'support',
      path: 'support',
      type: 'agent',
      connector: 'llm',
      action: 'agent',
      status: 'succeeded',
      output: {
        answer: 'Order 42 has shipped.',
        iterations: 2,
        usage: { promptTokens: 1200, completionTokens: 330, totalTokens: 1530 },
        conversation: [
          { role: 'user', content: 'Where is order 42?' },
          { role: 'assistant', content: null, toolCalls: [{ id: 'c1', name: 'lookup_order', arguments: { orderId: '42' } }] },
          { role: 'tool', toolCallId: 'c1', name: 'lookup_order', content: '{"status":"shipped"}' },
          { role: 'assistant', content: 'Order 42 has shipped.' },
        ],
      },
      warnings: [],
      attempts: 1,
      durationMs: 812,
      startedAt: '2026-11-30T07:12:03.245Z',
      finishedAt: '2026-11-30T07:12:04.057Z',
      usage: { promptTokens: 1200, completionTokens: 330, totalTokens: 1530 },
    },
  ],
  tree: [
    {
      stepId: 'support',
      path: 'support',
      type: 'agent',
      status: 'succeeded',
      iterations: [
        {
          index: 0,
          steps: [
            { stepId: 'model', path: 'support[0].model', type: 'action', status: 'succeeded' },
            { stepId: 'approve', path: 'support[0].approve[0]', type: 'wait', status: 'succeeded' },
            { stepId: 'tools', path: 'support[0].tools[0]', type: 'call', status: 'succeeded' },
          ],
        },
        { index: 1, steps: [{ stepId: 'model', path: 'support[1].model', type: 'action', status: 'succeeded' }] },
      ],
    },
  ],
} satisfies Execution;

export const statsSample = {
  total: 1,
  byStatus: { queued: 0, running: 0, waiting: 0, succeeded: 1, failed: 0, cancelled: 0 },
  successRate: null,
  today: { total: 1, succeeded: 1, failed: 0, tokens: 1530 },
  perWorkflow: [{ workflowId: '0b6f7c4e-58b8-4c1e-9a53-2f4b0d1c9e11', name: 'Run me', total: 1, succeeded: 1, failed: 0, tokens: 1530 }],
  perHour: [{ hour: '2026-11-30T07:00:00.000Z', total: 1, succeeded: 1, failed: 0, tokens: 1530 }],
} satisfies Stats;

export const liveSample = {
  event: 'execution.step',
  data: {
    executionId: '5d7a2f0e-9c1b-4e7a-8f3d-6b2c1a0e9d44',
    workflowId: '0b6f7c4e-58b8-4c1e-9a53-2f4b0d1c9e11',
    step: { stepId: 'first', connector: 'core', action: 'transform', status: 'succeeded', attempts: 1, durationMs: 1 },
  },
} satisfies PlatformMessage;

export const liveWaitingSample = {
  event: 'execution.waiting',
  data: { executionId: '8c1e4a7b-2d3f-4e5a-9b6c-7d8e9f0a1b2c', workflowId: '0b6f7c4e-58b8-4c1e-9a53-2f4b0d1c9e11', waits: [{ path: 'each[0].gate', dueAt: null }] },
} satisfies PlatformMessage;

export const liveResumedSample = {
  event: 'execution.resumed',
  data: { executionId: '8c1e4a7b-2d3f-4e5a-9b6c-7d8e9f0a1b2c', workflowId: '0b6f7c4e-58b8-4c1e-9a53-2f4b0d1c9e11', stepPath: 'each[0].gate', by: 'approval' },
} satisfies PlatformMessage;

/** Connections: an OAuth2 connection whose refresh the provider refused, as `GET /credentials` lists it. */
export const credentialSample = {
  id: '3f2b1c0d-4e5f-4a6b-8c7d-9e0f1a2b3c4d',
  connector: 'http',
  name: 'Generic OAuth2 API',
  hints: { grant: 'authorization_code', clientId: 'clie…', scopes: 'profile email' },
  kind: 'oauth2',
  status: 'needs_reconnect',
  lastSuccessAt: '2026-11-30T07:12:03.114Z',
  lastErrorAt: '2026-11-30T08:12:03.114Z',
  lastError: 'invalid_grant: The refresh token is invalid, expired or revoked',
  oauth2: { grant: 'authorization_code', scopes: ['profile', 'email'], expiresAt: null, connected: false },
  createdAt: '2026-11-30T07:12:03.114Z',
  updatedAt: '2026-11-30T08:12:03.114Z',
} satisfies Credential;

export const fieldsCredentialSample = {
  ...credentialSample,
  connector: 'slack',
  hints: { webhookUrl: 'http…0001' },
  kind: 'fields',
  status: 'untested',
  lastSuccessAt: null,
  lastErrorAt: null,
  lastError: null,
  oauth2: undefined,
} satisfies Credential;

export const credentialTestSample = { ok: true, message: 'The provider issued an access token', status: 'ok' } satisfies CredentialTest;
export const credentialUsageSample = { workflows: [{ id: workflowSample.id, name: workflowSample.name, enabled: true }] } satisfies CredentialUsage;

export const liveCredentialSample = {
  event: 'credential.status',
  data: { credentialId: credentialSample.id, connector: 'http', name: 'Generic OAuth2 API', status: 'needs_reconnect', error: 'invalid_grant' },
} satisfies PlatformMessage;

/** What the builder sends is a body the api's workflow schema takes (its input type). */
export const builderBody: z.input<typeof workflowInputSchema> = toWorkflowInput({} as BuilderValues, []);

/** A workflow with blocks loads into the builder and goes back as a body the api takes. */
export const blocksBody: z.input<typeof workflowInputSchema> = toWorkflowInput(toBuilderValues(blocksWorkflowSample, []), []);

/** An agent block and the tool setting load into the builder's form and go back as a body the api takes. */
export const agentBody: z.input<typeof workflowInputSchema> = toWorkflowInput(toBuilderValues(agentWorkflowSample, []), []);

export const drift = {
  ...executionSample,
  // @ts-expect-error: a field the contract does not have (e.g. one renamed on one side only) does not type-check.
  stepResults: [],
} satisfies Execution;

/** SSO: the workspace's provider as `GET /sso` answers it (the secret never is), and the login page's options for an email. */
export const ssoSettingsSample = {
  config: {
    issuer: 'https://idp.example.com/realms/acme',
    clientId: 'tributary',
    clientSecretSet: true,
    allowedDomains: ['acme.com'],
    defaultRole: 'viewer',
    ssoOnly: false,
    enabled: true,
    createdAt: '2026-11-30T07:12:03.114Z',
    updatedAt: '2026-11-30T07:12:03.114Z',
  },
  callbackUrl: 'http://localhost:8080/api/auth/sso/callback',
} satisfies SsoSettings;
export const authOptionsSample = { devMode: false, sso: 'required' } satisfies AuthOptions;

/** The audit log: a run's use of a credential, as `GET /audit` lists it and `GET /audit/export` writes it (one per line). */
export const auditEntrySample = {
  id: '6e1d2c3b-4a5f-4e6d-8c7b-9a0f1e2d3c4b',
  action: 'credential.use',
  userId: null,
  actorEmail: null,
  targetType: 'credential',
  targetId: '3f2b1c0d-4e5f-4a6b-8c7d-9e0f1a2b3c4d',
  details: { workflowId: '0b6f7c4e-58b8-4c1e-9a53-2f4b0d1c9e11', executionId: '5d7a2f0e-9c1b-4e7a-8f3d-6b2c1a0e9d44', ok: true },
  ip: null,
  createdAt: '2026-11-30T07:12:03.262Z',
} satisfies AuditEntry;

/** API keys: `POST /api-keys` answers the key once (`key`); lists answer the same shape without it. */
export const createdApiKeySample = {
  id: '7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d',
  name: 'GitHub Actions deploys',
  kind: 'personal',
  scope: 'write',
  prefix: 'trb_Xc2mQ9aL',
  userId: '8e1f2a3b-4c5d-4e6f-8a7b-9c0d1e2f3a4b',
  createdBy: '8e1f2a3b-4c5d-4e6f-8a7b-9c0d1e2f3a4b',
  createdAt: '2026-11-30T07:12:03.114Z',
  expiresAt: '2026-12-30T07:12:03.114Z',
  lastUsedAt: null,
  revokedAt: null,
  status: 'active',
  key: 'trb_Xc2mQ9aLkP0vR7sT1uW3yZ5bD8fH2jM4nQ6rS9tV1xY',
} satisfies CreatedApiKey;
export const serviceApiKeySample = {
  id: '9c8b7a6f-5e4d-4c3b-8a2f-1e0d9c8b7a6f',
  name: 'Nightly sync',
  kind: 'service',
  scope: 'read',
  prefix: 'trb_p4Lm0QzR',
  userId: null,
  createdBy: '8e1f2a3b-4c5d-4e6f-8a7b-9c0d1e2f3a4b',
  createdAt: '2026-11-30T07:12:03.114Z',
  expiresAt: null,
  lastUsedAt: '2026-11-30T08:00:00.000Z',
  revokedAt: '2026-12-01T07:12:03.114Z',
  status: 'revoked',
} satisfies ApiKey;
/** What the create dialog sends is what the api's schema accepts. */
export const createApiKeyBody = { name: 'CI', kind: 'personal', scope: 'read', expiresAt: expiryFrom('30') } satisfies CreateApiKeyInput;

// ---- variables and environments (backend/test/api/contracts.e2e-spec.ts "variables, environments and promotion") ----

/** A secret variable as listed: hints only, never a value. */
export const secretVariableSample = {
  id: '2f0c9b1e-6d4a-4b8e-9c3f-1a2b3c4d5e6f',
  name: 'API_KEY',
  description: '',
  secret: true,
  defaultValue: null,
  values: { staging: { value: null, hint: '••••7890', updatedAt: '2026-11-30T07:12:03.114Z' }, production: { value: null, hint: '••••4321', updatedAt: '2026-11-30T07:12:03.114Z' } },
  createdAt: '2026-11-30T07:12:03.114Z',
  updatedAt: '2026-11-30T07:12:03.114Z',
} satisfies Variable;

/** What the variables page sends is what `POST /variables` and `PUT /variables/:id` accept. */
export const variableDraftSample: z.input<typeof variableInputSchema> = { name: 'API_BASE', secret: false, values: { staging: 'https://staging.example', production: null } };
export const variableUpdateSample: z.input<typeof variableUpdateSchema> = { values: { qa: 'x', staging: null }, defaultValue: null };

export const environmentsSample = { items: [{ name: 'production', workflows: 2, values: 3 }, { name: 'staging', workflows: 1, values: 3 }] } satisfies EnvironmentList;
export const promotionSample = {
  source: { workflowId: '0b6f7c4e-58b8-4c1e-9a53-2f4b0d1c9e11', environment: 'staging', version: 3 },
  target: { workflowId: '5d7a2f0e-9c1b-4e7a-8f3d-6b2c1a0e9d44', environment: 'production', version: 2, created: false },
  note: 'promoted from staging v3',
} satisfies WorkflowPromotion;
