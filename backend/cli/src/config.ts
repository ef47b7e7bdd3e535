/**
 * Where the api is and which key to use: `~/.config/tributary/config.json` (written by `login`, mode
 * 0600), overridden by TRIBUTARY_API_URL / TRIBUTARY_API_KEY and by `--api-url`.
 */
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { CliError } from './output.js';

export interface StoredConfig {
  apiUrl?: string;
  apiKey?: string;
}

export interface Connection {
  apiUrl: string;
  apiKey: string;
}

export const DEFAULT_API_URL = 'http://localhost:8080';

export function configPath(): string {
  const base = process.env.XDG_CONFIG_HOME || join(homedir(), '.config');
  return join(base, 'tributary', 'config.json');
}

export async function readConfig(): Promise<StoredConfig> {
  const path = configPath();
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw e;
  }
  try {
    const value = JSON.parse(text) as StoredConfig;
    return value && typeof value === 'object' ? value : {};
  } catch (e) {
    throw new CliError(`${path}: not valid JSON (${(e as Error).message}); run \`tributary login\` again`);
  }
}

/** Written to a temporary file first (mode 0600 from the start), then renamed over the old one. */
export async function writeConfig(config: StoredConfig): Promise<string> {
  const path = configPath();
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
  await chmod(tmp, 0o600);
  await rename(tmp, path);
  return path;
}

export function normaliseApiUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new CliError(`--api-url: not a URL: "${url}" (e.g. https://tributary.example.com)`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new CliError(`--api-url: use an http(s) URL, not "${url}"`);
  // The api's routes live under /api; accept the URL with or without it.
  return parsed.toString().replace(/\/+$/, '').replace(/\/api$/, '');
}

/** The api URL and key for a command: flag, then environment, then the saved config. */
export async function resolveConnection(opts: { apiUrl?: string }): Promise<Connection> {
  const saved = await readConfig();
  const apiUrl = opts.apiUrl ?? process.env.TRIBUTARY_API_URL ?? saved.apiUrl ?? DEFAULT_API_URL;
  const apiKey = process.env.TRIBUTARY_API_KEY || saved.apiKey;
  if (!apiKey) throw new CliError('not logged in: run `tributary login --api-url <url> --key <api key>` or set TRIBUTARY_API_KEY');
  return { apiUrl: normaliseApiUrl(apiUrl), apiKey };
}
