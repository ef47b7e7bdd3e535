/**
 * CredentialsService's own logic over an in-memory CredentialsRepository: fields validated against
 * the connector before anything is stored, stored sealed (bound to tenant and id) with masked hints
 * only, revealed for the engine, not-found for a missing, malformed or other tenant's id. The SQL
 * itself is covered by test/api/credentials.e2e-spec.ts on a real PostgreSQL.
 */
import { randomUUID } from 'node:crypto';
import type { AuditEntry, AuditService } from '../audit/audit.service.js';
import { SecretBox } from '../common/crypto.js';
import { NotFoundError, ValidationError, type FieldError } from '../common/errors.js';
import type { Page } from '../common/pagination.js';
import type { Credential } from './credential.entity.js';
import type { SealedTable } from '../common/key-rotation.js';
import type { CredentialFilter, CredentialsRepository, NewCredential } from './credentials.repository.js';
import { CredentialsService } from './credentials.service.js';

/** The same public methods as CredentialsRepository, over a Map. */
/** What the service uses of the repository (key rotation's SealedTable side is the rotation spec's). */
class FakeCredentialsRepository implements Omit<Pick<CredentialsRepository, keyof CredentialsRepository>, keyof SealedTable> {
  readonly rows = new Map<string, Credential>();
  private clock = Date.UTC(2026, 0, 1);

  async insert(row: NewCredential): Promise<Credential> {
    const at = new Date((this.clock += 1000));
    // The table's defaults.
    const stored: Credential = { kind: 'fields', status: 'untested', lastSuccessAt: null, lastErrorAt: null, lastError: null, ...row, createdAt: at, updatedAt: at };
    this.rows.set(row.id, stored);
    return { ...stored };
  }

  async list(tenantId: string, q: CredentialFilter): Promise<Page<Credential>> {
    const items = [...this.rows.values()]
      .filter((c) => c.tenantId === tenantId && (!q.connector || c.connector === q.connector))
      .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
    return { items: items.slice(0, q.limit).map((c) => ({ ...c })), nextCursor: null };
  }

  async findInTenant(tenantId: string, id: string): Promise<Credential | null> {
    const c = this.rows.get(id);
    return c && c.tenantId === tenantId ? { ...c } : null;
  }

  async delete(tenantId: string, id: string): Promise<void> {
    if (this.rows.get(id)?.tenantId === tenantId) this.rows.delete(id);
  }

  async connectorsOf(tenantId: string, ids: string[]): Promise<Map<string, string>> {
    return new Map(ids.flatMap((id) => {
      const c = this.rows.get(id);
      return c && c.tenantId === tenantId ? [[id, c.connector] as const] : [];
    }));
  }
}

const TENANT = randomUUID();
const OTHER_TENANT = randomUUID();
const USER = randomUUID();
const WEBHOOK_URL = 'https://hooks.slack.test/services/T000/B000/averysecrettoken42';

