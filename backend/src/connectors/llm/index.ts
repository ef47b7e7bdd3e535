/**
 * LLM: OpenAI-compatible chat completions (OpenAI, Azure OpenAI, Ollama, vLLM, LM Studio, …): the
 * base URL, model and key are the connection. `chat` is the step users write (templated prompt or
 * messages, optional JSON-schema structured output validated before the step succeeds); `complete`
 * sends a conversation as given (tools included) and is what agent steps call for each model turn.
 * Every answer carries its token usage (recorded on the step's result).
 */
import { z } from 'zod';
import type { TokenUsage } from '@tributary/contracts';
import { payloadErrors, inputSchemaError } from '../../common/json-schema.js';
import { callProvider, type ProviderCallContext, type ProviderInfo } from '../provider-call.js';
import { actionWith, ConnectorError, defineConnector, MOCK_ORIGIN } from '../sdk.js';

const credentials = z.object({
  baseUrl: z.string().url().default('https://api.openai.com/v1').describe('The API base, up to /v1: https://api.openai.com/v1, http://localhost:11434/v1 (Ollama), https://<resource>.openai.azure.com/openai/deployments/<deployment> (Azure)'),
  apiKey: z.string().max(500).optional().describe('The API key (Ollama and LM Studio need none)'),
  model: z.string().min(1).max(200).describe('The model (gpt-4o-mini, llama3.1, …); a step may override it'),
  authHeader: z.enum(['bearer', 'api-key']).default('bearer').describe('How the key is sent: Authorization: Bearer (OpenAI and most), or api-key (Azure OpenAI)'),
  apiVersion: z.string().max(50).optional().describe('Azure OpenAI: the api-version query parameter (e.g. 2024-10-21)'),
});
export type LlmCredentials = z.output<typeof credentials>;
const action = actionWith(credentials);

const provider: ProviderInfo = {
  name: 'The model provider',
  messages: { 401: 'rejected the API key', 404: 'does not know this model or URL' },
  reason: (body) => {
    const b = body as { error?: { message?: string } | string; message?: string } | null;
    return typeof b?.error === 'string' ? b.error : (b?.error?.message ?? b?.message);
  },
};

/** A message of an OpenAI chat conversation (what `complete` sends and agent steps keep). */
export interface ChatMessage {
  role: 'system' | 'user' | 'assistant' | 'tool';
  content: string | null;
  tool_calls?: { id: string; type: 'function'; function: { name: string; arguments: string } }[];
  tool_call_id?: string;
  name?: string;
}
export interface ChatTool {
  type: 'function';
  function: { name: string; description?: string; parameters: Record<string, unknown> };
}
export interface ToolCall {
  id: string;
  name: string;
  /** Parsed from the model's JSON (the raw text when it is not JSON). */
  arguments: unknown;
}
export interface Completion {
  content: string | null;
  toolCalls: ToolCall[];
  usage: TokenUsage;
  model: string;
  finishReason: string | null;
}

const usageSchema = z.object({ promptTokens: z.number().int(), completionTokens: z.number().int(), totalTokens: z.number().int() });
const completionSchema = z.object({
  content: z.string().nullable(),
  toolCalls: z.array(z.object({ id: z.string(), name: z.string(), arguments: z.unknown() })),
  usage: usageSchema,
  model: z.string(),
  finishReason: z.string().nullable(),
});

export function addUsage(a: TokenUsage, b: TokenUsage): TokenUsage {
  return { promptTokens: a.promptTokens + b.promptTokens, completionTokens: a.completionTokens + b.completionTokens, totalTokens: a.totalTokens + b.totalTokens };
}
export const NO_USAGE: TokenUsage = { promptTokens: 0, completionTokens: 0, totalTokens: 0 };

/** The key as the provider wants it: `Authorization: Bearer` (OpenAI and most), or `api-key` (Azure). */
function authHeaders(cred: LlmCredentials): Record<string, string> {
  if (!cred.apiKey) return {};
  return cred.authHeader === 'api-key' ? { 'api-key': cred.apiKey } : { authorization: `Bearer ${cred.apiKey}` };
}

