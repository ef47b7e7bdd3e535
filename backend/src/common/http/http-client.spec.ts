import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHttpClient, parseRetryAfter, type ClosableHttpClient } from './http-client.js';
import { HttpRequestError } from './http-request-error.js';

type Handler = (req: http.IncomingMessage, res: http.ServerResponse, body: string) => void;

let server: http.Server;
let base: string;
let handler: Handler;
let hits: { method?: string; url?: string; headers: http.IncomingHttpHeaders; body: string }[];
const clients: ClosableHttpClient[] = [];

function client(opts: Partial<Parameters<typeof createHttpClient>[0]> = {}) {
  const c = createHttpClient({ allowPrivateTargets: true, retryBaseMs: 10, ...opts });
  clients.push(c);
  return c;
}

async function rejection(p: Promise<unknown>): Promise<HttpRequestError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(HttpRequestError);
    return err as HttpRequestError;
  }
  throw new Error('expected the request to fail');
}

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      hits.push({ method: req.method, url: req.url, headers: req.headers, body });
      handler(req, res, body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

beforeEach(() => {
  hits = [];
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe('createHttpClient', () => {
  it('sends JSON with query parameters and parses a JSON answer', async () => {
    handler = (_req, res) => {
      res.setHeader('content-type', 'application/json; charset=utf-8');
      res.end('{"ok":true}');
    };
    const res = await client().request({ method: 'POST', url: `${base}/things`, query: { a: 1, b: undefined, c: 'x y' }, json: { n: 1 } });
    expect(res).toMatchObject({ status: 200, body: { ok: true } });
    expect(hits[0]).toMatchObject({ method: 'POST', url: '/things?a=1&c=x+y', body: '{"n":1}' });
    expect(hits[0].headers['content-type']).toBe('application/json');
    expect(hits[0].headers['user-agent']).toMatch(/^Tributary/);
  });

  it('form-encodes `form` bodies', async () => {
    handler = (_req, res) => res.end('done');
    const res = await client().request({ method: 'POST', url: base, form: { To: '+1 555', Body: 'hi&bye' } });
    expect(res.body).toBe('done');
    expect(hits[0].body).toBe('To=%2B1+555&Body=hi%26bye');
    expect(hits[0].headers['content-type']).toBe('application/x-www-form-urlencoded');
  });

  it('retries a 429 after the Retry-After delay, then succeeds', async () => {
    let calls = 0;
    handler = (_req, res) => {
      calls++;
      if (calls === 1) {
        res.writeHead(429, { 'retry-after': '1' }).end('slow down');
        return;
      }
      res.end('ok');
    };
    const started = Date.now();
    const res = await client().request({ url: base });
    expect(res.text).toBe('ok');
    expect(calls).toBe(2);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
  });

  it('retries 5xx with backoff and gives up with a retryable error', async () => {
    handler = (_req, res) => res.writeHead(503).end('maintenance');
    const err = await rejection(client({ retries: 2 }).request({ url: `${base}/down` }));
    expect(hits).toHaveLength(3);
    expect(err).toMatchObject({ code: 'HTTP_STATUS', status: 503, retryable: true, attempts: 3, body: 'maintenance' });
    expect(err.message).toBe(`GET ${base}/down answered 503: maintenance`);
  });

  it('does not retry a 4xx and keeps the parsed error body', async () => {
    handler = (_req, res) => res.writeHead(400, { 'content-type': 'application/json' }).end('{"error":"bad"}');
    const err = await rejection(client().request({ url: base }));
    expect(hits).toHaveLength(1);
    expect(err).toMatchObject({ status: 400, retryable: false, response: { body: { error: 'bad' } } });
  });

  it('returns statuses the caller accepts without retrying them', async () => {
    handler = (_req, res) => res.writeHead(500).end('<Fault/>');
    const res = await client().request({ url: base, acceptStatus: (s) => s < 400 || s === 500 });
    expect(res).toMatchObject({ status: 500, text: '<Fault/>' });
    expect(hits).toHaveLength(1);
  });

  it('times out a slow answer', async () => {
    handler = (_req, res) => setTimeout(() => res.end('late'), 1500).unref();
    const err = await rejection(client({ timeoutMs: 200, retries: 0 }).request({ url: `${base}/slow` }));
    expect(err).toMatchObject({ code: 'TIMEOUT', retryable: true });
    expect(err.message).toBe(`GET ${base}/slow timed out after 200 ms`);
  });

  it('stops when the caller aborts', async () => {
    handler = (_req, res) => setTimeout(() => res.end('late'), 1000).unref();
    const ctl = new AbortController();
    setTimeout(() => ctl.abort(), 100);
    const err = await rejection(client().request({ url: base, signal: ctl.signal }));
    expect(err).toMatchObject({ code: 'ABORTED', retryable: false });
  });

  it('refuses a response larger than the cap, declared or streamed', async () => {
    const big = 'x'.repeat(64 * 1024);
    handler = (req, res) => {
      if (req.url === '/declared') return res.end(big.repeat(4));
      res.writeHead(200, { 'transfer-encoding': 'chunked' });
      for (let i = 0; i < 4; i++) res.write(big);
      res.end();
    };
    const c = client({ maxResponseBytes: 100 * 1024 });
    const declared = await rejection(c.request({ url: `${base}/declared`, timeoutMs: 5000 }));
    expect(declared.code).toBe('RESPONSE_TOO_LARGE');
    const streamed = await rejection(c.request({ url: `${base}/streamed` }));
    expect(streamed).toMatchObject({ code: 'RESPONSE_TOO_LARGE', retryable: false });
    expect(streamed.message).toContain('larger than the 102400-byte limit');
  });

  it('redacts secrets, basic-auth and bearer values from error messages and bodies', async () => {
    handler = (req, res) => res.writeHead(401).end(`bad key s3cr3t-key for ${req.headers.authorization}`);
    const err = await rejection(
      client().request({ url: `${base}/v1?appid=s3cr3t-key`, headers: { Authorization: 'Bearer tok-123456' }, secrets: ['s3cr3t-key'] }),
    );
    expect(err.message).toBe(`GET ${base}/v1?appid=*** answered 401: bad key *** for Bearer ***`);
    expect(err.body).not.toContain('tok-123456');
    const basic = await rejection(client().request({ url: `http://alice:pa%24%24word@127.0.0.1:${new URL(base).port}/x` }));
    expect(hits.at(-1)!.headers.authorization).toBe(`Basic ${Buffer.from('alice:pa$$word').toString('base64')}`);
    expect(basic.message).not.toMatch(/pa\$\$word|pa%24%24word|YWxpY2U6cGEkJHdvcmQ=/);
    expect(basic.message).toContain('Basic ***');
  });

  it('refuses schemes other than http and https', async () => {
    const err = await rejection(client().request({ url: 'file:///etc/passwd' }));
    expect(err).toMatchObject({ code: 'INVALID_URL', retryable: false });
  });

  describe('SSRF guard (allowPrivateTargets: false)', () => {
    const guarded = () => client({ allowPrivateTargets: false, retries: 0 });
    it.each([
      ['http://127.0.0.1:9/', 'loopback'],
      ['http://10.0.0.1/', 'private'],
      ['http://169.254.169.254/latest/meta-data/', 'link-local / cloud metadata'],
      ['http://[::1]:9/', 'loopback'],
      ['http://[::ffff:127.0.0.1]:9/', 'IPv4-mapped loopback'],
      ['http://[fd00:ec2::254]/', 'unique-local / cloud metadata'],
      ['http://[fe80::1]/', 'link-local'],
      ['http://100.64.0.1/', 'carrier-grade NAT'],
      ['http://0.0.0.0:9/', 'unspecified'],
      ['http://2130706433:9/', 'loopback'],
      ['http://224.0.0.1/', 'multicast'],
    ])('refuses %s before connecting', async (url, reason) => {
      const err = await rejection(guarded().request({ url }));
      expect(err).toMatchObject({ code: 'SSRF_BLOCKED', retryable: false });
      expect(err.message).toContain(`${reason} address`);
    });

    it('refuses a hostname that resolves to loopback, after DNS resolution', async () => {
      const port = new URL(base).port;
      const err = await rejection(guarded().request({ url: `http://localhost:${port}/` }));
      expect(err.code).toBe('SSRF_BLOCKED');
      expect(err.message).toMatch(/^Refusing to connect to localhost \((127\.0\.0\.1|::1)\): loopback address/);
      expect(hits).toHaveLength(0);
    });
  });
});

describe('parseRetryAfter', () => {
  it('reads seconds and HTTP dates', () => {
    expect(parseRetryAfter('2')).toBe(2000);
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 4_000)).toBe(6000);
    expect(parseRetryAfter('soon')).toBeNull();
    expect(parseRetryAfter(undefined)).toBeNull();
  });
});
