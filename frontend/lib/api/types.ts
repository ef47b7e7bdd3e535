/**
 * Shapes of the Tributary API. Not a copy: they come from @tributary/contracts (backend/contracts),
 * the zod schemas the api validates with and types its answers by, so a field renamed there fails
 * this dashboard's typecheck too.
 */
import type { ExecutionStatus, StepDraft, TriggerDraft, WorkflowDraft } from '@tributary/contracts';

export type {
  AgentBlock,
  AgentBlockDraft,
  AgentTool,
  ApiConsumer,
  ApiConsumerWithKey,
  Connector,
  ConnectorAction,
  ConsumerUsage,
  CreatedInvitation,
  Credential,
  CredentialStatus,
  CredentialTest,
  CredentialUsage,
  DryRunResult,
  DryRunStep,
  Execution,
  ExecutionStatus,
  ExecutionStepNode,
  ExecutionSummary,
  ExecutionTriggerType,
  GatewaySyncReport,
  GeneratedKongTemplate,
  Invitation,
  JsonSchema,
  KongConfig,
  KongTemplate,
  KongTemplateOptions,
  KongTenantConfig,
  KongUseCase,
  McpToolList,
  Page,
  PendingWait,
  Role,
  Session,
  Stats,
  TokenUsage,
  StepStatus,
  TeamMember,
  TriggerType,
  User,
  Workflow,
  WorkflowTool,
  WorkflowVersion,
  StepResult as ExecutionStep,
} from '@tributary/contracts';
// Values from the modules that hold them, so the bundle takes only those (types are erased).
export { EXECUTION_STATUSES } from '@tributary/contracts/executions';
export { KONG_USE_CASES } from '@tributary/contracts/gateway';

/** A trigger, a step and a workflow as the dashboard sends them (the api fills in defaults). */
export type Trigger = TriggerDraft;
export type Step = StepDraft;
export type WorkflowInput = WorkflowDraft;

/** What `POST /executions/:id/approve` and `/reject` answer. */
export interface ApprovalDecision {
  executionId: string;
  stepPath: string;
  approved: boolean;
}

/** The logs page's filters (query parameters of `GET /executions`). */
export interface ExecutionFilters {
  status?: ExecutionStatus | '';
  workflowId?: string;
  from?: string;
  to?: string;
}
