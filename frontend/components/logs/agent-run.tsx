'use client';
import * as React from 'react';
import { Bot, ChevronRight, Coins, Repeat, ScrollText, User, Wrench } from 'lucide-react';
import type { TokenUsage } from '@/lib/api/types';
import { cn } from '@/lib/utils';
import { JsonView } from '@/components/common/json-view';

/** One message of an agent's conversation, as its output records it (OpenAI's chat shape, tool calls parsed). */
export interface AgentMessage {
  role: 'system' | 'user' | 'assistant' | 'tool';
  content: string | null;
  toolCalls?: { id: string; name: string; arguments: unknown }[];
  toolCallId?: string;
  name?: string;
}

/** An agent step's output: `{ answer, json?, iterations, usage, conversation }`. */
export interface AgentOutput {
  answer: string;
  json?: unknown;
  iterations: number;
  usage: TokenUsage;
  conversation: AgentMessage[];
}

const ROLES = new Set(['system', 'user', 'assistant', 'tool']);

/** The output of an agent step when it has that shape (null otherwise: a failure's `{ error }`, an older shape). */
export function agentOutputOf(value: unknown): AgentOutput | null {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return null;
  const v = value as Partial<AgentOutput>;
  if (!Array.isArray(v.conversation) && typeof v.answer !== 'string') return null;
  const conversation = (Array.isArray(v.conversation) ? v.conversation : []).filter((m): m is AgentMessage => !!m && typeof m === 'object' && ROLES.has((m as AgentMessage).role));
  const usage = v.usage && typeof v.usage === 'object' ? v.usage : { promptTokens: 0, completionTokens: 0, totalTokens: 0 };
  return { answer: typeof v.answer === 'string' ? v.answer : '', json: v.json, iterations: typeof v.iterations === 'number' ? v.iterations : 0, usage, conversation };
}

const numberFormat = new Intl.NumberFormat('en');
export function formatTokens(n: number | null | undefined): string {
  return n === null || n === undefined ? '—' : `${numberFormat.format(n)} token${n === 1 ? '' : 's'}`;
}

/** Tokens in one line: the total, and its prompt and completion parts. */
export function UsageLine({ usage, testId, className }: { usage: TokenUsage; testId?: string; className?: string }) {
  return (
    <span className={cn('tabular-nums', className)} data-testid={testId} data-total={usage.totalTokens} title={`${numberFormat.format(usage.promptTokens)} prompt + ${numberFormat.format(usage.completionTokens)} completion`}>
      {formatTokens(usage.totalTokens)}
      <span className="text-muted-foreground">
        {' '}
        ({numberFormat.format(usage.promptTokens)} prompt · {numberFormat.format(usage.completionTokens)} completion)
      </span>
    </span>
  );
}

/** A tool call's arguments or a tool's result: JSON shown as JSON (also when it came as a JSON string). */
function asJson(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const t = value.trim();
  if (!(t.startsWith('{') || t.startsWith('['))) return value;
  try {
    return JSON.parse(t) as unknown;
  } catch {
    return value;
  }
}

function Bubble({ role, icon: Icon, label, children, tone, testId, extra }: { role: string; icon: React.ComponentType<{ className?: string }>; label: React.ReactNode; children: React.ReactNode; tone?: 'muted' | 'primary' | 'tool'; testId?: string; extra?: Record<string, string> }) {
  return (
    <li className={cn('flex gap-3', role === 'user' && 'flex-row-reverse')} data-testid={testId ?? 'agent-message'} data-role={role} {...extra}>
      <span aria-hidden className={cn('mt-0.5 grid size-7 shrink-0 place-items-center rounded-full border bg-card', tone === 'primary' && 'border-primary/40 bg-primary/10 text-primary', tone === 'tool' && 'bg-muted')}>
        <Icon className="size-3.5" />
      </span>
      <div className={cn('flex min-w-0 max-w-[85%] flex-col gap-1.5 rounded-lg border px-3 py-2 text-sm', role === 'user' ? 'bg-primary/5' : role === 'tool' ? 'bg-muted/40' : 'bg-card')}>
        <p className="text-xs font-medium text-muted-foreground">{label}</p>
        {children}
      </div>
    </li>
  );
}

function Text({ children }: { children: string }) {
  return <p className="break-words whitespace-pre-wrap">{children}</p>;
}

