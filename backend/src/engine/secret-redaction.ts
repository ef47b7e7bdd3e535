/**
 * Credential values kept out of what a step records. A step's output can carry its own credential:
 * an endpoint that echoes request headers answers the API key it was sent, a provider error may quote
 * it, and step results are readable by every viewer of the workspace (`GET /api/executions/:id`) and
 * answered to sync webhook callers. So once a step used a credential, every string of its recorded
 * input, output, error and warnings (object keys too) has the credential's secret values replaced by
 * `***`, as given and in the URL- and form-encoded forms common/http/redact.ts knows.
 *
 * Which values are secret: every string of the credential's data (3 characters or more: shorter
 * ones would blank out ordinary text), except fields that say where to connect or who connects,
 * which outputs legitimately repeat (n8n and Activepieces redact every value; a base URL or user
 * name in an output is harmless, and redacting them would mangle responses that echo them):
 *  - base addresses: `baseUrl`, `siteUrl`, `instanceUrl`, `endpoint` (a password inside one,
 *    https://user:pass@host, is still secret). Slack's and Discord's `webhookUrl` *are* secrets:
 *    the URL is the credential.
 *  - identities: `username`, `user`, `email`, `login`, `accountSid` (Twilio's account id, its basic
 *    auth user name).
 *  - settings: `type`, `in` and `name` (the generic HTTP connector's auth kind, where the key goes,
 *    and the header's name), `from` (a default sender number), `apiVersion`, `loginPath`, and the
 *    LLM connection's `model` and `authHeader` (an answer names its model). An MCP server's `url`
 *    stays secret: some servers put the key in it.
 * Anything else, including fields a connector adds later, is secret: when in doubt, redact. An
 * identity joined with each secret, `user:secret` in base64, is secret as well: the Authorization
 * header of HTTP basic auth that an echo endpoint reflects.
 *
 * The redacted result is also what later steps and a sync webhook's answer see: an editor cannot
 * route a secret into another step's input (or a webhook caller's response) through an echo.
 */
import { createRedactor, type Redactor } from '../common/http/redact.js';
import type { StepResult } from './types.js';

const ADDRESS_FIELDS = new Set(['baseurl', 'siteurl', 'instanceurl', 'endpoint']);
const IDENTITY_FIELDS = new Set(['username', 'user', 'email', 'login', 'accountsid']);
const SETTING_FIELDS = new Set(['type', 'in', 'name', 'from', 'apiversion', 'loginpath', 'model', 'authheader']);

/** Outputs nest as deep as a provider's JSON; past this depth a value is replaced rather than walked. */
const MAX_DEPTH = 256;

/** The secret values of a credential's data (see the rule above), with the base64 basic-auth forms. */
export function credentialSecrets(data: Record<string, unknown>): string[] {
  const secrets: string[] = [];
  const identities: string[] = [];
  for (const [field, value] of Object.entries(data)) {
    const key = field.toLowerCase();
    // Nested credential data (none of ours has any): every string in it is secret.
    if (typeof value !== 'string') secrets.push(...stringsIn(value));
    else if (ADDRESS_FIELDS.has(key)) secrets.push(...passwordInUrl(value));
    else if (IDENTITY_FIELDS.has(key)) identities.push(value);
    else if (!SETTING_FIELDS.has(key)) secrets.push(value);
  }
  const basic = identities.flatMap((id) => secrets.map((s) => Buffer.from(`${id}:${s}`).toString('base64')));
  return [...secrets, ...basic].filter((s) => s.length >= 3);
}

function stringsIn(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  return value && typeof value === 'object' ? Object.values(value).flatMap(stringsIn) : [];
}

function passwordInUrl(value: string): string[] {
  try {
    const password = new URL(value).password;
    return password ? [password, decodeURIComponent(password)] : [];
  } catch {
    return [];
  }
}

type StepRedactor = (result: StepResult) => StepResult;

/**
 * Per credential data object: the platform keeps a resolved credential for a while (EngineService)
 * and every step that uses it shares the object, so its secrets and their variants are worked out
 * once, not per step (that cost a worker ~10 µs an execution in `make bench`).
 */
const redactors = new WeakMap<Record<string, unknown>, StepRedactor | null>();

/** A function returning the step result with the credential's secrets replaced; undefined when the credential holds none. */
export function stepRedactor(credentialData: Record<string, unknown>): StepRedactor | undefined {
  let redactor = redactors.get(credentialData);
  if (redactor === undefined) {
    redactor = buildRedactor(credentialData);
    redactors.set(credentialData, redactor);
  }
  return redactor ?? undefined;
}

/**
 * Secret workspace variables (`{{vars.NAME}}` of a secret variable): their values are replaced like a
 * credential's, in every result of the run (any step may render them: an action's input, a call's, a
 * condition). Per list: the platform shares one list among the runs of an environment for a while.
 */
const variableRedactors = new WeakMap<readonly string[], StepRedactor | null>();

export function secretValuesRedactor(secrets: readonly string[]): StepRedactor | undefined {
  let redactor = variableRedactors.get(secrets);
  if (redactor === undefined) {
    redactor = buildFromSecrets(secrets.filter((s) => s.length >= 3));
    variableRedactors.set(secrets, redactor);
  }
  return redactor ?? undefined;
}

function buildRedactor(credentialData: Record<string, unknown>): StepRedactor | null {
  return buildFromSecrets(credentialSecrets(credentialData));
}

function buildFromSecrets(secrets: string[]): StepRedactor | null {
  if (!secrets.length) return null;
  const redact = createRedactor(secrets);
  return (result) => {
    // A result that holds no secret (the usual case) is returned as it is, after one read-only walk.
    if (!holdsSecret(result.input, redact, 0) && !holdsSecret(result.output, redact, 0) && !(result.error && redact.matches(result.error)) && !result.warnings.some(redact.matches)) {
      return result;
    }
    return {
      ...result,
      ...(result.input !== undefined ? { input: redactValue(result.input, redact, 0) } : {}),
      ...(result.output !== undefined ? { output: redactValue(result.output, redact, 0) } : {}),
      ...(result.error !== undefined ? { error: redact(result.error) } : {}),
      warnings: result.warnings.map(redact),
    };
  };
}

/** Whether any string or key in the value holds a secret (or it nests too deep to tell). */
function holdsSecret(value: unknown, redact: Redactor, depth: number): boolean {
  if (typeof value === 'string') return redact.matches(value);
  if (!value || typeof value !== 'object') return false;
  if (depth >= MAX_DEPTH) return true;
  if (Array.isArray(value)) return value.some((v) => holdsSecret(v, redact, depth + 1));
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) return false;
  for (const k in value) {
    if (redact.matches(k) || holdsSecret((value as Record<string, unknown>)[k], redact, depth + 1)) return true;
  }
  return false;
}

/** Every string in the value (and every key) redacted; plain objects and arrays copied, other values kept. */
export function redactValue(value: unknown, redact: (text: string) => string, depth: number): unknown {
  if (typeof value === 'string') return redact(value);
  if (!value || typeof value !== 'object') return value;
  if (depth >= MAX_DEPTH) return `[not recorded: nested deeper than ${MAX_DEPTH} levels]`;
  if (Array.isArray(value)) return value.map((v) => redactValue(v, redact, depth + 1));
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[redact(k)] = redactValue(v, redact, depth + 1);
  return out;
}
