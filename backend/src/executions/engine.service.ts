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
import { CredentialUseAudit } from '../audit/credential-use-audit.js';
import { stepTracer, traceHttpCall, TRACING } from '../telemetry/tracing.js';
import { findConnector } from '../engine/connectors.js';
import { runWorkflow } from '../engine/runner.js';
import type { ResolvedCredential, RunDeps, RunRequest, RunResult } from '../engine/types.js';
import { VariablesService } from '../variables/variables.service.js';
import { DEFAULT_ENVIRONMENT } from '@tributary/contracts';

const CREDENTIAL_TTL_MS = 30_000;

/** What the caller of a run hears: each step's result, and the checkpoints of the durability contract (RunDeps). */
export type RunHooks = Pick<RunDeps, 'onStep' | 'checkpoint' | 'waits' | 'calls'> & {
  /** The workflow the run belongs to (named by the `credential.use` audit entries). */
  workflowId?: string | null;
};

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
    private readonly variables: VariablesService,
    private readonly credentialUse: CredentialUseAudit,
  ) {
    this.rateLimiter = createRateLimiter(redis, config.redisPrefix, sleep);
    // No retries inside one step attempt: a step's `retry` (default 3 attempts, backoff, Retry-After
    // honoured) is the only retry, so `attempts: 1` means one request and the attempts recorded are
    // the requests made.
    this.http = createHttpClient({ allowPrivateTargets: config.allowPrivateTargets, userAgent: 'Tributary/0.1 (+https://github.com/tributary)', retries: 0, trace: traceHttpCall });
  }

  /**
   * Runs steps with the platform's connectors, credentials and the workspace variables of
   * `environment` (read once per run, from a cache shared for a few seconds); what the run means
   * (recorded or dry) is ExecutionRunner's.
   */
  async run(tenantId: string, req: RunRequest, { onStep, checkpoint, waits, calls, workflowId }: RunHooks = {}, environment = DEFAULT_ENVIRONMENT): Promise<RunResult> {
    const variables = req.variables ?? (await this.variables.forRun(tenantId, environment));
    return runWorkflow({ ...req, variables }, {
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
      credentialOutcome: (id, ok, error) => {
        this.health.record(id, ok, error);
        // Audited at most once per credential per hour per process (credential-use-audit.ts).
        this.credentialUse.used({ tenantId, credentialId: id, workflowId, executionId: req.executionId, ok });
      },
      // Recorded runs only (a dry run has no execution, hence no trace).
      tracer: TRACING.enabled && !req.executionId.startsWith('dry-run-') ? stepTracer : undefined,
    });
  }

  private credential(tenantId: string, id: string): Promise<ResolvedCredential> {
    return this.credentialCache.get(`${tenantId}:${id}`, () => this.connections.resolve(tenantId, id));
  }

  async onApplicationShutdown(): Promise<void> {
    await this.http.close();
  }
}
