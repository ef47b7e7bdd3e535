/** The api process: HTTP, webhooks ingress, schedules, WebSocket. */
import 'reflect-metadata';
import { createApp } from './app.js';
import { ConfigError, loadConfig } from './config/config.js';
import { runMigrations } from './database/data-source.js';

try {
  const config = loadConfig();
  await runMigrations(config);
  const app = await createApp(config);
  await app.listen({ port: config.port, host: config.host });
  app.getHttpAdapter().getInstance().log.info({ port: config.port, queueBackend: config.queueBackend, devMode: config.devMode }, 'tributary api listening');
} catch (err) {
  if (err instanceof ConfigError) {
    console.error(`tributary api refused to start.\n${err.message}`);
  } else {
    console.error('tributary api failed to start:', err);
  }
  process.exit(1);
}
