/**
 * Connection health from real use: a step that used a credential and succeeded marks it `ok` (its
 * last success), one that failed on the credential itself (the provider refused it: 401 or 403,
 * after a refresh for OAuth2) marks it `error` with the message, so a broken connection shows on the
 * Connections page and in the workflows using it without anyone testing it.
 *
 * Successes are the hot path: they are gathered in memory and written in one statement at most
 * every few seconds, and a credential already known healthy is written at most once a minute.
 */
import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { PlatformEvents } from '../live/platform-events.js';
import { sqlOf, type Sql } from '../database/sql.js';

const FLUSH_MS = 2_000;
const HEALTHY_REWRITE_MS = 60_000;
/** What a failed step's error says when the provider refused the credential (callProvider's wording, see provider-call.ts). */
const CREDENTIAL_REFUSED = /\b(rejected the credentials|refused access with these credentials)\b|\((401|403)\b|needs to be reconnected|is not connected yet/;

@Injectable()
export class CredentialHealth implements OnApplicationShutdown {
  private readonly logger = new Logger('CredentialHealth');
  private readonly sql: Sql;
  private readonly pending = new Set<string>();
  private readonly writtenAt = new Map<string, number>();
  private timer?: NodeJS.Timeout;

  constructor(
    @InjectDataSource() db: DataSource,
    private readonly events: PlatformEvents,
  ) {
    this.sql = sqlOf(db);
  }

  /** A step's outcome with this credential. */
  record(credentialId: string, ok: boolean, error: string | undefined): void {
    if (ok) {
      const last = this.writtenAt.get(credentialId);
      if (last !== undefined && Date.now() - last < HEALTHY_REWRITE_MS) return;
      this.pending.add(credentialId);
      this.timer ??= setTimeout(() => void this.flush(), FLUSH_MS).unref();
      return;
    }
    if (!error || !CREDENTIAL_REFUSED.test(error)) return;
    this.writtenAt.delete(credentialId);
    void this.failed(credentialId, error);
  }

  async flush(): Promise<void> {
    this.timer = undefined;
    const ids = [...this.pending];
    this.pending.clear();
    if (!ids.length) return;
    const now = Date.now();
    for (const id of ids) this.writtenAt.set(id, now);
    try {
      const rows = await this.sql<{ id: string; tenantId: string; connector: string; name: string; changed: boolean }>(
        `WITH was AS (SELECT id, status FROM credentials WHERE id = ANY($1::uuid[]) FOR UPDATE)
         UPDATE credentials c SET last_success_at = now(), status = CASE WHEN c.status IN ('untested', 'error') THEN 'ok' ELSE c.status END
         FROM was WHERE c.id = was.id AND c.status NOT IN ('needs_connect', 'needs_reconnect')
         RETURNING c.id, c.tenant_id AS "tenantId", c.connector, c.name, was.status <> c.status AS changed`,
        [ids],
      );
      for (const c of rows) {
        if (c.changed) this.events.publish(c.tenantId, 'credential.status', { credentialId: c.id, connector: c.connector, name: c.name, status: 'ok', error: null });
      }
    } catch (err) {
      for (const id of ids) this.writtenAt.delete(id);
      this.logger.warn({ msg: 'could not record connection successes', error: (err as Error).message });
    }
  }

  private async failed(credentialId: string, error: string): Promise<void> {
    try {
      const [row] = await this.sql<{ tenantId: string; connector: string; name: string; changed: boolean }>(
        `WITH was AS (SELECT id, status FROM credentials WHERE id = $1 FOR UPDATE)
         UPDATE credentials c SET status = CASE WHEN c.status IN ('needs_connect', 'needs_reconnect') THEN c.status ELSE 'error' END,
           last_error_at = now(), last_error = $2
         FROM was WHERE c.id = was.id
         RETURNING c.tenant_id AS "tenantId", c.connector, c.name, was.status <> c.status AS changed`,
        [credentialId, error.slice(0, 1000)],
      );
      if (row?.changed) this.events.publish(row.tenantId, 'credential.status', { credentialId, connector: row.connector, name: row.name, status: 'error', error });
    } catch (err) {
      this.logger.warn({ msg: 'could not record a connection failure', error: (err as Error).message });
    }
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    await this.flush();
  }
}
