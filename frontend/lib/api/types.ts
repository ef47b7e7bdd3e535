/** Shapes of the Tributary API (see SPEC.md "API"). */

export type Role = 'admin' | 'editor' | 'viewer';

export interface User {
  id: string;
  email: string;
  name?: string | null;
  role: Role;
  tenantId: string;
  tenantName?: string | null;
}

export interface Session {
  token: string;
  user: User;
}

export type JsonSchema = {
  type?: string | string[];
  title?: string;
  description?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema | JsonSchema[];
  enum?: unknown[];
  const?: unknown;
  default?: unknown;
  format?: string;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  additionalProperties?: boolean | JsonSchema;
  writeOnly?: boolean;
  minimum?: number;
  maximum?: number;
  [key: string]: unknown;
};

export interface ConnectorAction {
  key: string;
  name: string;
  description?: string;
  input: JsonSchema;
  output: JsonSchema;
}

export interface Connector {
  key: string;
  name: string;
  icon: string;
  description?: string;
  credentials: JsonSchema | null;
  actions: ConnectorAction[];
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface Credential {
  id: string;
  connector: string;
  name: string;
  hints: Record<string, string>;
  createdAt: string;
  updatedAt: string;
}

export type Trigger =
  | { type: 'webhook'; secret?: string; responseMode: 'async' | 'sync' }
  | { type: 'schedule'; intervalSeconds?: number; cron?: string; timezone?: string }
  | { type: 'event'; topic: string }
  | { type: 'manual' };

export type TriggerType = Trigger['type'];

export interface Step {
  id: string;
  name?: string;
  connector: string;
  action: string;
  credentialId?: string;
  input: Record<string, unknown>;
  when?: string;
  retry?: { attempts: number; backoffMs: number };
  timeoutMs?: number;
}

export interface WorkflowInput {
  name: string;
  description?: string;
  enabled?: boolean;
  trigger: Trigger;
  steps: Step[];
}

export interface Workflow extends Omit<WorkflowInput, 'description'> {
  id: string;
  description: string | null;
  enabled: boolean;
  version: number;
  webhookUrl?: string | null;
  nextRuns?: string[];
  createdAt: string;
  updatedAt: string;
}

export interface WorkflowVersion {
  version: number;
  name: string;
  trigger: Trigger;
  steps: Step[];
  createdAt: string;
  createdBy?: string | null;
}

export type StepStatus = 'succeeded' | 'failed' | 'skipped' | 'running' | 'queued' | 'pending';

export interface DryRunResult {
  status: 'succeeded' | 'failed';
  durationMs: number;
  output?: unknown;
  steps: DryRunStep[];
}

export type ExecutionStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';
export const EXECUTION_STATUSES: ExecutionStatus[] = ['queued', 'running', 'succeeded', 'failed', 'cancelled'];

export interface ExecutionSummary {
  id: string;
  workflowId: string;
  workflowName?: string | null;
  status: ExecutionStatus;
  triggerType: string;
  startedAt: string | null;
  finishedAt: string | null;
  durationMs: number | null;
  error: string | null;
  createdAt: string;
}

export interface ExecutionStep {
  stepId: string;
  connector: string;
  action: string;
  status: StepStatus;
  input?: unknown;
  output?: unknown;
  error?: string | null;
  warnings?: string[];
  attempts?: number;
  durationMs?: number | null;
  startedAt?: string | null;
  finishedAt?: string | null;
}

/** A dry run answers the same step results as an execution, each also under `id`. */
export interface DryRunStep extends ExecutionStep {
  id: string;
}

export interface Execution extends ExecutionSummary {
  payload?: unknown;
  steps: ExecutionStep[];
}

export interface Stats {
  total: number;
  byStatus: Record<ExecutionStatus, number>;
  successRate: number;
  today: { total: number; succeeded: number; failed: number };
  perWorkflow: { workflowId: string; name: string; total: number; succeeded: number; failed: number }[];
  perHour: { hour: string; total: number; succeeded: number; failed: number }[];
}

export interface ExecutionFilters {
  status?: ExecutionStatus | '';
  workflowId?: string;
  from?: string;
  to?: string;
}

/** The five gateway patterns `POST /kong/templates` generates for a webhook workflow. */
export const KONG_USE_CASES = ['protocol_bridge', 'webhook_handler', 'smart_aggregator', 'federated_security', 'usage_tracking'] as const;
export type KongUseCase = (typeof KONG_USE_CASES)[number];

/** What a caller may choose when generating (each applies to some use cases). */
export interface KongTemplateOptions {
  auth?: 'key-auth' | 'jwt';
  allowGroups?: string[];
  jwtIssuer?: string;
  jwtPublicKey?: string;
  rateLimitPerSecond?: number;
  rateLimitBy?: 'ip' | 'service' | 'consumer';
  cacheTtlSeconds?: number;
  path?: string;
}

/** Kong 3 declarative config (`_format_version: "3.0"`); secrets come masked. */
export type KongConfig = { _format_version: string } & Record<string, unknown>;

/** The result of a push to Kong's Admin API; null when KONG_ADMIN_URL is not set. */
export interface GatewaySyncReport {
  ok: boolean;
  status: number;
  unchanged?: boolean;
  error?: string;
}

export interface KongTemplate {
  id: string;
  workflowId: string;
  useCase: KongUseCase;
  path: string;
  options: KongTemplateOptions;
  config: KongConfig;
  createdAt: string;
}

export interface GeneratedKongTemplate {
  id: string;
  workflowId: string;
  useCase: KongUseCase;
  description: string;
  config: KongConfig;
  notes: string[];
  path: string;
  pushed: GatewaySyncReport | null;
}

export interface KongTenantConfig {
  config: KongConfig;
  valid: boolean;
  errors: string[];
  warnings: string[];
}

export interface ApiConsumer {
  id: string;
  username: string;
  plan: string;
  groups: string[];
  /** Unique across tenants; Kong sends it upstream as X-Consumer-Username. */
  kongUsername: string;
  keyHint: string;
  createdAt: string;
  keyRotatedAt: string;
}

/** The answer of create and rotate-key: the only time the key is readable. */
export interface ApiConsumerWithKey {
  consumer: ApiConsumer;
  apiKey: string;
  pushed: GatewaySyncReport | null;
}

export interface ConsumerUsage {
  consumerId: string;
  /** Dates (YYYY-MM-DD, UTC), inclusive. */
  from: string;
  to: string;
  items: { day: string; route: string; count: number }[];
  total: number;
}

export interface TeamMember {
  id: string;
  email: string;
  /** Empty when the user gave none. */
  name: string;
  role: Role;
  lastLoginAt: string | null;
  createdAt: string;
}

/** A pending invitation (not accepted, revoked or expired). */
export interface Invitation {
  id: string;
  email: string;
  role: Role;
  /** The inviting user's id; null once that user is removed. */
  invitedBy: string | null;
  expiresAt: string;
  createdAt: string;
}

/** `POST /invitations` answers the token once; only a hash is kept. */
export interface CreatedInvitation extends Invitation {
  token: string;
}
