import { randomUUID } from 'node:crypto';
import { consumerKeyAad, type ApiConsumer } from '../../src/consumers/api-consumer.row.js';
import { ConsumersRepository } from '../../src/consumers/consumers.repository.js';
import { describeSealedTable } from '../helpers/sealed-table.js';

describeSealedTable("API consumers' keys", {
  tableName: 'api_consumers',
  table: (db) => new ConsumersRepository(db),
  async insertSealed(db, box, tenantId, plaintext) {
    const id = randomUUID();
    const repo = new ConsumersRepository(db);
    const s = box.seal(plaintext, consumerKeyAad({ id, tenantId }));
    const row: Omit<ApiConsumer, 'createdAt' | 'keyRotatedAt'> = {
      id,
      tenantId,
      username: `c-${id}`,
      plan: 'free',
      groups: [],
      keyCredentialId: randomUUID(),
      keyHash: Buffer.from(randomUUID()),
      keyHint: '••••',
      keyCiphertext: s.ciphertext,
      keyIv: s.iv,
      keyAuthTag: s.authTag,
      keyKeyId: s.keyId,
      createdBy: null,
    };
    expect(await repo.insert(row)).not.toBeNull();
  },
  async readAll(db, box, tenantId) {
    const rows: ApiConsumer[] = await db.query(
      `SELECT id, tenant_id AS "tenantId", key_key_id AS "keyKeyId", key_iv AS "keyIv", key_auth_tag AS "keyAuthTag", key_ciphertext AS "keyCiphertext" FROM api_consumers WHERE tenant_id = $1`,
      [tenantId],
    );
    return rows.map((c) => ({ keyId: c.keyKeyId, plaintext: box.open({ keyId: c.keyKeyId, iv: c.keyIv, authTag: c.keyAuthTag, ciphertext: c.keyCiphertext }, consumerKeyAad(c)) }));
  },
});