/** One chat completion call. */
export async function chatCompletion(
  ctx: ProviderCallContext & { baseUrl(d: string): string },
  cred: LlmCredentials,
  req: { messages: ChatMessage[]; model?: string; tools?: ChatTool[]; temperature?: number; maxTokens?: number; responseSchema?: Record<string, unknown>; idempotencyKey?: string },
): Promise<Completion> {
  const base = ctx.baseUrl(cred.baseUrl).replace(/\/+$/, '');
  const headers = authHeaders(cred);
  if (req.idempotencyKey) headers['idempotency-key'] = req.idempotencyKey;
  const model = req.model ?? cred.model;
  const res = await callProvider(ctx, provider, {
    method: 'POST',
    url: `${base}/chat/completions`,
    query: cred.apiVersion ? { 'api-version': cred.apiVersion } : undefined,
    headers,
    json: {
      model,
      messages: req.messages,
      ...(req.tools?.length ? { tools: req.tools } : {}),
      ...(req.temperature !== undefined ? { temperature: req.temperature } : {}),
      ...(req.maxTokens !== undefined ? { max_tokens: req.maxTokens } : {}),
      ...(req.responseSchema ? { response_format: { type: 'json_schema', json_schema: { name: 'output', schema: req.responseSchema, strict: false } } } : {}),
    },
    secrets: cred.apiKey ? [cred.apiKey] : [],
    timeoutMs: 120_000,
  });
  const body = res.body as {
    model?: string;
    choices?: { message?: { content?: string | null; tool_calls?: { id?: string; function?: { name?: string; arguments?: string } }[] }; finish_reason?: string | null }[];
    usage?: { prompt_tokens?: number; completion_tokens?: number; total_tokens?: number };
  } | null;
  const choice = body?.choices?.[0];
  if (!choice?.message) throw new ConnectorError('The model provider answered without a message (no choices[0].message)', { details: { body } });
  const toolCalls = (choice.message.tool_calls ?? []).map((c, i): ToolCall => {
    const raw = c.function?.arguments ?? '{}';
    let args: unknown = raw;
    try {
      args = JSON.parse(raw);
    } catch {
      /* kept as text: the tool call fails with a clear error */
    }
    return { id: c.id ?? `call_${i}`, name: c.function?.name ?? '', arguments: args };
  });
  const prompt = body?.usage?.prompt_tokens ?? 0;
  const completion = body?.usage?.completion_tokens ?? 0;
  return {
    content: choice.message.content ?? null,
    toolCalls,
    usage: { promptTokens: prompt, completionTokens: completion, totalTokens: body?.usage?.total_tokens ?? prompt + completion },
    model: body?.model ?? model,
    finishReason: choice.finish_reason ?? null,
  };
}

/** Why `text` is not a JSON value matching `schema` (null: it is one), with the parsed value. */
export function structuredOutput(text: string | null, schema: Record<string, unknown>): { value: unknown } | { error: string } {
  let value: unknown;
  try {
    value = JSON.parse((text ?? '').trim().replace(/^```(?:json)?\s*|\s*```$/g, ''));
  } catch {
    return { error: 'the reply is not JSON' };
  }
  const errors = payloadErrors(schema, value);
  if (errors.length) return { error: errors.map((e) => `${e.path.replace(/^payload\.?/, '') || '(root)'}: ${e.message}`).join('; ') };
  return { value };
}

const messageSchema = z.object({ role: z.enum(['system', 'user', 'assistant']), content: z.string().max(200_000) });

