/**
 * REDIS_URL=redis+sentinel://…: the api and a worker on a Sentinel deployment of Debian's
 * redis-sentinel (master, replica, three sentinels on free ports), through a real failover.
 */
import { jest } from '@jest/globals';
import pg from 'pg';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { debianProgram } from '../helpers/processes.js';
import { ask, startSentinelDeployment, type SentinelDeployment } from '../helpers/sentinel.js';
import { waitFor } from '../helpers/wait.js';
import { WsClient } from '../helpers/ws-client.js';
import { ECHO_WORKFLOW, fireWebhooks, range, runsThatFailed, type WebhookAnswer } from '../helpers/webhook-runs.js';

jest.setTimeout(180_000);

const sentinelProgram = debianProgram('redis-sentinel', '/usr/bin/redis-sentinel');
if ('skip' in sentinelProgram) console.warn(`Redis Sentinel tests skipped: ${sentinelProgram.skip}`);
const withSentinel = 'path' in sentinelProgram ? describe : describe.skip;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The names of the platform's connections a Redis server has now (CLIENT SETNAME via connectionName). */
async function connectionNames(port: number): Promise<Set<string>> {
  const list = await ask<string>(port, 'CLIENT', 'LIST');
  return new Set([...list.matchAll(/ name=(tributary:\S+)/g)].map((m) => m[1]));
}

withSentinel('Redis Sentinel (REDIS_URL=redis+sentinel://…)', () => {
  let deployment: SentinelDeployment;
  let t: TestApp;
  let db: pg.Client;

  beforeAll(async () => {
    deployment = await startSentinelDeployment((sentinelProgram as { path: string }).path);
    // The executions table is the source of truth: the reconciler re-adds the jobs of executions still
    // queued after RECONCILE_AFTER_MS, which recovers the adds refused while there was no master and
    // those the dead master acknowledged but never replicated. (With RECONCILE_AFTER_MS at 10 minutes,
    // some of the accepted executions were still queued 20 s after the failover.)
    t = await createTestApp({ REDIS_URL: deployment.url, RECONCILE_AFTER_MS: '500' });
    await t.startWorker();
    db = new pg.Client({ connectionString: t.databaseUrl });
    await db.connect();
  });
  afterAll(async () => {
    await db?.end();
    await t?.close();
    await deployment?.stop();
  });

  it('runs every webhook answered 202 across a SIGKILLed master, and later webhooks go through the new master', async () => {
    const { token } = await t.register();
    const wf = (await t.request('POST', '/api/workflows', { token, body: ECHO_WORKFLOW })).body;
    expect(await deployment.masterAddress()).toBe(deployment.masterPort);

    // Before: the api's, the producer's and the worker's connections are on the first master.
    const first = await fireWebhooks(t, wf.id, range(0, 40));
    expect(first.filter((r) => r.status !== 202)).toEqual([]);
    expect(await runsThatFailed(t, first, 30_000)).toEqual([]);
    // A dashboard socket opens the live-event subscriber (it is made at the first watcher, not at boot).
    const socket = await WsClient.authed(t.baseUrl, token);
    const onFirst = await waitFor('the live-event subscriber on the first master', async () => {
      const names = await connectionNames(deployment.masterPort);
      return names.has('tributary:live') ? names : undefined;
    }, 10_000, 100);
    expect(['tributary:api', 'tributary:producer', 'tributary:worker', 'tributary:live'].filter((name) => !onFirst.has(name))).toEqual([]);

    // Through the failover: webhooks keep coming, ten at a time, while the master dies and the sentinels promote the replica.
    const answers: WebhookAnswer[] = [];
    let firing = true;
    let n = 1000;
    const load = (async () => {
      while (firing) {
        answers.push(...(await fireWebhooks(t, wf.id, range(n, 10))));
        n += 10;
        await sleep(50);
      }
    })();
    await sleep(1000);
    const killedAt = Date.now();
    await deployment.killMaster();
    await waitFor('the sentinels to promote the replica', async () => (await deployment.masterAddress()) === deployment.replicaPort, 30_000, 200);
    // down-after 1 s, then the vote and the promotion.
    expect(Date.now() - killedAt).toBeLessThan(15_000);
    await sleep(2000);
    firing = false;
    await load;

    const accepted = answers.filter((a) => a.status === 202);
    expect(answers.filter((a) => a.status !== 202).map((a) => `${a.status} ${a.text}`)).toEqual([]);
    expect(accepted.length).toBeGreaterThan(50);
    // Every accepted execution ran: jobs lost with the master are re-added by the reconciler.
    expect(await runsThatFailed(t, accepted, 90_000)).toEqual([]);

    // After: the platform's connections followed the sentinels to the new master, and new webhooks' jobs go there.
    const newMaster = deployment.replicaPort;
    expect((await ask<unknown[]>(newMaster, 'ROLE'))[0]).toBe('master');
    await waitFor('the platform to reconnect to the new master', async () => {
      const names = await connectionNames(newMaster);
      return ['tributary:api', 'tributary:producer', 'tributary:worker', 'tributary:live'].every((name) => names.has(name));
    });
    socket.close();
    const after = await fireWebhooks(t, wf.id, range(5000, 40));
    expect(after.filter((r) => r.status !== 202)).toEqual([]);
    expect(await runsThatFailed(t, after, 30_000)).toEqual([]);
    const { rows } = await db.query<{ job_id: string }>('SELECT DISTINCT job_id FROM executions WHERE id = ANY($1::uuid[])', [after.map((a) => a.executionId)]);
    const events = await ask<[string, string[]][]>(newMaster, 'XRANGE', `${t.config.redisPrefix}:executions:events`, '-', '+');
    const added = new Set(events.filter(([, fields]) => fields[1] === 'added').map(([, fields]) => fields[fields.indexOf('jobId') + 1]));
    expect(rows.map((r) => r.job_id).filter((id) => !added.has(id))).toEqual([]);
  });
});
