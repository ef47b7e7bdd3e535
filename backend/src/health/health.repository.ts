/**
 * PostgreSQL as /health sees it (the api's and each worker's): does it answer a trivial statement,
 * and has this pool found a transaction pooler behind DATABASE_URL. Touches no table.
 */
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { sqlOf, statementsOf, type Sql } from '../database/sql.js';

@Injectable()
export class HealthRepository {
  private readonly sql: Sql;

  constructor(@InjectDataSource() private readonly db: DataSource) {
    this.sql = sqlOf(db);
  }

  /** Resolves once PostgreSQL answered `SELECT 1`; rejects with the driver's error otherwise. */
  async ping(): Promise<void> {
    await this.sql('SELECT 1');
  }

  /** What to configure, once a named statement failed as only a transaction pooler makes it fail. */
  poolerDetected(): string | undefined {
    return statementsOf(this.db).poolerDetected;
  }
}
