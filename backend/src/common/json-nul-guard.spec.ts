import { findNul } from './json-nul-guard.js';

describe('findNul', () => {
  it('finds a NUL in a nested string or key, with its path', () => {
    expect(findNul({ a: { b: ['x', 'y\0z'] } })).toBe('a.b.1');
    expect(findNul({ ['k\0']: 1 })).toBe('k\0');
    expect(findNul('a\0')).toBe('(body)');
  });

  it('passes text that only looks like the escape', () => {
    expect(findNul({ a: '\\u0000', n: 0, t: true, z: null })).toBeUndefined();
  });
});
