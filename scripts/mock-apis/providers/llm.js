// @ts-check
/**
 * An OpenAI-compatible chat completions endpoint (`/llm/v1/chat/completions`, `/llm/v1/models`)
 * for the LLM and agent steps' tests and the offline demo: deterministic and scriptable.
 *
 * Which answer a request gets:
 * - a script (`POST /llm/__script` with `{ key, responses: [...] }`) applies when its `key` appears
 *   in a system or user message; the answer is `responses[n]` where `n` is how many assistant
 *   messages the request carries (its turn), so a repeated call (a run resumed after a crash) gets
 *   the same answer. A response is `{ content }` (text), `{ toolCalls: [{ name, arguments }] }`,
 *   `{ status, error }` (an error answer), with optional `delayMs` and `usage: { prompt, completion }`;
 * - else a small default: it calls each tool once, one per turn in the order given, with arguments
 *   taken from the last user message (`#1001` or the first number; for a `text`/`message`/`reply`
 *   property, a reply drafted from the tool results so far);
 *   with a JSON schema response format, an object of that schema; else it sums up what it was told.
 * Usage is counted as characters / 4 (at least 1) unless the script says otherwise.
 * An `Authorization: Bearer` header is required (any value but `invalid`: 401, as OpenAI answers).
 *
 * Test controls: `GET /llm/__stats?key=` → `{ calls, byTurn: { "0": n, ... } }`, `DELETE /llm/__script`.
 */
import { bodyObject, json, route, schemeToken } from '../lib.js';

/** @typedef {{ content?: string, toolCalls?: { name: string, arguments: unknown }[], status?: number, error?: string, delayMs?: number, usage?: { prompt?: number, completion?: number } }} Scripted */

/** @returns {import('../lib.js').Provider} */
export function createOpenAiProvider() {
  /** @type {Map<string, Scripted[]>} */
  const scripts = new Map();
  /** @type {Map<string, { calls: number, byTurn: Record<string, number> }>} */
  const stats = new Map();
  let callSeq = 0;

  /** @param {any[]} messages */
  const scriptOf = (messages) => {
    const texts = messages.filter((m) => m?.role === 'system' || m?.role === 'user').map((m) => (typeof m.content === 'string' ? m.content : JSON.stringify(m.content ?? '')));
    for (const [key, responses] of scripts) if (texts.some((t) => t.includes(key))) return { key, responses };
    return null;
  };

  return {
    name: 'llm',
    prefix: '/llm',
    reset() {
      scripts.clear();
      stats.clear();
    },
    routes: [
      route('POST', '/llm/__script', (req) => {
        const b = /** @type {{ key?: string, responses?: Scripted[] }} */ (bodyObject(req));
        if (!b.key || !Array.isArray(b.responses)) return json(400, { error: 'key and responses are required' });
        scripts.set(b.key, b.responses);
        stats.delete(b.key);
        return json(200, { ok: true });
      }),
      route('DELETE', '/llm/__script', () => {
        scripts.clear();
        return json(200, { ok: true });
      }),
      route('GET', '/llm/__stats', (req) => json(200, stats.get(req.query.key ?? '') ?? { calls: 0, byTurn: {} })),
      route('GET', '/llm/*', (req) => {
        if (!/^\/llm\/(v1\/)?models$/.test(req.path)) return json(404, { error: { message: `No route for GET ${req.path}`, type: 'invalid_request_error' } });
        const denied = unauthorized(req);
        if (denied) return denied;
        return json(200, { object: 'list', data: [{ id: 'mock-gpt', object: 'model', owned_by: 'tributary-mock' }, { id: 'mock-gpt-mini', object: 'model', owned_by: 'tributary-mock' }] });
      }),
      route('POST', '/llm/*', async (req) => {
        if (!/^\/llm\/(v1\/)?chat\/completions$/.test(req.path)) return json(404, { error: { message: `No route for POST ${req.path}`, type: 'invalid_request_error' } });
        const denied = unauthorized(req);
        if (denied) return denied;
        const body = /** @type {any} */ (bodyObject(req));
        const messages = Array.isArray(body.messages) ? body.messages : null;
        if (!messages || !messages.length) return json(400, { error: { message: "'messages' must be a non-empty array", type: 'invalid_request_error', param: 'messages', code: null } });
        if (typeof body.model !== 'string' || !body.model) return json(400, { error: { message: "you must provide a model parameter", type: 'invalid_request_error', param: 'model', code: null } });
        const turn = messages.filter((m) => m?.role === 'assistant').length;
        const script = scriptOf(messages);
        if (script) {
          const s = stats.get(script.key) ?? { calls: 0, byTurn: {} };
          s.calls++;
          s.byTurn[turn] = (s.byTurn[turn] ?? 0) + 1;
          stats.set(script.key, s);
        }
        const scripted = script ? script.responses[Math.min(turn, script.responses.length - 1)] : undefined;
        if (scripted?.delayMs) await new Promise((r) => setTimeout(r, scripted.delayMs).unref());
        if (scripted?.status) return json(scripted.status, { error: { message: scripted.error ?? 'mock error', type: 'server_error', param: null, code: null } });
        const answer = scripted ?? defaultAnswer(messages, body);
        const promptChars = JSON.stringify(messages).length + JSON.stringify(body.tools ?? []).length;
        const toolCalls = (answer.toolCalls ?? []).map((c, i) => ({ id: `call_${turn}_${i}`, type: 'function', function: { name: c.name, arguments: typeof c.arguments === 'string' ? c.arguments : JSON.stringify(c.arguments ?? {}) } }));
        const content = toolCalls.length ? (answer.content ?? null) : (answer.content ?? '');
        const prompt = answer.usage?.prompt ?? Math.max(1, Math.ceil(promptChars / 4));
        const completion = answer.usage?.completion ?? Math.max(1, Math.ceil((JSON.stringify(toolCalls).length + (content?.length ?? 0)) / 4));
        return json(200, {
          id: `chatcmpl-mock-${++callSeq}`,
          object: 'chat.completion',
          created: Math.floor(Date.now() / 1000),
          model: body.model,
          choices: [{ index: 0, message: { role: 'assistant', content, ...(toolCalls.length ? { tool_calls: toolCalls } : {}) }, finish_reason: toolCalls.length ? 'tool_calls' : 'stop' }],
          usage: { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion },
        });
      }),
    ],
    error: (status, message) => json(status, { error: { message, type: status === 429 ? 'rate_limit_error' : 'server_error', param: null, code: null } }),
  };
}

