/**
 * MCP client: calls a tool of any MCP server over Streamable HTTP (the official SDK's client). The
 * connection is the server's URL and, when it wants one, a bearer token. `listTools` answers the
 * server's tools with their input schemas (the builder offers them; agent steps describe them to the
 * model); `callTool` calls one. A tool's own error (`isError`) fails the step with its text.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { z } from 'zod';
import type { ConnectionTestContext } from '../sdk.js';
import { actionWith, ConnectorError, defineConnector, MOCK_ORIGIN } from '../sdk.js';

const credentials = z.object({
  url: z.string().url().describe('The MCP server endpoint (Streamable HTTP), e.g. https://mcp.example.com/mcp'),
  token: z.string().max(4000).optional().describe('A bearer token, when the server asks for one (sent as Authorization: Bearer)'),
});
export type McpCredentials = z.output<typeof credentials>;
const action = actionWith(credentials);

export interface McpToolInfo {
  name: string;
  description?: string;
  inputSchema: Record<string, unknown>;
}
export interface McpToolResult {
  content: unknown[];
  structuredContent?: unknown;
  /** The text parts joined (what a model reads). */
  text: string;
}

type McpContext = Pick<ConnectionTestContext<McpCredentials>, 'credentials' | 'http' | 'baseUrl' | 'signal'>;

/** Connects, runs `fn`, closes; every failure a ConnectorError a user can act on (the token never in it). */
async function withClient<T>(ctx: McpContext, fn: (c: Client) => Promise<T>): Promise<T> {
  const url = ctx.baseUrl(ctx.credentials.url);
  const token = ctx.credentials.token;
  const redact = (m: string) => (token ? m.split(token).join('***') : m);
  const transport = new StreamableHTTPClientTransport(new URL(url), {
    requestInit: token ? { headers: { authorization: `Bearer ${token}` } } : undefined,
    ...(ctx.http.fetch ? { fetch: ctx.http.fetch as typeof fetch } : {}),
  });
  const client = new Client({ name: 'tributary', version: '0.1.0' });
  try {
    await client.connect(transport, { signal: ctx.signal });
    return await fn(client);
  } catch (err) {
    if (err instanceof ConnectorError) throw err;
    const message = redact(err instanceof Error ? err.message : String(err));
    const code = (err as { code?: unknown }).code;
    const status = code === 401 || code === 403 ? String(code) : /\b(401|403)\b/.exec(message)?.[1];
    if (status) throw new ConnectorError(`The MCP server refused the credentials (${status}): ${message}`, { status: Number(status) });
    if (ctx.signal.aborted) throw err;
    const network = /fetch failed|ECONNREFUSED|ENOTFOUND|ETIMEDOUT|socket/i.test(message);
    throw new ConnectorError(`MCP server ${new URL(url).host}: ${message}`, { retryable: network, cause: err });
  } finally {
    await client.close().catch(() => undefined);
  }
}

export function listMcpTools(ctx: McpContext): Promise<McpToolInfo[]> {
  return withClient(ctx, async (c) => {
    const tools: McpToolInfo[] = [];
    let cursor: string | undefined;
    do {
      const page = await c.listTools(cursor ? { cursor } : {}, { signal: ctx.signal });
      for (const t of page.tools) tools.push({ name: t.name, ...(t.description ? { description: t.description } : {}), inputSchema: t.inputSchema as Record<string, unknown> });
      cursor = page.nextCursor;
    } while (cursor && tools.length < 1000);
    return tools;
  });
}

/** Calls a tool; its own error (`isError`) is returned as `{ isError: true }` for the caller to decide. */
export function callMcpTool(ctx: McpContext, tool: string, args: Record<string, unknown>): Promise<McpToolResult & { isError: boolean }> {
  return withClient(ctx, async (c) => {
    const res = await c.callTool({ name: tool, arguments: args }, undefined, { signal: ctx.signal, timeout: 120_000 });
    const content = (res.content ?? []) as { type: string; text?: string }[];
    const text = content.filter((p) => p.type === 'text').map((p) => p.text ?? '').join('\n');
    return { content, ...(res.structuredContent !== undefined ? { structuredContent: res.structuredContent } : {}), text, isError: Boolean(res.isError) };
  });
}

export const mcp = defineConnector({
  key: 'mcp',
  name: 'MCP server',
  icon: 'plug',
  description: 'Calls a tool of any Model Context Protocol server (Streamable HTTP)',
  credentials,
  sampleCredentials: { url: `${MOCK_ORIGIN}/mcp/mcp` },
  async test(ctx) {
    const tools = await listMcpTools(ctx);
    return `Connected: the server offers ${tools.length} tool${tools.length === 1 ? '' : 's'}${tools.length ? ` (${tools.slice(0, 5).map((t) => t.name).join(', ')}${tools.length > 5 ? ', …' : ''})` : ''}`;
  },
  actions: [
    action({
      key: 'callTool',
      name: 'Call a tool',
      description: "Calls one of the server's tools with arguments; its output is the tool's content (and structured content)",
      input: z.object({
        tool: z.string().min(1).max(200).describe('The tool name (the builder lists the server\'s tools)'),
        arguments: z.record(z.string(), z.unknown()).default({}).describe("The tool's arguments, as its input schema says"),
      }),
      output: z.object({ content: z.array(z.unknown()), structuredContent: z.unknown().optional(), text: z.string() }),
      sample: { tool: 'add', arguments: { a: 2, b: 3 } },
      async execute(ctx) {
        const { isError, ...out } = await callMcpTool(ctx, ctx.input.tool, ctx.input.arguments);
        if (isError) throw new ConnectorError(`The tool "${ctx.input.tool}" failed: ${out.text || 'no message'}`, { details: out });
        return out;
      },
    }),
    action({
      key: 'listTools',
      name: 'List tools',
      description: "The server's tools with their descriptions and input schemas",
      input: z.object({}),
      output: z.object({ tools: z.array(z.object({ name: z.string(), description: z.string().optional(), inputSchema: z.record(z.string(), z.unknown()) })) }),
      sample: {},
      pure: true,
      async execute(ctx) {
        return { tools: await listMcpTools(ctx) };
      },
    }),
  ],
});
