import pg from 'pg';
import { QueryFailedError } from 'typeorm';
import { adminUrl } from '../../test/helpers/databases.js';
import { sendError, toErrorBody } from './http-exception.filter.js';

/** The error a real PostgreSQL raises for `sql`. */
async function errorOf(db: pg.Client, sql: string): Promise<Error> {
  try {
    await db.query(sql);
  } catch (err) {
    return err as Error;
  }
  throw new Error(`no error from ${sql}`);
}

describe('errors PostgreSQL raises', () => {
  let db: pg.Client;
  beforeAll(async () => {
    db = new pg.Client({ connectionString: adminUrl() });
    await db.connect();
  });
  afterAll(async () => db?.end());

  it('answers a refused value (SQLSTATE class 22) with 400 and a message free of SQL, and still logs it', async () => {
    const cases: [string, string][] = [
      [`SELECT 'not-a-uuid'::uuid`, 'A value in the request is not valid: a value has the wrong format (SQLSTATE 22P02)'],
      [`SELECT 99999999999999999999::int`, 'A value in the request is not valid: a number is out of range (SQLSTATE 22003)'],
      [`SELECT '0000-01-01'::date`, 'A value in the request is not valid: a date or time is out of range (SQLSTATE 22008)'],
      [`SELECT convert_from('\\x00'::bytea, 'UTF8')`, 'A value in the request is not valid: a text holds a character that cannot be stored (SQLSTATE 22021)'],
      [`SELECT substring('abc' from 1 for -1)`, 'A value in the request is not valid: it cannot be stored or compared (SQLSTATE 22011)'],
    ];
    for (const [sql, message] of cases) {
      const err = await errorOf(db, sql);
      for (const thrown of [err, new QueryFailedError(sql, [], err)]) {
        expect({ sql, body: toErrorBody(thrown) }).toEqual({ sql, body: { statusCode: 400, error: 'Bad Request', message } });
      }
    }
    const logged: unknown[] = [];
    const reply = { status: () => reply, header: () => reply, send: () => reply };
    sendError(reply as never, await errorOf(db, `SELECT 'x'::uuid`), { error: (obj) => logged.push(obj), warn: () => undefined });
    expect(logged).toHaveLength(1);
  });

  it('keeps other classes 500 (constraint violations, missing relations), and a database out of reach 503', async () => {
    await db.query(`CREATE TEMP TABLE t (id int PRIMARY KEY)`);
    await db.query(`INSERT INTO t VALUES (1)`);
    const errors = [
      await errorOf(db, `INSERT INTO t VALUES (1)`),
      await errorOf(db, `SELECT * FROM no_such_table`),
      await errorOf(db, `SELEC 1`),
      Object.assign(new Error('a library error'), { code: '22000' }),
    ];
    for (const err of errors) expect(toErrorBody(err).statusCode).toBe(500);
    expect(toErrorBody(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }))).toMatchObject({ statusCode: 503, error: 'Service Unavailable' });
  });
});
