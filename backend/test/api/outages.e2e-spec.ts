/**
 * "A 202 means it runs", through outages: PostgreSQL stopped under load, a step that finishes while
 * it is away, a queue job that failed while its executions waited, Redis restarted empty. Each test
 * stops only servers of its own (a private PostgreSQL, a private Redis).
 */
import { jest } from '@jest/globals';
import type { ChildProcess } from 'node:child_process';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import pg from 'pg';
import { EXECUTIONS_QUEUE, RUN_JOB } from '../../src/queue/queue.factory.js';
import { ExecutionsReconciler } from '../../src/executions/reconciler.js';
import { SchedulerService } from '../../src/scheduler/scheduler.service.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { startPostgres, type PrivatePostgres } from '../helpers/postgres.js';
import { spawnWorker, withOwnRedis, type OwnRedis } from '../helpers/processes.js';
import { startSink, type Sink } from '../helpers/sink.js';
import { waitFor } from '../helpers/wait.js';
import { statusCounts } from '../helpers/execution-counts.js';

jest.setTimeout(180_000);

/** A webhook workflow of HTTP steps, each posting `{ ref, step }` to the sink at /<step>. */
function postingWorkflow(sink: Sink, steps: string[]) {
  return {
    name: `posts ${steps.join(', ')}`,
    trigger: { type: 'webhook' },
    steps: steps.map((id) => ({ id, connector: 'http', action: 'request', input: { method: 'POST', url: `${sink.url}/${id}`, body: { ref: '{{ref}}', step: id } }, retry: { attempts: 1 } })),
  };
}

