'use client';
import * as React from 'react';
import Link from 'next/link';
import { Bot, Check, Clock, ExternalLink, Hourglass, UserCheck, Webhook, Workflow, X } from 'lucide-react';
import { useDecideApproval } from '@/lib/api/executions';
import type { PendingWait } from '@/lib/api/types';
import { useCurrentUser } from '@/lib/auth/auth-provider';
import { formatDateTime, formatRelative } from '@/lib/utils';
import { Button } from '@/components/ui/button';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { Input } from '@/components/ui/input';
import { Textarea } from '@/components/ui/textarea';
import { useToast } from '@/components/ui/toast';
import { ConfirmAction } from '@/components/common/confirm-action';
import { CopyButton } from '@/components/common/copy-button';

const KIND: Record<PendingWait['kind'], { label: string; icon: React.ComponentType<{ className?: string }> }> = {
  approval: { label: 'Approval', icon: UserCheck },
  webhook: { label: 'Resume webhook', icon: Webhook },
  duration: { label: 'Timer', icon: Clock },
  until: { label: 'Until a time', icon: Clock },
  call: { label: 'Sub-workflow', icon: Workflow },
};

/** An agent's approval of a tool call: its wait sits at `<id>[<i>].approve[<k>]`, not at a step id (decided by that path). */
export function isAgentApproval(wait: Pick<PendingWait, 'kind' | 'path'>): boolean {
  return wait.kind === 'approval' && /\[\d+\]\.approve\[\d+\]$/.test(wait.path);
}

function When({ iso }: { iso: string }) {
  return (
    <time dateTime={iso} title={iso}>
      {formatDateTime(iso)} ({formatRelative(iso)})
    </time>
  );
}

function ApprovalActions({ executionId, wait, headingId }: { executionId: string; wait: PendingWait; headingId: string }) {
  const user = useCurrentUser();
  const canDecide = user?.role === 'admin' || user?.role === 'editor';
  const decide = useDecideApproval(executionId);
  const toast = useToast();
  const [comment, setComment] = React.useState('');
  const commentId = React.useId();
  const agent = isAgentApproval(wait);

  function send(approve: boolean) {
    decide.mutate(
      { approve, stepId: wait.path, comment: comment.trim() || undefined },
      {
        onSuccess: () => {
          setComment('');
          toast({
            title: approve ? 'Approved' : 'Rejected',
            description: approve ? (agent ? 'The agent makes the call and goes on.' : 'The run goes on.') : agent ? 'The agent is told the call was refused.' : 'The step fails (the run with it, unless the step continues on errors).',
            variant: 'success',
          });
        },
        onError: (err) => toast({ title: approve ? 'Could not approve' : 'Could not reject', description: err.message, variant: 'error' }),
      },
    );
  }

  if (!canDecide) return <p className="text-xs text-muted-foreground" data-testid="approval-restricted">Editors and admins approve or reject; your role can follow the run.</p>;
  return (
    <div className="flex flex-col gap-2">
      <label htmlFor={commentId} className="text-xs font-medium">
        Comment <span className="font-normal text-muted-foreground">(optional, kept in the step&apos;s output)</span>
      </label>
      <Textarea id={commentId} rows={2} value={comment} onChange={(e) => setComment(e.target.value)} maxLength={2000} data-testid="approval-comment" />
      <div className="flex flex-wrap gap-2">
        <Button size="sm" disabled={decide.isPending} onClick={() => send(true)} aria-describedby={headingId} data-testid="approve-execution">
          <Check /> Approve
        </Button>
        <ConfirmAction
          trigger={
            <Button size="sm" variant="outline" disabled={decide.isPending} aria-describedby={headingId} data-testid="reject-execution">
              <X /> Reject
            </Button>
          }
          title={agent ? 'Refuse this tool call?' : 'Reject this approval?'}
          description={agent ? 'The call is not made; the agent is told it was refused.' : 'The approval step fails, and the run fails with it unless the step continues on errors.'}
          confirmLabel="Reject"
          confirmTestId="confirm-reject"
          onConfirm={() => send(false)}
        />
      </div>
    </div>
  );
}

