/** `npm run migrate -w backend`: apply pending migrations and exit. */
import { loadConfig } from './config/config.js';
import { runMigrations } from './database/data-source.js';

const applied = await runMigrations(loadConfig());
console.warn(applied.length ? `applied migrations: ${applied.join(', ')}` : 'database is up to date');
