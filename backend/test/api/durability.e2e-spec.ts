import { jest } from '@jest/globals';
import type { ChildProcess } from 'node:child_process';
import type { INestApplication } from '@nestjs/common';
import pg from 'pg';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { exited, spawnWorker, withOwnRedis, type OwnRedis } from '../helpers/processes.js';
import { waitFor } from '../helpers/wait.js';
import { startSink } from '../helpers/sink.js';
import { ExecutionsRepository } from '../../src/executions/executions.repository.js';
import { ExecutionProcessor } from '../../src/worker/execution.processor.js';
import { SCHEDULE_JOB } from '../../src/queue/queue.factory.js';

jest.setTimeout(180_000);

const slowWorkflow = (seconds: number) => ({
  name: 'slow',
  trigger: { type: 'webhook' },
  steps: [
    { id: 'wait', connector: 'core', action: 'delay', input: { seconds } },
    { id: 'done', connector: 'core', action: 'transform', input: { value: 'finished' } },
  ],
});

async function executionRow(t: TestApp, id: string) {
  const db = new pg.Client({ connectionString: t.databaseUrl });
  await db.connect();
  try {
    const { rows } = await db.query('SELECT status, attempts, finished_at FROM executions WHERE id = $1', [id]);
    return rows[0] as { status: string; attempts: number; finished_at: Date | null } | undefined;
  } finally {
    await db.end();
  }
}

