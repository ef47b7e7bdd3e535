/** Every entity and migration, listed explicitly (ES modules: no globbing at run time). */
import { AuditLog } from '../audit/audit-log.entity.js';
import { User } from '../auth/user.entity.js';
import { Credential } from '../credentials/credential.entity.js';
import { Tenant } from '../tenants/tenant.entity.js';
import { WorkflowVersion } from '../workflows/workflow-version.entity.js';
import { Workflow } from '../workflows/workflow.entity.js';
import { Execution } from '../executions/execution.entity.js';
import { Foundation1763769600000 } from './migrations/1763769600000-Foundation.js';
import { Executions1763856000000 } from './migrations/1763856000000-Executions.js';
import { ApiConsumers1763942400000 } from './migrations/1763942400000-ApiConsumers.js';
import { ApiConsumer } from '../consumers/api-consumer.entity.js';
import { ConsumerUsage } from '../consumers/consumer-usage.entity.js';
import { KongTemplateRecord } from '../gateway/kong-template.entity.js';
import { PublishedEvent } from '../events/published-event.entity.js';
import { Events1763942500000 } from './migrations/1763942500000-Events.js';
import { ExecutionJobs1764028800000 } from './migrations/1764028800000-ExecutionJobs.js';
import { Invitations1764115200000 } from './migrations/1764115200000-Invitations.js';
import { ExecutionLeases1764201600000 } from './migrations/1764201600000-ExecutionLeases.js';
import { ExecutionRetryOfIndex1764288000000 } from './migrations/1764288000000-ExecutionRetryOfIndex.js';

export const entities = [Tenant, User, Credential, Workflow, WorkflowVersion, AuditLog, Execution, ApiConsumer, ConsumerUsage, KongTemplateRecord, PublishedEvent];
export const migrations = [Foundation1763769600000, Executions1763856000000, ApiConsumers1763942400000, Events1763942500000, ExecutionJobs1764028800000, Invitations1764115200000, ExecutionLeases1764201600000, ExecutionRetryOfIndex1764288000000];
