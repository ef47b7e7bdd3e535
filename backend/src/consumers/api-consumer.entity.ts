import { Column, CreateDateColumn, Entity, PrimaryColumn, Unique } from 'typeorm';

/**
 * An API consumer: a Kong consumer of one tenant with one API key. Kong's OSS key-auth compares
 * keys itself, so its declarative config needs the plaintext: the key is sealed (AES-256-GCM) for
 * that, and hashed (SHA-256) so it can be looked up without opening every row.
 */
@Entity('api_consumers')
@Unique(['tenantId', 'username'])
export class ApiConsumer {
  @PrimaryColumn('uuid')
  id: string;

  @Column({ name: 'tenant_id', type: 'uuid' })
  tenantId: string;

  @Column({ type: 'text' })
  username: string;

  @Column({ type: 'text' })
  plan: string;

  @Column({ type: 'text', array: true, default: [] })
  groups: string[];

  /** Kong's keyauth_credential id: what Kong sends as X-Credential-Identifier; new on each rotation. */
  @Column({ name: 'key_credential_id', type: 'uuid' })
  keyCredentialId: string;

  @Column({ name: 'key_hash', type: 'bytea', unique: true })
  keyHash: Buffer;

  @Column({ name: 'key_hint', type: 'text' })
  keyHint: string;

  @Column({ name: 'key_ciphertext', type: 'bytea' })
  keyCiphertext: Buffer;

  @Column({ name: 'key_iv', type: 'bytea' })
  keyIv: Buffer;

  @Column({ name: 'key_auth_tag', type: 'bytea' })
  keyAuthTag: Buffer;

  @Column({ name: 'key_key_id', type: 'text' })
  keyKeyId: string;

  @Column({ name: 'created_by', type: 'uuid', nullable: true })
  createdBy: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'key_rotated_at', type: 'timestamptz' })
  keyRotatedAt: Date;
}

/** The GCM associated data of a consumer's sealed key: a sealed key copied to another row or tenant does not open. */
export function consumerKeyAad(c: Pick<ApiConsumer, 'id' | 'tenantId'>): string {
  return `api-consumer:${c.tenantId}:${c.id}`;
}
