/**
 * Secret sealing with AES-256-GCM: a random 96-bit IV per value, the 128-bit auth tag, and the id of
 * the key that sealed it, so keys can rotate while old values stay readable.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

export interface SealedSecret {
  keyId: string;
  iv: Buffer;
  authTag: Buffer;
  ciphertext: Buffer;
}

export class SecretBox {
  constructor(
    private readonly keys: ReadonlyMap<string, Buffer>,
    readonly currentKeyId: string,
  ) {
    if (!keys.has(currentKeyId)) throw new Error(`encryption key "${currentKeyId}" is not configured`);
  }

  seal(plaintext: string, aad?: string): SealedSecret {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.keys.get(this.currentKeyId)!, iv);
    if (aad) cipher.setAAD(Buffer.from(aad));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return { keyId: this.currentKeyId, iv, authTag: cipher.getAuthTag(), ciphertext };
  }

  open(sealed: SealedSecret, aad?: string): string {
    const key = this.keys.get(sealed.keyId);
    if (!key) throw new Error(`encryption key "${sealed.keyId}" is not configured (add it to ENCRYPTION_PREVIOUS_KEYS)`);
    const decipher = createDecipheriv('aes-256-gcm', key, sealed.iv);
    if (aad) decipher.setAAD(Buffer.from(aad));
    decipher.setAuthTag(sealed.authTag);
    return Buffer.concat([decipher.update(sealed.ciphertext), decipher.final()]).toString('utf8');
  }
}

/** `••••abcd`: enough to recognise a secret, never enough to use it. */
export function maskSecret(value: unknown): string {
  const s = typeof value === 'string' ? value : JSON.stringify(value ?? '');
  return s.length >= 12 ? `••••${s.slice(-4)}` : '••••';
}
