'use client';
import * as React from 'react';
import Link from 'next/link';
import { ArrowRightLeft, Rocket } from 'lucide-react';
import { environmentError } from '@tributary/contracts/variables';
import { ApiError } from '@/lib/api/client';
import type { Workflow } from '@/lib/api/types';
import { useEnvironments, usePromoteWorkflow, useSetWorkflowEnvironment, type WorkflowPromotion } from '@/lib/api/variables';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { Input } from '@/components/ui/input';
import { useToast } from '@/components/ui/toast';
import { InlineError } from '@/components/common/states';

/**
 * A saved workflow's environment (a setting: `{{vars.NAME}}` reads that environment's values) and
 * "Promote to…": its definition copied to its counterpart in another environment, as a new version there.
 */
/** Enter in a field runs its own action (and never submits the builder's form around it). */
const onEnter = (action: () => void) => (e: React.KeyboardEvent) => {
  if (e.key !== 'Enter') return;
  e.preventDefault();
  action();
};

export function WorkflowEnvironment({ workflow }: { workflow: Workflow }) {
  const environments = useEnvironments();
  const move = useSetWorkflowEnvironment(workflow.id);
  const promote = usePromoteWorkflow(workflow.id);
  const toast = useToast();
  const others = (environments.data?.items.map((e) => e.name) ?? []).filter((e) => e !== workflow.environment);
  const [target, setTarget] = React.useState('');
  const [moveTo, setMoveTo] = React.useState('');
  const [result, setResult] = React.useState<WorkflowPromotion | null>(null);
  const targetError = target ? environmentError(target) : null;
  const moveError = moveTo ? environmentError(moveTo) : null;

  const doPromote = () => {
    if (!target || targetError) return;
    setResult(null);
    promote.mutate(target, {
      onSuccess: (p) => {
        setResult(p);
        toast({ title: `Promoted to ${p.target.environment}`, description: `${p.target.created ? 'Created' : 'New version'} v${p.target.version}: ${p.note}`, variant: 'success' });
      },
    });
  };
  const doMove = () => {
    if (!moveTo || moveError) return;
    move.mutate(moveTo, {
      onSuccess: (wf) => {
        setMoveTo('');
        toast({ title: `Now runs in ${wf.environment}`, description: wf.name, variant: 'success' });
      },
    });
  };

  React.useEffect(() => {
    if (!target && others.length) setTarget(others.includes('production') ? 'production' : others[0]);
  }, [others, target]);

  return (
    <Card data-testid="workflow-environment">
      <CardHeader>
        <CardTitle className="flex items-center gap-2 text-base">
          Environment
          <Badge variant="secondary" className="font-mono" data-testid="workflow-environment-current">
            {workflow.environment}
          </Badge>
        </CardTitle>
        <CardDescription>
          Runs read <code className="font-mono">{'{{vars.NAME}}'}</code> from this environment.
          {workflow.promotedFrom && (
            <>
              {' '}
              Promoted from{' '}
              <Link className="underline underline-offset-2" href={`/workflows/${workflow.promotedFrom}`}>
                another workflow
              </Link>
              .
            </>
          )}
        </CardDescription>
      </CardHeader>
      <CardContent className="grid gap-4">
        <datalist id="workflow-environments">
          {others.map((e) => (
            <option key={e} value={e} />
          ))}
        </datalist>
        {/* Inside the builder's form: groups, not nested forms (Enter in a field acts on its own button, never saves the workflow). */}
        <div className="flex flex-col gap-2" role="group" aria-label="Promote to another environment">
          <label htmlFor="promote-target" className="text-sm font-medium">
            Promote to…
          </label>
          <div className="flex items-center gap-2">
            <Input id="promote-target" list="workflow-environments" className="font-mono" value={target} placeholder="production" aria-invalid={!!targetError} aria-describedby="promote-help"  data-testid="promote-target" onChange={(e) => setTarget(e.target.value.trim())} onKeyDown={onEnter(doPromote)} />
            <Button type="button" onClick={doPromote} variant="outline" disabled={!target || !!targetError || promote.isPending} data-testid="promote-workflow">
              <Rocket /> {promote.isPending ? 'Promoting…' : 'Promote'}
            </Button>
          </div>
          <p id="promote-help" className="text-xs text-muted-foreground">
            {targetError ?? 'Copies the saved version to its counterpart there (created the first time), as a new version. Every variable it reads needs a value there.'}
          </p>
          <InlineError error={promote.error} details={promote.error instanceof ApiError ? promote.error.details : []} />
          {result && (
            <p role="status" className="rounded-md border bg-muted/40 p-2 text-sm" data-testid="promote-result">
              {result.target.created ? 'Created' : 'Updated'}{' '}
              <Link className="font-medium underline underline-offset-2" href={`/workflows/${result.target.workflowId}`}>
                the {result.target.environment} workflow
              </Link>{' '}
              at v{result.target.version} ({result.note}).
            </p>
          )}
        </div>
        <div className="flex flex-col gap-2" role="group" aria-label="Move to another environment">
          <label htmlFor="move-environment" className="text-sm font-medium">
            Run this workflow in
          </label>
          <div className="flex items-center gap-2">
            <Input id="move-environment" list="workflow-environments" className="font-mono" value={moveTo} placeholder={workflow.environment} aria-invalid={!!moveError} data-testid="move-environment" onChange={(e) => setMoveTo(e.target.value.trim())} onKeyDown={onEnter(doMove)} />
            <Button type="button" onClick={doMove} variant="ghost" disabled={!moveTo || !!moveError || move.isPending} data-testid="move-environment-save">
              <ArrowRightLeft /> Move
            </Button>
          </div>
          {moveError && <p className="text-xs text-destructive">{moveError}</p>}
          <InlineError error={move.error} />
        </div>
      </CardContent>
    </Card>
  );
}
