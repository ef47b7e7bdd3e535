import { countOpeners, findTooDeep } from './json-depth-guard.js';

const nested = (levels: number) => JSON.parse('{"a":'.repeat(levels - 1) + '[1]' + '}'.repeat(levels - 1));

describe('JSON depth guard', () => {
  it('counts the bytes that open objects and arrays, stopping past the bound', () => {
    expect(countOpeners(Buffer.from('{"a":[1,{"b":2}],"s":"{["}'), 100)).toBe(5);
    expect(countOpeners(Buffer.from('[[[[[[[[[[]]]]]]]]]]'), 3)).toBe(4);
  });

  it('passes a value at the limit and finds the first container past it, with its path', () => {
    expect(findTooDeep(nested(64), 64)).toBeUndefined();
    expect(findTooDeep(nested(65), 64)).toBe('a'.repeat(64).split('').join('.'));
    expect(findTooDeep([[1], { x: [[[]]] }], 3)).toBe('1.x.0');
    expect(findTooDeep([[]], 1)).toBe('0');
    expect(findTooDeep({ a: 'x', n: null }, 1)).toBeUndefined();
    expect(findTooDeep('text', 0)).toBeUndefined();
  });

  it('walks a value 10,000 levels deep without overflowing the stack', () => {
    expect(findTooDeep(nested(10_000), 64)).toMatch(/^(a\.){63}a$/);
  });
});
