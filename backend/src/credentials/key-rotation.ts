/**
 * Key rotation without downtime: deploy the new key as ENCRYPTION_KEY (new ENCRYPTION_KEY_ID) with the
 * old one in ENCRYPTION_PREVIOUS_KEYS, so every process reads both; then re-seal each sealed value under
 * the new key, one row per short transaction; then drop the old key. Two things are sealed: connector
 * credentials and API consumers' keys (Kong's key-auth needs them in plaintext).
 */
import type { DataSource, EntityTarget, ObjectLiteral } from 'typeorm';
import type { SealedSecret, SecretBox } from '../common/crypto.js';
import { ApiConsumer, consumerKeyAad } from '../consumers/api-consumer.entity.js';
import { Credential } from './credential.entity.js';

/** The credential id is bound into the ciphertext (GCM associated data): a row copied elsewhere won't open. */
export function aad(c: Pick<Credential, 'id' | 'tenantId'>): string {
  return `${c.tenantId}:${c.id}`;
}

type Progress = (done: number, total: number) => void;

/** Where a table keeps its sealed value, and how to read and write it. */
interface SealedColumns<T extends ObjectLiteral & { id: string }> {
  entity: EntityTarget<T>;
  keyIdColumn: string;
  keyId(row: T): string;
  read(row: T): SealedSecret;
  write(sealed: SealedSecret): Partial<T>;
  aad(row: T): string;
}

async function rotate<T extends ObjectLiteral & { id: string }>(db: DataSource, box: SecretBox, table: SealedColumns<T>, onProgress?: Progress) {
  const current = box.currentKeyId;
  const pending = await db.getRepository(table.entity).createQueryBuilder('t').select(['t.id']).where(`t.${table.keyIdColumn} <> :current`, { current }).getMany();
  let rotated = 0;
  for (const { id } of pending) {
    await db.transaction(async (tx) => {
      const repo = tx.getRepository(table.entity);
      // Locked and re-read: a concurrent writer or a second rotate run cannot double-seal it.
      const row = await repo.createQueryBuilder('t').setLock('pessimistic_write').where('t.id = :id', { id }).getOne();
      if (!row || table.keyId(row) === current) return;
      const sealed = box.seal(box.open(table.read(row), table.aad(row)), table.aad(row));
      await repo.update({ id } as never, table.write(sealed) as never);
      rotated++;
    });
    onProgress?.(rotated, pending.length);
  }
  return { rotated, total: pending.length };
}

export function rotateCredentialKeys(db: DataSource, box: SecretBox, onProgress?: Progress): Promise<{ rotated: number; total: number }> {
  return rotate<Credential>(
    db,
    box,
    {
      entity: Credential,
      keyIdColumn: 'key_id',
      keyId: (r) => r.keyId,
      read: (r) => r,
      write: (s) => ({ keyId: s.keyId, iv: s.iv, authTag: s.authTag, ciphertext: s.ciphertext }),
      aad,
    },
    onProgress,
  );
}

export function rotateConsumerKeys(db: DataSource, box: SecretBox, onProgress?: Progress): Promise<{ rotated: number; total: number }> {
  return rotate<ApiConsumer>(
    db,
    box,
    {
      entity: ApiConsumer,
      keyIdColumn: 'key_key_id',
      keyId: (r) => r.keyKeyId,
      read: (r) => ({ keyId: r.keyKeyId, iv: r.keyIv, authTag: r.keyAuthTag, ciphertext: r.keyCiphertext }),
      write: (s) => ({ keyKeyId: s.keyId, keyIv: s.iv, keyAuthTag: s.authTag, keyCiphertext: s.ciphertext }),
      aad: consumerKeyAad,
    },
    onProgress,
  );
}
