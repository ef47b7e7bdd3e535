import * as React from 'react';
import { useWatch, type Control } from 'react-hook-form';
import type { JsonSchema } from '@/lib/api/types';
import { schemaPaths, valuePaths } from '@/lib/json-schema';
import { allDrafts, childDrafts, isActionDraft } from './blocks';
import { blockOf, type BuilderValues } from './form-model';
import { useBuilder } from './builder-context';

const BUILT_INS = ['$execution.id', '$now', '$step.id', '$step.idempotencyKey'];
/** What an agent block answers (`{ answer, json?, iterations, usage, conversation }`). */
const AGENT_OUTPUT = ['answer', 'json', 'iterations', 'usage.totalTokens', 'usage.promptTokens', 'usage.completionTokens', 'conversation'];

/**
 * Paths a template in step `index` can use: the sample payload, earlier steps' outputs (a block's,
 * and the steps nested in it: templates address any finished step as `steps.<id>`; an agent's answer,
 * with its structured answer's fields when it has an output schema), built-ins.
 */
export function useTemplatePaths(control: Control<BuilderValues>, index: number): string[] {
  const { sampleValue, connectors } = useBuilder();
  const steps = useWatch({ control, name: 'steps' });
  const earlier = React.useMemo(
    () =>
      (steps ?? [])
        .slice(0, Math.max(0, index))
        .flatMap((s) => {
          const block = s.kind !== 'action' ? blockOf(s) : null;
          if (!block) return [`${s.id}|${s.connector}|${s.action}`];
          if (block.type === 'agent') return [`${block.id}|@agent|`];
          return [`${block.id}||`, ...allDrafts(childDrafts(block).flat()).map((n) => (isActionDraft(n) ? `${n.id}|${n.connector}|${n.action}` : `${n.id}||`))];
        })
        .join(','),
    [steps, index],
  );
  // Agents with an output schema: the paths of their structured answer (`steps.<id>.json.…`), as text so the memo below keeps still.
  const agentSchemas = React.useMemo(
    () =>
      JSON.stringify(
        (steps ?? [])
          .slice(0, Math.max(0, index))
          .filter((s) => s.kind === 'agent' && s.agent?.outputSchema.trim())
          .map((s) => [s.id, s.agent.outputSchema]),
      ),
    [steps, index],
  );
  // `{{$resumeUrl}}`: the URL of the next webhook wait, for the steps before it.
  const resumable = React.useMemo(
    () =>
      (steps ?? []).slice(index + 1).some((s) => {
        const b = s.kind === 'wait' ? blockOf(s) : null;
        return b?.type === 'wait' && b.for === 'webhook';
      }),
    [steps, index],
  );
  return React.useMemo(() => {
    const out: string[] = valuePaths(sampleValue);
    const schemas = new Map<string, string>(JSON.parse(agentSchemas) as [string, string][]);
    for (const entry of earlier ? earlier.split(',') : []) {
      const [id, connector, action] = entry.split('|');
      if (!id) continue;
      if (connector === '@agent') {
        out.push(`steps.${id}`, ...AGENT_OUTPUT.map((p) => `steps.${id}.${p}`));
        try {
          const schema = schemas.get(id);
          if (schema) out.push(...schemaPaths(JSON.parse(schema) as JsonSchema, `steps.${id}.json`));
        } catch {
          /* not valid JSON yet */
        }
        continue;
      }
      const a = connectors.find((c) => c.key === connector)?.actions.find((x) => x.key === action);
      out.push(`steps.${id}`, ...schemaPaths(a?.output, `steps.${id}`));
    }
    out.push(...BUILT_INS);
    if (resumable) out.push('$resumeUrl');
    return Array.from(new Set(out));
  }, [sampleValue, earlier, agentSchemas, connectors, resumable]);
}
