/**
 * Key rotation without downtime: deploy the new key as ENCRYPTION_KEY (new ENCRYPTION_KEY_ID) with the
 * old one in ENCRYPTION_PREVIOUS_KEYS, so every process reads both; then re-seal each sealed value under
 * the new key, one row per short transaction; then drop the old key. Each table that keeps sealed
 * values (credentials, API consumers' keys) implements SealedTable in its own repository, in its own
 * SQL style, and has its own rotation spec; this loop is the same for all.
 */
import type { SealedSecret, SecretBox } from './crypto.js';

export type RotationProgress = (done: number, total: number) => void;

/** Opens a sealed value bound to `aad` and seals it again under the current key. */
export type Reseal = (sealed: SealedSecret, aad: string) => SealedSecret;

export interface SealedTable {
  /** What the operator reads in progress lines ("credentials"). */
  readonly sealedWhat: string;
  /** Ids of the rows whose value is sealed under another key than `currentKeyId`. */
  staleSealedIds(currentKeyId: string): Promise<string[]>;
  /**
   * Locks the row, re-reads it, and when it is still under another key writes `reseal(value, aad)`,
   * in one transaction: a concurrent writer or a second rotation cannot seal it twice. True when it
   * wrote.
   */
  resealRow(id: string, currentKeyId: string, reseal: Reseal): Promise<boolean>;
}

export interface RotationResult {
  rotated: number;
  total: number;
}

export async function rotateKeys(table: SealedTable, box: SecretBox, onProgress?: RotationProgress): Promise<RotationResult> {
  const current = box.currentKeyId;
  const reseal: Reseal = (sealed, aad) => box.seal(box.open(sealed, aad), aad);
  const pending = await table.staleSealedIds(current);
  let rotated = 0;
  for (const id of pending) {
    if (await table.resealRow(id, current, reseal)) rotated++;
    onProgress?.(rotated, pending.length);
  }
  return { rotated, total: pending.length };
}
