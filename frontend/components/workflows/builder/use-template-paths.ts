import * as React from 'react';
import { useWatch, type Control } from 'react-hook-form';
import { schemaPaths, valuePaths } from '@/lib/json-schema';
import type { BuilderValues } from './form-model';
import { useBuilder } from './builder-context';

const BUILT_INS = ['$execution.id', '$now'];

/** Paths a template in step `index` can use: the sample payload, earlier steps' outputs, built-ins. */
export function useTemplatePaths(control: Control<BuilderValues>, index: number): string[] {
  const { sampleValue, connectors } = useBuilder();
  const steps = useWatch({ control, name: 'steps' });
  const earlier = React.useMemo(
    () => (steps ?? []).slice(0, Math.max(0, index)).map((s) => `${s.id}|${s.connector}|${s.action}`).join(','),
    [steps, index],
  );
  return React.useMemo(() => {
    const out: string[] = valuePaths(sampleValue);
    for (const entry of earlier ? earlier.split(',') : []) {
      const [id, connector, action] = entry.split('|');
      if (!id) continue;
      const a = connectors.find((c) => c.key === connector)?.actions.find((x) => x.key === action);
      out.push(`steps.${id}`, ...schemaPaths(a?.output, `steps.${id}`));
    }
    out.push(...BUILT_INS);
    return Array.from(new Set(out));
  }, [sampleValue, earlier, connectors]);
}