describe('durability', () => {
  let t: TestApp;
  let token: string;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    t = await createTestApp();
    token = (await t.register()).token;
  });
  // A test that fails before stopping its workers must not leave them taking the next test's jobs.
  afterEach(async () => {
    const alive = children.splice(0).filter((c) => c.exitCode === null && c.signalCode === null);
    for (const c of alive) c.kill('SIGKILL');
    await Promise.all(alive.map((c) => exited(c)));
  });
  afterAll(async () => {
    await t?.close();
  });

  /** SIGKILLs a worker and starts another in its place (stopped by afterEach). */
  async function killAndReplace(worker: ChildProcess): Promise<void> {
    worker.kill('SIGKILL');
    await exited(worker);
    children.push(spawnWorker(t.env));
  }

  const succeededOnSecondWorker = (id: string) =>
    waitFor('the run to finish on the second worker', async () => {
      const r = await executionRow(t, id);
      return r?.status === 'succeeded' ? r : undefined;
    }, 60_000);

  it('a worker killed with SIGKILL mid-run leaves a job that another worker finishes, once', async () => {
    const wf = (await t.request('POST', '/api/workflows', { token, body: slowWorkflow(2) })).body;
    const first = spawnWorker(t.env);
    children.push(first);
    const { executionId } = (await t.request('POST', `/api/webhooks/${wf.id}`, { body: {} })).body;
    await waitFor('the first worker to start the run', async () => (await executionRow(t, executionId))?.status === 'running', 60_000);
    await killAndReplace(first);
    const row = await succeededOnSecondWorker(executionId);
    expect(row.attempts).toBe(2);
    const list = await t.request('GET', `/api/executions?workflowId=${wf.id}`, { token });
    expect(list.body.items.map((i: { status: string }) => i.status)).toEqual(['succeeded']);
    const detail = await t.request('GET', `/api/executions/${executionId}`, { token });
    expect(detail.body.steps.map((s: { stepId: string }) => s.stepId)).toEqual(['wait', 'done']);
  });

  it('a worker killed with SIGKILL mid-batch: every execution of the shared job finishes once elsewhere', async () => {
    // Long enough that all eight are running at once even on a loaded machine.
    const wf = (await t.request('POST', '/api/workflows', { token, body: slowWorkflow(5) })).body;
    const first = spawnWorker(t.env);
    children.push(first);
    const answers = await Promise.all(Array.from({ length: 8 }, () => t.request('POST', `/api/webhooks/${wf.id}`, { body: {} })));
    const ids: string[] = answers.map((a) => a.body.executionId);
    await waitFor('the first worker to start the runs', async () => (await Promise.all(ids.map((id) => executionRow(t, id)))).every((r) => r?.status === 'running'), 60_000);
    await killAndReplace(first);
    const rows = await waitFor('every run to finish on the second worker', async () => {
      const rs = await Promise.all(ids.map((id) => executionRow(t, id)));
      return rs.every((r) => r?.status === 'succeeded') ? rs : undefined;
    }, 60_000);
    expect(rows.map((r) => r!.attempts)).toEqual(Array(8).fill(2));
    const list = await t.request('GET', `/api/executions?workflowId=${wf.id}`, { token });
    expect(list.body.items.map((i: { id: string }) => i.id).sort()).toEqual([...ids].sort());
  });

  it('a worker killed with SIGKILL mid-run resumes after the last recorded step: finished steps are not repeated', async () => {
    const sink = await startSink();
    try {
      const post = (id: string) => ({ id, connector: 'http', action: 'request', input: { method: 'POST', url: `${sink.url}/${id}`, body: { ref: '{{ref}}' } } });
      const wf = (
        await t.request('POST', '/api/workflows', {
          token,
          body: { name: 'three posts', trigger: { type: 'webhook' }, steps: [post('s1'), { id: 'pause', connector: 'core', action: 'delay', input: { seconds: 4 } }, post('s2'), post('s3')] },
        })
      ).body;
      const first = spawnWorker(t.env);
      children.push(first);
      const { executionId } = (await t.request('POST', `/api/webhooks/${wf.id}`, { body: { ref: 'k' } })).body;
      await waitFor('the first step to be delivered', async () => sink.countBy('/s1', 'ref', 'k') === 1, 60_000);
      await new Promise((r) => setTimeout(r, 300));
      await killAndReplace(first);
      const row = await succeededOnSecondWorker(executionId);
      expect(row.attempts).toBe(2);
      expect(['/s1', '/s2', '/s3'].map((p) => sink.countBy(p, 'ref', 'k'))).toEqual([1, 1, 1]);
      // Each step's stable key: the same on every attempt and after the crash.
      expect(sink.deliveries.filter((d) => d.body.ref === 'k').map((d) => d.idempotencyKey)).toEqual(['s1', 's2', 's3'].map((s) => `${executionId}:${s}`));
      const detail = await t.request('GET', `/api/executions/${executionId}`, { token });
      expect(detail.body.steps.map((s: { stepId: string; status: string }) => [s.stepId, s.status])).toEqual([
        ['s1', 'succeeded'],
        ['pause', 'succeeded'],
        ['s2', 'succeeded'],
        ['s3', 'succeeded'],
      ]);
    } finally {
      await sink.close();
    }
  });

  it('refuses the writes of a process whose lease another took (fencing), and resumes a lapsed run exactly once', async () => {
    const wf = (await t.request('POST', '/api/workflows', { token, body: slowWorkflow(0) })).body;
    const repo = t.app.get(ExecutionsRepository);
    const { executionId } = (await t.request('POST', `/api/webhooks/${wf.id}`, { body: {} })).body;
    const stale = await repo.claim(executionId);
    expect(stale).toMatchObject({ id: executionId, attempts: 1 });
    // A second claim while the lease runs: refused (a duplicate job, or a worker cut off from the queue).
    expect(await repo.claim(executionId)).toBeNull();
    const db = new pg.Client({ connectionString: t.databaseUrl });
    await db.connect();
    await db.query(`UPDATE executions SET lease_expires_at = now() - interval '1 second' WHERE id = $1`, [executionId]);
    expect(await repo.lapsedLeases(10)).toEqual([{ id: executionId, attempts: 1 }]);
    const taker = await repo.claim(executionId);
    expect(taker).toMatchObject({ attempts: 2 });
    // The first holder comes back from its partition: nothing it writes is taken.
    expect(await repo.checkpoint({ id: executionId, attempts: 1, steps: [] })).toBe(false);
    expect(await repo.complete({ id: executionId, attempts: 1, status: 'failed', steps: [], output: null, error: 'stale', durationMs: 1 })).toBe(false);
    expect([...(await repo.renewLeases([{ id: executionId, attempts: 1 }]))]).toEqual([]);
    expect(await repo.complete({ id: executionId, attempts: 2, status: 'succeeded', steps: [], output: 'ok', error: null, durationMs: 1 })).toBe(true);
    const { rows } = await db.query('SELECT status, output, lease_expires_at FROM executions WHERE id = $1', [executionId]);
    await db.end();
    expect(rows[0]).toEqual({ status: 'succeeded', output: 'ok', lease_expires_at: null });
  });

  it('SIGTERM drains the in-flight run before the worker exits', async () => {
    const wf = (await t.request('POST', '/api/workflows', { token, body: slowWorkflow(2) })).body;
    const worker = spawnWorker(t.env);
    children.push(worker);
    const { executionId } = (await t.request('POST', `/api/webhooks/${wf.id}`, { body: {} })).body;
    await waitFor('the worker to start the run', async () => (await executionRow(t, executionId))?.status === 'running', 60_000);
    worker.kill('SIGTERM');
    const exit = await exited(worker);
    const row = await executionRow(t, executionId);
    expect(row).toMatchObject({ status: 'succeeded', attempts: 1 });
    expect(row!.finished_at!.getTime()).toBeLessThanOrEqual(exit.at);
    expect(exit.code).toBe(0);
  });
});

