import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { load } from 'js-yaml';
import { loadBaseKongConfig } from './kong-files.js';
import { pushKongConfig } from './kong-push.js';
import type { KongDeclarativeConfig } from './kong-types.js';

/**
 * A loopback server answering like a DB-less Kong Admin API's POST /config: it parses the
 * `config` string, answers 201 (or 304 when the hash is unchanged and check_hash=1), and 400 with
 * Kong's error body when a service has no url.
 */
interface Received {
  path: string;
  contentType?: string;
  config: KongDeclarativeConfig;
}

let server: Server;
let adminUrl: string;
const received: Received[] = [];
let lastLoaded = '';
let nextStatus: { status: number; body: unknown; headers?: Record<string, string> } | undefined;

function handle(req: IncomingMessage, res: ServerResponse, body: string) {
  const reply = (status: number, payload?: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(payload === undefined ? undefined : JSON.stringify(payload));
  };
  const url = new URL(req.url ?? '/', 'http://kong');
  if (req.method !== 'POST' || url.pathname !== '/config') return reply(404, { message: 'Not found' });
  const params = JSON.parse(body) as { config?: string };
  if (typeof params.config !== 'string') return reply(400, { message: 'expected a declarative configuration' });
  const config = load(params.config) as KongDeclarativeConfig;
  received.push({ path: `${url.pathname}${url.search}`, contentType: req.headers['content-type'], config });
  if (nextStatus) {
    const { status, body: payload, headers } = nextStatus;
    nextStatus = undefined;
    return reply(status, payload, headers);
  }
  const broken = (config.services ?? []).filter((s) => !s.url);
  if (broken.length) {
    return reply(400, {
      code: 14,
      name: 'invalid declarative configuration',
      message: 'declarative config is invalid: {services={{host="required field missing"}}}',
      fields: { services: broken.map(() => ({ host: 'required field missing' })) },
      flattened_errors: broken.map((s) => ({
        entity_type: 'service',
        entity_name: s.name,
        entity_tags: s.tags ?? [],
        entity: s,
        errors: [{ type: 'field', field: 'host', message: 'required field missing' }],
      })),
    });
  }
  if (url.searchParams.get('check_hash') === '1' && params.config === lastLoaded) return reply(304);
  lastLoaded = params.config;
  return reply(201, config);
}

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => handle(req, res, body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  adminUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

describe('pushKongConfig against a loopback server speaking Kong Admin API POST /config', () => {
  it('posts the whole config as JSON { config } with flatten_errors and check_hash, and reports 201', async () => {
    const config = loadBaseKongConfig();
    const result = await pushKongConfig(`${adminUrl}/`, config);
    expect(result).toEqual({ ok: true, status: 201, unchanged: false });
    const last = received.at(-1)!;
    expect(last.path).toBe('/config?flatten_errors=1&check_hash=1');
    expect(last.contentType).toBe('application/json');
    expect(last.config).toEqual(config);
  });

  it('reports an unchanged config (304) as success', async () => {
    const result = await pushKongConfig(adminUrl, loadBaseKongConfig());
    expect(result).toEqual({ ok: true, status: 304, unchanged: true });
  });

  it("turns Kong's 400 into a readable error naming the entity, the field and the workflow from its tag", async () => {
    const config: KongDeclarativeConfig = {
      _format_version: '3.0',
      services: [{ name: 'wf-abc', tags: ['tributary', 'workflow:abc'] }],
    };
    const result = await pushKongConfig(adminUrl, config);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.status).toBe(400);
    expect(result.error).toBe('Kong refused the configuration (HTTP 400 invalid declarative configuration): service wf-abc: host: required field missing');
    expect(result.details).toEqual([{ entity: 'service wf-abc', workflowId: 'abc', message: 'host: required field missing' }]);
  });

  it("falls back to Kong's nested `fields` when there are no flattened errors (older Kong)", async () => {
    nextStatus = {
      status: 400,
      body: {
        code: 14,
        name: 'invalid declarative configuration',
        fields: { consumers: { bar: "uniqueness violation: 'consumers' entity with custom_id set to 'conflict' already declared" }, services: [{ port: 'value should be between 0 and 65535' }] },
      },
    };
    const result = await pushKongConfig(adminUrl, { _format_version: '3.0' });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.details).toEqual([
      { entity: 'consumers.bar', message: "uniqueness violation: 'consumers' entity with custom_id set to 'conflict' already declared" },
      { entity: 'services[0].port', message: 'value should be between 0 and 65535' },
    ]);
    expect(result.error).toContain('services[0].port: value should be between 0 and 65535');
  });

  it('reports 429 while Kong is still loading, with its Retry-After', async () => {
    nextStatus = { status: 429, body: { message: 'Currently loading previous configuration' }, headers: { 'retry-after': '3' } };
    const result = await pushKongConfig(adminUrl, { _format_version: '3.0' });
    expect(result).toMatchObject({ ok: false, status: 429, error: 'Kong refused the configuration (HTTP 429 Currently loading previous configuration) (retry after 3 s)' });
  });

  it('reports an unreachable Admin API without throwing', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
    await new Promise((resolve) => closed.close(resolve));
    const result = await pushKongConfig(url, { _format_version: '3.0' });
    expect(result).toMatchObject({ ok: false, status: 0 });
    if (!result.ok) expect(result.error).toMatch(new RegExp(`^Kong Admin API at ${url} is unreachable: .*ECONNREFUSED`));
  });
});
