/** Subscription patterns: event names where `*` stands for any run of characters (`execution.*`, `*`). */

export const MAX_TOPICS = 50;
const PATTERN = /^[A-Za-z0-9_.:*-]{1,200}$/;

export type TopicMatcher = (event: string) => boolean;

export function isTopicPattern(p: unknown): p is string {
  return typeof p === 'string' && PATTERN.test(p);
}

function toRegExp(pattern: string): RegExp {
  const body = pattern
    .split('*')
    .map((part) => part.replace(/[.]/g, '\\.'))
    .join('.*');
  return new RegExp(`^${body}$`);
}

/** One matcher for a set of patterns; an empty set matches nothing, a set holding `*` matches all. */
export function compileTopics(patterns: Iterable<string>): TopicMatcher {
  const list = [...patterns];
  if (list.includes('*')) return () => true;
  const exact = new Set(list.filter((p) => !p.includes('*')));
  const wild = list.filter((p) => p.includes('*')).map(toRegExp);
  if (!wild.length) return (e) => exact.has(e);
  return (e) => exact.has(e) || wild.some((r) => r.test(e));
}
