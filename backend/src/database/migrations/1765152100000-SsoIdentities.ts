import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Single sign-on by the provider's subject, not by email alone: the first sign-in of a user through
 * an issuer links its `sub` to the account (matched by verified email then, or created just in time);
 * later sign-ins find the account by that link. An email that the provider hands to another subject
 * (a recycled or re-registered address) no longer signs in as the linked account.
 */
export class SsoIdentities1765152100000 implements MigrationInterface {
  name = 'SsoIdentities1765152100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE sso_identities (
        issuer text NOT NULL,
        subject text NOT NULL,
        tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (issuer, subject)
      )`);
    // One identity per user and issuer.
    await q.query(`CREATE UNIQUE INDEX sso_identities_user_issuer ON sso_identities (user_id, issuer)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE sso_identities`);
  }
}
