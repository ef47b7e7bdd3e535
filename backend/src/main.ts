/** The api process: HTTP, webhooks ingress, schedules, WebSocket. */
import 'reflect-metadata';
import { createApp } from './app.js';
import { ConfigError, loadConfig } from './config/config.js';
import { runMigrations } from './database/data-source.js';
import { ShutdownState } from './health/shutdown-state.js';

try {
  const config = loadConfig();
  await runMigrations(config);
  const app = await createApp(config);
  await app.listen({ port: config.port, host: config.host });
  const log = app.getHttpAdapter().getInstance().log;
  log.info({ port: config.port, queueBackend: config.queueBackend, devMode: config.devMode }, 'tributary api listening');
  // SIGTERM/SIGINT: tell load balancers (GET /health/live answers 503) while still serving for
  // SHUTDOWN_DRAIN_DELAY_MS, then stop accepting, let in-flight requests finish, close the rest, exit.
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      const started = Date.now();
      app.get(ShutdownState).begin();
      log.info({ signal, drainDelayMs: config.shutdownDrainDelayMs }, 'shutting down: draining');
      setTimeout(() => {
        app.close().then(
          () => {
            log.info({ tookMs: Date.now() - started }, 'api stopped');
            process.exit(0);
          },
          (err: unknown) => {
            log.error({ err }, 'shutdown failed');
            process.exit(1);
          },
        );
      }, config.shutdownDrainDelayMs);
    });
  }
} catch (err) {
  if (err instanceof ConfigError) {
    console.error(`tributary api refused to start.\n${err.message}`);
  } else {
    console.error('tributary api failed to start:', err);
  }
  process.exit(1);
}
