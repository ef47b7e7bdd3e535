// @ts-check
/**
 * WordPress REST API (/wordpress/wp-json/wp/v2, application-password basic auth; `GET …/users/me`
 * answers the authenticated user, what "Test connection" reads) and a Beego REST service in the
 * shape `bee api` generates (/beego/v1/object, /beego/v1/user).
 */
import { basicAuth, bodyObject, html, json, route, schemeToken } from '../lib.js';

export const WORDPRESS = { username: 'admin', applicationPassword: 'abcd EFGH 1234 ijkl MNOP 6789' };
export const BEEGO = { token: 'mock-beego-token' };

/** @param {number} status @param {string} code @param {string} message @param {Record<string, unknown>} [extra] */
const wpError = (status, code, message, extra = {}) => json(status, { code, message, data: { status, ...extra } });

function wordpress() {
  /** @type {Record<string, unknown>[]} */
  let posts = [];
  /** @type {Record<string, unknown>[]} */
  let comments = [];
  let seq = 0;
  const reset = () => {
    posts = [];
    comments = [];
    seq = 0;
    posts.push(post('http://127.0.0.1:4010', { title: 'Hello world!', content: 'Welcome to WordPress.', status: 'publish' }));
  };
  /** @param {string} origin @param {Record<string, unknown>} b */
  function post(origin, b) {
    const id = ++seq;
    const now = new Date().toISOString().slice(0, 19);
    const slug = String(b.slug ?? b.title ?? id).toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
    return {
      id, date: now, date_gmt: now, guid: { rendered: `${origin}/wordpress/?p=${id}` }, modified: now, modified_gmt: now, slug,
      status: b.status ?? 'draft', type: 'post', link: `${origin}/wordpress/${slug}/`,
      title: { rendered: String(b.title ?? '') }, content: { rendered: `<p>${b.content ?? ''}</p>\n`, protected: false },
      excerpt: { rendered: `<p>${b.excerpt ?? ''}</p>\n`, protected: false }, author: 1, featured_media: 0,
      comment_status: 'open', ping_status: 'open', sticky: false, format: 'standard',
      categories: b.categories ?? [1], tags: b.tags ?? [],
    };
  }
  /** @param {import('../lib.js').MockRequest} req */
  function authenticate(req) {
    const auth = basicAuth(req);
    if (!auth) return { error: null, user: null };
    if (auth.user !== WORDPRESS.username) return { error: wpError(401, 'invalid_username', 'Unknown username. Check again or try your email address.'), user: null };
    if (auth.pass.replace(/\s/g, '') !== WORDPRESS.applicationPassword.replace(/\s/g, '')) {
      return { error: wpError(401, 'incorrect_password', 'The provided password is an invalid application password.'), user: null };
    }
    return { error: null, user: auth.user };
  }
  reset();
  const base = '/wordpress/wp-json/wp/v2';
  return {
    name: 'wordpress',
    prefix: '/wordpress',
    reset,
    error: (/** @type {number} */ status, /** @type {string} */ message) => wpError(status, status === 429 ? 'too_many_requests' : 'internal_server_error', message),
    routes: [
      // The current user in the default `view` context; without credentials WordPress answers
      // 401 rest_not_logged_in (also what a host that strips the Authorization header leads to).
      route('GET', `${base}/users/me`, (req) => {
        const { error, user } = authenticate(req);
        if (error) return error;
        if (!user) return wpError(401, 'rest_not_logged_in', 'You are not currently logged in.');
        return json(200, {
          id: 1,
          name: user,
          url: '',
          description: '',
          link: `${req.origin}/wordpress/author/${user}/`,
          slug: user,
          avatar_urls: { 24: 'https://secure.gravatar.com/avatar/00000000000000000000000000000000?s=24&d=mm&r=g' },
          meta: [],
        });
      }),
      route('GET', `${base}/posts`, () => json(200, posts.filter((p) => p.status === 'publish'), { 'x-wp-total': String(posts.length), 'x-wp-totalpages': '1' })),
      route('GET', `${base}/posts/:id`, (req) => {
        const p = posts.find((x) => String(x.id) === req.params.id);
        return p ? json(200, p) : wpError(404, 'rest_post_invalid_id', 'Invalid post ID.');
      }),
      route('POST', `${base}/posts`, (req) => {
        const { error, user } = authenticate(req);
        if (error) return error;
        if (!user) return wpError(401, 'rest_cannot_create', 'Sorry, you are not allowed to create posts as this user.');
        const b = bodyObject(req);
        const statuses = ['publish', 'future', 'draft', 'pending', 'private'];
        if (b.status !== undefined && !statuses.includes(String(b.status))) {
          return wpError(400, 'rest_invalid_param', 'Invalid parameter(s): status', { params: { status: `status is not one of ${statuses.join(', ')}, trash.` } });
        }
        if (!b.title && !b.content && !b.excerpt) return wpError(400, 'empty_content', 'Content, title, and excerpt are empty.');
        const p = post(req.origin, b);
        posts.push(p);
        return json(201, p, { location: `${req.origin}${base}/posts/${p.id}` });
      }),
      route('POST', `${base}/comments`, (req) => {
        const { error, user } = authenticate(req);
        if (error) return error;
        const b = bodyObject(req);
        const target = posts.find((p) => String(p.id) === String(b.post));
        if (!target) return wpError(403, 'rest_comment_invalid_post_id', 'Sorry, you are not allowed to create this comment without a post.');
        if (!b.content) return wpError(400, 'rest_comment_content_invalid', 'Invalid comment content.');
        if (!user && (!b.author_name || !b.author_email)) {
          return wpError(400, 'rest_comment_author_data_required', 'Creating a comment requires valid author name and email values.');
        }
        const id = comments.length + 1;
        const c = {
          id, post: target.id, parent: Number(b.parent ?? 0), author: user ? 1 : 0, author_name: user ?? b.author_name, author_url: '',
          date: new Date().toISOString().slice(0, 19), content: { rendered: `<p>${b.content}</p>\n` },
          link: `${target.link}#comment-${id}`, status: user ? 'approved' : 'hold', type: 'comment',
        };
        comments.push(c);
        return json(201, c);
      }),
    ],
  };
}

