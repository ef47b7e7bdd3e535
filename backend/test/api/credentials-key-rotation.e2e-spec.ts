import { randomUUID } from 'node:crypto';
import { Credential, credentialAad } from '../../src/credentials/credential.entity.js';
import { CredentialsRepository } from '../../src/credentials/credentials.repository.js';
import { describeSealedTable } from '../helpers/sealed-table.js';

describeSealedTable('credentials', {
  tableName: 'credentials',
  entities: [Credential],
  table: (db) => new CredentialsRepository(db.getRepository(Credential)),
  async insertSealed(db, box, tenantId, plaintext) {
    const id = randomUUID();
    const repo = db.getRepository(Credential);
    await repo.save(repo.create({ id, tenantId, connector: 'slack', name: id, hints: {}, ...box.seal(plaintext, credentialAad({ id, tenantId })) }));
  },
  async readAll(db, box, tenantId) {
    const rows = await db.getRepository(Credential).find({ where: { tenantId } });
    return rows.map((r) => ({ keyId: r.keyId, plaintext: box.open(r, credentialAad(r)) }));
  },
});