describe('PostgreSQL outage', () => {
  let server: PrivatePostgres;
  let t: TestApp;
  let sink: Sink;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    server = await startPostgres();
    sink = await startSink();
    t = await createTestApp({ RECONCILE_AFTER_MS: '1000' }, { postgres: server.url() });
    children.push(spawnWorker(t.env));
  });
  afterAll(async () => {
    for (const c of children) c.kill('SIGKILL');
    await t?.close();
    await sink?.close();
    server?.destroy();
  });

  it('answers 202 or 503 with Retry-After (never 500) while it is down, and runs every accepted webhook once it returns', async () => {
    const { token } = await t.register();
    const wf = (await t.request('POST', '/api/workflows', { token, body: postingWorkflow(sink, ['s1', 's2', 's3']) })).body;
    const answers: { ref: string; status: number; retryAfter?: string }[] = [];
    let n = 0;
    let sending = true;
    // A steady trickle of webhooks (about 100/s) before, during and after the outage.
    const load = (async () => {
      while (sending) {
        const batch = Array.from({ length: 5 }, () => `r${n++}`);
        await Promise.all(
          batch.map(async (ref) => {
            const res = await t.request('POST', `/api/webhooks/${wf.id}`, { body: { ref } });
            answers.push({ ref, status: res.status, retryAfter: res.headers['retry-after'] as string | undefined });
          }),
        );
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    // The worker process may take a while to boot on a loaded machine: the outage starts once it runs.
    await waitFor('webhooks to run before the outage', async () => sink.deliveries.length > 30, 60_000);
    server.stop('fast');
    await new Promise((r) => setTimeout(r, 1000));
    const during = await t.request('GET', '/api/workflows', { token });
    expect(during.status).toBe(503);
    expect(during.headers['retry-after']).toBeDefined();
    expect(during.body.message).toMatch(/unavailable/);
    await new Promise((r) => setTimeout(r, 4000));
    await server.start();
    await new Promise((r) => setTimeout(r, 2000));
    sending = false;
    await load;

    const byStatus = new Map<number, number>();
    for (const a of answers) byStatus.set(a.status, (byStatus.get(a.status) ?? 0) + 1);
    expect([...byStatus.keys()].sort()).toEqual([202, 503]);
    expect(answers.filter((a) => a.status === 503).every((a) => a.retryAfter === '5')).toBe(true);
    const accepted = answers.filter((a) => a.status === 202).map((a) => a.ref);
    expect(new Set(accepted).size).toBe(accepted.length);
    expect(accepted.length).toBeGreaterThan(100);

    let counts: Record<string, number> = {};
    await waitFor(
      `every accepted execution to finish (${accepted.length} accepted)`,
      async () => {
        counts = await statusCounts(t.databaseUrl, wf.id);
        return counts.succeeded === accepted.length && Object.keys(counts).length === 1 ? counts : undefined;
      },
      120_000,
      500,
    ).catch((err: Error) => {
      throw new Error(`${err.message}; executions by status: ${JSON.stringify(counts)}`);
    });
    for (const ref of accepted) {
      for (const step of ['s1', 's2', 's3']) expect([ref, step, sink.countBy(`/${step}`, 'ref', ref)]).toEqual([ref, step, 1]);
    }
  });

  it('keeps a result computed while the database is away and records it when it returns, without running the step again', async () => {
    const { token } = await t.register();
    const wf = (await t.request('POST', '/api/workflows', { token, body: postingWorkflow(sink, ['slow']) })).body;
    sink.delayMs.set('/slow', 2500);
    const res = await t.request('POST', `/api/webhooks/${wf.id}`, { body: { ref: 'kept' } });
    expect(res.status).toBe(202);
    await waitFor('the slow step to start', async () => sink.countBy('/slow', 'ref', 'kept') === 1, 60_000);
    server.stop('fast');
    // The step answers during the outage; the worker holds its result.
    await new Promise((r) => setTimeout(r, 5000));
    await server.start();
    const row = await waitFor(
      'the execution to be recorded',
      async () => {
        const db = new pg.Client({ connectionString: t.databaseUrl });
        await db.connect();
        try {
          const { rows } = await db.query('SELECT status, attempts FROM executions WHERE id = $1', [res.body.executionId]);
          return rows[0]?.status === 'succeeded' ? rows[0] : undefined;
        } finally {
          await db.end();
        }
      },
      60_000,
      250,
    );
    expect(row).toEqual({ status: 'succeeded', attempts: 1 });
    expect(sink.countBy('/slow', 'ref', 'kept')).toBe(1);
    sink.delayMs.delete('/slow');
  });
});

describe('queue jobs that died', () => {
  let t: TestApp;
  let redis: OwnRedis;

  beforeAll(async () => {
    redis = await withOwnRedis();
    t = await createTestApp({ REDIS_URL: redis.url, RECONCILE_AFTER_MS: '300' });
  });
  afterAll(async () => {
    await t?.close();
    await redis?.kill();
  });

  it('replaces a job that failed while its executions still wait (adding it again under its id would be a no-op)', async () => {
    const { token } = await t.register();
    const wf = (
      await t.request('POST', '/api/workflows', { token, body: { name: 'n', trigger: { type: 'webhook' }, steps: [{ id: 'a', connector: 'core', action: 'transform', input: { value: '{{n}}' } }] } })
    ).body;
    // No worker yet: the webhook's job waits in the queue.
    const { executionId } = (await t.request('POST', `/api/webhooks/${wf.id}`, { body: { n: 7 } })).body;
    const connection = new Redis(redis.port, '127.0.0.1', { maxRetriesPerRequest: null });
    const queue = new Queue(EXECUTIONS_QUEUE, { connection, prefix: t.config.redisPrefix });
    const job = (await queue.getJob(executionId))!;
    expect(job.name).toBe(RUN_JOB);
    // The same job with its attempts used up, failed by a worker that could not reach the database:
    // it ends in the failed set, where the outside testers found 907 jobs of accepted executions.
    await job.remove();
    await queue.add(RUN_JOB, job.data, { jobId: executionId, attempts: 1 });
    const failing = new Worker(EXECUTIONS_QUEUE, async () => Promise.reject(new Error('database unreachable (simulated)')), { connection, prefix: t.config.redisPrefix });
    await waitFor('the job to fail', async () => (await queue.getJobState(executionId)) === 'failed' || undefined);
    await failing.close();

    const reconciler = t.app.get(ExecutionsReconciler);
    await waitFor('the reconciler to replace the failed job', async () => (await reconciler.tick()) > 0 || undefined);
    expect(await queue.getJobState(executionId)).toBe('waiting');
    await t.startWorker();
    const e = await waitFor('the execution to run', async () => {
      const r = await t.request('GET', `/api/executions/${executionId}`, { token });
      return r.body.status === 'succeeded' ? r.body : undefined;
    });
    expect(e.output).toBe(7);
    await queue.close();
    connection.disconnect();
  });

  it('after Redis restarts empty: queued executions get their jobs back and schedules are recreated', async () => {
    const { token } = await t.register();
    const sched = (
      await t.request('POST', '/api/workflows', { token, body: { name: 'tick', trigger: { type: 'schedule', intervalSeconds: 1 }, steps: [{ id: 'a', connector: 'core', action: 'transform', input: { value: 'tick' } }] } })
    ).body;
    const wf = (
      await t.request('POST', '/api/workflows', { token, body: { name: 'm', trigger: { type: 'webhook' }, steps: [{ id: 'a', connector: 'core', action: 'transform', input: { value: '{{n}}' } }] } })
    ).body;
    const scheduler = t.app.get(SchedulerService);
    expect(await scheduler.checkSchedules()).toBe(false);
    await redis.kill();
    const ids: string[] = [];
    for (let n = 0; n < 30; n++) ids.push((await t.request('POST', `/api/webhooks/${wf.id}`, { body: { n } })).body.executionId);
    await redis.start();
    // The restarted Redis has no schedule: the periodic check finds the difference and recreates it
    // (once the queue's connection is back).
    await waitFor('the schedule check to find it missing and recreate it', async () => (await scheduler.checkSchedules()) || undefined, 10_000, 200);
    await waitFor(
      'the backlog to run',
      async () => {
        const r = await t.request('GET', `/api/executions?workflowId=${wf.id}&status=succeeded&limit=100`, { token });
        return r.body.items.length === 30 || undefined;
      },
      45_000,
      300,
    );
    await waitFor(
      'the schedule to fire again',
      async () => {
        const r = await t.request('GET', `/api/executions?workflowId=${sched.id}&status=succeeded&limit=100`, { token });
        return r.body.items.length >= 2 || undefined;
      },
      15_000,
      300,
    );
    await t.request('PUT', `/api/workflows/${sched.id}/toggle`, { token, body: { enabled: false } });
    expect(await scheduler.checkSchedules()).toBe(false);
  });
});
