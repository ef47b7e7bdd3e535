/** The engine wired to the platform: connectors, decrypted credentials, the shared HTTP client. */
import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { PromiseCache } from '../common/promise-cache.js';
import { createHttpClient, type ClosableHttpClient } from '../common/http/http-client.js';
import { CONFIG, type Config } from '../config/config.js';
import type { Redis } from 'ioredis';
import { REDIS } from '../common/redis.module.js';
import { createRateLimiter, type SharedRateLimiter } from '../common/rate-limit/rate-limiter.js';
import { sleep } from '../common/sleep.js';
import { ConnectionsService } from '../credentials/connections.service.js';
import { CredentialHealth } from '../credentials/credential-health.js';
import { findConnector } from '../engine/connectors.js';
import { runWorkflow } from '../engine/runner.js';
import type { ResolvedCredential, RunDeps, RunRequest, RunResult } from '../engine/types.js';

const CREDENTIAL_TTL_MS = 30_000;

/** What the caller of a run hears: each step's result, and the checkpoints of the durability contract (RunDeps). */
export type RunHooks = Pick<RunDeps, 'onStep' | 'checkpoint' | 'waits' | 'calls'>;

@Injectable()
export class EngineService implements OnApplicationShutdown {
  private readonly http: ClosableHttpClient;
  private readonly logger = new Logger('Engine');
  /** Decrypted credentials kept briefly in memory: a busy workflow does not decrypt per run. */
  private readonly credentialCache = new PromiseCache<string, ResolvedCredential>({ ttlMs: CREDENTIAL_TTL_MS, max: 10_000 });

  /** Providers' rate limits per connection, shared by every worker through Redis (in memory without it). */
  private readonly rateLimiter: SharedRateLimiter;

  constructor(
    @Inject(CONFIG) private readonly config: Config,
    private readonly connections: ConnectionsService,
    private readonly health: CredentialHealth,
    @Inject(REDIS) redis: Redis | undefined,
  ) {
    this.rateLimiter = createRateLimiter(redis, config.redisPrefix, sleep);
    // No retries inside one step attempt: a step's `retry` (default 3 attempts, backoff, Retry-After
    // honoured) is the only retry, so `attempts: 1` means one request and the attempts recorded are
    // the requests made.
    this.http = createHttpClient({ allowPrivateTargets: config.allowPrivateTargets, userAgent: 'Tributary/0.1 (+https://github.com/tributary)', retries: 0 });
  }

  /** Runs steps with the platform's connectors and credentials; what the run means (recorded or dry) is ExecutionRunner's. */
  run(tenantId: string, req: RunRequest, { onStep, checkpoint, waits, calls }: RunHooks = {}): Promise<RunResult> {
    return runWorkflow(req, {
      findConnector,
      resolveCredential: (id) => this.credential(tenantId, id),
      http: this.http,
      baseUrl: (key, fallback) => this.config.connectorBaseUrls[key] ?? fallback,
      logger: {
        info: (msg, data) => this.logger.log({ msg, executionId: req.executionId, tenantId, ...data }),
        warn: (msg, data) => this.logger.warn({ msg, executionId: req.executionId, tenantId, ...data }),
        error: (msg, data) => this.logger.error({ msg, executionId: req.executionId, tenantId, ...data }),
      },
      onStep,
      checkpoint,
      waits,
      calls,
      rateLimiter: this.rateLimiter,
      credentialOutcome: (id, ok, error) => this.health.record(id, ok, error),
    });
  }

  private credential(tenantId: string, id: string): Promise<ResolvedCredential> {
    return this.credentialCache.get(`${tenantId}:${id}`, () => this.connections.resolve(tenantId, id));
  }

  async onApplicationShutdown(): Promise<void> {
    await this.http.close();
  }
}
