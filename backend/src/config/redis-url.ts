/**
 * REDIS_URL's Sentinel form: the master of a Redis Sentinel deployment, found through its sentinels
 * and followed across failovers.
 *
 *   redis+sentinel://[[username]:password@]host[:port][,host[:port]…]/<master name>[?db=N&sentinelPassword=…&sentinelUsername=…]
 *
 * The credentials before `@` are the Redis servers' (percent-encoded); the sentinels' own, when they
 * require any, go in the query. A host without a port means 26379; an IPv6 host is written in brackets.
 */
export const SENTINEL_SCHEME = 'redis+sentinel://';

export interface SentinelTarget {
  sentinels: { host: string; port: number }[];
  /** The master's name in the sentinels' configuration (`sentinel monitor <name> …`). */
  name: string;
  db: number;
  username?: string;
  password?: string;
  sentinelUsername?: string;
  sentinelPassword?: string;
}

const DEFAULT_SENTINEL_PORT = 26379;

function decode(part: string, what: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    throw new Error(`${what} is not valid percent-encoding`);
  }
}

function parseHost(entry: string): { host: string; port: number } {
  const m = /^(?:\[([0-9A-Fa-f:.]+)\]|([^:[\]]+))(?::(\d{1,5}))?$/.exec(entry);
  if (!m) throw new Error(`"${entry}" is not host[:port]`);
  const port = m[3] === undefined ? DEFAULT_SENTINEL_PORT : Number(m[3]);
  if (port < 1 || port > 65535) throw new Error(`"${entry}" has no valid port`);
  return { host: m[1] ?? m[2], port };
}

/** Parses a `redis+sentinel://` URL; throws an Error saying what is wrong (without echoing credentials). */
export function parseSentinelUrl(url: string): SentinelTarget {
  if (!url.startsWith(SENTINEL_SCHEME)) throw new Error(`does not start with ${SENTINEL_SCHEME}`);
  const rest = url.slice(SENTINEL_SCHEME.length);
  const slash = rest.indexOf('/');
  if (slash < 0) throw new Error('names no master: redis+sentinel://host:26379,…/<master name>');
  const authority = rest.slice(0, slash);
  const [path, query = ''] = rest.slice(slash + 1).split(/\?(.*)/s, 2);

  const at = authority.lastIndexOf('@');
  const target: SentinelTarget = { sentinels: [], name: '', db: 0 };
  if (at >= 0) {
    const userinfo = authority.slice(0, at);
    const colon = userinfo.indexOf(':');
    const username = decode(colon < 0 ? userinfo : userinfo.slice(0, colon), 'the username');
    if (username) target.username = username;
    if (colon >= 0) target.password = decode(userinfo.slice(colon + 1), 'the password');
  }
  const hosts = authority.slice(at + 1);
  if (!hosts) throw new Error('lists no sentinel: redis+sentinel://host:26379,…/<master name>');
  target.sentinels = hosts.split(',').map((h) => parseHost(h.trim()));

  const name = decode(path, 'the master name');
  if (!name || name.includes('/')) throw new Error('names no master (one path segment): redis+sentinel://host:26379,…/<master name>');
  target.name = name;

  for (const [key, value] of new URLSearchParams(query)) {
    if (key === 'db') {
      if (!/^\d{1,5}$/.test(value)) throw new Error(`db=${value} is not a database number`);
      target.db = Number(value);
    } else if (key === 'sentinelPassword') target.sentinelPassword = value;
    else if (key === 'sentinelUsername') target.sentinelUsername = value;
    else if (key === 'role') {
      // Accepted for symmetry with other clients' URLs; the platform writes, so only the master will do.
      if (value !== 'master') throw new Error(`role=${value}: the platform writes to Redis, so only role=master`);
    } else throw new Error(`unknown parameter "${key}" (db, sentinelPassword, sentinelUsername, role=master)`);
  }
  return target;
}
