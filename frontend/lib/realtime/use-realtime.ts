'use client';

/**
 * `useRealtime(topics, onEvent)`: live platform events for the signed-in workspace. Every hook in
 * the tab shares one socket; each hook adds its topics to the subscription while mounted and only
 * hears the events its own patterns match.
 */
import { useEffect, useRef, useSyncExternalStore } from 'react';
import { sessionStore } from '../auth/session-store';
import { env } from '../env';
import { RealtimeClient, realtimeUrl, topicMatches } from './client';
import type { PlatformEventName, PlatformMessage, RealtimeStatus } from './types';

let shared: RealtimeClient | null = null;
let mounted = 0;
const topicUsers = new Map<string, number>();

/** The tab's one client (for code outside React; hooks use it through useRealtime). */
export function getRealtimeClient(): RealtimeClient {
  shared ??= new RealtimeClient({ url: realtimeUrl(env.apiUrl) });
  return shared;
}

function acquire(client: RealtimeClient, topics: string[]): void {
  const added = topics.filter((t) => {
    const n = topicUsers.get(t) ?? 0;
    topicUsers.set(t, n + 1);
    return n === 0;
  });
  client.subscribe(added);
}

function release(client: RealtimeClient, topics: string[]): void {
  const removed = topics.filter((t) => {
    const n = (topicUsers.get(t) ?? 1) - 1;
    if (n <= 0) topicUsers.delete(t);
    else topicUsers.set(t, n);
    return n <= 0;
  });
  client.unsubscribe(removed);
}

const noop = () => () => undefined;

/**
 * Calls `onEvent` for each platform event matching `topics` (patterns with `*`; an empty list means
 * all). `onEvent` may change between renders without resubscribing. Returns the connection status.
 */
export function useRealtime(
  topics: readonly (PlatformEventName | `${string}*${string}` | '*')[],
  onEvent: (message: PlatformMessage) => void,
  options: { enabled?: boolean } = {},
): { status: RealtimeStatus } {
  const enabled = options.enabled ?? true;
  const token = useSyncExternalStore(sessionStore.subscribe, sessionStore.token, () => null);
  const client = typeof window === 'undefined' ? null : getRealtimeClient();
  const status = useSyncExternalStore(
    client ? (cb) => client.onStatus(cb) : noop,
    () => client?.status ?? 'idle',
    () => 'idle' as const,
  );
  const handler = useRef(onEvent);
  useEffect(() => {
    handler.current = onEvent;
  });
  const key = (topics.length ? [...new Set(topics)] : ['*']).sort().join('\n');

  useEffect(() => {
    if (!client || !enabled || !token) return;
    const patterns = key.split('\n');
    mounted++;
    acquire(client, patterns);
    if (client.currentToken !== token || client.status === 'idle' || client.status === 'unauthorized') client.connect(token);
    const off = client.onAny((m) => {
      if (m.event.includes('.') && patterns.some((p) => topicMatches(p, m.event))) handler.current(m as PlatformMessage);
    });
    return () => {
      off();
      release(client, patterns);
      mounted--;
      // Deferred, so a remount in the same tick (navigation, StrictMode) keeps the socket.
      setTimeout(() => {
        if (mounted === 0) client.disconnect();
      }, 0);
    };
  }, [client, enabled, token, key]);

  return { status };
}
