/**
 * The MCP server (`/mcp`, docs/mcp.md) end to end, on real PostgreSQL and Redis with an in-process
 * worker, through the SDK's own Client and Streamable HTTP transport: a workspace's tool workflows
 * listed (names, descriptions, input schemas) and called (a normal execution with trigger `mcp`),
 * arguments refused with their fields, a run parked on an approval answered with a handle that
 * `tributary_execution` follows to its output, API-key authentication (none, bad, revoked; `read`
 * lists but may not call), tenants apart, sessions owned by their key and ended by DELETE or idleness,
 * the per-key rate limit and the session bound, and `notifications/tools/list_changed` on every api
 * process (Redis pub/sub; and PostgreSQL LISTEN/NOTIFY without Redis).
 */
import { jest } from '@jest/globals';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport, StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { McpError, ToolListChangedNotificationSchema, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { createApp } from '../../src/app.js';
import { loadConfig } from '../../src/config/config.js';
import { McpSessions } from '../../src/mcp/mcp-sessions.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { waitFor } from '../helpers/wait.js';

jest.setTimeout(60_000);

type Scope = 'read' | 'write' | 'admin';
const urlOf = (app: NestFastifyApplication) => `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
const textOf = (r: CallToolResult) => (r.content as { type: string; text: string }[]).map((c) => c.text).join('\n');

/** An MCP client of `baseUrl` with `key`; `changes` counts the tools/list_changed notifications it received. */
interface TestClient {
  client: Client;
  transport: StreamableHTTPClientTransport;
  changes: () => number;
}

async function connect(baseUrl: string, key: string, opened: TestClient[]): Promise<TestClient> {
  const client = new Client({ name: 'tributary-test', version: '1.0.0' });
  let changes = 0;
  client.setNotificationHandler(ToolListChangedNotificationSchema, () => {
    changes++;
  });
  const transport = new StreamableHTTPClientTransport(new URL(`${baseUrl}/mcp`), { requestInit: { headers: { authorization: `Bearer ${key}` } } });
  await client.connect(transport);
  const c = { client, transport, changes: () => changes };
  opened.push(c);
  return c;
}

/** A raw POST /mcp (for what the SDK's client hides: statuses and headers). */
async function rawPost(baseUrl: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${baseUrl}/mcp`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

const initialize = { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } };

