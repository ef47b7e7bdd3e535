import { startMockApis, type MockApis } from '../../../scripts/mock-apis/server.js';

let mock: MockApis;
beforeAll(async () => {
  mock = await startMockApis();
});
afterAll(() => mock.close());
beforeEach(() => mock.reset());

describe('mock-apis server', () => {
  it('records requests and exposes the log over GET and DELETE /__requests', async () => {
    await fetch(`${mock.url}/http/anything?a=1`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"x":1}' });
    expect(mock.requests).toEqual([
      expect.objectContaining({ provider: 'http', method: 'POST', path: '/http/anything', url: '/http/anything?a=1', query: { a: '1' }, bodyText: '{"x":1}', body: { x: 1 } }),
    ]);
    const log = (await (await fetch(`${mock.url}/__requests`)).json()) as unknown[];
    expect(log).toHaveLength(1);
    await fetch(`${mock.url}/__requests`, { method: 'DELETE' });
    expect(mock.requests).toHaveLength(0);
  });

  it('fails a mock-429 request once, with Retry-After, then answers', async () => {
    const first = await fetch(`${mock.url}/dogceo/api/breeds/image/random?mock-429`);
    expect(first.status).toBe(429);
    expect(first.headers.get('retry-after')).toBe('1');
    expect((await fetch(`${mock.url}/dogceo/api/breeds/image/random?mock-429`)).status).toBe(200);
    mock.reset();
    expect((await fetch(`${mock.url}/dogceo/api/breeds/image/random?mock-429`)).status).toBe(429);
  });

  it('answers 404 for paths no provider owns', async () => {
    const res = await fetch(`${mock.url}/nowhere`);
    expect(res.status).toBe(404);
  });
});
