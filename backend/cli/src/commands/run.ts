/** `tributary run`: a manual run with a payload file; waits for the end and prints the result. */
import { readFile } from 'node:fs/promises';
import { FINAL_EXECUTION_STATUSES, type Execution } from '@tributary/contracts';
import type { Api } from '../api.js';
import { CliError, dim, err, formatMs, green, out, parseDuration, red, yellow } from '../output.js';
import { resolveWorkflow } from './resolve.js';

const FINAL = new Set<string>(FINAL_EXECUTION_STATUSES);

async function readPayload(path: string | undefined): Promise<unknown> {
  if (!path) return {};
  let text: string;
  try {
    text = path === '-' ? await readStdin() : await readFile(path, 'utf8');
  } catch (e) {
    throw new CliError(`--payload ${path}: ${(e as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new CliError(`--payload ${path}: not valid JSON: ${(e as Error).message}`);
  }
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function indent(text: string, by: string): string {
  return text
    .split('\n')
    .map((l) => by + l)
    .join('\n');
}

function show(value: unknown, max = 2000): string {
  const text = JSON.stringify(value, null, 2) ?? 'undefined';
  return text.length > max ? `${text.slice(0, max)}\n… (${text.length - max} more characters; --json prints everything)` : text;
}

export function printExecution(e: Execution, workflowName: string): void {
  const paint = e.status === 'succeeded' ? green : e.status === 'failed' || e.status === 'cancelled' ? red : yellow;
  out(`${paint(e.status)}  ${workflowName} · execution ${e.id} · ${formatMs(e.durationMs)}${e.attempts > 1 ? ` · ${e.attempts} attempts` : ''}`);
  if (e.error) out(red(`error: ${e.error}`));
  for (const s of e.steps) {
    const mark = s.status === 'succeeded' ? green('✓') : s.status === 'failed' ? red('✗') : s.status === 'skipped' ? dim('-') : yellow('…');
    const what = s.type && s.type !== 'action' ? s.type : `${s.connector}.${s.action}`;
    out(`${mark} ${s.path ?? s.stepId}  ${dim(what)}  ${s.status}  ${formatMs(s.durationMs)}${s.attempts > 1 ? `  (${s.attempts} attempts)` : ''}`);
    if (s.error) out(red(indent(s.error, '    ')));
    else if (s.output !== undefined && s.status === 'succeeded') out(dim(indent(show(s.output), '    ')));
  }
  for (const w of e.waits) out(yellow(`  waiting at ${w.path} (${w.kind}${w.dueAt ? ` until ${w.dueAt}` : ''})`));
  if (e.status === 'succeeded') out(`output: ${show(e.output)}`);
}

export async function run(api: Api, ref: string, opts: { payload?: string; timeout: string; json?: boolean; wait?: boolean }): Promise<void> {
  const timeoutMs = parseDuration(opts.timeout);
  const payload = await readPayload(opts.payload);
  const workflow = await resolveWorkflow(api, ref);
  const { executionId } = await api.run(workflow.id, payload);
  if (opts.wait === false) {
    if (opts.json) out(JSON.stringify({ executionId }));
    else out(executionId);
    return;
  }
  if (!opts.json) err(dim(`Started execution ${executionId} of ${workflow.name}; waiting up to ${formatMs(timeoutMs)}…`));
  const deadline = Date.now() + timeoutMs;
  let delay = 100;
  let execution = await api.execution(executionId);
  while (!FINAL.has(execution.status)) {
    if (Date.now() >= deadline) {
      if (opts.json) out(JSON.stringify(execution, null, 2));
      else printExecution(execution, workflow.name);
      throw new CliError(`execution ${executionId} is still ${execution.status} after ${formatMs(timeoutMs)} (it goes on; see it with the dashboard or \`tributary executions tail\`)`, 2);
    }
    await new Promise((r) => setTimeout(r, Math.min(delay, Math.max(0, deadline - Date.now()))));
    delay = Math.min(delay * 2, 1000);
    execution = await api.execution(executionId);
  }
  if (opts.json) out(JSON.stringify(execution, null, 2));
  else printExecution(execution, workflow.name);
  if (execution.status !== 'succeeded') throw new CliError('', 1);
}
