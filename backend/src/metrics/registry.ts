/**
 * The process-wide metrics registry: Node's default metrics (CPU, memory, event loop lag, GC) and
 * gauges other modules set (WebSocket connections). Metrics of one api instance (HTTP, queue,
 * executions, steps) live in MetricsService's own registry and are merged in at scrape time.
 */
import { collectDefaultMetrics, Registry } from 'prom-client';

export const processRegistry = new Registry();
collectDefaultMetrics({ register: processRegistry });
