/**
 * Kong authenticates API consumers and tells the api who they are in headers. Those headers are
 * believed only when the TCP peer is a trusted proxy (TRUSTED_PROXIES); from anyone else they are
 * removed before any handler sees them. The decision uses the socket's address, not req.ip, which
 * Fastify's trustProxy may have taken from X-Forwarded-For.
 */
import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { KONG_CONSUMER_HEADERS } from '../kong/kong-types.js';
import { proxyTrust } from './proxy-trust.js';
import { isUuid } from '../common/ids.js';

export interface ConsumerIdentity {
  /** X-Consumer-ID: for consumers made here, the api_consumers id. */
  id: string;
  username?: string;
  /** X-Credential-Identifier: which of the consumer's credentials was used. */
  credentialId?: string;
  anonymous: boolean;
}

declare module 'fastify' {
  interface FastifyRequest {
    consumer: ConsumerIdentity | null;
  }
}

const LOWER_HEADERS = KONG_CONSUMER_HEADERS.map((h) => h.toLowerCase());

function single(value: string | string[] | undefined): string | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  return v && v.length <= 256 ? v : undefined;
}

export interface ConsumerIdentityOptions {
  trustedProxies: readonly string[];
  /** Called once per request of an identified consumer on a matched route (`GET /api/…/:id`). */
  onConsumerRequest?: (consumerId: string, route: string) => void;
}

export function registerConsumerIdentity(fastify: FastifyInstance, opts: ConsumerIdentityOptions): void {
  const trusted = proxyTrust(opts.trustedProxies);
  fastify.decorateRequest('consumer', null);
  fastify.addHook('onRequest', (req, reply, done) => {
    const headers = req.raw.headers;
    if (!trusted(req.raw.socket.remoteAddress)) {
      for (const name of LOWER_HEADERS) {
        if (name in headers) {
          delete headers[name];
          delete req.headers[name];
        }
      }
      return done();
    }
    const id = single(headers['x-consumer-id']);
    if (!id) return done();
    const identity: ConsumerIdentity = {
      id,
      username: single(headers['x-consumer-username']),
      credentialId: single(headers['x-credential-identifier']),
      anonymous: single(headers['x-anonymous-consumer']) === 'true',
    };
    req.consumer = identity;
    // Every later line of this request, "request completed" included, says who the consumer was.
    req.log = reply.log = req.log.child({ consumer: { id: identity.id, username: identity.username, credentialId: identity.credentialId } });
    const route = req.routeOptions.url;
    if (route && isUuid(id) && !identity.anonymous) opts.onConsumerRequest?.(id, `${req.method} ${route}`);
    done();
  });
}

/** `@CurrentConsumer() consumer: ConsumerIdentity | null` — who Kong says is calling, when it is trusted. */
export const CurrentConsumer = createParamDecorator((_data: unknown, ctx: ExecutionContext): ConsumerIdentity | null => {
  return ctx.switchToHttp().getRequest<FastifyRequest>().consumer ?? null;
});
