import { blockedAddressReason } from './ssrf-guard.js';

describe('blockedAddressReason', () => {
  it.each(['8.8.8.8', '1.1.1.1', '172.32.0.1', '2606:4700:4700::1111', '::ffff:8.8.8.8', '64:ff9b::808:808', '2002:808:808::1'])(
    'lets the public address %s through',
    (addr) => expect(blockedAddressReason(addr)).toBeNull(),
  );

  it.each([
    ['127.0.0.1', 'loopback'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['169.254.169.254', 'link-local / cloud metadata'],
    ['100.100.100.200', 'carrier-grade NAT'],
    ['255.255.255.255', 'reserved / broadcast'],
    ['::', 'unspecified'],
    ['::1', 'loopback'],
    ['[::1]', 'loopback'],
    ['::ffff:10.0.0.1', 'IPv4-mapped private'],
    ['::ffff:a9fe:a9fe', 'IPv4-mapped link-local / cloud metadata'],
    ['0:0:0:0:0:ffff:7f00:1', 'IPv4-mapped loopback'],
    ['64:ff9b::7f00:1', 'NAT64 loopback'],
    ['2002:7f00:1::', '6to4 loopback'],
    ['fe80::1%eth0', 'link-local'],
    ['fc00::1', 'unique-local / cloud metadata'],
    ['ff02::1', 'multicast'],
    ['localhost', 'not an IP address'],
  ])('refuses %s (%s)', (addr, reason) => expect(blockedAddressReason(addr)).toBe(reason));
});
