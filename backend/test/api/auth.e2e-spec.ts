import { createTestApp, type TestApp } from '../helpers/app.js';

describe('auth', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ LOGIN_RATE_LIMIT_PER_MINUTE: '5' });
  });
  afterAll(async () => t?.close());

  it('registers a user as admin of a new tenant and answers { token, user }', async () => {
    const res = await t.request('POST', '/api/auth/register', { body: { email: 'Ada@Example.com', password: 'password123', name: 'Ada', organization: 'Analytical' } });
    expect(res.status).toBe(201);
    expect(res.body.token).toMatch(/^ey/);
    expect(res.body.user).toMatchObject({ email: 'ada@example.com', name: 'Ada', role: 'admin', tenantName: 'Analytical' });
    expect(res.body.user.passwordHash).toBeUndefined();
  });

  it('refuses a second account with the same email (409)', async () => {
    const res = await t.request('POST', '/api/auth/register', { body: { email: 'ada@example.com', password: 'password123' } });
    expect(res.status).toBe(409);
    expect(res.body).toEqual({ statusCode: 409, error: 'Conflict', message: 'An account with this email already exists' });
  });

  // Two, as register is limited to 5 a minute per address here (LOGIN_RATE_LIMIT_PER_MINUTE).
  it('gives one email to one of two registrations racing for it, and 409 to the other', async () => {
    const all = await Promise.all(
      [1, 2].map((n) => t.request('POST', '/api/auth/register', { body: { email: 'race@example.com', password: 'password123', organization: `Race ${n}` } })),
    );
    expect(all.map((r) => r.status).sort()).toEqual([201, 409]);
    expect(all.find((r) => r.status === 409)!.body.message).toBe('An account with this email already exists');
  });

  it('lists every bad field of a registration', async () => {
    const res = await t.request('POST', '/api/auth/register', { body: { email: 'nope', password: 'short' } });
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('Bad Request');
    expect(res.body.details.map((d: { path: string }) => d.path).sort()).toEqual(['email', 'password']);
  });

  it('logs in, and GET /auth/me answers the user', async () => {
    const login = await t.request('POST', '/api/auth/login', { body: { email: 'ADA@example.com', password: 'password123' } });
    expect(login.status).toBe(200);
    const me = await t.request('GET', '/api/auth/me', { token: login.body.token });
    expect(me.status).toBe(200);
    expect(me.body.user.email).toBe('ada@example.com');
  });

  it('answers 401 to a wrong password, a missing token and a forged token', async () => {
    expect((await t.request('POST', '/api/auth/login', { body: { email: 'ada@example.com', password: 'wrong-password' } })).status).toBe(401);
    const none = await t.request('GET', '/api/auth/me');
    expect(none.status).toBe(401);
    expect(none.body).toMatchObject({ statusCode: 401, error: 'Unauthorized' });
    const login = await t.request('POST', '/api/auth/login', { body: { email: 'ada@example.com', password: 'password123' } });
    const [h, p] = login.body.token.split('.');
    expect((await t.request('GET', '/api/auth/me', { token: `${h}.${p}.forgedsignature` })).status).toBe(401);
  });

  it('rate-limits login attempts per address and email', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) {
      statuses.push((await t.request('POST', '/api/auth/login', { body: { email: 'limited@example.com', password: 'whatever1' } })).status);
    }
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(statuses.slice(5)).toEqual([429, 429]);
    const res = await t.request('POST', '/api/auth/login', { body: { email: 'limited@example.com', password: 'whatever1' } });
    expect(res.body).toMatchObject({ statusCode: 429, error: 'Too Many Requests' });
  });

  it('dev-login creates the dev user once and reports dev mode', async () => {
    expect((await t.request('GET', '/api/auth/options')).body).toEqual({ devMode: true });
    const a = await t.request('POST', '/api/auth/dev-login');
    const b = await t.request('POST', '/api/auth/dev-login');
    expect(a.status).toBe(200);
    expect(a.body.user.email).toBe('dev@tributary.local');
    expect(b.body.user.id).toBe(a.body.user.id);
  });
});

describe('auth without dev mode', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ DEV_MODE: 'false' });
  });
  afterAll(async () => t?.close());

  it('answers 404 on dev-login', async () => {
    const res = await t.request('POST', '/api/auth/dev-login');
    expect(res.status).toBe(404);
    expect((await t.request('GET', '/api/auth/options')).body).toEqual({ devMode: false });
  });
});
