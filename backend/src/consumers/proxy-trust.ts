/**
 * Which TCP peers may speak for a consumer: TRUSTED_PROXIES holds IPs and CIDR ranges (IPv4 or
 * IPv6). Parsing and matching are ipaddr.js's; IPv4-mapped IPv6 peers (::ffff:10.0.0.1) count as IPv4.
 */
import ipaddr from 'ipaddr.js';

type Range = [ipaddr.IPv4 | ipaddr.IPv6, number];

function toRange(entry: string): Range {
  if (entry.includes('/')) {
    const [addr, bits] = ipaddr.parseCIDR(entry);
    // A mapped IPv6 range (::ffff:10.0.0.0/104) is the IPv4 range it maps.
    if (addr.kind() === 'ipv6' && (addr as ipaddr.IPv6).isIPv4MappedAddress() && bits >= 96) {
      return [(addr as ipaddr.IPv6).toIPv4Address(), bits - 96];
    }
    return [addr, bits];
  }
  const addr = ipaddr.process(entry);
  return [addr, addr.kind() === 'ipv4' ? 32 : 128];
}

/** `(peer) => boolean` for a list of IPs/CIDRs; an unparsable peer address is never trusted. */
export function proxyTrust(entries: readonly string[]): (peer: string | undefined) => boolean {
  const ranges = entries.map(toRange);
  if (!ranges.length) return () => false;
  return (peer) => {
    if (!peer || !ipaddr.isValid(peer)) return false;
    const addr = ipaddr.process(peer);
    return ranges.some(([base, bits]) => base.kind() === addr.kind() && addr.match(base, bits));
  };
}