/** The conversation as a chat: the system prompt folded, the user's prompt, the model's text and tool calls, the tools' results. */
export function AgentTranscript({ conversation }: { conversation: AgentMessage[] }) {
  // Tool results name the call they answer; a call's name is shown next to its result.
  const callNames = new Map(conversation.flatMap((m) => (m.toolCalls ?? []).map((c) => [c.id, c.name] as const)));
  let turn = 0;
  return (
    <ol className="flex flex-col gap-3" aria-label="Conversation" data-testid="agent-transcript" data-messages={conversation.length}>
      {conversation.map((m, i) => {
        switch (m.role) {
          case 'system':
            return (
              <li key={i} data-testid="agent-message" data-role="system">
                <details className="group rounded-lg border border-dashed px-3 py-2 text-sm">
                  <summary className="flex cursor-pointer items-center gap-2 text-xs font-medium text-muted-foreground outline-none select-none focus-visible:ring-2 focus-visible:ring-ring">
                    <ChevronRight className="size-3.5 transition-transform group-open:rotate-90" aria-hidden />
                    <ScrollText className="size-3.5" aria-hidden /> System prompt
                  </summary>
                  <div className="mt-2">
                    <Text>{m.content ?? ''}</Text>
                  </div>
                </details>
              </li>
            );
          case 'user':
            return (
              <Bubble key={i} role="user" icon={User} label="Prompt">
                <Text>{m.content ?? ''}</Text>
              </Bubble>
            );
          case 'assistant': {
            turn += 1;
            return (
              <Bubble key={i} role="assistant" icon={Bot} tone="primary" label={`Model · turn ${turn}`}>
                {m.content ? <Text>{m.content}</Text> : null}
                {(m.toolCalls ?? []).map((c) => (
                  <div key={c.id} className="flex flex-col gap-1 rounded-md border bg-muted/30 p-2" data-testid="agent-tool-call" data-name={c.name} data-call-id={c.id}>
                    <p className="flex items-center gap-1.5 text-xs">
                      <Wrench className="size-3.5 text-primary" aria-hidden />
                      Calls <span className="font-mono font-medium">{c.name}</span>
                      <span className="font-mono text-[11px] text-muted-foreground">{c.id}</span>
                    </p>
                    <JsonView value={asJson(c.arguments)} className="max-h-48" testId="agent-tool-call-arguments" />
                  </div>
                ))}
                {!m.content && !(m.toolCalls ?? []).length && <p className="text-xs text-muted-foreground italic">(no text)</p>}
              </Bubble>
            );
          }
          case 'tool': {
            const name = m.name ?? (m.toolCallId ? callNames.get(m.toolCallId) : undefined);
            return (
              <Bubble
                key={i}
                role="tool"
                icon={Wrench}
                tone="tool"
                testId="agent-tool-result"
                extra={{ 'data-name': name ?? '', 'data-call-id': m.toolCallId ?? '' }}
                label={
                  <>
                    Result of <span className="font-mono">{name ?? 'a tool'}</span>
                    {m.toolCallId && <span className="ml-1 font-mono text-[11px]">{m.toolCallId}</span>}
                  </>
                }
              >
                <JsonView value={asJson(m.content ?? '')} className="max-h-48" />
              </Bubble>
            );
          }
          default:
            return null;
        }
      })}
    </ol>
  );
}

/** An agent step's outcome: the final answer (and structured answer), iterations and tokens, then the conversation. */
export function AgentRun({ output, className }: { output: AgentOutput; className?: string }) {
  return (
    <section className={cn('flex min-w-0 flex-col gap-4', className)} aria-label="Agent run" data-testid="agent-run">
      <div className="flex flex-col gap-2 rounded-lg border border-primary/30 bg-primary/5 p-3">
        <p className="flex items-center gap-1.5 text-xs font-medium text-primary">
          <Bot className="size-3.5" aria-hidden /> Final answer
        </p>
        <p className="text-sm break-words whitespace-pre-wrap" data-testid="agent-answer">
          {output.answer || <span className="text-muted-foreground italic">(empty)</span>}
        </p>
        {output.json !== undefined && (
          <div>
            <p className="mb-1 text-xs font-medium text-muted-foreground">Structured answer (json)</p>
            <JsonView value={output.json} className="max-h-48 bg-card" testId="agent-json" />
          </div>
        )}
        <p className="flex flex-wrap gap-x-4 gap-y-1 text-xs text-muted-foreground">
          <span className="inline-flex items-center gap-1.5" data-testid="agent-iterations-count" data-count={output.iterations}>
            <Repeat className="size-3.5" aria-hidden /> {output.iterations} iteration{output.iterations === 1 ? '' : 's'}
          </span>
          <span className="inline-flex items-center gap-1.5">
            <Coins className="size-3.5" aria-hidden /> <UsageLine usage={output.usage} testId="agent-usage" className="text-foreground" />
          </span>
        </p>
      </div>
      {output.conversation.length > 0 && (
        <div className="flex flex-col gap-2">
          <h4 className="text-xs font-medium text-muted-foreground">Conversation</h4>
          <AgentTranscript conversation={output.conversation} />
        </div>
      )}
    </section>
  );
}
