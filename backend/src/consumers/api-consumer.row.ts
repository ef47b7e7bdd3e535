/**
 * An API consumer: a Kong consumer of one tenant with one API key. Kong's OSS key-auth compares
 * keys itself, so its declarative config needs the plaintext: the key is sealed (AES-256-GCM) for
 * that, and hashed (SHA-256) so it can be looked up without opening every row.
 */
export interface ApiConsumer {
  id: string;
  tenantId: string;
  username: string;
  plan: string;
  groups: string[];

  /** Kong's keyauth_credential id: what Kong sends as X-Credential-Identifier; new on each rotation. */
  keyCredentialId: string;
  keyHash: Buffer;
  keyHint: string;
  keyCiphertext: Buffer;
  keyIv: Buffer;
  keyAuthTag: Buffer;
  keyKeyId: string;
  createdBy: string | null;
  createdAt: Date;
  keyRotatedAt: Date;
}

/** The GCM associated data of a consumer's sealed key: a sealed key copied to another row or tenant does not open. */
export function consumerKeyAad(c: Pick<ApiConsumer, 'id' | 'tenantId'>): string {
  return `api-consumer:${c.tenantId}:${c.id}`;
}
