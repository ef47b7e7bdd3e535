/** Scrape-time reads for /metrics. Read-only: the executions module owns the table. */
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { sqlOf, type Sql } from '../database/sql.js';

@Injectable()
export class MetricsRepository {
  private readonly sql: Sql;

  constructor(@InjectDataSource() db: DataSource) {
    this.sql = sqlOf(db);
  }

  /** Executions per status, every tenant (retention keeps the table bounded). */
  async executionsByStatus(): Promise<Map<string, number>> {
    const rows = await this.sql<{ status: string; count: number }>(`SELECT status, count(*)::float8 AS count FROM executions GROUP BY status`);
    return new Map(rows.map((r) => [r.status, r.count]));
  }
}
