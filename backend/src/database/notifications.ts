/**
 * PostgreSQL NOTIFY and LISTEN, the live-events path when there is no Redis. No table is read or
 * written here; it is the one place outside repositories that talks to PostgreSQL for it, so the
 * services that publish and listen (executions/execution-events.ts, realtime/platform-event-feed.ts)
 * hold no DataSource or pg client setup themselves.
 */
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import pg from 'pg';
import type { DataSource } from 'typeorm';
import { sessionDatabaseUrl, type Config } from '../config/config.js';
import { connectionOptions } from './connection-options.js';
import { sqlOf, type Sql } from './sql.js';

@Injectable()
export class Notifications {
  private readonly sql: Sql;

  constructor(@InjectDataSource() db: DataSource) {
    this.sql = sqlOf(db);
  }

  /** NOTIFY `channel` once per payload, in one statement (prepared once per pooled connection). */
  async notify(channel: string, payloads: string[]): Promise<void> {
    await this.sql(`SELECT pg_notify($1, p) FROM unnest($2::text[]) AS p`, [channel, payloads], { name: 'platform_events_notify' });
  }
}

/**
 * A connection of its own for LISTEN, not connected yet: LISTEN holds a session, so it goes to
 * DATABASE_DIRECT_URL behind a transaction pooler (loadConfig insists on it there).
 */
export function listenerClient(config: Config, applicationName: string): pg.Client {
  return new pg.Client({ connectionString: sessionDatabaseUrl(config), application_name: applicationName, ...connectionOptions(config) });
}

/** Connects `client` and LISTENs on `channel` (a plain identifier). */
export async function connectAndListen(client: pg.Client, channel: string): Promise<void> {
  await client.connect();
  await client.query(`LISTEN ${channel}`);
}
