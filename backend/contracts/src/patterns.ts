/**
 * Names the api accepts, as patterns both sides check: the api refuses a value that does not match,
 * and the dashboard says so before sending it.
 */

/** A step id: read as `steps.<id>` in templates, so no `-` (it would parse as a subtraction). */
export const STEP_ID_PATTERN = /^[A-Za-z][A-Za-z0-9_]*$/;
export const STEP_ID_MAX_LENGTH = 64;
export const STEP_ID_MESSAGE = 'Start with a letter; letters, digits and _ only (it is used as steps.<id> in templates)';

/** Why `id` is not a valid step id, or null when it is one. */
export function stepIdError(id: string): string | null {
  if (id.length === 0) return 'Give the step an id';
  if (id.length > STEP_ID_MAX_LENGTH) return `At most ${STEP_ID_MAX_LENGTH} characters`;
  if (!STEP_ID_PATTERN.test(id)) return STEP_ID_MESSAGE;
  return null;
}

export function isStepId(id: string): boolean {
  return stepIdError(id) === null;
}

/**
 * A valid step id made from any text (an action key such as `get-user`, a connector name): snake_case,
 * starting with a letter, never empty, at most STEP_ID_MAX_LENGTH characters.
 */
export function stepIdFrom(text: string, fallback = 'step'): string {
  const slug = text
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .replace(/^(\d)/, 's$1')
    .slice(0, STEP_ID_MAX_LENGTH)
    .replace(/_+$/, '');
  return slug || fallback;
}

/** The topic of a published event. */
export const EVENT_TOPIC_PATTERN = /^[A-Za-z0-9_.:-]+$/;
/** A topic pattern (an `event` trigger, an events filter, a realtime subscription): `*` stands for any run of characters. */
export const TOPIC_PATTERN = /^[A-Za-z0-9_.:*-]+$/;

/** A name Kong keeps as is (an API consumer's username). */
export const KONG_NAME_PATTERN = /^[A-Za-z0-9._~-]{1,64}$/;
/** An API consumer's plan. */
export const CONSUMER_PLAN_PATTERN = /^[A-Za-z0-9_-]{1,32}$/;
/** The public path of a Kong route. */
export const KONG_PATH_PATTERN = /^\/[A-Za-z0-9._~/-]{1,200}$/;