export const llm = defineConnector({
  key: 'llm',
  name: 'LLM (OpenAI-compatible)',
  icon: 'sparkles',
  description: 'Chat completions from OpenAI, Azure OpenAI, Ollama, vLLM, LM Studio or any OpenAI-compatible server',
  credentials,
  sampleCredentials: { baseUrl: `${MOCK_ORIGIN}/llm/v1`, apiKey: 'sk-mock', model: 'mock-gpt' },
  async test(ctx) {
    const base = ctx.baseUrl(ctx.credentials.baseUrl).replace(/\/+$/, '');
    const cred = ctx.credentials;
    const res = await callProvider(ctx, provider, { url: `${base}/models`, headers: authHeaders(cred), query: cred.apiVersion ? { 'api-version': cred.apiVersion } : undefined, secrets: cred.apiKey ? [cred.apiKey] : [] });
    const ids = ((res.body as { data?: { id?: string }[] } | null)?.data ?? []).map((m) => m.id).filter(Boolean);
    return ids.length ? `Reached the model provider: ${ids.length} model${ids.length === 1 ? '' : 's'}${ids.includes(cred.model) ? `, ${cred.model} among them` : ''}` : 'Reached the model provider';
  },
  actions: [
    action({
      key: 'chat',
      name: 'Chat',
      description: 'Asks the model: a prompt (or messages) with an optional system prompt; with a JSON schema, the answer must match it',
      input: z.object({
        system: z.string().max(50_000).optional().describe('The system prompt'),
        prompt: z.string().max(200_000).optional().describe('The user message (templated: {{steps.lookup.output}})'),
        messages: z.array(messageSchema).max(200).optional().describe('A whole conversation instead of a prompt'),
        model: z.string().max(200).optional().describe("Overrides the connection's model"),
        temperature: z.number().min(0).max(2).optional(),
        maxTokens: z.number().int().min(1).max(1_000_000).optional().describe('The most tokens of the answer'),
        responseSchema: z.record(z.string(), z.unknown()).optional().describe('JSON Schema the answer must match (structured output); the step fails when it does not after the retries'),
        structuredRetries: z.number().int().min(0).max(5).default(2).describe('How often a reply that does not match the schema is sent back to the model'),
      }),
      output: z.object({
        content: z.string().nullable().describe('The answer text'),
        json: z.unknown().optional().describe('The answer parsed and validated (with a responseSchema)'),
        model: z.string(),
        finishReason: z.string().nullable(),
        usage: usageSchema,
      }),
      sample: { system: 'You answer in one sentence.', prompt: 'What is an iPaaS?' },
      usage: (out) => out.usage,
      async execute(ctx) {
        const { input } = ctx;
        if (input.responseSchema) {
          const bad = inputSchemaError(input.responseSchema);
          if (bad) throw new ConnectorError(`responseSchema: ${bad}`);
        }
        const messages: ChatMessage[] = [
          ...(input.system ? [{ role: 'system' as const, content: input.system }] : []),
          ...(input.messages ?? []),
          ...(input.prompt !== undefined ? [{ role: 'user' as const, content: input.prompt }] : []),
        ];
        if (!messages.some((m) => m.role === 'user')) throw new ConnectorError('Give a prompt or messages with at least one user message');
        let usage = NO_USAGE;
        for (let round = 0; ; round++) {
          const answer = await chatCompletion(ctx, ctx.credentials, { messages, model: input.model, temperature: input.temperature, maxTokens: input.maxTokens, responseSchema: input.responseSchema, idempotencyKey: round ? `${ctx.idempotencyKey}:${round}` : ctx.idempotencyKey });
          usage = addUsage(usage, answer.usage);
          const out = { content: answer.content, model: answer.model, finishReason: answer.finishReason, usage };
          if (!input.responseSchema) return out;
          const parsed = structuredOutput(answer.content, input.responseSchema);
          if ('value' in parsed) return { ...out, json: parsed.value };
          if (round >= input.structuredRetries) {
            throw new ConnectorError(`The model's answer does not match the response schema after ${round + 1} tries: ${parsed.error}`, { details: { content: answer.content, usage } });
          }
          ctx.logger.warn('the model answer did not match the schema; asking again', { error: parsed.error });
          messages.push({ role: 'assistant', content: answer.content }, { role: 'user', content: `Your answer does not match the JSON schema (${parsed.error}). Answer again with JSON only, matching the schema.` });
        }
      },
    }),
    action({
      key: 'complete',
      name: 'Complete a conversation',
      description: 'One model turn of a conversation given as is (OpenAI messages and tools, not templated): what agent steps call',
      input: z.object({
        messages: z.array(z.record(z.string(), z.unknown())).min(1).max(1000),
        tools: z.array(z.record(z.string(), z.unknown())).max(128).optional(),
        model: z.string().max(200).optional(),
        temperature: z.number().min(0).max(2).optional(),
        responseSchema: z.record(z.string(), z.unknown()).optional(),
      }),
      output: completionSchema,
      verbatim: ['messages', 'tools', 'responseSchema'],
      sample: { messages: [{ role: 'user', content: 'Say hello' }] },
      usage: (out) => out.usage,
      async execute(ctx) {
        const { input } = ctx;
        return chatCompletion(ctx, ctx.credentials, {
          messages: input.messages as unknown as ChatMessage[],
          tools: input.tools as unknown as ChatTool[] | undefined,
          model: input.model,
          temperature: input.temperature,
          responseSchema: input.responseSchema,
          idempotencyKey: ctx.idempotencyKey,
        });
      },
    }),
  ],
});
