/**
 * Django session authentication as a browser does it: GET the login page (Django sets the
 * `csrftoken` cookie and renders a masked token in `csrfmiddlewaretoken`), POST the credentials
 * with that token, the cookie, an `X-CSRFToken` header and a same-origin Referer, and keep the
 * `sessionid` plus the rotated `csrftoken` Django sets on login for the following unsafe requests.
 */
import type { HttpRequest, HttpResponse } from '../../common/http/http-client.js';
import { callProvider, joinUrl, type ProviderCallContext, type ProviderInfo } from '../provider-call.js';
import { ConnectorError } from '../sdk.js';

export const djangoProvider: ProviderInfo = {
  name: 'Django',
  messages: { 401: 'rejected the credentials', 403: 'refused the request' },
  // CSRF failures render an HTML page whose <pre> gives the reason.
  reason: (body) => {
    if (typeof body !== 'string') return undefined;
    const pre = /<pre>\s*([^<]*?)\s*<\/pre>/.exec(body)?.[1];
    return /CSRF verification failed/.test(body) ? `CSRF verification failed${pre ? `: ${pre}` : ''}` : undefined;
  },
};

export class CookieJar {
  private readonly cookies = new Map<string, string>();

  store(res: HttpResponse): void {
    const raw = res.headers['set-cookie'];
    for (const line of Array.isArray(raw) ? raw : raw ? [raw] : []) {
      const pair = line.split(';', 1)[0];
      const i = pair.indexOf('=');
      if (i > 0) this.cookies.set(pair.slice(0, i).trim(), pair.slice(i + 1).trim());
    }
  }

  get(name: string): string | undefined {
    return this.cookies.get(name);
  }

  header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  values(): string[] {
    return [...this.cookies.values()];
  }
}

export interface DjangoSession {
  jar: CookieJar;
  /** Adds cookie, CSRF header and Referer to an unsafe request made within the session. */
  sign(req: HttpRequest, referer: string): HttpRequest;
}

export async function loginWithSession(
  ctx: ProviderCallContext,
  opts: { baseUrl: string; loginPath: string; username: string; password: string },
): Promise<DjangoSession> {
  const jar = new CookieJar();
  const loginUrl = joinUrl(opts.baseUrl, opts.loginPath);
  const page = await callProvider(ctx, djangoProvider, { url: loginUrl, headers: { accept: 'text/html' } });
  jar.store(page);
  const csrf = jar.get('csrftoken');
  const masked = /name=["']csrfmiddlewaretoken["']\s+value=["']([^"']+)["']/.exec(page.text)?.[1] ?? csrf;
  if (!csrf || !masked) throw new ConnectorError(`Django's login page at ${opts.loginPath} set no csrftoken cookie; is this the login URL?`);

  const secrets = [opts.password];
  const sign = (req: HttpRequest, referer: string): HttpRequest => ({
    ...req,
    headers: { ...req.headers, cookie: jar.header(), 'x-csrftoken': jar.get('csrftoken') ?? '', referer },
    secrets: [...(req.secrets ?? []), ...secrets, ...jar.values()],
  });

  const res = await callProvider(
    ctx,
    djangoProvider,
    sign({ method: 'POST', url: loginUrl, form: { csrfmiddlewaretoken: masked, username: opts.username, password: opts.password } }, loginUrl),
  );
  jar.store(res);
  if (!jar.get('sessionid')) {
    // Django re-renders the login form (200) when the credentials are wrong.
    throw new ConnectorError('Django rejected the username or password (login form returned without a session)', { status: 401 });
  }
  return { jar, sign };
}
