/** `tributary login`: checks an API key against the api (GET /api/auth/me) and saves it with the URL. */
import { createInterface } from 'node:readline/promises';
import { Api, ApiError } from '../api.js';
import { DEFAULT_API_URL, normaliseApiUrl, readConfig, writeConfig } from '../config.js';
import { CliError, err, out } from '../output.js';

async function readKey(): Promise<string> {
  if (process.stdin.isTTY) {
    const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
    try {
      return (await rl.question('API key (trb_…): ')).trim();
    } finally {
      rl.close();
    }
  }
  // Piped: `echo "$KEY" | tributary login --api-url …` keeps the key out of the process list.
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').split('\n')[0]!.trim();
}

export async function login(opts: { apiUrl?: string; key?: string }): Promise<void> {
  const saved = await readConfig();
  const apiUrl = normaliseApiUrl(opts.apiUrl ?? process.env.TRIBUTARY_API_URL ?? saved.apiUrl ?? DEFAULT_API_URL);
  const key = (opts.key ?? (await readKey())).trim();
  if (!key) throw new CliError('no API key given (--key, or on stdin)');
  const api = new Api({ apiUrl, apiKey: key });
  let who: string;
  try {
    who = await describe(api, key);
  } catch (e) {
    if (e instanceof ApiError && (e.status === 401 || e.status === 403)) throw new CliError(`the api at ${apiUrl} refused the key (${e.status} ${e.apiMessage}); nothing was saved`);
    throw e;
  }
  const path = await writeConfig({ ...saved, apiUrl, apiKey: key });
  out(`Logged in to ${apiUrl} ${who}.`);
  err(`Saved to ${path} (mode 0600).`);
}

/**
 * Who the key is, checked with a cheap authenticated call: an API key (`trb_…`) through
 * `GET /api/api-keys/current` (service keys have no user), a session token through `GET /api/auth/me`.
 */
async function describe(api: Api, key: string): Promise<string> {
  if (key.startsWith('trb_')) {
    const k = await api.currentKey();
    const user = k.kind === 'personal' ? await api.me().then((m) => m.user, () => null) : null;
    return `with the ${k.kind} key "${k.name}" (${k.prefix}…, scope ${k.scope}${k.expiresAt ? `, expires ${k.expiresAt}` : ''})${user ? ` of ${user.email}` : ''}`;
  }
  const me = await api.me();
  return `as ${me.user.name ? `${me.user.name} <${me.user.email}>` : me.user.email} (${me.user.role}, workspace ${me.user.tenantId}; a session token, which expires: prefer an API key)`;
}
