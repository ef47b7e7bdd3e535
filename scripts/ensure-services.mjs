// `node scripts/ensure-services.mjs [--require-redis] [--write-env F]`: make sure PostgreSQL (and Redis)
// answer, starting local ones where installed; print the URLs as shell assignments for make.
import { writeFileSync } from 'node:fs';
import { ensurePostgres, ensureRedis } from './lib/services.mjs';

const requireRedis = process.argv.includes('--require-redis');
const envFileAt = process.argv.indexOf('--write-env');
try {
  const pgInfo = await ensurePostgres({ database: 'postgres' });
  const redis = await ensureRedis();
  console.log(`[services] PostgreSQL: ${pgInfo.how}`);
  console.log(`[services] Redis: ${redis.how}`);
  if (requireRedis && !redis.url) throw new Error('the API tests need Redis: install redis-server (apt-get install redis-server) or set REDIS_URL');
  const lines = [`TEST_DATABASE_URL=${pgInfo.url}`, ...(redis.url ? [`TEST_REDIS_URL=${redis.url}`] : [])];
  if (envFileAt > 0) writeFileSync(process.argv[envFileAt + 1], `${lines.join('\n')}\n`);
  // An embedded server must outlive this process for the tests: it is left running and reused next time.
  process.exit(0);
} catch (err) {
  console.error(`[services] ${err.message}`);
  process.exit(1);
}
