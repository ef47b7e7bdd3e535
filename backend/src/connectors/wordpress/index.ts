/** WordPress REST API (wp/v2): create posts and comments, authenticated with an application password. */
import { z } from 'zod';
import { isHttpRequestError } from '../../common/http/http-client.js';
import { callProvider, joinUrl, jsonBody, toConnectorError, type ProviderInfo } from '../provider-call.js';
import { actionWith, ConnectorError, defineConnector, MOCK_ORIGIN, type ActionContext } from '../sdk.js';

const credentials = z.object({
  siteUrl: z.string().url().describe('The site address, e.g. https://blog.example.com (the REST API lives at /wp-json)'),
  username: z.string().min(1).describe('The WordPress user the application password belongs to'),
  applicationPassword: z.string().min(1).describe('Users → Profile → Application Passwords (spaces are fine)'),
});
type Credentials = z.output<typeof credentials>;
const action = actionWith(credentials);

const provider: ProviderInfo = {
  name: 'WordPress',
  messages: { 401: 'rejected the user name or application password', 403: 'does not allow this' },
  // WordPress errors: { code, message, data: { status } }.
  reason: (body) => {
    const b = body as { code?: string; message?: string } | null;
    return b && typeof b === 'object' && b.message ? `${b.code}: ${b.message}` : undefined;
  },
};

function wp(ctx: Pick<ActionContext<Credentials, unknown>, 'credentials'>, path: string) {
  const { siteUrl, username, applicationPassword } = ctx.credentials;
  // WordPress shows application passwords in groups of four and ignores the spaces.
  const password = applicationPassword.replace(/\s+/g, '');
  return {
    url: joinUrl(siteUrl, `/wp-json/wp/v2${path}`),
    headers: { authorization: `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}` },
    secrets: [password, applicationPassword],
  };
}

const rendered = (v: unknown) => (v && typeof v === 'object' && 'rendered' in v ? String((v as { rendered: unknown }).rendered) : '');

export const wordpress = defineConnector({
  key: 'wordpress',
  name: 'WordPress',
  icon: 'pen-line',
  description: 'Publish posts and comments on a WordPress site',
  credentials,
  sampleCredentials: { siteUrl: `${MOCK_ORIGIN}/wordpress`, username: 'admin', applicationPassword: 'abcd EFGH 1234 ijkl MNOP 6789' },
  /** `GET /wp-json/wp/v2/users/me`: the user the application password logs in as. */
  async test(ctx) {
    const res = await ctx.http.request({ signal: ctx.signal, ...wp(ctx, '/users/me') }).catch((err: unknown) => {
      // WordPress answers rest_not_logged_in when it saw no credentials at all: it only accepts
      // application passwords over HTTPS (or on a local site), and some hosts strip the
      // Authorization header before PHP sees it. Saying so beats "rejected the password".
      const code = isHttpRequestError(err) ? (err.response?.body as { code?: unknown } | undefined)?.code : undefined;
      if (code === 'rest_not_logged_in') {
        throw new ConnectorError(
          'WordPress did not see the credentials (401 rest_not_logged_in): application passwords need HTTPS, and some hosts drop the Authorization header',
          { status: 401 },
        );
      }
      // Not callProvider: the code above is read from the raw error, before the usual mapping.
      throw toConnectorError(err, provider);
    });
    const me = jsonBody<{ id: number; name?: string; slug?: string }>(res, provider);
    return `Authenticated as ${me.name || me.slug || ctx.credentials.username} (user #${me.id})`;
  },
  actions: [
    action({
      key: 'create_post',
      name: 'Create post',
      description: 'Creates a post (draft by default)',
      input: z.object({
        title: z.string().min(1).describe('Post title'),
        content: z.string().describe('Post body (HTML or blocks markup)'),
        excerpt: z.string().optional().describe('Short summary'),
        status: z.enum(['draft', 'publish', 'pending', 'private', 'future']).default('draft').describe('Publication status'),
        slug: z.string().optional().describe('URL slug; derived from the title when empty'),
        categories: z.array(z.coerce.number().int()).optional().describe('Category ids'),
        tags: z.array(z.coerce.number().int()).optional().describe('Tag ids'),
      }),
      output: z.object({ id: z.number(), link: z.string().describe('Public URL of the post'), status: z.string(), slug: z.string(), title: z.string() }),
      sample: { title: 'Hello from Tributary', content: '<p>Posted by a workflow.</p>', status: 'publish' },
      async execute(ctx) {
        const res = await callProvider(ctx, provider, { method: 'POST', ...wp(ctx, '/posts'), json: ctx.input });
        const p = jsonBody<{ id: number; link: string; status: string; slug: string; title: unknown }>(res, provider);
        return { id: p.id, link: p.link, status: p.status, slug: p.slug, title: rendered(p.title) };
      },
    }),
    action({
      key: 'create_comment',
      name: 'Create comment',
      description: 'Adds a comment to a post',
      input: z.object({
        post: z.coerce.number().int().min(1).describe('Id of the post commented on'),
        content: z.string().min(1).describe('Comment text'),
        parent: z.coerce.number().int().min(0).optional().describe('Id of the comment replied to'),
        authorName: z.string().optional().describe("Display name; default: the credential's user"),
        authorEmail: z.string().email().optional().describe('Author e-mail'),
      }),
      output: z.object({ id: z.number(), post: z.number(), status: z.string().describe('approved or hold'), link: z.string() }),
      sample: { post: 1, content: 'Great post, automated thanks!' },
      async execute(ctx) {
        const { post, content, parent, authorName, authorEmail } = ctx.input;
        const res = await callProvider(ctx, provider, {
          method: 'POST',
          ...wp(ctx, '/comments'),
          json: { post, content, parent, author_name: authorName, author_email: authorEmail },
        });
        const c = jsonBody<{ id: number; post: number; status: string; link: string }>(res, provider);
        return { id: c.id, post: c.post, status: c.status, link: c.link };
      },
    }),
  ],
});
