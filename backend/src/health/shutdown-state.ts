/**
 * Whether this api process is on its way out: after SIGTERM, GET /health/live answers 503 so a load
 * balancer stops sending it new requests while it still serves them (SHUTDOWN_DRAIN_DELAY_MS);
 * then it stops accepting and finishes what is in flight (main.ts).
 */
import { Injectable } from '@nestjs/common';

@Injectable()
export class ShutdownState {
  private since?: number;

  begin(): void {
    this.since ??= Date.now();
  }

  get draining(): boolean {
    return this.since !== undefined;
  }
}
