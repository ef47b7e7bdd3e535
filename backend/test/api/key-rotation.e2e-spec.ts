import { DataSource } from 'typeorm';
import { SecretBox } from '../../src/common/crypto.js';
import { Credential } from '../../src/credentials/credential.entity.js';
import { ApiConsumer, consumerKeyAad } from '../../src/consumers/api-consumer.entity.js';
import { aad, rotateConsumerKeys, rotateCredentialKeys } from '../../src/credentials/key-rotation.js';
import { dataSourceOptions } from '../../src/database/data-source.js';
import { Tenant } from '../../src/tenants/tenant.entity.js';
import { createTestDatabase } from '../helpers/databases.js';

describe('credential key rotation', () => {
  const k1 = Buffer.alloc(32, 7);
  const k2 = Buffer.alloc(32, 9);
  let db: DataSource;
  let drop: () => Promise<void>;

  beforeAll(async () => {
    const created = await createTestDatabase();
    drop = created.drop;
    db = new DataSource({ ...dataSourceOptions({ databaseUrl: created.url, databasePoolSize: 4 }) });
    await db.initialize();
  });
  afterAll(async () => {
    await db?.destroy();
    await drop?.();
  });

  it('re-encrypts every credential under the new key while both keys stay readable', async () => {
    const tenant = await db.getRepository(Tenant).save({ name: 't' });
    const oldBox = new SecretBox(new Map([['v1', k1]]), 'v1');
    const repo = db.getRepository(Credential);
    for (let i = 0; i < 25; i++) {
      const id = crypto.randomUUID();
      const sealed = oldBox.seal(JSON.stringify({ token: `secret-${i}` }), aad({ id, tenantId: tenant.id }));
      await repo.save(repo.create({ id, tenantId: tenant.id, connector: 'slack', name: `c${i}`, hints: {}, ...sealed }));
    }
    const box = new SecretBox(new Map([['v2', k2], ['v1', k1]]), 'v2');
    const progress: number[] = [];
    const [result] = await Promise.all([
      rotateCredentialKeys(db, box, (done) => progress.push(done)),
      // A second rotation racing the first must not double-seal anything.
      rotateCredentialKeys(db, box),
    ]);
    expect(result.total).toBe(25);
    expect(progress[progress.length - 1]).toBe(result.rotated);

    const rows = await repo.find();
    expect(new Set(rows.map((r) => r.keyId))).toEqual(new Set(['v2']));
    const newOnly = new SecretBox(new Map([['v2', k2]]), 'v2');
    expect(rows.map((r) => JSON.parse(newOnly.open(r, aad(r))).token).sort()).toEqual(Array.from({ length: 25 }, (_, i) => `secret-${i}`).sort());
    expect(await rotateCredentialKeys(db, box)).toEqual({ rotated: 0, total: 0 });
  });

  it("re-encrypts API consumers' keys too", async () => {
    const tenant = await db.getRepository(Tenant).save({ name: 'consumers' });
    const oldBox = new SecretBox(new Map([['v1', k1]]), 'v1');
    const repo = db.getRepository(ApiConsumer);
    for (let i = 0; i < 5; i++) {
      const id = crypto.randomUUID();
      const s = oldBox.seal(`api-key-${i}`, consumerKeyAad({ id, tenantId: tenant.id }));
      await repo.insert({
        id,
        tenantId: tenant.id,
        username: `c${i}`,
        plan: 'free',
        groups: [],
        keyCredentialId: crypto.randomUUID(),
        keyHash: Buffer.alloc(32, i),
        keyHint: '••••',
        keyCiphertext: s.ciphertext,
        keyIv: s.iv,
        keyAuthTag: s.authTag,
        keyKeyId: s.keyId,
        createdBy: null,
      });
    }
    const box = new SecretBox(new Map([['v2', k2], ['v1', k1]]), 'v2');
    expect(await rotateConsumerKeys(db, box)).toEqual({ rotated: 5, total: 5 });
    const newOnly = new SecretBox(new Map([['v2', k2]]), 'v2');
    const keys = (await repo.find({ where: { tenantId: tenant.id } })).map((c) =>
      newOnly.open({ keyId: c.keyKeyId, iv: c.keyIv, authTag: c.keyAuthTag, ciphertext: c.keyCiphertext }, consumerKeyAad(c)),
    );
    expect(keys.sort()).toEqual(['api-key-0', 'api-key-1', 'api-key-2', 'api-key-3', 'api-key-4']);
  });
});
