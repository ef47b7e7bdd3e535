import type { Config } from '../config/config.js';

/** TCP keepalive after this much idle time, so a connection to a vanished server errors instead of waiting for the OS (hours). */
const KEEPALIVE_IDLE_MS = 10_000;

/**
 * pg options every connection of ours shares (TypeORM's pool, migrations, LISTEN, BullMQ's
 * PostgreSQL backend): opening one gives up after DATABASE_CONNECT_TIMEOUT_MS, and TCP keepalive
 * notices a peer that vanished without closing the connection.
 */
export function connectionOptions(config: Partial<Pick<Config, 'databaseConnectTimeoutMs'>>) {
  return { connectionTimeoutMillis: config.databaseConnectTimeoutMs ?? 5_000, keepAlive: true, keepAliveInitialDelayMillis: KEEPALIVE_IDLE_MS };
}
