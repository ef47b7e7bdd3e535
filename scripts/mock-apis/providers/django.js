// @ts-check
/**
 * A Django site under /django behaving like Django + Django REST framework:
 * - DRF API /django/api/articles/ (list paginated, create, retrieve) with TokenAuthentication
 *   (`Authorization: Token …`) or SessionAuthentication (session cookie + CSRF on unsafe methods).
 *   The router's API root /django/api/ lists the endpoints (what "Test connection" reads); like
 *   every view of an API whose default permission is IsAuthenticated, it needs credentials.
 * - Session login /django/accounts/login/: GET sets the `csrftoken` cookie and renders the masked
 *   token in `csrfmiddlewaretoken`; POST checks CSRF, then answers 302 with `sessionid` and a
 *   rotated `csrftoken` (as django.contrib.auth.login does).
 * - Form views /django/forms/:name/ (login required): POST with CSRF → 302 to …/thanks/.
 * CSRF failures answer 403 "CSRF verification failed. Request aborted." with Django's reasons.
 */
import { randomBytes } from 'node:crypto';
import { bodyObject, cookies, html, json, route, schemeToken } from '../lib.js';

export const DJANGO = { token: '9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b', username: 'demo', password: 'demo-password' };
const CHARS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const SECRET_LENGTH = 32;

/** @param {number} n */
function randomString(n) {
  const bytes = randomBytes(n);
  return Array.from(bytes, (b) => CHARS[b % CHARS.length]).join('');
}

/** Django's _mask_cipher_secret: a random mask followed by the secret shifted by it. @param {string} secret */
function mask(secret) {
  const m = randomString(SECRET_LENGTH);
  const cipher = [...secret].map((c, i) => CHARS[(CHARS.indexOf(c) + CHARS.indexOf(m[i])) % CHARS.length]).join('');
  return m + cipher;
}

/** @param {string} token */
function unmask(token) {
  const m = token.slice(0, SECRET_LENGTH);
  return [...token.slice(SECRET_LENGTH)].map((c, i) => CHARS[(CHARS.indexOf(c) - CHARS.indexOf(m[i]) + CHARS.length) % CHARS.length]).join('');
}

/** @param {string} reason */
function csrfFailure(reason) {
  return html(
    403,
    `<!DOCTYPE html><html lang="en"><head><title>403 Forbidden</title></head><body><div id="summary"><h1>Forbidden <span>(403)</span></h1><p>CSRF verification failed. Request aborted.</p></div><div id="info"><p>Reason given for failure:</p><pre>\n    ${reason}\n    </pre></div></body></html>`,
  );
}

/** @param {string} name @param {string} value @param {number} maxAge @param {boolean} httpOnly */
function setCookie(name, value, maxAge, httpOnly) {
  const expires = new Date(Date.now() + maxAge * 1000).toUTCString();
  return `${name}=${value}; expires=${expires}; ${httpOnly ? 'HttpOnly; ' : ''}Max-Age=${maxAge}; Path=/; SameSite=Lax`;
}

/**
 * CsrfViewMiddleware for unsafe methods; null when the request passes.
 * @param {import('../lib.js').MockRequest} req
 */
function checkCsrf(req) {
  const origin = req.headers.origin;
  if (origin && origin !== req.origin) return csrfFailure(`Origin checking failed - ${origin} does not match any trusted origins.`);
  const secret = cookies(req).csrftoken;
  if (!secret) return csrfFailure('CSRF cookie not set.');
  const fromPost = /** @type {Record<string, unknown>} */ (bodyObject(req)).csrfmiddlewaretoken;
  const token = typeof fromPost === 'string' && fromPost ? fromPost : req.headers['x-csrftoken'];
  const source = typeof fromPost === 'string' && fromPost ? 'POST' : "the 'X-Csrftoken' HTTP header";
  if (!token) return csrfFailure('CSRF token missing.');
  if (token.length !== SECRET_LENGTH && token.length !== SECRET_LENGTH * 2) return csrfFailure(`CSRF token from ${source} has incorrect length.`);
  if ([...token].some((c) => !CHARS.includes(c))) return csrfFailure(`CSRF token from ${source} has invalid characters.`);
  const plain = token.length === SECRET_LENGTH ? token : unmask(token);
  return plain === secret ? null : csrfFailure(`CSRF token from ${source} incorrect.`);
}

