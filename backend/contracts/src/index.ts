/**
 * @tributary/contracts: the one definition of what the api accepts and answers, as zod schemas and
 * the types inferred from them. The backend validates requests and types its responses with them;
 * the dashboard imports the same types (and patterns), and tests parse real responses with them.
 *
 * Types: `X` (z.output) is the JSON a client reads; the server builds values of `z.input<typeof
 * xSchema>` (where a Date is accepted for an ISO timestamp, as JSON.stringify writes it so).
 *
 * Each module is also its own entry (`@tributary/contracts/patterns`, `/executions`, …): a browser
 * bundle that needs a few values imports them from there, without the workflow schema's cron parser.
 */
export * from './accounts.js';
export * from './api-keys.js';
export * from './audit.js';
export * from './common.js';
export * from './connectors.js';
export * from './credentials.js';
export * from './executions.js';
export * from './gateway.js';
export * from './patterns.js';
export * from './realtime.js';
export * from './variables.js';
export * from './sso.js';
export * from './templates.js';
export * from './workflow.js';
