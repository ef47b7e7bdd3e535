/** The connectors the engine knows: the built-in `core` steps plus the registry's connectors. */
import { connectors } from '../connectors/registry.js';
import { catalogueEntry, type ConnectorCatalogueEntry, type ConnectorDefinition } from '../connectors/sdk.js';
import { coreConnector } from './core-steps.js';

export type ConnectorLookup = (key: string) => ConnectorDefinition<unknown> | undefined;

export const allConnectors: ConnectorDefinition<unknown>[] = [coreConnector, ...connectors];
const byKey = new Map(allConnectors.map((c) => [c.key, c]));

export const findConnector: ConnectorLookup = (key) => byKey.get(key);

let catalogue: ConnectorCatalogueEntry[] | undefined;
/** `GET /api/connectors`: computed once, the JSON Schemas do not change at run time. */
export function connectorCatalogue(): ConnectorCatalogueEntry[] {
  catalogue ??= allConnectors.map(catalogueEntry);
  return catalogue;
}
