import type { FastifyInstance } from 'fastify';
import type { MetricsService } from './metrics.service.js';

/** Observes every response's duration by route pattern (not URL: ids would explode the label set). */
export function registerHttpMetrics(fastify: FastifyInstance, metrics: MetricsService): void {
  fastify.addHook('onResponse', (req, reply, done) => {
    metrics.observeHttp(req.method, req.routeOptions.url ?? '(unmatched)', reply.statusCode, reply.elapsedTime / 1000);
    done();
  });
}
