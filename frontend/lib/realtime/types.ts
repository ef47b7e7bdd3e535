/** The messages of the api's WebSocket (`/ws`): envelope `{ event, data }` both ways. */

export interface StepUpdate {
  stepId: string;
  connector: string;
  action: string;
  status: string;
  output?: unknown;
  error?: string;
  attempts: number;
  durationMs: number;
}

export interface PublishedEvent {
  id: string;
  topic: string;
  data: Record<string, unknown>;
  publisherId: string | null;
  deliverAt: string | null;
  deliveredAt: string | null;
  createdAt: string;
  executionIds: string[];
}

/** Events the platform publishes to a tenant's sockets (what `subscribe` patterns match). */
export interface PlatformEventMap {
  'execution.queued': { executionId: string; workflowId: string; triggerType: string };
  'execution.started': { executionId: string; workflowId: string; attempt: number };
  'execution.step': { executionId: string; workflowId: string; step: StepUpdate };
  'execution.succeeded': { executionId: string; workflowId: string; status: 'succeeded'; durationMs: number };
  'execution.failed': { executionId: string; workflowId: string; status: 'failed' | 'cancelled'; durationMs: number; error?: string };
  'workflow.updated': { workflowId: string; action: 'saved' | 'deleted'; name: string; version: number; enabled: boolean; triggerType: string; updatedAt: string };
  'event.published': PublishedEvent;
}

/** Control messages of the connection itself. */
export interface ControlEventMap {
  auth_success: { userId: string; tenantId: string; name: string };
  system: { type: 'welcome'; message: string; topics: string[] };
  error: { message: string; code: string };
  subscribed: { topics: string[] };
  unsubscribed: { topics: string[] };
  pong: { at: string };
}

export type ServerEventMap = PlatformEventMap & ControlEventMap;
export type PlatformEventName = keyof PlatformEventMap;
export type ServerEventName = keyof ServerEventMap;

/** A message from the server, narrowed by its `event`. */
export type RealtimeMessage<E extends ServerEventName = ServerEventName> = { [K in E]: { event: K; data: ServerEventMap[K] } }[E];
export type PlatformMessage = RealtimeMessage<PlatformEventName>;

export type RealtimeStatus =
  | 'idle' // never connected, or disconnect() was called
  | 'connecting'
  | 'authenticating'
  | 'open'
  | 'reconnecting' // waiting for the next attempt after a drop
  | 'unauthorized'; // the token was refused: sign in again, then connect(newToken)

/** Close codes the server uses. */
export const CLOSE_CODES = { slowConsumer: 4008, unauthorized: 4401, authTimeout: 4408 } as const;
