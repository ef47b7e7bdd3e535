import type { ApiKeyKind, ApiKeyScope } from '@tributary/contracts';

/** A row of `api_keys` as the repository reads it (never the hash). */
export interface ApiKeyRow {
  id: string;
  tenantId: string;
  /** The owner of a personal key; null for a service key. */
  userId: string | null;
  createdBy: string | null;
  name: string;
  kind: ApiKeyKind;
  scope: ApiKeyScope;
  prefix: string;
  expiresAt: Date | null;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
  createdAt: Date;
}

export interface NewApiKeyRow extends Pick<ApiKeyRow, 'id' | 'tenantId' | 'userId' | 'createdBy' | 'name' | 'kind' | 'scope' | 'prefix' | 'expiresAt'> {
  keyHash: Buffer;
}
