import { randomUUID } from 'node:crypto';
import { TokensRepository, tokensAad } from '../../src/credentials/oauth2/tokens.repository.js';
import { describeSealedTable } from '../helpers/sealed-table.js';

/** OAuth2 token sets are sealed like credentials: `npm run rotate-key` re-seals them too. */
describeSealedTable('OAuth2 tokens', {
  tableName: 'credential_tokens',
  table: (db) => new TokensRepository(db),
  async insertSealed(db, box, tenantId, plaintext) {
    const id = randomUUID();
    const sealed = box.seal('{}', `${tenantId}:${id}`);
    await db.query(`INSERT INTO credentials (id, tenant_id, connector, name, hints, key_id, iv, auth_tag, ciphertext, kind) VALUES ($1, $2, 'http', $7, '{}', $3, $4, $5, $6, 'oauth2')`, [
      id,
      tenantId,
      sealed.keyId,
      sealed.iv,
      sealed.authTag,
      sealed.ciphertext,
      `connection ${id}`,
    ]);
    const t = box.seal(plaintext, tokensAad(tenantId, id));
    await db.query(`INSERT INTO credential_tokens (credential_id, tenant_id, key_id, iv, auth_tag, ciphertext) VALUES ($1, $2, $3, $4, $5, $6)`, [id, tenantId, t.keyId, t.iv, t.authTag, t.ciphertext]);
  },
  async readAll(db, box, tenantId) {
    const rows: { credential_id: string; key_id: string; iv: Buffer; auth_tag: Buffer; ciphertext: Buffer }[] = await db.query(`SELECT * FROM credential_tokens WHERE tenant_id = $1`, [tenantId]);
    return rows.map((r) => ({ keyId: r.key_id, plaintext: box.open({ keyId: r.key_id, iv: r.iv, authTag: r.auth_tag, ciphertext: r.ciphertext }, tokensAad(tenantId, r.credential_id)) }));
  },
});
