/** Secret redaction for outbound-request errors: nothing a caller marks secret may reach a message. */

const SECRET_HEADERS = new Set(['authorization', 'proxy-authorization', 'x-api-key', 'api-key', 'x-auth-token', 'cookie', 'x-csrftoken']);
const MIN_SECRET_LENGTH = 3;

/** The secret values hidden in request headers: credentials in Authorization and key headers, cookie values. */
export function secretsFromHeaders(headers: Record<string, string> | undefined): string[] {
  const found: string[] = [];
  for (const [name, value] of Object.entries(headers ?? {})) {
    const lower = name.toLowerCase();
    if (!SECRET_HEADERS.has(lower) || !value) continue;
    if (lower === 'cookie') {
      for (const pair of value.split(';')) found.push(pair.slice(pair.indexOf('=') + 1).trim());
      continue;
    }
    const m = /^(\w+)\s+(.+)$/.exec(value);
    if (!m) {
      found.push(value);
      continue;
    }
    const [, scheme, token] = m;
    found.push(token);
    if (scheme.toLowerCase() === 'basic') {
      const decoded = Buffer.from(token, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      found.push(decoded);
      if (colon >= 0) found.push(decoded.slice(colon + 1));
    }
  }
  return found;
}

/** Replaces every secret in a text; `matches` tells, without allocating, whether a text holds one. */
export interface Redactor {
  (text: string): string;
  matches(text: string): boolean;
}

/** A function replacing every secret (as given, URL-encoded and form-encoded) with `***`. */
export function createRedactor(secrets: Iterable<string | undefined | null>): Redactor {
  const variants = new Set<string>();
  for (const secret of secrets) {
    if (!secret || secret.length < MIN_SECRET_LENGTH) continue;
    variants.add(secret);
    variants.add(encodeURIComponent(secret));
    variants.add(new URLSearchParams({ s: secret }).toString().slice(2));
  }
  // Longest first so a secret containing another is replaced whole.
  const ordered = [...variants].sort((a, b) => b.length - a.length);
  const matches = (text: string) => ordered.some((v) => text.includes(v));
  // Most texts hold no secret: they are looked through, not copied.
  const redact = (text: string) => {
    let out = text;
    for (const v of ordered) if (out.includes(v)) out = out.split(v).join('***');
    return out;
  };
  return Object.assign(redact, { matches });
}
