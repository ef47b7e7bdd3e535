/** The only code that reads and writes variables and variable_values (raw SQL), key rotation's re-sealing included. */
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { Reseal, SealedTable } from '../common/key-rotation.js';
import { inTransaction, sqlOf, type Sql } from '../database/sql.js';
import { DEFAULT_VALUE_KEY, variableValueAad, type ListedValue, type RunValueRow, type StoredValue, type VariableRow } from './variable.row.js';

const COLUMNS = `id, tenant_id AS "tenantId", name, secret, description, created_by AS "createdBy", created_at AS "createdAt", updated_at AS "updatedAt"`;
const LISTED = `variable_id AS "variableId", environment, value, hint, updated_at AS "updatedAt"`;

export interface VariableChanges {
  description?: string;
  secret?: boolean;
  /** Values to write (insert or replace), per environment (DEFAULT_VALUE_KEY: the default). */
  upserts: StoredValue[];
  /** Environments whose value goes. */
  deletes: string[];
}

@Injectable()
export class VariablesRepository implements SealedTable {
  readonly sealedWhat = 'secret variables';
  private readonly sql: Sql;

  constructor(@InjectDataSource() private readonly db: DataSource) {
    this.sql = sqlOf(db);
  }

  /** Every variable of the tenant by name, with its values as listed. */
  async list(tenantId: string): Promise<{ variables: VariableRow[]; values: ListedValue[] }> {
    const variables = await this.sql<VariableRow>(`SELECT ${COLUMNS} FROM variables WHERE tenant_id = $1 ORDER BY name`, [tenantId]);
    if (!variables.length) return { variables, values: [] };
    const values = await this.sql<ListedValue>(`SELECT ${LISTED} FROM variable_values WHERE variable_id = ANY($1::uuid[]) ORDER BY environment`, [variables.map((v) => v.id)]);
    return { variables, values };
  }

  /** null when missing or another tenant's (`id` must be a uuid). */
  async find(tenantId: string, id: string): Promise<{ variable: VariableRow; values: ListedValue[] } | null> {
    const [variable] = await this.sql<VariableRow>(`SELECT ${COLUMNS} FROM variables WHERE tenant_id = $1 AND id = $2`, [tenantId, id]);
    if (!variable) return null;
    return { variable, values: await this.sql<ListedValue>(`SELECT ${LISTED} FROM variable_values WHERE variable_id = $1 ORDER BY environment`, [id]) };
  }

  /** The variable and its values in one transaction; null when the name is taken in the tenant (nothing stored). */
  insert(row: Omit<VariableRow, 'createdAt' | 'updatedAt'>, values: StoredValue[]): Promise<VariableRow | null> {
    return inTransaction(this.db, async (sql) => {
      const [saved] = await sql<VariableRow>(
        `INSERT INTO variables (id, tenant_id, name, secret, description, created_by) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (tenant_id, name) DO NOTHING RETURNING ${COLUMNS}`,
        [row.id, row.tenantId, row.name, row.secret, row.description, row.createdBy],
      );
      if (!saved) return null;
      await this.writeValues(sql, row.id, values);
      return saved;
    });
  }

  /**
   * Applies the changes under the variable's row lock. `seal` turns the plain values still stored into
   * sealed ones when the variable becomes secret (in the same transaction). False when it is gone.
   */
  update(tenantId: string, id: string, changes: VariableChanges, seal?: (environment: string, value: string) => StoredValue): Promise<boolean> {
    return inTransaction(this.db, async (sql) => {
      const [locked] = await sql<{ id: string }>(`SELECT id FROM variables WHERE tenant_id = $1 AND id = $2 FOR UPDATE`, [tenantId, id]);
      if (!locked) return false;
      await sql(
        `UPDATE variables SET description = COALESCE($2, description), secret = COALESCE($3, secret), updated_at = now() WHERE id = $1`,
        [id, changes.description ?? null, changes.secret ?? null],
      );
      if (changes.deletes.length) await sql(`DELETE FROM variable_values WHERE variable_id = $1 AND environment = ANY($2::text[])`, [id, changes.deletes]);
      await this.writeValues(sql, id, changes.upserts);
      if (seal) {
        const plain = await sql<{ environment: string; value: string }>(`SELECT environment, value FROM variable_values WHERE variable_id = $1 AND value IS NOT NULL`, [id]);
        await this.writeValues(sql, id, plain.map((p) => seal(p.environment, p.value)));
      }
      return true;
    });
  }

