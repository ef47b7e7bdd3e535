// The chaos suite's network: one network namespace per host, each joined to a bridge in the root
// namespace by a veth pair, addresses in 10.231.0.0/24. Every name starts with `trc-` so a crashed
// run's leftovers are found and removed at the next start.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export const PREFIX = 'trc-';
export const BRIDGE = 'trc-br0';
export const SUBNET = '10.231.0';
export const GATEWAY = `${SUBNET}.1`;

/** Host name → address. The load generator and the sink run in the root namespace, on the bridge (.1). */
export const HOSTS = {
  lb: `${SUBNET}.2`,
  pg: `${SUBNET}.10`,
  /** The PostgreSQL standby (pg-failover): promoted, it takes over pg's address. */
  pg2: `${SUBNET}.12`,
  redis: `${SUBNET}.11`,
  api1: `${SUBNET}.21`,
  api2: `${SUBNET}.22`,
  worker1: `${SUBNET}.31`,
  worker2: `${SUBNET}.32`,
};

export const ns = (host) => `${PREFIX}${host}`;

function sh(cmd, args, { check = true, quiet = false } = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (check && r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr || r.stdout}`);
  if (!quiet && r.status !== 0 && !check) return r;
  return r;
}

export const ip = (...args) => sh('ip', args);
export const inNs = (host, cmd, ...args) => sh('ip', ['netns', 'exec', ns(host), cmd, ...args]);

/** Debian packages the suite needs, installed when missing (we run as root). */
export function ensureTools(log) {
  const need = [
    ['ip', 'iproute2'],
    ['iptables', 'iptables'],
    ['haproxy', 'haproxy'],
    ['redis-server', 'redis-server'],
  ].filter(([bin]) => !spawnSync('sh', ['-c', `command -v ${bin}`]).stdout.toString().trim());
  if (!existsSync('/usr/lib/postgresql')) need.push(['pg_ctl', 'postgresql']);
  if (!need.length) return;
  const pkgs = need.map(([, p]) => p);
  log(`installing ${pkgs.join(', ')} from Debian's packages`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  let r = spawnSync('apt-get', ['install', '-y', '-qq', ...pkgs], { stdio: 'inherit', env });
  if (r.status !== 0) {
    spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
    r = spawnSync('apt-get', ['install', '-y', '-qq', ...pkgs], { stdio: 'inherit', env });
  }
  if (r.status !== 0) throw new Error(`could not install ${pkgs.join(', ')}`);
}

/** Namespaces, links and processes left by an earlier run (anything named trc-…). */
export function cleanupNetwork(log = () => {}) {
  const list = sh('ip', ['netns', 'list'], { check: false }).stdout ?? '';
  for (const line of list.split('\n')) {
    const name = line.split(' ')[0];
    if (!name.startsWith(PREFIX)) continue;
    const pids = (sh('ip', ['netns', 'pids', name], { check: false }).stdout ?? '').split('\n').filter(Boolean);
    for (const pid of pids) {
      try {
        process.kill(Number(pid), 'SIGKILL');
      } catch {
        /* gone */
      }
    }
    if (pids.length) log(`killed ${pids.length} process(es) left in ${name}`);
    sh('ip', ['netns', 'del', name], { check: false });
  }
  const links = sh('ip', ['-o', 'link', 'show'], { check: false }).stdout ?? '';
  for (const m of links.matchAll(/^\d+: ([^:@]+)[@:]/gm)) {
    if (m[1].startsWith(PREFIX)) sh('ip', ['link', 'del', m[1]], { check: false });
  }
}

