/**
 * The `tributary` CLI end to end: the BUILT binary (backend/cli/dist/main.js, built once here) run as
 * a child process with a temporary HOME against a real api and worker (createTestApp).
 */
import { exec, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { createTestApp, type TestApp } from '../helpers/app.js';

const ROOT = resolve(import.meta.dirname, '..', '..', '..');
const BIN = join(ROOT, 'backend', 'cli', 'dist', 'main.js');

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

let t: TestApp;
/** The session token of the workspace's admin (for the test's own API calls and for creating keys). */
let token: string;
/** What the CLI authenticates with: a `write` API key (docs/api-keys.md). */
let key: string;
let home: string;
let work: string;
let dir: string;

/** Runs the CLI asynchronously (the api is in this process: a synchronous spawn would block it). */
function cli(args: string[], opts: { input?: string; env?: Record<string, string> } = {}): Promise<Result> {
  return new Promise((done, fail) => {
    const env: Record<string, string | undefined> = { ...process.env, HOME: home, NODE_OPTIONS: '', NO_COLOR: '1', ...opts.env };
    if (!opts.env?.TRIBUTARY_API_URL) delete env.TRIBUTARY_API_URL;
    if (!opts.env?.TRIBUTARY_API_KEY) delete env.TRIBUTARY_API_KEY;
    delete env.XDG_CONFIG_HOME;
    const child = spawn(process.execPath, [BIN, ...args], { cwd: work, env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
    child.stdin.end(opts.input ?? '');
  });
}

async function createKey(scope: 'read' | 'write' | 'admin'): Promise<string> {
  const res = await t.request<{ key: string }>('POST', '/api/api-keys', { token, body: { name: `cli test ${scope}`, scope } });
  if (res.status !== 201) throw new Error(`POST /api/api-keys: ${res.status} ${res.text}`);
  return res.body.key;
}

const steps = (value: unknown) => [{ id: 'greet', connector: 'core', action: 'transform', input: { value } }];

async function createWorkflow(body: Record<string, unknown>): Promise<{ id: string; version: number }> {
  const res = await t.request('POST', '/api/workflows', { token, body });
  expect(res.status).toBe(201);
  return res.body;
}

async function versions(id: string): Promise<number> {
  const res = await t.request<{ items: unknown[] }>('GET', `/api/workflows/${id}/versions`, { token });
  expect(res.status).toBe(200);
  return res.body.items.length;
}

async function server(id: string): Promise<{ version: number; description: string; steps: { input: { value: unknown } }[] }> {
  return (await t.request('GET', `/api/workflows/${id}`, { token })).body;
}

async function snapshot(): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const f of (await readdir(dir)).sort()) out[f] = await readFile(join(dir, f), 'utf8');
  return out;
}

async function editFile(name: string, change: (doc: any) => void): Promise<void> {
  const doc = JSON.parse(await readFile(join(dir, name), 'utf8'));
  change(doc);
  await writeFile(join(dir, name), `${JSON.stringify(doc, null, 2)}\n`);
}

let greeter: { id: string };
let hooks: { id: string };
let broken: { id: string };

beforeAll(async () => {
  await promisify(exec)('npm run build -w @tributary/cli', { cwd: ROOT, timeout: 170_000 });
  t = await createTestApp();
  await t.startWorker();
  token = (await t.register()).token;
  key = await createKey('write');
  home = await mkdtemp(join(tmpdir(), 'tributary-cli-home-'));
  work = await mkdtemp(join(tmpdir(), 'tributary-cli-work-'));
  dir = join(work, 'workflows');
  greeter = await createWorkflow({ name: 'Greeter', trigger: { type: 'manual' }, steps: steps({ greeting: 'hello {{name}}' }) });
  hooks = await createWorkflow({ name: 'Order hooks (EU)', description: 'Webhook in', trigger: { type: 'webhook' }, steps: steps({ ok: true }) });
  broken = await createWorkflow({
    name: 'Broken',
    trigger: { type: 'manual' },
    steps: [{ id: 'call', connector: 'http', action: 'request', retry: { attempts: 1, backoffMs: 0 }, input: { method: 'GET', url: 'http://127.0.0.1:1/nothing' } }],
  });
}, 240_000);

afterAll(async () => {
  await t?.close();
  if (home) await rm(home, { recursive: true, force: true });
  if (work) await rm(work, { recursive: true, force: true });
});

describe('tributary CLI', () => {
  it('prints its version and help', async () => {
    const v = await cli(['--version']);
    expect(v.code).toBe(0);
    expect(v.stdout.trim()).toBe('0.1.0');
    const h = await cli(['push', '--help']);
    expect(h.code).toBe(0);
    expect(h.stdout).toContain('--dry-run');
    expect(h.stdout).toContain('--force');
  });

  it('login refuses a bad key and saves a good one (mode 0600)', async () => {
    const bad = await cli(['login', '--api-url', t.baseUrl, '--key', `trb_${'x'.repeat(43)}`]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/refused the key \(401/);
    await expect(stat(join(home, '.config', 'tributary', 'config.json'))).rejects.toThrow();

    const noLogin = await cli(['pull']);
    expect(noLogin.code).toBe(1);
    expect(noLogin.stderr).toContain('not logged in');

    // The key from stdin (kept out of the process list).
    const good = await cli(['login', '--api-url', `${t.baseUrl}/api/`], { input: `${key}\n` });
    expect(good.stderr).toBe(`Saved to ${join(home, '.config', 'tributary', 'config.json')} (mode 0600).\n`);
    expect(good.code).toBe(0);
    expect(good.stdout).toContain(`Logged in to ${t.baseUrl} with the personal key "cli test write" (${key.slice(0, 12)}…, scope write) of `);
    const s = await stat(join(home, '.config', 'tributary', 'config.json'));
    expect(s.mode & 0o777).toBe(0o600);
    expect(JSON.parse(await readFile(join(home, '.config', 'tributary', 'config.json'), 'utf8'))).toEqual({ apiUrl: t.baseUrl, apiKey: key });
  });

  it('pull writes one stable file per workflow; pulling twice gives identical bytes', async () => {
    const r = await cli(['pull']);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('Pulled 3 workflow(s)');
    const first = await snapshot();
    expect(Object.keys(first)).toEqual(['broken.workflow.json', 'greeter.workflow.json', 'order-hooks-eu.workflow.json']);
    const text = first['greeter.workflow.json']!;
    expect(text.endsWith('}\n')).toBe(true);
    const doc = JSON.parse(text);
    // `environment` where the api answers it (a field the workflow language gained: it round-trips).
    expect(Object.keys(doc).filter((k) => k !== 'environment')).toEqual(['name', 'description', 'enabled', 'trigger', 'priority', 'concurrency', 'errorWorkflowId', 'inputSchema', 'tool', 'steps', '_tributary']);
    expect(Object.keys(doc.steps[0])).toEqual(['id', 'connector', 'action', 'input']);
    expect(doc._tributary).toEqual({ id: greeter.id, version: 1, updatedAt: expect.any(String) });
    expect(text).toContain('\n  "name": "Greeter",\n');
    expect(text).not.toContain('webhookUrl');

    const again = await cli(['pull']);
    expect(again.code).toBe(0);
    expect(again.stdout).toBe('');
    expect(again.stderr).toContain('0 written, 3 unchanged');
    expect(await snapshot()).toEqual(first);
  });

  it('push with no change makes no version', async () => {
    const r = await cli(['push']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Plan: 0 to create, 0 to update, 3 unchanged.');
    for (const w of [greeter, hooks, broken]) expect(await versions(w.id)).toBe(1);
  });

  it('an edited file: --dry-run shows the diff and changes nothing; push makes a new version; pushing again changes nothing', async () => {
    await editFile('greeter.workflow.json', (d) => {
      d.steps[0].input.value.greeting = 'hi {{name}}';
      d.description = 'Says hi';
    });
    const dry = await cli(['push', '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('~ update workflows/greeter.workflow.json (Greeter, version 1 → 2)');
    expect(dry.stdout).toContain('-  "description": "",');
    expect(dry.stdout).toContain('+  "description": "Says hi",');
    expect(dry.stdout).toContain('-          "greeting": "hello {{name}}"');
    expect(dry.stdout).toContain('+          "greeting": "hi {{name}}"');
    expect(dry.stdout).toContain('Plan: 0 to create, 1 to update, 2 unchanged.');
    expect(dry.stderr).toContain('Dry run: nothing was changed.');
    expect(await versions(greeter.id)).toBe(1);

    const r = await cli(['push']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('+          "greeting": "hi {{name}}"');
    expect(r.stdout).toContain(`updated workflows/greeter.workflow.json: Greeter (${greeter.id}) version 2`);
    expect(await versions(greeter.id)).toBe(2);
    expect((await server(greeter.id)).steps[0]!.input.value).toEqual({ greeting: 'hi {{name}}' });
    // The file now records version 2 (written back in the stable format).
    const doc = JSON.parse(await readFile(join(dir, 'greeter.workflow.json'), 'utf8'));
    expect(doc._tributary.version).toBe(2);

    const again = await cli(['push']);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('Plan: 0 to create, 0 to update, 3 unchanged.');
    expect(await versions(greeter.id)).toBe(2);
    // And a pull after the push rewrites nothing.
    expect((await cli(['pull'])).stderr).toContain('0 written, 3 unchanged');
  });

  it('a file without _tributary is created, and gets its id written back', async () => {
    await writeFile(join(dir, 'new-one.workflow.json'), JSON.stringify({ name: 'New one', trigger: { type: 'manual' }, steps: steps({ n: 1 }) }));
    const r = await cli(['push']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('+ create workflows/new-one.workflow.json (New one)');
    expect(r.stdout).toContain('Plan: 1 to create, 0 to update, 3 unchanged.');
    const doc = JSON.parse(await readFile(join(dir, 'new-one.workflow.json'), 'utf8'));
    expect(doc._tributary).toEqual({ id: expect.any(String), version: 1, updatedAt: expect.any(String) });
    expect((await server(doc._tributary.id)).version).toBe(1);
    expect((await cli(['push'])).stdout).toContain('Plan: 0 to create, 0 to update, 4 unchanged.');
  });

  it('refuses a file whose workflow changed on the server since the pull, unless --force', async () => {
    const put = await t.request('PUT', `/api/workflows/${hooks.id}`, { token, body: { description: 'Edited in the dashboard' } });
    expect(put.status).toBe(200);
    await editFile('order-hooks-eu.workflow.json', (d) => {
      d.steps[0].input.value = { ok: false };
    });
    const refused = await cli(['push']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('! workflows/order-hooks-eu.workflow.json: changed on the server since the pull (version 1 → 2)');
    expect(refused.stderr).toContain('nothing pushed');
    expect(await versions(hooks.id)).toBe(2);

    const forced = await cli(['push', '--force']);
    expect(forced.code).toBe(0);
    // The diff is against the server's current content: the dashboard's description goes away.
    expect(forced.stdout).toContain('-  "description": "Edited in the dashboard",');
    expect(await versions(hooks.id)).toBe(3);
    expect((await server(hooks.id)).description).toBe('Webhook in');
  });

  it('names the file and the field: malformed JSON, schema errors (before any call) and the server\'s 400s', async () => {
    const before = await versions(greeter.id);
    await writeFile(join(dir, 'zz-malformed.workflow.json'), '{\n  "name": "Bad",\n  "trigger": { "type": "manual" },\n}\n');
    await writeFile(
      join(dir, 'zz-schema.workflow.json'),
      JSON.stringify({ name: 'Schema', trigger: { type: 'schedule', cron: '* * * * *' }, steps: [steps(1)[0], { id: 'bad id!', connector: 'core', action: 'transform', input: {} }] }),
    );
    await editFile('greeter.workflow.json', (d) => {
      d.description = 'never sent';
    });
    const r = await cli(['push']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/workflows\/zz-malformed\.workflow\.json: .+ at line 4 column 1\n/);
    expect(r.stderr).toMatch(/workflows\/zz-schema\.workflow\.json: steps\[1\]\.id: .+/);
    expect(r.stderr).toContain('nothing pushed: 2 invalid file(s)');
    expect(await versions(greeter.id)).toBe(before);

    const v = await cli(['validate']);
    expect(v.code).toBe(1);
    expect(v.stdout).toMatch(/^workflows\/zz-malformed\.workflow\.json: .+ at line 4 column 1$/m);
    expect(v.stdout).toMatch(/^workflows\/zz-schema\.workflow\.json: steps\[1\]\.id: /m);
    expect(v.stderr).toContain('2 of 6 file(s) invalid.');
    const one = await cli(['validate', 'workflows/greeter.workflow.json']);
    expect(one.code).toBe(0);
    expect(one.stdout).toContain('1 workflow file(s) valid.');

    await rm(join(dir, 'zz-malformed.workflow.json'));
    await rm(join(dir, 'zz-schema.workflow.json'));
    await editFile('greeter.workflow.json', (d) => {
      d.description = 'Says hi';
      d.stpes = [];
    });
    const typo = await cli(['validate']);
    expect(typo.code).toBe(1);
    expect(typo.stdout).toContain('workflows/greeter.workflow.json: stpes: unknown field');
    await editFile('greeter.workflow.json', (d) => {
      delete d.stpes;
    });
    expect((await cli(['validate'])).code).toBe(0);

    // Valid for the schema, refused by the api (no such connector): the 400's field, in the file.
    await editFile('new-one.workflow.json', (d) => {
      d.steps[0].connector = 'no-such-connector';
    });
    const refused = await cli(['push']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('workflows/new-one.workflow.json: steps[0].connector: Unknown connector "no-such-connector"');
    await editFile('new-one.workflow.json', (d) => {
      d.steps[0].connector = 'core';
    });
    expect((await cli(['push'])).stdout).toContain('0 to update');
  });

  it('run prints the result; the exit code says whether it failed', async () => {
    await writeFile(join(work, 'payload.json'), JSON.stringify({ name: 'cli' }));
    const ok = await cli(['run', 'workflows/greeter.workflow.json', '--payload', 'payload.json', '--timeout', '30s']);
    expect(ok.stderr).toContain('Started execution');
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/^succeeded {2}Greeter · execution [0-9a-f-]{36} · /);
    expect(ok.stdout).toMatch(/✓ greet {2}core\.transform {2}succeeded/);
    expect(ok.stdout).toContain('"greeting": "hi cli"');

    const json = await cli(['run', greeter.id, '--payload', 'payload.json', '--json']);
    expect(json.code).toBe(0);
    const execution = JSON.parse(json.stdout);
    expect(execution.status).toBe('succeeded');
    expect(execution.output).toEqual({ greeting: 'hi cli' });

    const failed = await cli(['run', 'Broken', '--timeout', '30s']);
    expect(failed.code).toBe(1);
    expect(failed.stdout).toMatch(/^failed {2}Broken · execution /);
    expect(failed.stdout).toMatch(/✗ call {2}http\.request {2}failed/);

    const missing = await cli(['run', 'No such workflow']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('no workflow named "No such workflow"');
  });

  it('a read-scoped key may pull but not push: the 403 is named with the file', async () => {
    const readKey = await createKey('read');
    const env = { TRIBUTARY_API_KEY: readKey };
    expect((await cli(['pull'], { env })).code).toBe(0);
    await editFile('greeter.workflow.json', (d) => {
      d.description = 'read keys cannot';
    });
    const r = await cli(['push'], { env });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/workflows\/greeter\.workflow\.json: 403 .*scope \(read\)/);
    await editFile('greeter.workflow.json', (d) => {
      d.description = 'Says hi';
    });
    expect((await cli(['push'])).stdout).toContain('0 to update');
  });

  it('executions tail prints a line per event of a run, live', async () => {
    const child: ChildProcess = spawn(process.execPath, [BIN, 'executions', 'tail', '--workflow', 'Greeter'], {
      cwd: work,
      env: { ...process.env, HOME: home, NODE_OPTIONS: '', NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d) => (stdout += d));
    child.stderr!.on('data', (d) => (stderr += d));
    const until = async (what: () => boolean, label: string) => {
      const deadline = Date.now() + 15_000;
      while (!what()) {
        if (Date.now() > deadline || child.exitCode !== null) throw new Error(`${label}; stdout: ${stdout} stderr: ${stderr}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    try {
      await until(() => stderr.includes('Listening to workflow Greeter'), 'tail did not connect');
      // A run of another workflow is filtered out; the Greeter's is printed.
      await t.request('POST', `/api/workflows/${hooks.id}/run`, { token, body: { payload: {} } });
      const run = await t.request<{ executionId: string }>('POST', `/api/workflows/${greeter.id}/run`, { token, body: { payload: { name: 'tail' } } });
      expect(run.status).toBe(202);
      const id = run.body.executionId;
      await until(() => new RegExp(`Greeter {2}${id} {2}succeeded`).test(stdout), 'no succeeded line');
      expect(stdout).toMatch(new RegExp(`^\\S+ {2}Greeter {2}${id} {2}queued \\(manual\\)$`, 'm'));
      expect(stdout).toMatch(new RegExp(`Greeter {2}${id} {2}step greet succeeded`));
      expect(stdout).not.toContain('Order hooks');
    } finally {
      child.kill('SIGTERM');
    }
  });
});
