/** The one list of connectors. Adding a connector: its folder, and one line here. */
import type { ConnectorDefinition } from './sdk.js';

export const connectors: ConnectorDefinition<unknown>[] = [];

const byKey = new Map(connectors.map((c) => [c.key, c]));

export function getConnector(key: string): ConnectorDefinition<unknown> | undefined {
  return byKey.get(key);
}
