import { SecretBox, maskSecret } from './crypto.js';

describe('SecretBox', () => {
  const k1 = Buffer.alloc(32, 1);
  const k2 = Buffer.alloc(32, 2);

  it('seals with AES-256-GCM: random IV, auth tag, key id', () => {
    const box = new SecretBox(new Map([['v1', k1]]), 'v1');
    const a = box.seal('secret', 'aad');
    const b = box.seal('secret', 'aad');
    expect(a.keyId).toBe('v1');
    expect(a.iv).toHaveLength(12);
    expect(a.authTag).toHaveLength(16);
    expect(a.iv.equals(b.iv)).toBe(false);
    expect(a.ciphertext.toString('latin1')).not.toContain('secret');
    expect(box.open(a, 'aad')).toBe('secret');
  });

  it('refuses tampered ciphertext or other associated data', () => {
    const box = new SecretBox(new Map([['v1', k1]]), 'v1');
    const s = box.seal('secret', 'tenant:cred');
    expect(() => box.open(s, 'tenant:other')).toThrow();
    const tampered = { ...s, ciphertext: Buffer.from(s.ciphertext.map((x) => x ^ 1)) };
    expect(() => box.open(tampered, 'tenant:cred')).toThrow();
  });

  it('opens values sealed under a previous key', () => {
    const old = new SecretBox(new Map([['v1', k1]]), 'v1').seal('secret');
    const box = new SecretBox(new Map([['v2', k2], ['v1', k1]]), 'v2');
    expect(box.open(old)).toBe('secret');
    expect(box.seal('x').keyId).toBe('v2');
    expect(() => new SecretBox(new Map([['v2', k2]]), 'v2').open(old)).toThrow(/ENCRYPTION_PREVIOUS_KEYS/);
  });

  it('masks secrets', () => {
    expect(maskSecret('xoxb-1234567890abcd')).toBe('••••abcd');
    expect(maskSecret('short')).toBe('••••');
  });
});
