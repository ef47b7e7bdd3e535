'use client';
import * as React from 'react';
import type { Connector, Workflow } from '@/lib/api/types';

export const DEFAULT_SAMPLE = JSON.stringify({ user: { name: 'Alex', email: 'alex@example.com' }, order: { id: 12345, status: 'paid', total: 42.5 } }, null, 2);

interface BuilderContextValue {
  connectors: Connector[];
  workflow?: Workflow;
  sample: string;
  setSample(text: string): void;
  /** The sample payload parsed, or undefined while it is not valid JSON. */
  sampleValue: unknown;
}

const Ctx = React.createContext<BuilderContextValue | null>(null);

export function BuilderProvider({ connectors, workflow, children }: { connectors: Connector[]; workflow?: Workflow; children: React.ReactNode }) {
  const storageKey = `tributary.sample.${workflow?.id ?? 'new'}`;
  const [sample, setSampleState] = React.useState(() => {
    if (typeof window === 'undefined') return DEFAULT_SAMPLE;
    return window.localStorage.getItem(storageKey) ?? DEFAULT_SAMPLE;
  });
  const setSample = React.useCallback(
    (text: string) => {
      setSampleState(text);
      try {
        window.localStorage.setItem(storageKey, text);
      } catch {
        /* the sample is a convenience */
      }
    },
    [storageKey],
  );
  const sampleValue = React.useMemo(() => {
    try {
      return JSON.parse(sample) as unknown;
    } catch {
      return undefined;
    }
  }, [sample]);
  const value = React.useMemo(() => ({ connectors, workflow, sample, setSample, sampleValue }), [connectors, workflow, sample, setSample, sampleValue]);
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}

export function useBuilder() {
  const ctx = React.useContext(Ctx);
  if (!ctx) throw new Error('useBuilder outside <BuilderProvider>');
  return ctx;
}