  private async writeValues(sql: Sql, variableId: string, values: StoredValue[]): Promise<void> {
    for (const v of values) {
      const sealed = 'ciphertext' in v ? v : null;
      await sql(
        `INSERT INTO variable_values (variable_id, environment, value, hint, key_id, iv, auth_tag, ciphertext) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (variable_id, environment) DO UPDATE SET value = EXCLUDED.value, hint = EXCLUDED.hint, key_id = EXCLUDED.key_id,
           iv = EXCLUDED.iv, auth_tag = EXCLUDED.auth_tag, ciphertext = EXCLUDED.ciphertext, updated_at = now()`,
        [variableId, v.environment, sealed ? null : (v as { value: string }).value, sealed?.hint ?? null, sealed?.keyId ?? null, sealed?.iv ?? null, sealed?.authTag ?? null, sealed?.ciphertext ?? null],
      );
    }
  }

  async remove(tenantId: string, id: string): Promise<VariableRow | null> {
    const [row] = await this.sql<VariableRow>(`DELETE FROM variables WHERE tenant_id = $1 AND id = $2 RETURNING ${COLUMNS}`, [tenantId, id]);
    return row ?? null;
  }

  /** The values a run in `environment` reads: each variable's own value there and its default (one indexed query). */
  forRun(tenantId: string, environment: string): Promise<RunValueRow[]> {
    return this.sql<RunValueRow>(
      `SELECT v.id AS "variableId", v.name, v.secret, vv.environment, vv.value, vv.key_id AS "keyId", vv.iv, vv.auth_tag AS "authTag", vv.ciphertext
       FROM variables v JOIN variable_values vv ON vv.variable_id = v.id
       WHERE v.tenant_id = $1 AND vv.environment IN ($2, '${DEFAULT_VALUE_KEY}')`,
      [tenantId, environment],
      { name: 'variables_for_run' },
    );
  }

  /** The names of the tenant's variables. */
  async names(tenantId: string): Promise<string[]> {
    return (await this.sql<{ name: string }>(`SELECT name FROM variables WHERE tenant_id = $1`, [tenantId])).map((r) => r.name);
  }

  /** The names of the tenant's variables that have a value in `environment` (their own or a default). */
  async namesWithValue(tenantId: string, environment: string): Promise<string[]> {
    const rows = await this.sql<{ name: string }>(
      `SELECT DISTINCT v.name FROM variables v JOIN variable_values vv ON vv.variable_id = v.id
       WHERE v.tenant_id = $1 AND vv.environment IN ($2, '${DEFAULT_VALUE_KEY}')`,
      [tenantId, environment],
    );
    return rows.map((r) => r.name);
  }

  /** The environments the tenant's values name, with how many values each. */
  environments(tenantId: string): Promise<{ name: string; count: number }[]> {
    return this.sql<{ name: string; count: number }>(
      `SELECT vv.environment AS name, count(*)::int AS count FROM variables v JOIN variable_values vv ON vv.variable_id = v.id
       WHERE v.tenant_id = $1 AND vv.environment <> '${DEFAULT_VALUE_KEY}' GROUP BY vv.environment`,
      [tenantId],
    );
  }

  // ---- key rotation (SealedTable): a row is `<variable id>/<environment>` ----

  async staleSealedIds(currentKeyId: string): Promise<string[]> {
    const rows = await this.sql<{ id: string }>(`SELECT variable_id || '/' || environment AS id FROM variable_values WHERE key_id IS NOT NULL AND key_id <> $1`, [currentKeyId]);
    return rows.map((r) => r.id);
  }

  resealRow(id: string, currentKeyId: string, reseal: Reseal): Promise<boolean> {
    const slash = id.indexOf('/');
    const variableId = id.slice(0, slash);
    const environment = id.slice(slash + 1);
    return inTransaction(this.db, async (sql) => {
      const [row] = await sql<{ tenantId: string; keyId: string | null; iv: Buffer; authTag: Buffer; ciphertext: Buffer }>(
        `SELECT v.tenant_id AS "tenantId", vv.key_id AS "keyId", vv.iv, vv.auth_tag AS "authTag", vv.ciphertext
         FROM variable_values vv JOIN variables v ON v.id = vv.variable_id WHERE vv.variable_id = $1 AND vv.environment = $2 FOR UPDATE OF vv`,
        [variableId, environment],
      );
      if (!row || row.keyId === null || row.keyId === currentKeyId) return false;
      const s = reseal({ keyId: row.keyId, iv: row.iv, authTag: row.authTag, ciphertext: row.ciphertext }, variableValueAad({ tenantId: row.tenantId, variableId, environment }));
      await sql(`UPDATE variable_values SET key_id = $3, iv = $4, auth_tag = $5, ciphertext = $6 WHERE variable_id = $1 AND environment = $2`, [variableId, environment, s.keyId, s.iv, s.authTag, s.ciphertext]);
      return true;
    });
  }
}
