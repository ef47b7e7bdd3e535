import { SsoRepository, ssoSecretAad } from '../../src/sso/sso.repository.js';
import { describeSealedTable } from '../helpers/sealed-table.js';

/**
 * SSO client secrets are sealed like credentials: `npm run rotate-key` re-seals them too. One row
 * per workspace, so a tenant's further rows go to workspaces named after it (`<tenant>:<n>`).
 */
describeSealedTable('SSO client secrets', {
  tableName: 'sso_configs',
  table: (db) => new SsoRepository(db),
  async insertSealed(db, box, tenantId, plaintext) {
    let owner = tenantId;
    if ((await db.query(`SELECT 1 FROM sso_configs WHERE tenant_id = $1`, [tenantId])).length) {
      [{ id: owner }] = await db.query(`INSERT INTO tenants (name) VALUES ($1 || ':' || gen_random_uuid()) RETURNING id`, [tenantId]);
    }
    const s = box.seal(plaintext, ssoSecretAad(owner));
    await db.query(
      `INSERT INTO sso_configs (tenant_id, issuer, client_id, key_id, iv, auth_tag, ciphertext, allowed_domains, enabled)
       VALUES ($1, 'https://idp.example.com', 'client', $2, $3, $4, $5, ARRAY['example.com'], false)`,
      [owner, s.keyId, s.iv, s.authTag, s.ciphertext],
    );
  },
  async readAll(db, box, tenantId) {
    const rows: { tenant_id: string; key_id: string; iv: Buffer; auth_tag: Buffer; ciphertext: Buffer }[] = await db.query(
      `SELECT c.* FROM sso_configs c JOIN tenants t ON t.id = c.tenant_id WHERE c.tenant_id = $1 OR t.name LIKE $1 || ':%'`,
      [tenantId],
    );
    return rows.map((r) => ({ keyId: r.key_id, plaintext: box.open({ keyId: r.key_id, iv: r.iv, authTag: r.auth_tag, ciphertext: r.ciphertext }, ssoSecretAad(r.tenant_id)) }));
  },
});