describe('MCP server (/mcp)', () => {
  let t: TestApp;
  let admin: { token: string; user: { id: string; tenantId: string } };
  let writeKey: string;
  let readKey: string;
  const clients: TestClient[] = [];
  const apps: NestFastifyApplication[] = [];
  let n = 0;

  async function createKey(token: string, scope: Scope): Promise<{ id: string; key: string }> {
    const res = await t.request('POST', '/api/api-keys', { token, body: { name: `mcp key ${++n}`, scope } });
    if (res.status !== 201) throw new Error(`create key: ${res.status} ${res.text}`);
    return res.body;
  }

  async function createTool(token: string, tool: Record<string, unknown> | null, extra: Record<string, unknown> = {}): Promise<{ id: string }> {
    const res = await t.request('POST', '/api/workflows', {
      token,
      body: { name: `tool workflow ${++n}`, trigger: { type: 'manual' }, steps: [{ id: 'greet', connector: 'core', action: 'transform', input: { value: { greeting: 'Hello {{name}}', times: '{{times}}' } } }], tool, ...extra },
    });
    if (res.status !== 201) throw new Error(`create workflow: ${res.status} ${res.text}`);
    return res.body;
  }

  async function secondApi(env: Record<string, string> = {}): Promise<string> {
    const app = await createApp(loadConfig({ ...t.env, ...env }));
    apps.push(app);
    await app.listen({ port: 0, host: '127.0.0.1' });
    return urlOf(app);
  }

  const greetSchema = {
    type: 'object',
    properties: { name: { type: 'string', minLength: 1 }, times: { type: 'integer', minimum: 1 } },
    required: ['name'],
    additionalProperties: false,
  };

  beforeAll(async () => {
    t = await createTestApp({ LOGIN_RATE_LIMIT_PER_MINUTE: '1000' });
    await t.startWorker();
    admin = await t.register();
    writeKey = (await createKey(admin.token, 'write')).key;
    readKey = (await createKey(admin.token, 'read')).key;
  });
  afterAll(async () => {
    for (const c of clients) await c.client.close().catch(() => undefined);
    for (const a of apps) await a.close();
    await t?.close();
  });

  describe('tools', () => {
    let greetId: string;
    let greetExecution: string;

    beforeAll(async () => {
      greetId = (await createTool(admin.token, { name: 'greet', description: 'Greets someone by name' }, { inputSchema: greetSchema })).id;
      await createTool(admin.token, { name: 'no_schema', description: 'Takes anything' });
      await createTool(admin.token, { enabled: false, name: 'switched_off', description: 'Not offered' });
      await createTool(admin.token, { name: 'disabled_workflow', description: 'Its workflow is disabled' }, { enabled: false });
      await createTool(admin.token, null);
    });

    it('lists the workspace\'s tool workflows (name, description, inputSchema) and the built-in tributary_execution', async () => {
      const { client } = await connect(t.baseUrl, readKey, clients);
      expect(client.getServerCapabilities()?.tools).toEqual({ listChanged: true });
      const { tools } = await client.listTools();
      expect(tools.map((x) => x.name)).toEqual(['greet', 'no_schema', 'tributary_execution']);
      expect(tools[0]).toMatchObject({ name: 'greet', description: 'Greets someone by name', inputSchema: greetSchema });
      expect(tools[1].inputSchema).toEqual({ type: 'object' });
      expect(tools[2]).toMatchObject({ inputSchema: { type: 'object', required: ['executionId'] }, annotations: { readOnlyHint: true } });
    });

    it('calls a tool: the workflow runs as an execution with trigger mcp and the arguments as payload, and its output is the answer', async () => {
      const { client } = await connect(t.baseUrl, writeKey, clients);
      const started = Date.now();
      const r = (await client.callTool({ name: 'greet', arguments: { name: 'Ada', times: 2 } })) as CallToolResult;
      expect(r.isError).toBeFalsy();
      expect(r.structuredContent).toEqual({ greeting: 'Hello Ada', times: 2 });
      expect(JSON.parse(textOf(r))).toEqual({ greeting: 'Hello Ada', times: 2 });
      const executionId = r._meta?.['tributary/executionId'] as string;
      expect(executionId).toMatch(/^[0-9a-f-]{36}$/);
      greetExecution = executionId;
      const e = await t.request('GET', `/api/executions/${executionId}`, { token: admin.token });
      expect(e.body).toMatchObject({ workflowId: greetId, status: 'succeeded', triggerType: 'mcp', payload: { name: 'Ada', times: 2 } });
      expect(Date.now() - started).toBeLessThan(5_000);
    });

    it('refuses arguments that do not match the inputSchema, listing the fields, and runs nothing', async () => {
      const { client } = await connect(t.baseUrl, writeKey, clients);
      const before = (await t.request('GET', `/api/executions?workflowId=${greetId}&limit=100`, { token: admin.token })).body.items.length;
      const r = (await client.callTool({ name: 'greet', arguments: { times: 0, extra: true } })) as CallToolResult;
      expect(r.isError).toBe(true);
      expect(textOf(r)).toMatch(/^The arguments do not match the tool's inputSchema:/);
      expect(textOf(r)).toContain("arguments: must have required property 'name'");
      expect(textOf(r)).toContain('arguments.times: must be >= 1');
      expect(textOf(r)).toContain('must NOT have additional properties');
      const after = (await t.request('GET', `/api/executions?workflowId=${greetId}&limit=100`, { token: admin.token })).body.items.length;
      expect(after).toBe(before);
    });

    it('a failed run is a tool error naming its execution', async () => {
      await t.request('POST', '/api/workflows', {
        token: admin.token,
        body: { name: 'fails', trigger: { type: 'manual' }, steps: [{ id: 'boom', connector: 'code', action: 'javascript', input: { code: 'throw new Error("no such order")' } }], tool: { name: 'fails', description: 'Always fails' } },
      });
      const { client } = await connect(t.baseUrl, writeKey, clients);
      const r = (await client.callTool({ name: 'fails', arguments: {} })) as CallToolResult;
      expect(r.isError).toBe(true);
      expect(textOf(r)).toMatch(/^The workflow run failed: .*no such order.* \(execution [0-9a-f-]{36}\)$/s);
      expect(r.structuredContent).toMatchObject({ status: 'failed', executionId: r._meta?.['tributary/executionId'] });
    });

    it('a run parked on an approval answers a handle; tributary_execution answers its status, then its output once approved through the REST API', async () => {
      await t.request('POST', '/api/workflows', {
        token: admin.token,
        body: {
          name: 'needs approval',
          trigger: { type: 'manual' },
          steps: [{ id: 'ok', type: 'wait', for: 'approval', message: 'Refund {{amount}}?' }, { id: 'done', connector: 'core', action: 'transform', input: { value: { refunded: '{{amount}}' } } }],
          tool: { name: 'refund', description: 'Refunds an order once someone approves' },
        },
      });
      const { client } = await connect(t.baseUrl, writeKey, clients);
      const started = Date.now();
      const r = (await client.callTool({ name: 'refund', arguments: { amount: 42 } })) as CallToolResult;
      // Parked on an approval: answered at once, not after MCP_TOOL_WAIT_MS.
      expect(Date.now() - started).toBeLessThan(10_000);
      expect(r.isError).toBeFalsy();
      const handle = r.structuredContent as { executionId: string; status: string; message: string };
      expect(handle).toMatchObject({ status: 'waiting' });
      expect(handle.message).toContain('waiting for an approval');
      expect(handle.message).toContain(`tributary_execution with {"executionId": "${handle.executionId}"}`);
      expect(JSON.parse(textOf(r))).toEqual(handle);

      const waiting = (await client.callTool({ name: 'tributary_execution', arguments: { executionId: handle.executionId } })) as CallToolResult;
      expect(waiting.structuredContent).toMatchObject({ executionId: handle.executionId, status: 'waiting' });

      // A read key may follow it too.
      const reader = await connect(t.baseUrl, readKey, clients);
      expect(((await reader.client.callTool({ name: 'tributary_execution', arguments: { executionId: handle.executionId } })) as CallToolResult).structuredContent).toMatchObject({ status: 'waiting' });

      const approved = await t.request('POST', `/api/executions/${handle.executionId}/approve`, { token: admin.token, body: {} });
      expect(approved.status).toBe(200);
      const done = (await client.callTool({ name: 'tributary_execution', arguments: { executionId: handle.executionId, waitMs: 20_000 } })) as CallToolResult;
      expect(done.isError).toBeFalsy();
      expect(done.structuredContent).toEqual({ executionId: handle.executionId, status: 'succeeded', output: { refunded: 42 } });
    });

    it('a call may ask for a shorter wait (_meta tributary/waitMs): 0 answers the handle at once', async () => {
      const { client } = await connect(t.baseUrl, writeKey, clients);
      const r = (await client.callTool({ name: 'greet', arguments: { name: 'Bo' }, _meta: { 'tributary/waitMs': 0 } })) as CallToolResult;
      const handle = r.structuredContent as { executionId: string; status: string };
      expect(['queued', 'running']).toContain(handle.status);
      const done = (await client.callTool({ name: 'tributary_execution', arguments: { executionId: handle.executionId, waitMs: 10_000 } })) as CallToolResult;
      expect(done.structuredContent).toEqual({ executionId: handle.executionId, status: 'succeeded', output: { greeting: 'Hello Bo', times: '' } });
      const bad = (await client.callTool({ name: 'tributary_execution', arguments: { executionId: 'nope' } })) as CallToolResult;
      expect(bad.isError).toBe(true);
    });

    it('a read key lists tools but calling one is a tool error saying why; no execution starts', async () => {
      const { client } = await connect(t.baseUrl, readKey, clients);
      const r = (await client.callTool({ name: 'greet', arguments: { name: 'Ada' } })) as CallToolResult;
      expect(r.isError).toBe(true);
      expect(textOf(r)).toMatch(/scope \(read\) may list tools but not call them.*needs scope write or admin/);
    });

    it('a personal key is capped by its user\'s role now: an editor\'s write key calls, and may not once the user is a viewer', async () => {
      const inv = await t.request('POST', '/api/invitations', { token: admin.token, body: { email: `editor-${Date.now()}@example.com`, role: 'editor' } });
      const editor = (await t.request('POST', '/api/auth/accept-invitation', { body: { token: inv.body.token, password: 'password123', name: 'Ed' } })).body;
      const { key } = await createKey(editor.token, 'write');
      const { client } = await connect(t.baseUrl, key, clients);
      expect(((await client.callTool({ name: 'greet', arguments: { name: 'Ed' } })) as CallToolResult).structuredContent).toEqual({ greeting: 'Hello Ed', times: '' });
      expect((await t.request('PATCH', `/api/users/${editor.user.id}`, { token: admin.token, body: { role: 'viewer' } })).status).toBe(200);
      await waitFor('the demotion to apply', async () => ((await client.callTool({ name: 'greet', arguments: { name: 'Ed' } })) as CallToolResult).isError === true, 15_000, 500);
      const r = (await client.callTool({ name: 'greet', arguments: { name: 'Ed' } })) as CallToolResult;
      expect(textOf(r)).toBe("This API key has scope write, but its user's role is now viewer, which may not run workflows; calling a tool needs scope write or admin");
    });

    it('another workspace\'s tools are invisible and not callable; its key cannot use this key\'s session', async () => {
      const other = await t.register();
      const otherKey = (await createKey(other.token, 'admin')).key;
      await createTool(other.token, { name: 'theirs', description: 'Another workspace\'s' });
      const mine = await connect(t.baseUrl, writeKey, clients);
      expect((await mine.client.listTools()).tools.map((x) => x.name)).not.toContain('theirs');
      const err = await mine.client.callTool({ name: 'theirs', arguments: {} }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(McpError);
      expect((err as McpError).code).toBe(-32602);
      expect((err as McpError).message).toContain('Unknown tool: theirs');
      const theirs = await connect(t.baseUrl, otherKey, clients);
      expect((await theirs.client.listTools()).tools.map((x) => x.name)).toEqual(['theirs', 'tributary_execution']);
      expect((await theirs.client.callTool({ name: 'greet', arguments: { name: 'x' } }).catch((e: unknown) => e)) as McpError).toBeInstanceOf(McpError);
      const peek = (await theirs.client.callTool({ name: 'tributary_execution', arguments: { executionId: greetExecution } })) as CallToolResult;
      expect(peek.isError).toBe(true);
      expect(textOf(peek)).toBe(`No execution ${greetExecution} in this workspace`);

      // The session belongs to the key that opened it.
      const stolen = await rawPost(t.baseUrl, { jsonrpc: '2.0', id: 7, method: 'tools/list' }, { authorization: `Bearer ${otherKey}`, 'mcp-session-id': mine.transport.sessionId!, 'mcp-protocol-version': '2025-06-18' });
      expect(stolen.status).toBe(404);
      expect(stolen.json).toMatchObject({ jsonrpc: '2.0', id: 7, error: { code: -32001 } });
    });
  });

  describe('authentication', () => {
    it('no key, a malformed or unknown key, a session token: 401 with a JSON-RPC error and WWW-Authenticate', async () => {
      const none = await rawPost(t.baseUrl, initialize);
      expect(none.status).toBe(401);
      expect(none.headers.get('www-authenticate')).toBe('Bearer realm="tributary"');
      expect(none.json).toMatchObject({ jsonrpc: '2.0', id: 1, error: { code: -32000, message: expect.stringContaining('Authorization: Bearer trb_') } });
      for (const token of ['trb_nope', `trb_${'x'.repeat(43)}`, admin.token]) {
        const bad = await rawPost(t.baseUrl, initialize, { authorization: `Bearer ${token}` });
        expect(bad.status).toBe(401);
        expect(bad.headers.get('www-authenticate')).toMatch(/^Bearer realm="tributary", error="invalid_token", error_description="[^"]+"$/);
        expect(bad.json.error.code).toBe(-32000);
      }
      // The SDK's client sees the status.
      const err = await connect(t.baseUrl, 'trb_nope', []).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(StreamableHTTPError);
      expect((err as StreamableHTTPError).code).toBe(401);
    });

    it('a revoked key: refused at once, its open sessions closed', async () => {
      const { id, key } = await createKey(admin.token, 'write');
      const c = await connect(t.baseUrl, key, clients);
      expect((await c.client.listTools()).tools.length).toBeGreaterThan(0);
      const sessions = t.app.get(McpSessions);
      const open = sessions.size;
      expect((await t.request('DELETE', `/api/api-keys/${id}`, { token: admin.token })).status).toBeLessThan(300);
      await waitFor('the revoked key\'s session to close', async () => sessions.size === open - 1);
      const err = await c.client.listTools().catch((e: unknown) => e);
      expect((err as StreamableHTTPError).code).toBe(401);
      const raw = await rawPost(t.baseUrl, initialize, { authorization: `Bearer ${key}` });
      expect(raw.status).toBe(401);
      expect(raw.json.error.message).toBe('API key revoked');
    });
  });

  describe('sessions', () => {
    it('DELETE ends a session: its id answers 404 afterwards', async () => {
      const c = await connect(t.baseUrl, writeKey, clients);
      const sessionId = c.transport.sessionId!;
      await c.transport.terminateSession();
      const after = await rawPost(t.baseUrl, { jsonrpc: '2.0', id: 2, method: 'tools/list' }, { authorization: `Bearer ${writeKey}`, 'mcp-session-id': sessionId, 'mcp-protocol-version': '2025-06-18' });
      expect(after.status).toBe(404);
    });

    it('a call still waiting for its run when its session ends is answered at once (503), and its run goes on', async () => {
      await t.request('POST', '/api/workflows', {
        token: admin.token,
        body: {
          name: 'slow',
          trigger: { type: 'manual' },
          steps: [{ id: 'pause', type: 'wait', for: 'duration', seconds: 2 }, { id: 'done', connector: 'core', action: 'transform', input: { value: { slept: true } } }],
          tool: { name: 'slow', description: 'Takes two seconds' },
        },
      });
      const c = await connect(t.baseUrl, writeKey, clients);
      const call = c.client.callTool({ name: 'slow', arguments: {} }).catch((e: unknown) => e);
      await new Promise((r) => setTimeout(r, 300));
      const started = Date.now();
      await c.transport.terminateSession();
      const err = await call;
      expect(Date.now() - started).toBeLessThan(1_000);
      expect(err).toBeInstanceOf(StreamableHTTPError);
      expect((err as StreamableHTTPError).code).toBe(503);
      const runs = await t.request('GET', '/api/executions?limit=5', { token: admin.token });
      const run = runs.body.items.find((e: { workflowName: string }) => e.workflowName === 'slow');
      await waitFor('the run to finish anyway', async () => (await t.request('GET', `/api/executions/${run.id}`, { token: admin.token })).body.status === 'succeeded');
    });

    it('a request without a session that is not initialize: 400', async () => {
      const r = await rawPost(t.baseUrl, { jsonrpc: '2.0', id: 3, method: 'tools/list' }, { authorization: `Bearer ${writeKey}` });
      expect(r.status).toBe(400);
      expect(r.json).toMatchObject({ id: 3, error: { code: -32000 } });
    });

    it('answers at /mcp with the api\'s headers (request id, security, CORS exposing Mcp-Session-Id); malformed JSON is a JSON-RPC parse error', async () => {
      const r = await rawPost(t.baseUrl, initialize, { authorization: `Bearer ${writeKey}`, origin: 'http://localhost:3000', 'x-request-id': 'mcp-req-1' });
      expect(r.status).toBe(200);
      expect(r.headers.get('content-type')).toBe('application/json');
      expect(r.headers.get('mcp-session-id')).toMatch(/^[0-9a-f-]{36}$/);
      expect(r.headers.get('x-request-id')).toBe('mcp-req-1');
      expect(r.headers.get('x-content-type-options')).toBe('nosniff');
      expect(r.headers.get('access-control-allow-origin')).toBe('http://localhost:3000');
      expect(r.headers.get('access-control-expose-headers')).toContain('mcp-session-id');
      expect(r.text).toContain('"serverInfo":{"name":"tributary"');
      expect((await t.request('POST', '/api/mcp', { token: writeKey, body: initialize })).status).toBe(404);
      const bad = await fetch(`${t.baseUrl}/mcp`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${writeKey}` }, body: '{"jsonrpc":' });
      expect(bad.status).toBe(400);
      expect(await bad.json()).toMatchObject({ jsonrpc: '2.0', id: null, error: { code: -32700, message: 'Malformed JSON body' } });
    });

    it('per-key rate limit (counted in Redis across api processes), the session bound and the idle timeout', async () => {
      const limited = await secondApi({ MCP_RATE_LIMIT_PER_MINUTE: '4', MCP_MAX_SESSIONS: '2', MCP_SESSION_IDLE_MS: '1500' });
      const { key } = await createKey(admin.token, 'write');
      const auth = { authorization: `Bearer ${key}` };
      // Counted per key in Redis, whichever api process answers: initialize, notifications/initialized
      // and tools/list on the first process (3), a ping without a session on the limited one (4, answered 400)...
      const c = await connect(t.baseUrl, key, clients);
      await c.client.listTools();
      expect((await rawPost(limited, { jsonrpc: '2.0', id: 4, method: 'ping' }, auth)).status).toBe(400);
      // ...and the 5th is over the limited process's 4 a minute.
      const raw = await rawPost(limited, initialize, auth);
      expect(raw.status).toBe(429);
      expect(Number(raw.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(raw.headers.get('x-ratelimit-limit')).toBe('4');
      expect(raw.json).toMatchObject({ jsonrpc: '2.0', id: 1, error: { code: -32000, message: expect.stringMatching(/^Rate limit exceeded: this API key may send 4 MCP requests per minute; retry in \d+ s$/) } });
      // The SDK's client sees the status and the message.
      const err = await connect(limited, key, []).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(StreamableHTTPError);
      expect((err as StreamableHTTPError).code).toBe(429);
      expect((err as Error).message).toContain('Rate limit exceeded');

      // Two sessions at most on that process: a third is refused with 503.
      await connect(limited, (await createKey(admin.token, 'write')).key, clients);
      await connect(limited, (await createKey(admin.token, 'write')).key, clients);
      const full = await rawPost(limited, initialize, { authorization: `Bearer ${(await createKey(admin.token, 'write')).key}` });
      expect(full.status).toBe(503);
      expect(full.headers.get('retry-after')).toBe('30');
      expect(full.json.error.message).toContain('MCP sessions open');

      // Ended sessions free their places; an idle one (no request, no stream open) closes after MCP_SESSION_IDLE_MS.
      for (const cl of clients.splice(clients.length - 2)) {
        await cl.transport.terminateSession();
        await cl.client.close();
      }
      const { key: third } = await createKey(admin.token, 'write');
      const opened = await rawPost(limited, initialize, { authorization: `Bearer ${third}` });
      expect(opened.status).toBe(200);
      const sessionId = opened.headers.get('mcp-session-id')!;
      const ping = (sid: string) => rawPost(limited, { jsonrpc: '2.0', id: 9, method: 'ping' }, { authorization: `Bearer ${third}`, 'mcp-session-id': sid, 'mcp-protocol-version': '2025-06-18' });
      expect((await ping(sessionId)).status).toBe(200);
      await new Promise((r) => setTimeout(r, 3_000));
      expect((await ping(sessionId)).status).toBe(404);
    });
  });

  describe('tools/list_changed', () => {
    it('every open session of the tenant is told when a tool workflow is created, disabled or deleted, on this api process and on another', async () => {
      const here = await connect(t.baseUrl, readKey, clients);
      const elsewhere = await connect(await secondApi(), readKey, clients);
      const other = await t.register();
      const outsider = await connect(t.baseUrl, (await createKey(other.token, 'read')).key, clients);
      // The clients open their GET event streams (where notifications go) just after initialize.
      const streaming = (app: NestFastifyApplication, c: TestClient) => app.get(McpSessions).streaming(c.transport.sessionId!);
      const second = apps[apps.length - 1];
      await waitFor('the event streams to be open', async () => streaming(t.app, here) && streaming(second, elsewhere) && streaming(t.app, outsider));
      const base = [here.changes(), elsewhere.changes()];

      const wf = await createTool(admin.token, { name: 'fresh_tool', description: 'New' });
      await waitFor('both sessions to hear of the new tool', async () => here.changes() > base[0] && elsewhere.changes() > base[1]);
      expect((await elsewhere.client.listTools()).tools.map((x) => x.name)).toContain('fresh_tool');

      // The workflow switched off, then on again.
      let seen = [here.changes(), elsewhere.changes()];
      expect((await t.request('PUT', `/api/workflows/${wf.id}/toggle`, { token: admin.token, body: { enabled: false } })).status).toBe(200);
      await waitFor('both sessions to hear the workflow is off', async () => here.changes() > seen[0] && elsewhere.changes() > seen[1]);
      expect((await elsewhere.client.listTools()).tools.map((x) => x.name)).not.toContain('fresh_tool');
      seen = [here.changes(), elsewhere.changes()];
      expect((await t.request('PUT', `/api/workflows/${wf.id}/toggle`, { token: admin.token, body: { enabled: true } })).status).toBe(200);
      await waitFor('both sessions to hear the workflow is on again', async () => here.changes() > seen[0] && elsewhere.changes() > seen[1]);

      // The tool switched off.
      const mid = [here.changes(), elsewhere.changes()];
      const off = await t.request('PUT', `/api/workflows/${wf.id}`, { token: admin.token, body: { tool: { enabled: false, name: 'fresh_tool', description: 'New' } } });
      expect(off.status).toBe(200);
      await waitFor('both sessions to hear the tool is off', async () => here.changes() > mid[0] && elsewhere.changes() > mid[1]);
      expect((await here.client.listTools()).tools.map((x) => x.name)).not.toContain('fresh_tool');
      expect((await elsewhere.client.listTools()).tools.map((x) => x.name)).not.toContain('fresh_tool');

      // A change that leaves the list as it was (a workflow that is not a tool) tells nobody.
      const quiet = [here.changes(), elsewhere.changes()];
      await createTool(admin.token, null);
      await new Promise((r) => setTimeout(r, 500));
      expect([here.changes(), elsewhere.changes()]).toEqual(quiet);

      const del = await t.request('DELETE', `/api/workflows/${(await createTool(admin.token, { name: 'short_lived', description: 'Gone soon' })).id}`, { token: admin.token });
      expect(del.status).toBe(204);
      await waitFor('the deletion to be told', async () => (await here.client.listTools()).tools.every((x) => x.name !== 'short_lived') && here.changes() >= quiet[0] + 2);
      expect(outsider.changes()).toBe(0);
    });
  });
});

describe('MCP server without Redis (PostgreSQL LISTEN/NOTIFY, PostgreSQL queue)', () => {
  let t: TestApp;
  let second: NestFastifyApplication | undefined;
  const clients: TestClient[] = [];

  beforeAll(async () => {
    t = await createTestApp({ REDIS_URL: '' });
    await t.startWorker();
  });
  afterAll(async () => {
    for (const c of clients) await c.client.close().catch(() => undefined);
    await second?.close();
    await t?.close();
  });

  it('calls a tool, and another api process\'s session hears of a new tool', async () => {
    const { token } = await t.register();
    const key = (await t.request('POST', '/api/api-keys', { token, body: { name: 'pg', scope: 'write' } })).body.key as string;
    const wf = { trigger: { type: 'manual' }, steps: [{ id: 's', connector: 'core', action: 'transform', input: { value: { echo: '{{text}}' } } }] };
    expect((await t.request('POST', '/api/workflows', { token, body: { ...wf, name: 'echo', tool: { name: 'echo', description: 'Echoes' } } })).status).toBe(201);
    second = await createApp(t.config);
    await second.listen({ port: 0, host: '127.0.0.1' });
    const c = await connect(urlOf(second), key, clients);
    const r = (await c.client.callTool({ name: 'echo', arguments: { text: 'hi' } })) as CallToolResult;
    expect(r.structuredContent).toEqual({ echo: 'hi' });
    await waitFor('the event stream to be open', async () => second!.get(McpSessions).streaming(c.transport.sessionId!));
    const before = c.changes();
    expect((await t.request('POST', '/api/workflows', { token, body: { ...wf, name: 'echo2', tool: { name: 'echo2', description: 'Echoes again' } } })).status).toBe(201);
    await waitFor('the other process\'s session to hear of the new tool', async () => c.changes() > before);
    expect((await c.client.listTools()).tools.map((x) => x.name)).toEqual(['echo', 'echo2', 'tributary_execution']);
  });
});
