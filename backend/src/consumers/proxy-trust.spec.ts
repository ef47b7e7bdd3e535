import { proxyTrust } from './proxy-trust.js';

describe('proxyTrust', () => {
  it('matches single addresses and CIDR ranges of both families', () => {
    const trusted = proxyTrust(['127.0.0.1', '10.0.0.0/8', '2001:db8::/32', '::1']);
    expect(trusted('127.0.0.1')).toBe(true);
    expect(trusted('127.0.0.2')).toBe(false);
    expect(trusted('10.200.3.4')).toBe(true);
    expect(trusted('11.0.0.1')).toBe(false);
    expect(trusted('2001:db8:1::5')).toBe(true);
    expect(trusted('2001:db9::5')).toBe(false);
    expect(trusted('::1')).toBe(true);
  });

  it('treats IPv4-mapped IPv6 peers as IPv4, and mapped ranges as their IPv4 range', () => {
    expect(proxyTrust(['10.0.0.0/8'])('::ffff:10.1.2.3')).toBe(true);
    expect(proxyTrust(['::ffff:10.0.0.0/104'])('10.9.9.9')).toBe(true);
    expect(proxyTrust(['::ffff:10.0.0.0/104'])('11.9.9.9')).toBe(false);
  });

  it('trusts nobody with an empty list or an unparsable peer', () => {
    expect(proxyTrust([])('127.0.0.1')).toBe(false);
    expect(proxyTrust(['127.0.0.1'])(undefined)).toBe(false);
    expect(proxyTrust(['127.0.0.1'])('not-an-ip')).toBe(false);
  });
});
