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
