/** The engine wired to the platform: connectors, decrypted credentials, the shared HTTP client. */
import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { PromiseCache } from '../common/promise-cache.js';
import { createHttpClient, type ClosableHttpClient } from '../common/http/http-client.js';
import { CONFIG, type Config } from '../config/config.js';
import { CredentialsService } from '../credentials/credentials.service.js';
import { findConnector } from '../engine/connectors.js';
import { runWorkflow } from '../engine/runner.js';
import type { ResolvedCredential, RunDeps, RunRequest, RunResult, StepResult } from '../engine/types.js';

const CREDENTIAL_TTL_MS = 30_000;

/** What the caller of a run hears: each step's result, and the checkpoints of the durability contract (RunDeps). */
export type RunHooks = Pick<RunDeps, 'onStep' | 'checkpoint'>;

/** Told when a run starts and how it ended ('error': the engine itself threw); must not throw or block. */
export interface RunObserver {
  started(): void;
  finished(status: RunResult['status'] | 'error'): void;
}

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
    this.http = createHttpClient({ allowPrivateTargets: config.allowPrivateTargets, userAgent: 'Tributary/0.1 (+https://github.com/tributary)' });
  }

  /** Sees every step result of every run in this process (metrics); must not throw or block. */
  private readonly stepObservers: ((result: StepResult) => void)[] = [];

  observeSteps(observer: (result: StepResult) => void): void {
    this.stepObservers.push(observer);
  }

  /** Sees every run of this process start and end (metrics). */
  private readonly runObservers: RunObserver[] = [];

  observeRuns(observer: RunObserver): void {
    this.runObservers.push(observer);
  }

  run(tenantId: string, req: RunRequest, hooks: RunHooks = {}): Promise<RunResult> {
    if (!this.runObservers.length) return this.runUnobserved(tenantId, req, hooks);
    for (const o of this.runObservers) o.started();
    return this.runUnobserved(tenantId, req, hooks).then(
      (result) => {
        for (const o of this.runObservers) o.finished(result.status);
        return result;
      },
      (err: unknown) => {
        for (const o of this.runObservers) o.finished('error');
        throw err;
      },
    );
  }

  private runUnobserved(tenantId: string, req: RunRequest, { onStep, checkpoint }: RunHooks): Promise<RunResult> {
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
      onStep: (r) => {
        for (const observe of this.stepObservers) observe(r);
        return onStep?.(r);
      },
      checkpoint,
    });
  }

  private credential(tenantId: string, id: string): Promise<ResolvedCredential> {
    return this.credentialCache.get(`${tenantId}:${id}`, () => this.credentials.reveal(tenantId, id));
  }

  async onApplicationShutdown(): Promise<void> {
    await this.http.close();
  }
}
