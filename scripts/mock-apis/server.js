// @ts-check
/**
 * One local server answering every connector's provider with its documented response shapes and
 * errors, so tests and offline demos never leave the machine. Each provider lives under a path
 * prefix that matches the connector's default path layout: CONNECTOR_OPENWEATHER_BASE_URL=
 * http://127.0.0.1:4010/openweather makes the connector call /openweather/data/2.5/weather.
 * Every request is recorded (GET/DELETE /__requests). Magic strings anywhere in the path, query or
 * body trigger failures (see README.md): mock-slow, mock-429, mock-429-always, mock-500,
 * mock-503-once, mock-oversize.
 *
 * Run: node scripts/mock-apis/server.js   (MOCK_APIS_PORT, default 4010)
 */
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import { json } from './lib.js';
import { createMessagingProviders } from './providers/messaging.js';
import { createSoapProvider } from './providers/soap.js';
import { createSalesforceProvider } from './providers/salesforce.js';
import { createKeyedApiProviders } from './providers/keyed-apis.js';
import { createOpenDataProviders } from './providers/open-data.js';
import { createHttpEchoProvider } from './providers/http-echo.js';
import { createCmsProviders } from './providers/cms.js';
import { createDjangoProvider } from './providers/django.js';
import { createOAuthProviders } from './providers/oauth.js';
import { createOpenAiProvider } from './providers/llm.js';
import { createMcpServerMock } from './providers/mcp-server.js';

/** @typedef {import('./lib.js').MockRequest} MockRequest */
/** @typedef {import('./lib.js').MockResponse} MockResponse */
/** @typedef {import('./lib.js').Provider} Provider */
/**
 * @typedef {{
 *   id: number, time: string, provider: string | null, method: string, path: string, url: string,
 *   headers: Record<string, string>, query: Record<string, string>, bodyText: string, body: unknown,
 * }} RecordedRequest
 */

export const OVERSIZE_BYTES = 6 * 1024 * 1024;
const DEFAULT_SLOW_MS = 3000;