/** @param {import('../lib.js').MockRequest} req */
function unauthorized(req) {
  const key = schemeToken(req, 'Bearer') ?? req.headers['api-key'];
  if (!key || key === 'invalid') {
    return json(401, { error: { message: 'Incorrect API key provided.', type: 'invalid_request_error', param: null, code: 'invalid_api_key' } });
  }
  return null;
}

/** @param {any[]} messages @param {any} body @returns {Scripted} */
function defaultAnswer(messages, body) {
  const lastUser = [...messages].reverse().find((m) => m.role === 'user');
  const said = typeof lastUser?.content === 'string' ? lastUser.content : '';
  const toolResults = messages.filter((m) => m.role === 'tool');
  const tools = Array.isArray(body.tools) ? body.tools : [];
  // One tool per turn, in the order given, until each was called once.
  if (toolResults.length < tools.length) {
    const fn = tools[toolResults.length].function ?? {};
    const props = fn.parameters?.properties ?? {};
    const found = toolResults.map((t) => t.content).join(' ');
    /** @type {Record<string, unknown>} */
    const args = {};
    for (const name of fn.parameters?.required ?? Object.keys(props)) {
      const type = props[name]?.type;
      const hash = /#([A-Za-z0-9-]+)/.exec(said)?.[1];
      const num = /(\d+)/.exec(said)?.[1];
      if (type === 'number' || type === 'integer') args[name] = Number(num ?? 0);
      else if (/text|message|reply|body|content/i.test(name)) args[name] = `Hi! About your request "${said.slice(0, 80)}": ${found || 'we are on it'}`;
      else args[name] = hash ?? num ?? said.slice(0, 40);
    }
    return { toolCalls: [{ name: fn.name, arguments: args }] };
  }
  const schema = body.response_format?.json_schema?.schema;
  if (schema) return { content: JSON.stringify(sample(schema, toolResults.map((t) => t.content).join(' ') || said)) };
  return { content: toolResults.length ? `Here is what I found: ${toolResults.map((t) => t.content).join(' ')}` : `You said: ${said}` };
}

/** A value of the schema's shape (strings carry `text`). @param {any} schema @param {string} text @returns {unknown} */
function sample(schema, text) {
  switch (schema?.type) {
    case 'object': {
      /** @type {Record<string, unknown>} */
      const out = {};
      for (const [k, v] of Object.entries(schema.properties ?? {})) out[k] = sample(v, text);
      return out;
    }
    case 'array':
      return [sample(schema.items, text)];
    case 'number':
    case 'integer':
      return 1;
    case 'boolean':
      return true;
    default:
      return schema?.enum ? schema.enum[0] : text.slice(0, 200);
  }
}
