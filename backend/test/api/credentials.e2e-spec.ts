import pg from 'pg';
import { createTestApp, type TestApp } from '../helpers/app.js';

const SECRET = 'xoxb-super-secret-value-1234567890';

describe('credentials', () => {
  let t: TestApp;
  let token: string;
  let logs: string[];
  let restoreWrite: () => void;

  beforeAll(async () => {
    // Capture everything the api logs at debug level, to prove the secret never reaches the logs.
    logs = [];
    const write = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      logs.push(String(chunk));
      return (write as (...a: unknown[]) => boolean)(chunk, ...rest) || true;
    }) as typeof process.stdout.write;
    restoreWrite = () => {
      process.stdout.write = write;
    };
    t = await createTestApp({ TEST_LOG_LEVEL: 'trace', LOG_LEVEL: 'trace' });
    token = (await t.register()).token;
  });
  afterAll(async () => {
    restoreWrite?.();
    await t?.close();
  });

  it('refuses unknown connectors and connectors that take no credential', async () => {
    const unknown = await t.request('POST', '/api/credentials', { token, body: { connector: 'nope', name: 'x', data: { token: SECRET } } });
    expect(unknown.status).toBe(400);
    expect(unknown.body.details).toEqual([{ path: 'connector', message: 'Unknown connector "nope"' }]);
    const core = await t.request('POST', '/api/credentials', { token, body: { connector: 'core', name: 'x', data: {} } });
    expect(core.status).toBe(400);
  });

  it('round-trips through the database without plaintext', async () => {
    const connectors = (await t.request('GET', '/api/connectors', { token })).body as { key: string; credentials: unknown }[];
    const withCreds = connectors.find((c) => c.key === 'slack')!;
    expect(withCreds).toBeDefined();
    const schema = withCreds.credentials as { properties: Record<string, { type?: string }>; required?: string[] };
    const data = Object.fromEntries(Object.keys(schema.properties).map((k) => [k, k.toLowerCase().includes('url') ? `http://127.0.0.1:4010/slack/webhook/${SECRET}` : SECRET]));
    const created = await t.request('POST', '/api/credentials', { token, body: { connector: withCreds.key, name: 'Mine', data } });
    expect(created.status).toBe(201);
    expect(JSON.stringify(created.body)).not.toContain(SECRET);
    for (const hint of Object.values(created.body.hints as Record<string, string>)) expect(hint).toMatch(/^••••/);

    const list = await t.request('GET', '/api/credentials', { token });
    expect(list.body.items).toHaveLength(1);
    expect(JSON.stringify(list.body)).not.toContain(SECRET);

    const db = new pg.Client({ connectionString: t.databaseUrl });
    await db.connect();
    const { rows } = await db.query(`SELECT * FROM credentials`);
    const dump = JSON.stringify(rows) + rows.map((r) => Buffer.from(r.ciphertext).toString('latin1')).join('');
    expect(dump).not.toContain(SECRET);
    expect(rows[0].key_id).toBe('v1');
    expect(rows[0].iv).toHaveLength(12);
    expect(rows[0].auth_tag).toHaveLength(16);
    const audit = await db.query(`SELECT * FROM audit_logs`);
    expect(JSON.stringify(audit.rows)).not.toContain(SECRET);
    await db.end();

    expect(logs.join('')).not.toContain(SECRET);
    expect(logs.some((l) => l.includes('"reqId"'))).toBe(true);
    // Request logs of authenticated calls carry the tenant and the user.
    expect(logs.some((l) => l.includes('"reqId"') && l.includes('"tenantId"') && l.includes('"userId"') && l.includes('request completed'))).toBe(true);

    const other = await t.register();
    expect((await t.request('DELETE', `/api/credentials/${created.body.id}`, { token: other.token })).status).toBe(404);
    expect((await t.request('GET', `/api/credentials/${created.body.id}`, { token: other.token })).status).toBe(404);
    expect((await t.request('DELETE', `/api/credentials/${created.body.id}`, { token })).status).toBe(204);
    expect((await t.request('GET', '/api/credentials', { token })).body.items).toHaveLength(0);
  });

  it('lists credential field errors', async () => {
    const connectors = (await t.request('GET', '/api/connectors', { token })).body as { key: string; credentials: { required?: string[] } | null }[];
    const withCreds = connectors.find((c) => c.key === 'slack')!;
    expect(withCreds.credentials?.required?.length).toBeGreaterThan(0);
    const res = await t.request('POST', '/api/credentials', { token, body: { connector: withCreds.key, name: 'Empty', data: {} } });
    expect(res.status).toBe(400);
    expect(res.body.details.map((d: { path: string }) => d.path)).toEqual(withCreds.credentials!.required!.map((r) => `data.${r}`));
  });
});
