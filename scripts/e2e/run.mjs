// `make test-e2e`: the dashboard in a real browser against the real api, worker and mock APIs.
// Builds the dashboard for this run's api URL, starts everything on test ports with a fresh
// database, runs scripts/e2e/dashboard.e2e.mjs, and stops it all.
import { spawnSync } from 'node:child_process';
import { ROOT } from '../lib/services.mjs';
import { ensureChromium, startStack } from './stack.mjs';

const API_PORT = 18181;
const WEB_PORT = 13131;
const MOCK_PORT = 14141;

ensureChromium('e2e');

let code = 1;
let stack;
try {
  stack = await startStack({ apiPort: API_PORT, webPort: WEB_PORT, mockPort: MOCK_PORT, tag: 'e2e', dbPrefix: 'tributary_e2e' });
  const r = spawnSync(process.execPath, ['scripts/e2e/dashboard.e2e.mjs'], {
    cwd: ROOT,
    stdio: 'inherit',
    env: { ...process.env, BASE_URL: stack.webUrl, API_URL: stack.apiUrl, MOCK_URL: stack.mockUrl },
  });
  code = r.status ?? 1;
} catch (err) {
  console.error(`[e2e] ${err.message}`);
} finally {
  await stack?.stop();
}
process.exit(code);
