'use client';
import * as React from 'react';
import { useCredentials, useCredentialStatusEvents } from '@/lib/api/credentials';
import type { Step } from '@/lib/api/types';
import { credentialProblem } from '@/components/connections/credential-status';
import { allDrafts } from '../builder/step-lists';

/**
 * The steps whose connection is broken (needs reconnecting, not connected, failed its last call),
 * by step id, with what to say: the canvas marks those nodes, so a broken connection shows on the
 * workflow at a glance and not only in the selected step's form. Live: a connection's status event
 * refreshes the list.
 */
export function useConnectionProblems(steps: Step[]): Record<string, string> {
  const credentials = useCredentials();
  useCredentialStatusEvents();
  const pages = credentials.data?.pages;
  return React.useMemo(() => {
    const problems = new Map<string, string>();
    for (const page of pages ?? []) {
      for (const c of page.items) {
        const problem = credentialProblem(c);
        if (problem) problems.set(c.id, `${problem} (${c.name}): runs of this step fail until it is fixed on the Connections page`);
      }
    }
    const out: Record<string, string> = {};
    if (!problems.size) return out;
    for (const s of allDrafts(steps)) {
      const id = (s as { credentialId?: string }).credentialId;
      const problem = id ? problems.get(id) : undefined;
      if (problem) out[s.id] = problem;
    }
    return out;
  }, [pages, steps]);
}
