import { decodeCursor, encodeCursor, toPage } from './pagination.js';

const ID = '6f1c1b1e-8d7a-4c55-9a43-2f7f5b0c2e10';
const raw = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const refusal = (cursor: string) => {
  try {
    decodeCursor(cursor);
  } catch (err) {
    return (err as { statusCode: number; details: unknown }).details;
  }
  return undefined;
};

describe('cursors', () => {
  it('round-trips the exact position of the last item of a full page', () => {
    const rows = [1, 2, 3].map((n) => ({ id: `${ID.slice(0, -1)}${n}`, cursorT: `173578704512345${n}`, name: `r${n}` }));
    const page = toPage(rows, 2);
    expect(page.items).toEqual([{ id: rows[0].id, name: 'r1' }, { id: rows[1].id, name: 'r2' }]);
    expect(decodeCursor(page.nextCursor!)).toEqual({ t: '1735787045123452', id: rows[1].id });
    expect(toPage(rows, 3).nextCursor).toBeNull();
  });

  it('refuses, as a 400 on `cursor`, what PostgreSQL would refuse: a non-UUID id, an impossible or out-of-range time, garbage', () => {
    expect(refusal(encodeCursor({ t: '1735787045123456', id: 'not-a-uuid' }))).toEqual([{ path: 'cursor', message: 'Invalid cursor: its id is not a UUID' }]);
    for (const t of ['2024-02-30T00:00:00.000Z', '99999999999999999999', '9007199254740993', '-1', '1.5', '']) {
      expect(refusal(raw({ t, id: ID }))).toEqual([{ path: 'cursor', message: 'Invalid cursor: its position is not a valid time' }]);
    }
    for (const garbage of ['%%%', raw(null), raw('text'), 'e30']) {
      expect(refusal(garbage)).toEqual([expect.objectContaining({ path: 'cursor' })]);
    }
    expect(decodeCursor(undefined)).toBeUndefined();
  });
});
