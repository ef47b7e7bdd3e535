/**
 * Key rotation without downtime: deploy the new key as ENCRYPTION_KEY (new ENCRYPTION_KEY_ID) with the
 * old one in ENCRYPTION_PREVIOUS_KEYS, so every process reads both; then re-seal each credential under
 * the new key, one row per short transaction; then drop the old key. Both sealed things rotate:
 * connector credentials and API consumers' keys (Kong's key-auth needs them in plaintext).
 */
import type { DataSource } from 'typeorm';
import type { SecretBox } from '../common/crypto.js';
import { ApiConsumer, consumerKeyAad } from '../consumers/api-consumer.entity.js';
import { Credential } from './credential.entity.js';

/** The credential id is bound into the ciphertext (GCM associated data): a row copied elsewhere won't open. */
export function aad(c: Pick<Credential, 'id' | 'tenantId'>): string {
  return `${c.tenantId}:${c.id}`;
}

export async function rotateCredentialKeys(
  db: DataSource,
  box: SecretBox,
  onProgress?: (done: number, total: number) => void,
): Promise<{ rotated: number; total: number }> {
  const current = box.currentKeyId;
  const pending = await db.getRepository(Credential).createQueryBuilder('c').select(['c.id']).where('c.key_id <> :current', { current }).getMany();
  let rotated = 0;
  for (const { id } of pending) {
    await db.transaction(async (tx) => {
      const repo = tx.getRepository(Credential);
      // Locked and re-read: a concurrent writer or a second rotate run cannot double-seal it.
      const row = await repo.createQueryBuilder('c').setLock('pessimistic_write').where('c.id = :id', { id }).getOne();
      if (!row || row.keyId === current) return;
      const sealed = box.seal(box.open(row, aad(row)), aad(row));
      await repo.update({ id }, { keyId: sealed.keyId, iv: sealed.iv, authTag: sealed.authTag, ciphertext: sealed.ciphertext });
      rotated++;
    });
    onProgress?.(rotated, pending.length);
  }
  return { rotated, total: pending.length };
}

export async function rotateConsumerKeys(
  db: DataSource,
  box: SecretBox,
  onProgress?: (done: number, total: number) => void,
): Promise<{ rotated: number; total: number }> {
  const current = box.currentKeyId;
  const pending = await db.getRepository(ApiConsumer).createQueryBuilder('c').select(['c.id']).where('c.key_key_id <> :current', { current }).getMany();
  let rotated = 0;
  for (const { id } of pending) {
    await db.transaction(async (tx) => {
      const repo = tx.getRepository(ApiConsumer);
      const row = await repo.createQueryBuilder('c').setLock('pessimistic_write').where('c.id = :id', { id }).getOne();
      if (!row || row.keyKeyId === current) return;
      const plain = box.open({ keyId: row.keyKeyId, iv: row.keyIv, authTag: row.keyAuthTag, ciphertext: row.keyCiphertext }, consumerKeyAad(row));
      const sealed = box.seal(plain, consumerKeyAad(row));
      await repo.update({ id }, { keyKeyId: sealed.keyId, keyIv: sealed.iv, keyAuthTag: sealed.authTag, keyCiphertext: sealed.ciphertext });
      rotated++;
    });
    onProgress?.(rotated, pending.length);
  }
  return { rotated, total: pending.length };
}