/** @param {{ port?: number, host?: string }} [opts] */
export async function startMockApis(opts = {}) {
  /** @type {Provider[]} */
  const providers = [
    // First: their prefixes (/slack/oauth, /slack/api, /salesforce/services/oauth2) lie under Slack's and Salesforce's.
    ...createOAuthProviders(),
    ...createMessagingProviders(),
    createSoapProvider(),
    createSalesforceProvider(),
    ...createKeyedApiProviders(),
    ...createOpenDataProviders(),
    createHttpEchoProvider(),
    ...createCmsProviders(),
    createDjangoProvider(),
    createOpenAiProvider(),
  ];
  /** Served by an SDK on the raw request (it writes its own answer, streaming or not). */
  const mcpServer = createMcpServerMock();
  /** @type {RecordedRequest[]} */
  const requests = [];
  /** Requests already failed once by a `-once` magic value, keyed by method + url + body. */
  const failedOnce = new Set();
  let nextId = 1;

  const server = http.createServer((req, res) => {
    /** @type {Buffer[]} */
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const bodyText = Buffer.concat(chunks).toString('utf8');
      const path = new URL(req.url ?? '/', 'http://mock').pathname;
      if (path === mcpServer.prefix || path.startsWith(mcpServer.prefix + '/')) {
        requests.push({ id: nextId++, time: new Date().toISOString(), provider: 'mcp', method: req.method ?? 'GET', path, url: req.url ?? path, headers: /** @type {Record<string, string>} */ (req.headers), query: {}, bodyText, body: null });
        mcpServer.handle(req, res, path, bodyText).catch((err) => send(res, json(500, { error: 'mock-apis crashed', message: String(err?.stack ?? err) })));
        return;
      }
      handle(req, bodyText)
        .then((out) => send(res, out))
        .catch((err) => send(res, json(500, { error: 'mock-apis crashed', message: String(err?.stack ?? err) })));
    });
  });

  /** @param {http.IncomingMessage} raw @param {string} bodyText @returns {Promise<MockResponse>} */
  async function handle(raw, bodyText) {
    const host = raw.headers.host ?? '127.0.0.1';
    const parsed = new URL(raw.url ?? '/', `http://${host}`);
    /** @type {Record<string, string>} */
    const headers = {};
    for (const [k, v] of Object.entries(raw.headers)) headers[k] = Array.isArray(v) ? v.join(', ') : (v ?? '');
    const method = raw.method ?? 'GET';
    const path = decodeURIComponent(parsed.pathname);

    if (path === '/__requests') {
      if (method === 'DELETE') requests.length = 0;
      return json(200, requests);
    }
    if (path === '/__health') return json(200, { ok: true });

    const provider = providers.find((p) => path === p.prefix || path.startsWith(p.prefix + '/')) ?? null;
    /** @type {MockRequest} */
    const req = {
      method,
      path,
      url: parsed.pathname + parsed.search,
      params: {},
      query: Object.fromEntries(parsed.searchParams),
      headers,
      bodyText,
      body: parseBody(headers['content-type'] ?? '', bodyText),
      origin: `http://${host}`,
    };
    requests.push({ id: nextId++, time: new Date().toISOString(), provider: provider?.name ?? null, ...omitRequestExtras(req) });

    const haystack = `${decodeURIComponent(req.url)} ${bodyText} ${headers['x-mock-fail'] ?? ''}`;
    const slow = /mock-slow(?:-(\d+))?/.exec(haystack) ?? (headers['x-mock-delay'] ? [null, headers['x-mock-delay']] : null);
    // unref: a slow answer still pending when a test closes the mock does not keep its process alive.
    if (slow) await new Promise((r) => setTimeout(r, Number(slow[1] ?? DEFAULT_SLOW_MS)).unref());
    const fail = failure(haystack, `${method} ${req.url} ${bodyText}`);
    if (fail) {
      const message = fail === 429 ? 'Too many requests (mock rate limit)' : 'Internal error (mock)';
      const out = provider?.error?.(fail, message) ?? json(fail, { error: message });
      if (fail === 429) out.headers = { ...out.headers, 'retry-after': '1' };
      return out;
    }
    if (/mock-oversize/.test(haystack)) return { status: 200, headers: { 'content-type': 'application/json' }, body: oversize() };

    if (!provider) return json(404, { error: `mock-apis: no provider for ${path}` });
    for (const r of provider.routes) {
      if (r.method !== '*' && r.method !== method) continue;
      const m = r.pattern.exec(path);
      if (!m) continue;
      r.keys.forEach((k, i) => (req.params[k] = m[i + 1]));
      return r.handler(req);
    }
    return provider.error?.(404, `No route for ${method} ${path}`) ?? json(404, { error: `No route for ${method} ${path}` });
  }

  /** @param {string} haystack @param {string} key @returns {number | null} */
  function failure(haystack, key) {
    if (/mock-429-always/.test(haystack)) return 429;
    if (/mock-500/.test(haystack)) return 500;
    for (const [magic, status] of /** @type {const} */ ([
      ['mock-429', 429],
      ['mock-503-once', 503],
    ])) {
      if (!haystack.includes(magic)) continue;
      if (failedOnce.has(key)) return null;
      failedOnce.add(key);
      return status;
    }
    return null;
  }

  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve(undefined));
  });
  const address = /** @type {import('node:net').AddressInfo} */ (server.address());
  const url = `http://${opts.host ?? '127.0.0.1'}:${address.port}`;

  return {
    url,
    port: address.port,
    requests,
    /** Forget recorded requests, once-only failures and everything created (posts, records…). */
    reset() {
      requests.length = 0;
      failedOnce.clear();
      for (const p of providers) p.reset?.();
      mcpServer.reset();
    },
    /** @returns {Promise<void>} */
    close() {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** @param {MockRequest} req */
function omitRequestExtras(req) {
  const { params: _p, origin: _o, ...rest } = req;
  return rest;
}

/** @param {string} contentType @param {string} bodyText @returns {unknown} */
function parseBody(contentType, bodyText) {
  if (!bodyText) return null;
  if (/json/i.test(contentType)) {
    try {
      return JSON.parse(bodyText);
    } catch {
      return bodyText;
    }
  }
  if (/x-www-form-urlencoded/i.test(contentType)) return Object.fromEntries(new URLSearchParams(bodyText));
  return bodyText;
}

/** A JSON array past the default 5 MiB client cap, streamed in chunks. */
function* oversize() {
  const chunk = JSON.stringify({ padding: 'x'.repeat(64 * 1024 - 20) });
  yield '[';
  for (let sent = 0, first = true; sent < OVERSIZE_BYTES; sent += chunk.length, first = false) yield (first ? '' : ',') + chunk;
  yield ']';
}

/** @param {http.ServerResponse} res @param {MockResponse} out */
function send(res, out) {
  if (res.destroyed) return;
  res.writeHead(out.status, out.headers ?? {});
  const body = out.body;
  if (body && typeof body === 'object' && Symbol.iterator in body && typeof body !== 'string' && !Buffer.isBuffer(body)) {
    const iter = /** @type {Iterator<string>} */ (/** @type {Iterable<string>} */ (body)[Symbol.iterator]());
    const pump = () => {
      for (let step = iter.next(); !step.done; step = iter.next()) if (!res.write(step.value)) return void res.once('drain', pump);
      res.end();
    };
    res.on('close', () => iter.return?.());
    return pump();
  }
  res.end(body === undefined || body === null ? undefined : /** @type {string | Buffer} */ (body));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const port = Number(process.env.MOCK_APIS_PORT ?? 4010);
  const mock = await startMockApis({ port, host: process.env.MOCK_APIS_HOST ?? '127.0.0.1' });
  process.stdout.write(`mock-apis listening on ${mock.url}\n`);
  const stop = () => mock.close().then(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