/** One pending wait and how to move it on; `testId` tells the execution page's list from a node panel's. */
export function WaitItem({ executionId, wait, testId = 'pending-wait' }: { executionId: string; wait: PendingWait; testId?: string }) {
  const meta = isAgentApproval(wait) ? { label: 'Tool call approval', icon: Bot } : KIND[wait.kind];
  const Icon = meta.icon;
  const headingId = React.useId();
  return (
    <li className="flex flex-col gap-3 py-4 first:pt-0 last:pb-0" data-testid={testId} data-kind={wait.kind} data-path={wait.path} data-agent={isAgentApproval(wait) ? 'true' : undefined}>
      <div className="flex items-start gap-3">
        <span className="grid size-8 shrink-0 place-items-center rounded-md bg-waiting/15 text-[oklch(0.42_0.16_295)]" aria-hidden>
          <Icon className="size-4" />
        </span>
        <div className="min-w-0 flex-1">
          <p id={headingId} className="text-sm font-medium">
            {meta.label} <span className="font-mono text-xs font-normal text-muted-foreground">at {wait.path}</span>
          </p>
          <p className="text-xs text-muted-foreground">
            Waiting since <When iso={wait.createdAt} />
          </p>
        </div>
      </div>
      {wait.kind === 'approval' && (
        <>
          {wait.message && (
            <blockquote className="rounded-md border-l-4 border-waiting bg-muted/40 px-3 py-2 text-sm whitespace-pre-wrap" data-testid="approval-message">
              {wait.message}
            </blockquote>
          )}
          {wait.dueAt && (
            <p className="text-xs text-muted-foreground">
              Times out (and fails) <When iso={wait.dueAt} />
            </p>
          )}
          <ApprovalActions executionId={executionId} wait={wait} headingId={headingId} />
        </>
      )}
      {wait.kind === 'webhook' && (
        <>
          {wait.resumeUrl ? (
            <div className="flex flex-col gap-1.5">
              <label htmlFor={`${headingId}-url`} className="text-xs font-medium">
                Resume URL
              </label>
              <div className="flex gap-2">
                <Input id={`${headingId}-url`} readOnly value={wait.resumeUrl} className="font-mono text-xs" onFocus={(e) => e.currentTarget.select()} data-testid="resume-url" />
                <CopyButton value={wait.resumeUrl} label="Copy resume URL" testId="copy-resume-url" />
              </div>
              <p className="text-xs text-muted-foreground">POST to it once, no login: its JSON body becomes this step&apos;s output and the run goes on.</p>
            </div>
          ) : (
            <p className="text-xs text-muted-foreground">The resume URL is not available.</p>
          )}
          {wait.dueAt && (
            <p className="text-xs text-muted-foreground">
              Times out (and fails) <When iso={wait.dueAt} />
            </p>
          )}
        </>
      )}
      {(wait.kind === 'duration' || wait.kind === 'until') && (
        <>
          {/* A step parked for its turn on a connection's rate limit says so. */}
          {wait.message && (
            <p className="text-sm text-muted-foreground" data-testid="wait-message">
              {wait.message}
            </p>
          )}
          <p className="text-sm" data-testid="wait-due">
            {wait.dueAt ? (
              <>
                Goes on <When iso={wait.dueAt} />
              </>
            ) : (
              'No due time recorded.'
            )}
          </p>
        </>
      )}
      {wait.kind === 'call' &&
        (wait.childExecutionId ? (
          <Link href={`/logs/${wait.childExecutionId}`} className="inline-flex w-fit items-center gap-1.5 text-sm font-medium text-primary underline-offset-2 hover:underline" data-testid="child-execution-link">
            <ExternalLink className="size-3.5" aria-hidden /> Open the sub-workflow&apos;s execution
          </Link>
        ) : (
          <p className="text-xs text-muted-foreground">Waiting for the sub-workflow&apos;s execution to end.</p>
        ))}
    </li>
  );
}

/** What a waiting execution waits for, and how to move it on (approve or reject, the resume URL). */
export function PendingWaits({ executionId, waits }: { executionId: string; waits: PendingWait[] }) {
  if (waits.length === 0) return null;
  return (
    <Card className="border-waiting/40" data-testid="execution-waits">
      <CardHeader>
        <CardTitle className="flex items-center gap-2">
          <Hourglass className="size-4 text-[oklch(0.42_0.16_295)]" aria-hidden /> Waiting for {waits.length === 1 ? 'one thing' : `${waits.length} things`}
        </CardTitle>
        <CardDescription>The run holds no worker while it waits; it goes on from here once what it waits for arrives.</CardDescription>
      </CardHeader>
      <CardContent>
        <ul className="flex flex-col divide-y">
          {waits.map((w) => (
            <WaitItem key={w.path} executionId={executionId} wait={w} />
          ))}
        </ul>
      </CardContent>
    </Card>
  );
}
