/** The worker process (`npm run worker`): runs executions from the queue; start as many as you like. */
import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { createLogger, PinoNestLogger } from './common/logger.js';
import { ConfigError, loadConfig } from './config/config.js';
import { runMigrations } from './database/data-source.js';
import { WorkerMetricsModule } from './metrics/worker-metrics.module.js';
import { WorkerModule } from './worker/worker.module.js';

/** The worker and, beside it, its /metrics and /health server (in-process workers of the tests have none). */
@Module({})
class WorkerProcessModule {}

try {
  const config = loadConfig();
  await runMigrations(config);
  const logger = createLogger(config.logLevel, 'worker');
  const app = await NestFactory.createApplicationContext(
    // Metrics listed first: Nest shuts sibling modules down in reverse order, so /health answers
    // "draining" (and /metrics stays up) while WorkerModule lets the running executions finish.
    { module: WorkerProcessModule, imports: [WorkerMetricsModule, WorkerModule.register(config)] },
    { logger: new PinoNestLogger(logger) },
  );
  await app.init();
  // SIGTERM/SIGINT: stop taking jobs, let in-flight runs finish (ExecutionProcessor), then exit 0.
  let stopping = false;
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      if (stopping) return;
      stopping = true;
      logger.info({ signal }, 'shutting down after in-flight executions');
      app.close().then(
        () => process.exit(0),
        (err: unknown) => {
          logger.error({ err }, 'shutdown failed');
          process.exit(1);
        },
      );
    });
  }
} catch (err) {
  console.error(err instanceof ConfigError ? `tributary worker refused to start.\n${err.message}` : err);
  process.exit(1);
}
