/**
 * Bearer secrets the platform hands out once (API consumer keys, invitation links): 256 random bits
 * behind a prefix that says what they are, stored only as their SHA-256.
 */
import { createHash, randomBytes } from 'node:crypto';

export function newSecretToken(prefix: string): string {
  return `${prefix}_${randomBytes(32).toString('base64url')}`;
}

export function hashSecretToken(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}