describe('CredentialsService (in-memory repository)', () => {
  let repo: FakeCredentialsRepository;
  let audited: AuditEntry[];
  let box: SecretBox;
  let service: CredentialsService;

  beforeEach(() => {
    repo = new FakeCredentialsRepository();
    audited = [];
    box = new SecretBox(new Map([['k1', Buffer.alloc(32, 7)]]), 'k1');
    const audit = { async record(e: AuditEntry) { audited.push(e); } } as unknown as AuditService;
    service = new CredentialsService(repo as unknown as CredentialsRepository, box, audit);
  });

  const createSlack = (tenantId = TENANT) => service.create(tenantId, USER, { connector: 'slack', name: 'Team channel', data: { webhookUrl: WEBHOOK_URL } });

  it('stores the fields sealed under the current key, bound to tenant and id, and answers masked hints only', async () => {
    const view = await createSlack();
    expect(view).toEqual({
      id: view.id,
      connector: 'slack',
      name: 'Team channel',
      hints: { webhookUrl: '••••en42' },
      kind: 'fields',
      status: 'untested',
      lastSuccessAt: null,
      lastErrorAt: null,
      lastError: null,
      createdAt: expect.any(Date),
      updatedAt: expect.any(Date),
    });
    const row = repo.rows.get(view.id)!;
    expect(row).toMatchObject({ tenantId: TENANT, createdBy: USER, keyId: 'k1' });
    expect(row.ciphertext.toString('latin1')).not.toContain('averysecrettoken42');
    expect(JSON.parse(box.open(row, `${TENANT}:${view.id}`))).toEqual({ webhookUrl: WEBHOOK_URL });
    // Copied to another tenant or id, the sealed value does not open.
    expect(() => box.open(row, `${OTHER_TENANT}:${view.id}`)).toThrow();
    expect(audited).toEqual([expect.objectContaining({ action: 'credential.create', targetId: view.id, details: { connector: 'slack', name: 'Team channel' } })]);
  });

  it('reveals the fields for the engine, to the owning tenant only', async () => {
    const { id } = await createSlack();
    expect(await service.reveal(TENANT, id)).toEqual({ connector: 'slack', data: { webhookUrl: WEBHOOK_URL } });
    await expect(service.reveal(OTHER_TENANT, id)).rejects.toThrow(new NotFoundError('Credential'));
  });

  it('refuses an unknown connector, one that needs no credential, and invalid fields, storing nothing', async () => {
    const errorOf = (connector: string, data: Record<string, unknown>) =>
      service.create(TENANT, USER, { connector, name: 'x', data }).then(
        () => { throw new Error('stored'); },
        (e: unknown) => e as ValidationError,
      );
    const unknown = await errorOf('nope', {});
    expect(unknown).toBeInstanceOf(ValidationError);
    expect(unknown.details as FieldError[]).toEqual([{ path: 'connector', message: 'Unknown connector "nope"' }]);
    expect((await errorOf('core', {})).details as FieldError[]).toEqual([{ path: 'connector', message: 'Connector "core" needs no credential' }]);
    const invalid = await errorOf('slack', { webhookUrl: 'not a url' });
    expect(invalid.message).toBe('Credential fields are invalid');
    expect((invalid.details as FieldError[]).map((d) => d.path)).toEqual(['data.webhookUrl']);
    expect(repo.rows.size).toBe(0);
    expect(audited).toEqual([]);
  });

  it('answers not found for a missing id, a malformed id and another tenant\'s credential', async () => {
    const { id } = await createSlack();
    for (const [tenant, missing] of [[TENANT, randomUUID()], [TENANT, 'not-a-uuid'], [OTHER_TENANT, id]]) {
      await expect(service.row(tenant, missing)).rejects.toThrow(new NotFoundError('Credential'));
      await expect(service.remove(tenant, USER, missing)).rejects.toBeInstanceOf(NotFoundError);
      await expect(service.reveal(tenant, missing)).rejects.toBeInstanceOf(NotFoundError);
    }
    expect(repo.rows.has(id)).toBe(true);
  });

  it('removes the tenant\'s credential and audits it', async () => {
    const { id } = await createSlack();
    await service.remove(TENANT, USER, id);
    expect(repo.rows.size).toBe(0);
    expect(audited.at(-1)).toMatchObject({ action: 'credential.delete', targetId: id, details: { connector: 'slack', name: 'Team channel' } });
  });

  it('lists and resolves connectors within the tenant only', async () => {
    const mine = await createSlack();
    const theirs = await createSlack(OTHER_TENANT);
    expect((await service.listRows(TENANT, { limit: 10 })).items.map((c) => c.id)).toEqual([mine.id]);
    expect((await service.listRows(TENANT, { limit: 10, connector: 'github' })).items).toEqual([]);
    expect(await service.connectorsOf(TENANT, [mine.id, theirs.id])).toEqual(new Map([[mine.id, 'slack']]));
  });
});
