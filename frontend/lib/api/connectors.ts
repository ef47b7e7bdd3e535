import { useQuery } from '@tanstack/react-query';
import { api } from './client';
import { keys } from './keys';
import type { Connector } from './types';

export function useConnectors() {
  return useQuery({
    queryKey: keys.connectors,
    queryFn: ({ signal }) => api<Connector[]>('/connectors', { signal }),
    staleTime: 10 * 60_000,
  });
}

export function findConnector(connectors: Connector[] | undefined, key: string) {
  return connectors?.find((c) => c.key === key);
}

export function findAction(connectors: Connector[] | undefined, connectorKey: string, actionKey: string) {
  return findConnector(connectors, connectorKey)?.actions.find((a) => a.key === actionKey);
}