function beego() {
  /** @type {Record<string, Map<string, Record<string, unknown>>>} */
  let store = {};
  let seq = 0;
  const reset = () => {
    seq = 0;
    store = {
      object: new Map([
        ['hjkhsbnmn123', { ObjectId: 'hjkhsbnmn123', Score: 100, PlayerName: 'astaxie' }],
        ['mjjkxsxsaa23', { ObjectId: 'mjjkxsxsaa23', Score: 101, PlayerName: 'someone' }],
      ]),
      user: new Map([['user_11111', { Id: 'user_11111', Username: 'astaxie', Password: '11111', Profile: { Gender: 'male', Age: 20, Address: 'Singapore', Email: 'astaxie@gmail.com' } }]]),
    };
  };
  reset();
  const ID_FIELD = /** @type {Record<string, string>} */ ({ object: 'ObjectId', user: 'Id' });
  /** @param {import('../lib.js').MockRequest} req */
  const denied = (req) =>
    req.headers.authorization !== undefined && schemeToken(req, 'Bearer') !== BEEGO.token ? json(401, { code: 401, message: 'unauthorized' }) : null;
  const notFound = () => html(404, '<html><head><title>Page not found</title></head><body><h1>404</h1><p>Page Not Found</p><p>Powered by beego</p></body></html>');
  return {
    name: 'beego',
    prefix: '/beego',
    reset,
    routes: [
      // `bee api` controllers answer GetAll with a map keyed by id.
      route('GET', '/beego/v1/:resource', (req) => denied(req) ?? (store[req.params.resource] ? json(200, Object.fromEntries(store[req.params.resource])) : notFound())),
      route('GET', '/beego/v1/:resource/:id', (req) => {
        const d = denied(req);
        if (d) return d;
        const items = store[req.params.resource];
        if (!items) return notFound();
        const item = items.get(req.params.id);
        return item ? json(200, item) : json(404, `${ID_FIELD[req.params.resource] ?? 'Id'} Not Exist`);
      }),
      route('POST', '/beego/v1/:resource', (req) => {
        const d = denied(req);
        if (d) return d;
        const items = store[req.params.resource];
        if (!items) return notFound();
        if (typeof req.body !== 'object' || req.body === null) return json(400, 'invalid character in JSON body');
        const idField = ID_FIELD[req.params.resource] ?? 'Id';
        const id = `${req.params.resource === 'user' ? 'user_' : 'astaxie'}${Date.now() % 1e6}${++seq}`;
        items.set(id, { ...bodyObject(req), [idField]: id });
        return json(200, req.params.resource === 'user' ? { uid: id } : { ObjectId: id });
      }),
    ],
  };
}

/** @returns {import('../lib.js').Provider[]} */
export function createCmsProviders() {
  return [wordpress(), beego()];
}
