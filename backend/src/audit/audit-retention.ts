/**
 * Retention of the audit log: entries older than AUDIT_RETENTION_DAYS (default 365; 0 keeps them
 * forever) are deleted every hour by each api process (@nestjs/schedule; workers do not run it), in
 * batches of 1,000 rows. A sweep still running when the next is due is not doubled.
 */
import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';
import { nonOverlapping } from '../common/non-overlapping.js';
import { CONFIG, type Config } from '../config/config.js';
import { AuditRepository } from './audit.repository.js';

const DAY_MS = 86_400_000;

@Injectable()
export class AuditRetention implements OnApplicationShutdown {
  private readonly logger = new Logger('Audit');

  constructor(
    private readonly repo: AuditRepository,
    @Inject(CONFIG) private readonly config: Config,
  ) {}

  @Interval(60 * 60_000)
  async sweep(): Promise<number> {
    return this.purge();
  }

  /** Deletes what is past retention now; answers how many entries went (0 while a sweep runs, or with retention off). */
  readonly purge = nonOverlapping(async () => {
    const days = this.config.auditRetentionDays;
    if (!days) return 0;
    try {
      const n = await this.repo.deleteOlderThan(new Date(Date.now() - days * DAY_MS));
      if (n) this.logger.log({ msg: 'deleted old audit entries', count: n, olderThanDays: days });
      return n;
    } catch (err) {
      this.logger.warn({ msg: 'audit retention sweep failed; it runs again within the hour', err: (err as Error).message });
      return 0;
    }
  }, 0);

  async onApplicationShutdown(): Promise<void> {
    await this.purge.idle();
  }
}