/** Whether this machine can make namespaces and veth pairs at all (precise reason when not). */
export function probeNetns() {
  if (process.getuid?.() !== 0) return 'the chaos suite needs root (ip netns, veth, iptables): run it as root';
  const probe = `${PREFIX}probe`;
  const r = spawnSync('ip', ['netns', 'add', probe], { encoding: 'utf8' });
  if (r.status !== 0) return `ip netns add failed: ${r.stderr.trim()}`;
  const v = spawnSync('ip', ['link', 'add', `${PREFIX}pv0`, 'type', 'veth', 'peer', 'name', `${PREFIX}pv1`], { encoding: 'utf8' });
  spawnSync('ip', ['link', 'del', `${PREFIX}pv0`]);
  const t = spawnSync('ip', ['netns', 'exec', probe, 'iptables', '-S'], { encoding: 'utf8' });
  spawnSync('ip', ['netns', 'del', probe]);
  if (v.status !== 0) return `veth pairs are not available: ${v.stderr.trim()}`;
  if (t.status !== 0) return `iptables does not work inside a namespace: ${t.stderr.trim()}`;
  return null;
}

export function setupNetwork() {
  ip('link', 'add', BRIDGE, 'type', 'bridge');
  ip('addr', 'add', `${GATEWAY}/24`, 'dev', BRIDGE);
  ip('link', 'set', BRIDGE, 'up');
  for (const [host, addr] of Object.entries(HOSTS)) {
    const name = ns(host);
    const outer = `${PREFIX}${host}`; // ≤ 15 characters
    const inner = `${PREFIX}${host}i`;
    ip('netns', 'add', name);
    ip('link', 'add', outer, 'type', 'veth', 'peer', 'name', inner);
    ip('link', 'set', outer, 'master', BRIDGE);
    ip('link', 'set', outer, 'up');
    ip('link', 'set', inner, 'netns', name);
    ip('-n', name, 'link', 'set', inner, 'name', 'eth0');
    ip('-n', name, 'addr', 'add', `${addr}/24`, 'dev', 'eth0');
    ip('-n', name, 'link', 'set', 'lo', 'up');
    ip('-n', name, 'link', 'set', 'eth0', 'up');
    ip('-n', name, 'route', 'add', 'default', 'via', GATEWAY);
  }
  // Connection tracking on in the PostgreSQL host from the start (the nat table registered): a DNAT
  // rule added later then only redirects new connections, instead of resetting every connection it
  // would pick up mid-stream.
  inNs('pg', 'iptables', '-t', 'nat', '-A', 'PREROUTING', '-p', 'tcp', '--dport', '1', '-j', 'RETURN');
}

/** The host's link to the bridge goes down: its packets vanish (no resets), as when a machine dies. */
export function linkDown(host) {
  ip('link', 'set', `${PREFIX}${host}`, 'down');
}

/**
 * A floating address moves from one host to another (what keepalived does on failover): deleted on
 * `from`, added on `to`, and every neighbour cache flushed (the gratuitous ARP of a real takeover) so
 * peers ask again who has it.
 */
export function moveAddress(addr, from, to) {
  ip('-n', ns(from), 'addr', 'del', `${addr}/24`, 'dev', 'eth0');
  ip('-n', ns(to), 'addr', 'add', `${addr}/24`, 'dev', 'eth0');
  sh('ip', ['neigh', 'flush', 'dev', BRIDGE], { check: false });
  for (const host of Object.keys(HOSTS)) sh('ip', ['-n', ns(host), 'neigh', 'flush', 'all'], { check: false });
}

/** A real partition: `host` drops every packet to and from `peer` (iptables in host's namespace). */
export function partition(host, peer) {
  inNs(host, 'iptables', '-I', 'OUTPUT', '-d', HOSTS[peer], '-j', 'DROP');
  inNs(host, 'iptables', '-I', 'INPUT', '-s', HOSTS[peer], '-j', 'DROP');
}

export function heal(host, peer) {
  inNs(host, 'iptables', '-D', 'OUTPUT', '-d', HOSTS[peer], '-j', 'DROP');
  inNs(host, 'iptables', '-D', 'INPUT', '-s', HOSTS[peer], '-j', 'DROP');
}

/** New PostgreSQL connections to the pg host go through a local port instead (the delaying proxy). */
export function redirectPg(fromPort, toPort, on) {
  inNs('pg', 'iptables', '-t', 'nat', on ? '-A' : '-D', 'PREROUTING', '-p', 'tcp', '-d', HOSTS.pg, '--dport', String(fromPort), '-j', 'DNAT', '--to-destination', `${HOSTS.pg}:${toPort}`);
}