/** @returns {import('../lib.js').Provider} */
export function createDjangoProvider() {
  /** @type {Map<string, string>} sessionid → username */
  const sessions = new Map();
  /** @type {Record<string, unknown>[]} */
  let articles = [];
  /** @type {{ form: string, user: string, fields: Record<string, unknown> }[]} */
  const submissions = [];
  const reset = () => {
    sessions.clear();
    submissions.length = 0;
    articles = [{ id: 1, title: 'Welcome', body: 'The first article.', author: DJANGO.username, created: '2024-05-01T12:00:00Z' }];
  };
  reset();

  /** @param {import('../lib.js').MockRequest} req */
  const sessionUser = (req) => sessions.get(cookies(req).sessionid ?? '') ?? null;

  /** DRF: TokenAuthentication, then SessionAuthentication (which enforces CSRF on unsafe methods). @param {import('../lib.js').MockRequest} req */
  function apiAuth(req) {
    const unauthorized = (/** @type {string} */ detail) => ({ user: null, error: json(401, { detail }, { 'www-authenticate': 'Token' }) });
    if (/^Token\b/i.test(req.headers.authorization ?? '')) {
      const token = schemeToken(req, 'Token');
      if (!token || /\s/.test(token)) return unauthorized('Invalid token header. No credentials provided.');
      return token === DJANGO.token ? { user: DJANGO.username, error: null } : unauthorized('Invalid token.');
    }
    const user = sessionUser(req);
    if (!user) return unauthorized('Authentication credentials were not provided.');
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      const failed = checkCsrf(req);
      if (failed) return { user: null, error: json(403, { detail: `CSRF Failed: ${/<pre>\s*([^<]*?)\s*<\/pre>/.exec(String(failed.body))?.[1]}` }) };
    }
    return { user, error: null };
  }

  /** @param {string} action @param {string} token @param {string} [error] */
  const loginPage = (action, token, error) =>
    `<!DOCTYPE html><html><body>${error ? `<p class="errornote">${error}</p>` : ''}<form method="post" action="${action}"><input type="hidden" name="csrfmiddlewaretoken" value="${token}"><input type="text" name="username"><input type="password" name="password"><input type="submit" value="Log in"></form></body></html>`;

  return {
    name: 'django',
    prefix: '/django',
    reset,
    error: (/** @type {number} */ status) =>
      html(status, status === 429 ? '<h1>Too Many Requests</h1>' : '<h1>Server Error (500)</h1>'),
    routes: [
      route('GET', '/django/accounts/login/', (req) => {
        const existing = cookies(req).csrftoken;
        const secret = existing && existing.length === SECRET_LENGTH ? existing : randomString(SECRET_LENGTH);
        const headers = existing === secret ? {} : { 'set-cookie': setCookie('csrftoken', secret, 31449600, false) };
        return html(200, loginPage(req.path, mask(secret)), headers);
      }),
      route('POST', '/django/accounts/login/', (req) => {
        const failed = checkCsrf(req);
        if (failed) return failed;
        const form = bodyObject(req);
        if (form.username !== DJANGO.username || form.password !== DJANGO.password) {
          const page = loginPage(req.path, mask(cookies(req).csrftoken), 'Please enter a correct username and password. Note that both fields may be case-sensitive.');
          return html(200, page);
        }
        const sessionid = randomString(32).toLowerCase();
        sessions.set(sessionid, DJANGO.username);
        const next = typeof form.next === 'string' && form.next.startsWith('/') ? form.next : req.query.next ?? '/django/accounts/profile/';
        return {
          status: 302,
          headers: {
            location: next,
            'set-cookie': [setCookie('csrftoken', randomString(SECRET_LENGTH), 31449600, false), setCookie('sessionid', sessionid, 1209600, true)],
          },
        };
      }),
      route('GET', '/django/accounts/profile/', (req) => {
        const user = sessionUser(req);
        return user ? html(200, `<p>Logged in as ${user}</p>`) : { status: 302, headers: { location: `/django/accounts/login/?next=${req.path}` } };
      }),
      route('POST', '/django/forms/:name/', (req) => {
        const failed = checkCsrf(req);
        if (failed) return failed;
        const user = sessionUser(req);
        if (!user) return { status: 302, headers: { location: `/django/accounts/login/?next=${req.path}` } };
        const { csrfmiddlewaretoken: _t, ...fields } = bodyObject(req);
        if (Object.keys(fields).length === 0) {
          return html(200, '<form><ul class="errorlist"><li>This field is required.</li></ul></form>');
        }
        submissions.push({ form: req.params.name, user, fields });
        return { status: 302, headers: { location: `${req.path}thanks/` } };
      }),
      route('GET', '/django/forms/:name/thanks/', () => html(200, '<p>Thank you, your submission was received.</p>')),
      // DefaultRouter's APIRootView: endpoint name → absolute URL.
      route('GET', '/django/api/', (req) => {
        const { error } = apiAuth(req);
        if (error) return error;
        return json(200, { articles: `${req.origin}/django/api/articles/` });
      }),
      route('GET', '/django/api/:resource/', (req) => {
        const { error } = apiAuth(req);
        if (error) return error;
        if (req.params.resource !== 'articles') return json(404, { detail: 'Not found.' });
        const page = Number(req.query.page ?? 1);
        const size = 10;
        const results = articles.slice((page - 1) * size, page * size);
        const next = page * size < articles.length ? `${req.origin}${req.path}?page=${page + 1}` : null;
        return json(200, { count: articles.length, next, previous: page > 1 ? `${req.origin}${req.path}?page=${page - 1}` : null, results });
      }),
      route('GET', '/django/api/:resource/:id/', (req) => {
        const { error } = apiAuth(req);
        if (error) return error;
        const a = req.params.resource === 'articles' ? articles.find((x) => String(x.id) === req.params.id) : undefined;
        return a ? json(200, a) : json(404, { detail: 'No Article matches the given query.' });
      }),
      route('POST', '/django/api/:resource/', (req) => {
        const { user, error } = apiAuth(req);
        if (error) return error;
        if (req.params.resource !== 'articles') return json(404, { detail: 'Not found.' });
        const b = bodyObject(req);
        /** @type {Record<string, string[]>} */
        const errors = {};
        if (!b.title) errors.title = ['This field is required.'];
        else if (String(b.title).length > 200) errors.title = ['Ensure this field has no more than 200 characters.'];
        if (Object.keys(errors).length) return json(400, errors);
        const article = { id: articles.length + 1, title: b.title, body: b.body ?? '', author: user, created: new Date().toISOString() };
        articles.push(article);
        return json(201, article, { location: `${req.origin}${req.path}${article.id}/` });
      }),
    ],
  };
}
