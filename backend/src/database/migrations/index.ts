/** Every migration, in order (ES modules: no globbing at run time). Entities are registered by their own modules (TypeOrmModule.forFeature). */
import { Foundation1763769600000 } from './1763769600000-Foundation.js';
import { Executions1763856000000 } from './1763856000000-Executions.js';
import { ApiConsumers1763942400000 } from './1763942400000-ApiConsumers.js';
import { Events1763942500000 } from './1763942500000-Events.js';
import { ExecutionJobs1764028800000 } from './1764028800000-ExecutionJobs.js';
import { Invitations1764115200000 } from './1764115200000-Invitations.js';
import { ExecutionLeases1764201600000 } from './1764201600000-ExecutionLeases.js';
import { ExecutionRetryOfIndex1764288000000 } from './1764288000000-ExecutionRetryOfIndex.js';
import { ErrorWorkflows1764374400000 } from './1764374400000-ErrorWorkflows.js';
import { DurableWaits1764460800000 } from './1764460800000-DurableWaits.js';
import { FlowControl1764547200000 } from './1764547200000-FlowControl.js';
import { Connections1764633600000 } from './1764633600000-Connections.js';
import { Sso1764806400000 } from './1764806400000-Sso.js';
import { ApiKeys1764720000000 } from './1764720000000-ApiKeys.js';
import { Variables1764892800000 } from './1764892800000-Variables.js';
import { AuditTrace1764979200000 } from './1764979200000-AuditTrace.js';
import { AiSteps1765065600000 } from './1765065600000-AiSteps.js';
import { PinData1765152000000 } from './1765152000000-PinData.js';
import { SsoIdentities1765152100000 } from './1765152100000-SsoIdentities.js';

export const migrations = [Foundation1763769600000, Executions1763856000000, ApiConsumers1763942400000, Events1763942500000, ExecutionJobs1764028800000, Invitations1764115200000, ExecutionLeases1764201600000, ExecutionRetryOfIndex1764288000000, ErrorWorkflows1764374400000, DurableWaits1764460800000, FlowControl1764547200000, Connections1764633600000, ApiKeys1764720000000, Sso1764806400000, Variables1764892800000, AuditTrace1764979200000, AiSteps1765065600000, PinData1765152000000, SsoIdentities1765152100000];
