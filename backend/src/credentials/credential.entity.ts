import type { CredentialStatus } from '@tributary/contracts';
import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

export type CredentialKind = 'fields' | 'oauth2';

@Entity('credentials')
@Index(['tenantId', 'connector'])
export class Credential {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'tenant_id', type: 'uuid' })
  tenantId: string;

  @Column({ type: 'text' })
  connector: string;

  @Column({ type: 'text' })
  name: string;

  /** AES-256-GCM sealed JSON of the secret fields. */
  @Column({ type: 'bytea' })
  ciphertext: Buffer;

  @Column({ type: 'bytea' })
  iv: Buffer;

  @Column({ name: 'auth_tag', type: 'bytea' })
  authTag: Buffer;

  @Column({ name: 'key_id', type: 'text' })
  keyId: string;

  /** Masked hints per field (`••••abcd`), safe to list. */
  @Column({ type: 'jsonb', default: {} })
  hints: Record<string, string>;

  /** `fields` (the sealed value is what the user typed) or `oauth2` (it is the client configuration; tokens in credential_tokens). */
  @Column({ type: 'text', default: 'fields' })
  kind: CredentialKind;

  @Column({ type: 'text', default: 'untested' })
  status: CredentialStatus;

  @Column({ name: 'last_success_at', type: 'timestamptz', nullable: true })
  lastSuccessAt: Date | null;

  @Column({ name: 'last_error_at', type: 'timestamptz', nullable: true })
  lastErrorAt: Date | null;

  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError: string | null;

  @Column({ name: 'created_by', type: 'uuid', nullable: true })
  createdBy: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}

/** The credential id is bound into the ciphertext (GCM associated data): a row copied elsewhere won't open. */
export function credentialAad(c: Pick<Credential, 'id' | 'tenantId'>): string {
  return `${c.tenantId}:${c.id}`;
}
