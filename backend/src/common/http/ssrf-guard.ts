/**
 * SSRF guard: which addresses an outbound request may reach when private targets are disabled.
 * The check runs on the addresses DNS returned and the socket connects to exactly those addresses
 * (see `guardedLookup`), so a hostname cannot pass the check and then rebind to an internal one.
 */
import dns from 'node:dns';
import net from 'node:net';

type Range4 = [base: number, prefix: number, label: string];

const V4_BLOCKED: Range4[] = [
  [ip4('0.0.0.0'), 8, 'unspecified'],
  [ip4('10.0.0.0'), 8, 'private'],
  [ip4('100.64.0.0'), 10, 'carrier-grade NAT'],
  [ip4('127.0.0.0'), 8, 'loopback'],
  [ip4('169.254.0.0'), 16, 'link-local / cloud metadata'],
  [ip4('172.16.0.0'), 12, 'private'],
  [ip4('192.0.0.0'), 24, 'IETF protocol assignment'],
  [ip4('192.0.2.0'), 24, 'documentation'],
  [ip4('192.168.0.0'), 16, 'private'],
  [ip4('198.18.0.0'), 15, 'benchmarking'],
  [ip4('198.51.100.0'), 24, 'documentation'],
  [ip4('203.0.113.0'), 24, 'documentation'],
  [ip4('224.0.0.0'), 4, 'multicast'],
  [ip4('240.0.0.0'), 4, 'reserved / broadcast'],
];

function ip4(text: string): number {
  return text.split('.').reduce((acc, part) => acc * 256 + Number(part), 0);
}

function inRange4(addr: number, base: number, prefix: number): boolean {
  const size = 2 ** (32 - prefix);
  return Math.floor(addr / size) === Math.floor(base / size);
}

/** Parses an IPv6 address (with optional trailing dotted quad) into eight 16-bit groups. */
function parseIp6(text: string): number[] | null {
  let s = text.toLowerCase();
  const zone = s.indexOf('%');
  if (zone >= 0) s = s.slice(0, zone);
  let tail: number[] = [];
  const lastColon = s.lastIndexOf(':');
  if (s.slice(lastColon + 1).includes('.')) {
    const v4 = s.slice(lastColon + 1);
    if (!net.isIPv4(v4)) return null;
    const n = ip4(v4);
    tail = [Math.floor(n / 65536), n % 65536];
    const prefix = s.slice(0, lastColon + 1);
    s = prefix.endsWith('::') ? prefix : prefix.slice(0, -1);
  }
  if (s.split('::').length > 2) return null;
  const [head, rest] = s.split('::');
  const parse = (part: string) => (part ? part.split(':').map((g) => parseInt(g, 16)) : []);
  const left = parse(head);
  const right = rest === undefined ? [] : parse(rest);
  const missing = 8 - tail.length - left.length - right.length;
  if (rest === undefined ? missing !== 0 : missing < 0) return null;
  const groups = [...left, ...Array<number>(Math.max(missing, 0)).fill(0), ...right, ...tail];
  if (groups.length !== 8 || groups.some((g) => Number.isNaN(g) || g < 0 || g > 0xffff)) return null;
  return groups;
}

function classifyIp4(addr: string): string | null {
  const n = ip4(addr);
  for (const [base, prefix, label] of V4_BLOCKED) if (inRange4(n, base, prefix)) return label;
  return null;
}

function classifyIp6(addr: string): string | null {
  const g = parseIp6(addr);
  if (!g) return 'unparseable';
  const embedded = (hi: number, lo: number) => `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
  // ::ffff:a.b.c.d (IPv4-mapped) and ::a.b.c.d (IPv4-compatible, deprecated) reach the IPv4 host.
  if (g.slice(0, 5).every((x) => x === 0) && (g[5] === 0xffff || g[5] === 0)) {
    if (g[5] === 0 && g[6] === 0) return g[7] === 1 ? 'loopback' : 'unspecified';
    const v4 = classifyIp4(embedded(g[6], g[7]));
    return v4 ? `IPv4-mapped ${v4}` : g[5] === 0 ? 'IPv4-compatible' : null;
  }
  // NAT64 (64:ff9b::/96) and 6to4 (2002::/16) embed an IPv4 address a gateway will reach.
  if (g[0] === 0x64 && g[1] === 0xff9b && g.slice(2, 6).every((x) => x === 0)) {
    const v4 = classifyIp4(embedded(g[6], g[7]));
    return v4 ? `NAT64 ${v4}` : null;
  }
  if (g[0] === 0x2002) {
    const v4 = classifyIp4(embedded(g[1], g[2]));
    return v4 ? `6to4 ${v4}` : null;
  }
  if ((g[0] & 0xffc0) === 0xfe80) return 'link-local';
  if ((g[0] & 0xffc0) === 0xfec0) return 'site-local';
  if ((g[0] & 0xfe00) === 0xfc00) return 'unique-local / cloud metadata';
  if ((g[0] & 0xff00) === 0xff00) return 'multicast';
  if (g[0] === 0x2001 && g[1] === 0x0db8) return 'documentation';
  if (g[0] === 0x0100 && g.slice(1, 4).every((x) => x === 0)) return 'discard-only';
  return null;
}

/** Why an address is refused (e.g. "loopback"), or null when it is a public address. */
export function blockedAddressReason(address: string): string | null {
  const bare = address.startsWith('[') && address.endsWith(']') ? address.slice(1, -1) : address;
  if (net.isIPv4(bare)) return classifyIp4(bare);
  if (net.isIPv6(bare)) return classifyIp6(bare);
  return 'not an IP address';
}

export class SsrfBlockedError extends Error {
  readonly code = 'SSRF_BLOCKED';
  constructor(
    readonly host: string,
    readonly address: string,
    readonly reason: string,
  ) {
    const via = host === address ? address : `${host} (${address})`;
    super(`Refusing to connect to ${via}: ${reason} address; private network targets are disabled (ALLOW_PRIVATE_TARGETS)`);
    this.name = 'SsrfBlockedError';
  }
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | dns.LookupAddress[], family?: number) => void;

/**
 * A `lookup` for net/tls.connect: resolves every address, refuses the connection if any is not
 * public, and hands the socket only the addresses it checked.
 */
export function guardedLookup(hostname: string, options: dns.LookupOptions, callback: LookupCallback): void {
  dns.lookup(hostname, { ...options, all: true }, (err, addresses) => {
    if (err) return callback(err, []);
    for (const { address } of addresses) {
      const reason = blockedAddressReason(address);
      if (reason) return callback(new SsrfBlockedError(hostname, address, reason) as NodeJS.ErrnoException, []);
    }
    if (options.all) return callback(null, addresses);
    const first = addresses[0];
    if (!first) return callback(Object.assign(new Error(`no address for ${hostname}`), { code: 'ENOTFOUND' }), []);
    callback(null, first.address, first.family);
  });
}
