/**
 * The connectors the engine and the api know: the one registry (connectors/registry.ts), `core`
 * included. The runner itself gets its lookup through RunDeps and names no connector.
 */
import type { ConnectorDefinition } from '../connectors/sdk.js';

export type ConnectorLookup = (key: string) => ConnectorDefinition<unknown> | undefined;

export { connectorCatalogue, getConnector as findConnector } from '../connectors/registry.js';
