import { randomUUID } from 'node:crypto';
import { maskSecret } from '../../src/common/crypto.js';
import { variableValueAad } from '../../src/variables/variable.row.js';
import { VariablesRepository } from '../../src/variables/variables.repository.js';
import { describeSealedTable } from '../helpers/sealed-table.js';

describeSealedTable('secret variables', {
  tableName: 'variables',
  table: (db) => new VariablesRepository(db),
  async insertSealed(db, box, tenantId, plaintext) {
    const id = randomUUID();
    const environment = 'production';
    const s = box.seal(plaintext, variableValueAad({ tenantId, variableId: id, environment }));
    const saved = await new VariablesRepository(db).insert(
      { id, tenantId, name: `V_${id.replace(/-/g, '_')}`, secret: true, description: '', createdBy: null },
      [{ environment, hint: maskSecret(plaintext), keyId: s.keyId, iv: s.iv, authTag: s.authTag, ciphertext: s.ciphertext }],
    );
    expect(saved).not.toBeNull();
  },
  async readAll(db, box, tenantId) {
    const rows: { variableId: string; environment: string; keyId: string; iv: Buffer; authTag: Buffer; ciphertext: Buffer }[] = await db.query(
      `SELECT vv.variable_id AS "variableId", vv.environment, vv.key_id AS "keyId", vv.iv, vv.auth_tag AS "authTag", vv.ciphertext
       FROM variable_values vv JOIN variables v ON v.id = vv.variable_id WHERE v.tenant_id = $1`,
      [tenantId],
    );
    return rows.map((r) => ({ keyId: r.keyId, plaintext: box.open({ keyId: r.keyId, iv: r.iv, authTag: r.authTag, ciphertext: r.ciphertext }, variableValueAad({ tenantId, variableId: r.variableId, environment: r.environment })) }));
  },
});
