/**
 * The key-rotation contract every table with sealed values meets (common/key-rotation.ts): each such
 * table's spec calls describeSealedTable with how to build its repository, how to write a row sealed
 * under the old key, and how to read its values back.
 */
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { SecretBox } from '../../src/common/crypto.js';
import { rotateKeys, type SealedTable } from '../../src/common/key-rotation.js';
import { dataSourceOptions } from '../../src/database/data-source.js';
import { createTestDatabase } from './databases.js';

export interface SealedTableFixture {
  /** The table, for cleaning up a row the test left unreadable on purpose. */
  tableName: string;
  /** TypeORM entities the repository needs on its data source. */
  entities?: NonNullable<ConstructorParameters<typeof DataSource>[0]['entities']>;
  table(db: DataSource): SealedTable;
  /** Writes one row of `tenantId` holding `plaintext`, sealed by `box`. */
  insertSealed(db: DataSource, box: SecretBox, tenantId: string, plaintext: string): Promise<void>;
  /** The tenant's rows: each one's key id and its value opened with `box`. */
  readAll(db: DataSource, box: SecretBox, tenantId: string): Promise<{ keyId: string; plaintext: string }[]>;
}

export function describeSealedTable(name: string, fixture: SealedTableFixture): void {
  describe(`key rotation: ${name}`, () => {
    const k1 = Buffer.alloc(32, 7);
    const k2 = Buffer.alloc(32, 9);
    const oldBox = new SecretBox(new Map([['v1', k1]]), 'v1');
    const box = new SecretBox(new Map([['v2', k2], ['v1', k1]]), 'v2');
    const newOnly = new SecretBox(new Map([['v2', k2]]), 'v2');
    let db: DataSource;
    let table: SealedTable;
    let drop: () => Promise<void>;

    beforeAll(async () => {
      const created = await createTestDatabase();
      drop = created.drop;
      db = new DataSource(dataSourceOptions({ databaseUrl: created.url, databasePoolSize: 4 }, fixture.entities ?? []));
      await db.initialize();
      table = fixture.table(db);
    });
    afterAll(async () => {
      await db?.destroy();
      await drop?.();
    });

    async function tenantWith(count: number): Promise<{ tenantId: string; plaintexts: string[] }> {
      const [{ id: tenantId }] = await db.query(`INSERT INTO tenants (name) VALUES ($1) RETURNING id`, [`rotation-${randomUUID()}`]);
      const plaintexts = Array.from({ length: count }, (_, i) => `secret-${i}-${randomUUID()}`);
      for (const p of plaintexts) await fixture.insertSealed(db, oldBox, tenantId, p);
      return { tenantId, plaintexts };
    }

    it('re-seals every row under the new key, with progress, and the values open with the new key alone', async () => {
      const { tenantId, plaintexts } = await tenantWith(25);
      const progress: number[] = [];
      const result = await rotateKeys(table, box, (done) => progress.push(done));
      expect(result).toEqual({ rotated: 25, total: 25 });
      expect(progress).toHaveLength(25);
      expect(progress[progress.length - 1]).toBe(25);
      const rows = await fixture.readAll(db, newOnly, tenantId);
      expect(new Set(rows.map((r) => r.keyId))).toEqual(new Set(['v2']));
      expect(rows.map((r) => r.plaintext).sort()).toEqual([...plaintexts].sort());
      expect(await rotateKeys(table, box)).toEqual({ rotated: 0, total: 0 });
    });

    it('two rotations racing seal each row once (the row lock), and both keys read meanwhile', async () => {
      const { tenantId, plaintexts } = await tenantWith(20);
      expect((await fixture.readAll(db, box, tenantId)).map((r) => r.plaintext).sort()).toEqual([...plaintexts].sort());
      const [a, b] = await Promise.all([rotateKeys(table, box), rotateKeys(table, box)]);
      // Each saw the rows still stale when it listed them; between them every row was re-sealed exactly once.
      expect(Math.max(a.total, b.total)).toBe(20);
      expect(a.rotated + b.rotated).toBe(20);
      const rows = await fixture.readAll(db, newOnly, tenantId);
      expect(rows.map((r) => r.plaintext).sort()).toEqual([...plaintexts].sort());
    });

    it('a row sealed under a key the box does not hold fails the rotation loudly and is left as it was', async () => {
      const stranger = new SecretBox(new Map([['v0', Buffer.alloc(32, 1)]]), 'v0');
      const [{ id: tenantId }] = await db.query(`INSERT INTO tenants (name) VALUES ($1) RETURNING id`, [`rotation-${randomUUID()}`]);
      await fixture.insertSealed(db, stranger, tenantId, 'unreadable');
      await expect(rotateKeys(table, box)).rejects.toThrow();
      const [row] = await fixture.readAll(db, stranger, tenantId);
      expect(row).toEqual({ keyId: 'v0', plaintext: 'unreadable' });
      await db.query(`DELETE FROM ${fixture.tableName} WHERE tenant_id = $1`, [tenantId]);
    });
  });
}