describe('queue outage', () => {
  let t: TestApp;
  let redis: OwnRedis;

  beforeAll(async () => {
    redis = await withOwnRedis();
    t = await createTestApp({ REDIS_URL: redis.url, RECONCILE_AFTER_MS: '300' });
    await t.startWorker();
  });
  afterAll(async () => {
    await t?.close();
    await redis?.kill();
  });

  it('accepts webhooks (202) while Redis is down and runs every one of them when it returns', async () => {
    const { token } = await t.register();
    const wf = (
      await t.request('POST', '/api/workflows', {
        token,
        body: { name: 'durable', trigger: { type: 'webhook' }, steps: [{ id: 'a', connector: 'core', action: 'transform', input: { value: '{{n}}' } }] },
      })
    ).body;
    await redis.kill();
    const ids: string[] = [];
    for (let n = 0; n < 20; n++) {
      const res = await t.request('POST', `/api/webhooks/${wf.id}`, { body: { n } });
      expect(res.status).toBe(202);
      ids.push(res.body.executionId);
    }
    const queued = await t.request('GET', `/api/executions?workflowId=${wf.id}&status=queued&limit=100`, { token });
    expect(queued.body.items).toHaveLength(20);
    await redis.start();
    await waitFor(
      'all 20 executions to succeed after Redis returns',
      async () => {
        const r = await t.request('GET', `/api/executions?workflowId=${wf.id}&status=succeeded&limit=100`, { token });
        return r.body.items.length === 20 ? r.body.items : undefined;
      },
      45_000,
      500,
    );
    const outputs = await Promise.all(ids.map(async (id) => (await t.request('GET', `/api/executions/${id}`, { token })).body.output));
    expect(outputs).toEqual(Array.from({ length: 20 }, (_, n) => n));
  });
});

describe('schedules', () => {
  let a: TestApp;
  let b: INestApplication | undefined;

  // Closed here too, so a failed assertion cannot leave the second api's timers running (jest would never exit).
  afterAll(async () => {
    await b?.close();
    await a?.close();
  });

  it('fires an interval schedule once per tick with two api processes, and stops when disabled', async () => {
    a = await createTestApp();
    const { token } = await a.register();
    const wf = (
      await a.request('POST', '/api/workflows', {
        token,
        body: { name: 'every second', trigger: { type: 'schedule', intervalSeconds: 1, payload: { from: 'schedule' } }, steps: [{ id: 'x', connector: 'core', action: 'transform', input: { value: '{{from}}' } }] },
      })
    ).body;
    // A second api process on the same database and queue: it syncs the same scheduler at boot.
    const { createApp } = await import('../../src/app.js');
    b = await createApp(a.config);
    await b.init();
    const worker = await a.startWorker();
    await new Promise((r) => setTimeout(r, 4500));
    // Each run is keyed by its tick's job: a tick whose job runs again answers the run it started.
    const db = new pg.Client({ connectionString: a.databaseUrl });
    await db.connect();
    const keyed = async () => (await db.query(`SELECT id, idempotency_key AS key FROM executions WHERE workflow_id = $1 ORDER BY created_at`, [wf.id])).rows as { id: string; key: string }[];
    try {
      const rows = await keyed();
      expect(rows.length).toBeGreaterThanOrEqual(3);
      expect(rows.every((r) => r.key?.startsWith('schedule:'))).toBe(true);
      expect(new Set(rows.map((r) => r.key)).size).toBe(rows.length);
      const again = await worker.get(ExecutionProcessor).process({ name: SCHEDULE_JOB, id: rows[0].key.slice('schedule:'.length), data: { workflowId: wf.id } } as never);
      expect(again).toBe(`already queued ${rows[0].id} for this tick`);
      expect((await keyed()).filter((r) => r.key === rows[0].key)).toHaveLength(1);
    } finally {
      await db.end();
    }
    await a.request('PUT', `/api/workflows/${wf.id}/toggle`, { token, body: { enabled: false } });
    await new Promise((r) => setTimeout(r, 500));
    const list = await a.request('GET', `/api/executions?workflowId=${wf.id}&limit=100`, { token });
    const times = list.body.items.map((i: { createdAt: string }) => Date.parse(i.createdAt)).sort();
    expect(times.length).toBeGreaterThanOrEqual(3);
    expect(times.length).toBeLessThanOrEqual(6);
    for (let i = 1; i < times.length; i++) expect(times[i] - times[i - 1]).toBeGreaterThan(500);
    await waitFor('scheduled runs to finish', async () => {
      const r = await a.request('GET', `/api/executions?workflowId=${wf.id}&status=succeeded&limit=100`, { token });
      return r.body.items.length === times.length || undefined;
    });
    const first = await a.request('GET', `/api/executions/${list.body.items[0].id}`, { token });
    expect(first.body).toMatchObject({ triggerType: 'schedule', output: 'schedule' });
    await new Promise((r) => setTimeout(r, 1500));
    const after = await a.request('GET', `/api/executions?workflowId=${wf.id}&limit=100`, { token });
    expect(after.body.items.length).toBe(times.length);
    await b.close();
    b = undefined;
  });
});
