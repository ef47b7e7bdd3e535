/** The engine wired to the platform: connectors, decrypted credentials, the shared HTTP client. */
import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { PromiseCache } from '../common/promise-cache.js';
import { createHttpClient, type ClosableHttpClient } from '../common/http/http-client.js';
import { CONFIG, type Config } from '../config/config.js';
import { CredentialsService } from '../credentials/credentials.service.js';
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

  constructor(
    @Inject(CONFIG) private readonly config: Config,
    private readonly credentials: CredentialsService,
  ) {
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
    });
  }

  private credential(tenantId: string, id: string): Promise<ResolvedCredential> {
    return this.credentialCache.get(`${tenantId}:${id}`, () => this.credentials.reveal(tenantId, id));
  }

  async onApplicationShutdown(): Promise<void> {
    await this.http.close();
  }
}
