import { paramsWithNul } from './url-nul-guard.js';

describe('paramsWithNul', () => {
  it('names each parameter whose name or value (or one of its repeated values) holds a NUL', () => {
    expect(paramsWithNul({ connector: '\0', action: 'a\0b', ok: 'x', list: ['a', 'b\0'], ['k\0']: '1' })).toEqual(['connector', 'action', 'list', 'k\0']);
    expect(paramsWithNul({ text: '%00', n: '0' })).toEqual([]);
    expect(paramsWithNul(undefined)).toEqual([]);
  });
});
