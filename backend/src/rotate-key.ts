/**
 * `npm run rotate-key -w backend`: re-seal every sealed value (credentials, OAuth2 tokens, API consumers' keys, SSO client secrets, secret variables) under
 * the current ENCRYPTION_KEY, table by table (common/key-rotation.ts; each table's repository is its SealedTable).
 * `npm run rotate-key -w backend -- --generate`: print a fresh key and the rotation steps.
 */
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { SecretBox } from './common/crypto.js';
import { rotateKeys, type SealedTable } from './common/key-rotation.js';
import { ConfigError, loadConfig } from './config/config.js';
import { ConsumersRepository } from './consumers/consumers.repository.js';
import { Credential } from './credentials/credential.entity.js';
import { CredentialsRepository } from './credentials/credentials.repository.js';
import { TokensRepository } from './credentials/oauth2/tokens.repository.js';
import { dataSourceOptions } from './database/data-source.js';
import { VariablesRepository } from './variables/variables.repository.js';
import { SsoRepository } from './sso/sso.repository.js';

if (process.argv.includes('--generate')) {
  const key = randomBytes(32).toString('base64');
  console.warn(`New key: ${key}

To rotate without downtime:
  1. Give every api and worker process
       ENCRYPTION_KEY=${key}
       ENCRYPTION_KEY_ID=<a new id, e.g. v2>
       ENCRYPTION_PREVIOUS_KEYS=<old id>:<old key>
     and restart them one by one (they read old and new keys alike).
  2. Run: npm run rotate-key -w backend
  3. Remove ENCRYPTION_PREVIOUS_KEYS.`);
  process.exit(0);
}

try {
  const config = loadConfig();
  const options = dataSourceOptions(config, [Credential]);
  const db = new DataSource({ ...options, extra: { ...options.extra, max: 2 } });
  await db.initialize();
  const box = new SecretBox(config.encryption.keys, config.encryption.currentKeyId);
  const tables: SealedTable[] = [new CredentialsRepository(db.getRepository(Credential)), new ConsumersRepository(db), new TokensRepository(db), new SsoRepository(db), new VariablesRepository(db)];
  for (const table of tables) {
    const what = table.sealedWhat;
    const { rotated, total } = await rotateKeys(table, box, (done, all) => {
      if (done % 100 === 0 || done === all) console.warn(`${what}: re-encrypted ${done}/${all}`);
    });
    console.warn(total ? `${what}: ${rotated} of ${total} now under key "${config.encryption.currentKeyId}"` : `${what}: all under key "${config.encryption.currentKeyId}" already`);
  }
  await db.destroy();
} catch (err) {
  console.error(err instanceof ConfigError ? err.message : err);
  process.exit(1);
}
