/**
 * The api's WebSocket (`/ws`): every message is an envelope `{ event, data }`, both ways. Platform
 * events are what the backend publishes to a tenant's sockets; control events belong to the
 * connection itself.
 */
import { z } from 'zod';
import { idSchema, timestampSchema, TRIGGER_TYPES } from './common.js';
import { credentialStatusSchema } from './credentials.js';
import { executionTriggerTypeSchema, stepStatusSchema } from './executions.js';

/** A published event (`POST /events` answers it; `event.published` carries it with the runs it started). */
export const publishedEventSchema = z.strictObject({
  id: idSchema,
  topic: z.string(),
  data: z.record(z.string(), z.unknown()),
  publisherId: idSchema.nullable(),
  deliverAt: timestampSchema.nullable(),
  deliveredAt: timestampSchema.nullable(),
  createdAt: timestampSchema,
});
export type PublishedEvent = z.output<typeof publishedEventSchema>;

/** `POST /events`: the event, the runs it started, and whether it waits for its `deliverAt`. */
export const publishResultSchema = publishedEventSchema.extend({ executionIds: z.array(idSchema), scheduled: z.boolean() });
export type PublishResult = z.output<typeof publishResultSchema>;

/** Live progress carries a step's outcome, not its data: clients fetch the execution when they show it. */
export const stepUpdateSchema = z.strictObject({
  stepId: z.string(),
  connector: z.string(),
  action: z.string(),
  status: stepStatusSchema,
  error: z.string().optional(),
  attempts: z.number().int(),
  durationMs: z.number(),
});
export type StepUpdate = z.output<typeof stepUpdateSchema>;

/** The payload of each platform event (what `subscribe` patterns match). */
export const platformEventSchemas = {
  'execution.queued': z.strictObject({ executionId: idSchema, workflowId: idSchema, triggerType: executionTriggerTypeSchema }),
  'execution.started': z.strictObject({ executionId: idSchema, workflowId: idSchema, attempt: z.number().int() }),
  'execution.step': z.strictObject({ executionId: idSchema, workflowId: idSchema, step: stepUpdateSchema }),
  'execution.cancelled': z.strictObject({ executionId: idSchema, workflowId: idSchema }),
  /** Parked on durable waits (no worker holds it): the paths it waits at, and the earliest due time. */
  'execution.waiting': z.strictObject({ executionId: idSchema, workflowId: idSchema, waits: z.array(z.strictObject({ path: z.string(), dueAt: timestampSchema.nullable() })) }),
  /** A wait was resolved (resume webhook, approval, rejection, a sub-workflow ended): the run is queued again. */
  'execution.resumed': z.strictObject({ executionId: idSchema, workflowId: idSchema.nullable(), stepPath: z.string().nullable(), by: z.enum(['webhook', 'approval', 'rejection', 'call', 'timer']) }),
  'execution.succeeded': z.strictObject({ executionId: idSchema, workflowId: idSchema, status: z.literal('succeeded'), durationMs: z.number(), error: z.string().optional() }),
  'execution.failed': z.strictObject({
    executionId: idSchema,
    workflowId: idSchema,
    status: z.enum(['failed', 'cancelled']),
    durationMs: z.number(),
    error: z.string().optional(),
  }),
  'workflow.updated': z.strictObject({
    workflowId: idSchema,
    action: z.enum(['saved', 'deleted']),
    name: z.string(),
    version: z.number().int(),
    enabled: z.boolean(),
    triggerType: z.enum(TRIGGER_TYPES),
    updatedAt: timestampSchema,
  }),
  'event.published': publishedEventSchema.extend({ executionIds: z.array(idSchema) }),
  /** A connection's health changed (e.g. `needs_reconnect` after the provider refused a refresh). */
  'credential.status': z.strictObject({ credentialId: idSchema, connector: z.string(), name: z.string(), status: credentialStatusSchema, error: z.string().nullable() }),
};

/** The payload of each control event of a connection. */
export const controlEventSchemas = {
  /** `userId` is null for a service API key (it acts for the workspace); `apiKeyId` names the key a socket signed in with. */
  auth_success: z.strictObject({ userId: idSchema.nullable(), tenantId: idSchema, name: z.string(), apiKeyId: idSchema.optional() }),
  system: z.strictObject({ type: z.literal('welcome'), message: z.string(), topics: z.array(z.string()) }),
  error: z.strictObject({ message: z.string(), code: z.string() }),
  subscribed: z.strictObject({ topics: z.array(z.string()) }),
  unsubscribed: z.strictObject({ topics: z.array(z.string()) }),
  pong: z.strictObject({ at: z.string() }),
};

type Outputs<M extends Record<string, z.ZodType>> = { [K in keyof M]: z.output<M[K]> };
type Inputs<M extends Record<string, z.ZodType>> = { [K in keyof M]: z.input<M[K]> };

export type PlatformEventMap = Outputs<typeof platformEventSchemas>;
export type ControlEventMap = Outputs<typeof controlEventSchemas>;
export type ServerEventMap = PlatformEventMap & ControlEventMap;
export type PlatformEventName = keyof PlatformEventMap;
export type ControlEventName = keyof ControlEventMap;
export type ServerEventName = keyof ServerEventMap;

/** What the server may hand to JSON.stringify for each event (a Date where clients read an ISO string). */
export type PlatformEventPayloads = Inputs<typeof platformEventSchemas>;
export type ControlEventPayloads = Inputs<typeof controlEventSchemas>;

export const PLATFORM_EVENTS = Object.keys(platformEventSchemas) as PlatformEventName[];

/** A message from the server, narrowed by its `event`. */
export type RealtimeMessage<E extends ServerEventName = ServerEventName> = { [K in E]: { event: K; data: ServerEventMap[K] } }[E];
export type PlatformMessage = RealtimeMessage<PlatformEventName>;

/** Messages a client sends. */
export const clientMessageSchema = z.discriminatedUnion('event', [
  z.object({ event: z.literal('auth'), data: z.object({ token: z.string().min(1) }) }),
  z.object({ event: z.literal('subscribe'), data: z.object({ topics: z.array(z.string()) }) }),
  z.object({ event: z.literal('unsubscribe'), data: z.object({ topics: z.array(z.string()) }) }),
  z.object({ event: z.literal('ping'), data: z.unknown().optional() }),
]);
export type ClientMessage = z.output<typeof clientMessageSchema>;

/** Any server message: `{ event, data }`, data checked against its event's schema. */
export const serverMessageSchema = z
  .strictObject({ event: z.string(), data: z.unknown() })
  .superRefine((m, ctx) => {
    const schema = (platformEventSchemas as Record<string, z.ZodType>)[m.event] ?? (controlEventSchemas as Record<string, z.ZodType>)[m.event];
    if (!schema) {
      ctx.addIssue({ code: 'custom', path: ['event'], message: `Unknown event "${m.event}"` });
      return;
    }
    const r = schema.safeParse(m.data);
    if (!r.success) for (const issue of r.error.issues) ctx.addIssue({ code: 'custom', path: ['data', ...issue.path], message: issue.message });
  });

/** Parses one server message; throws when it is not one the contract describes. */
export function parseServerMessage(value: unknown): RealtimeMessage {
  const m = serverMessageSchema.parse(value);
  return m as RealtimeMessage;
}

/** Close codes the server uses: re-authenticate on 4401/4408, reconnect with back-off otherwise. */
export const CLOSE_CODES = {
  shutdown: 1001,
  policy: 1008,
  slowConsumer: 4008,
  unauthorized: 4401,
  authTimeout: 4408,
} as const;
