/**
 * Resume URLs of webhook waits (`POST /api/resume/:token`): the token names the execution and the
 * wait's step path and is signed with HMAC-SHA256 under a key derived from JWT_SECRET, so it is
 * unguessable yet the same on every attempt of the run (a step before the wait can send it out as
 * `{{$resumeUrl}}`, and a crash does not change it). Single use and expiry are the wait row's
 * (waits.repository.ts), not the token's.
 */
import type { Provider } from '@nestjs/common';
import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import { CONFIG, type Config } from '../config/config.js';

const SIGNATURE_BYTES = 32;

export class ResumeTokens {
  private readonly key: Buffer;

  constructor(
    secret: string,
    private readonly publicUrl: string,
  ) {
    this.key = Buffer.from(hkdfSync('sha256', secret, 'tributary', 'resume tokens v1', 32));
  }

  token(executionId: string, path: string): string {
    const body = Buffer.from(`${executionId}|${path}`).toString('base64url');
    return `${body}.${this.sign(body).toString('base64url')}`;
  }

  url(executionId: string, path: string): string {
    return `${this.publicUrl}/api/resume/${this.token(executionId, path)}`;
  }

  /** The execution and path a token names, or null when it is not one of ours. */
  parse(token: string): { executionId: string; path: string } | null {
    const dot = token.lastIndexOf('.');
    if (dot <= 0 || token.length > 2000) return null;
    const body = token.slice(0, dot);
    const given = Buffer.from(token.slice(dot + 1), 'base64url');
    if (given.length !== SIGNATURE_BYTES || !timingSafeEqual(given, this.sign(body))) return null;
    const text = Buffer.from(body, 'base64url').toString();
    const bar = text.indexOf('|');
    if (bar < 0) return null;
    return { executionId: text.slice(0, bar), path: text.slice(bar + 1) };
  }

  private sign(body: string): Buffer {
    return createHmac('sha256', this.key).update(body).digest();
  }
}

export const resumeTokensProvider: Provider = {
  provide: ResumeTokens,
  useFactory: (config: Config) => new ResumeTokens(config.jwt.secret, config.publicUrl),
  inject: [CONFIG],
};
