import Fastify, { type FastifyInstance } from 'fastify';
import { registerSecurityHeaders } from './security-headers.js';

async function serve(configure: (app: FastifyInstance) => void): Promise<{ app: FastifyInstance; url: string }> {
  const app = Fastify();
  configure(app);
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  return { app, url };
}

describe('registerSecurityHeaders', () => {
  let app: FastifyInstance;
  let url: string;

  beforeAll(async () => {
    ({ app, url } = await serve((f) => {
      registerSecurityHeaders(f);
      f.get('/ok', async () => ({ ok: true }));
      f.get('/fails', async () => {
        throw Object.assign(new Error('nope'), { statusCode: 409 });
      });
    }));
  });
  afterAll(() => app.close());

  it.each([
    ['a handled request', '/ok', 200],
    ['an error response', '/fails', 409],
    ['an unknown route', '/missing', 404],
  ])('sets helmet headers on %s', async (_what, path, status) => {
    const res = await fetch(url + path);
    expect(res.status).toBe(status);
    expect(Object.fromEntries(res.headers)).toMatchObject({
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'SAMEORIGIN',
      'strict-transport-security': expect.stringMatching(/^max-age=\d+/),
      'referrer-policy': 'no-referrer',
      'cross-origin-opener-policy': 'same-origin',
    });
    expect(res.headers.get('content-security-policy')).toBeNull();
  });

  it('passes helmet options through (the CSP, off by default, can be turned on)', async () => {
    const withCsp = await serve((f) => {
      registerSecurityHeaders(f, {});
      f.get('/', async () => 'x');
    });
    const res = await fetch(withCsp.url);
    expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
    await withCsp.app.close();
  });
});
