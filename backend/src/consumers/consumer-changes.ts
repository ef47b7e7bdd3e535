import { Injectable } from '@nestjs/common';
import type { GatewaySyncReport } from '@tributary/contracts';

/** What a gateway sync reports back: null when no Kong Admin API is configured. */
export type { GatewaySyncReport } from '@tributary/contracts';

type Listener = () => Promise<GatewaySyncReport | null>;

/**
 * Consumers changed (created, deleted, key rotated): the gateway module subscribes and pushes the new
 * config to Kong, without the consumers module knowing the gateway.
 */
@Injectable()
export class ConsumerChanges {
  private readonly listeners: Listener[] = [];

  subscribe(listener: Listener): void {
    this.listeners.push(listener);
  }

  /** The last listener's report (there is one: the gateway). */
  async emit(): Promise<GatewaySyncReport | null> {
    let report: GatewaySyncReport | null = null;
    for (const l of this.listeners) report = (await l()) ?? report;
    return report;
  }
}
