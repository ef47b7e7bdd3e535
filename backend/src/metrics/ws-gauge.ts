import { Gauge } from 'prom-client';
import { processRegistry } from './registry.js';

/** Open WebSocket connections of this process: the realtime gateway increments and decrements it. */
export const websocketConnections = new Gauge({
  name: 'tributary_websocket_connections',
  help: 'Open WebSocket connections (/ws) on this api process',
  registers: [processRegistry],
});
