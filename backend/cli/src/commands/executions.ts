/** `tributary executions tail`: the workspace's execution events, live over the api's WebSocket (/ws). */
import { CLOSE_CODES } from '@tributary/contracts';
import type { Api } from '../api.js';
import { CliError, dim, err, formatMs, green, out, red, yellow } from '../output.js';
import { MiniWebSocket } from '../ws.js';
import { resolveWorkflow } from './resolve.js';

interface Envelope {
  event: string;
  data: Record<string, unknown>;
}

export async function tail(api: Api, opts: { workflow?: string; json?: boolean }): Promise<void> {
  const only = opts.workflow ? (await resolveWorkflow(api, opts.workflow)).id : undefined;
  const names = new Map<string, string>();
  for (const w of await api.listWorkflows()) names.set(w.id, w.name);
  const nameOf = async (id: string): Promise<string> => {
    const known = names.get(id);
    if (known) return known;
    const w = await api.getWorkflow(id).catch(() => null);
    names.set(id, w?.name ?? id);
    return names.get(id)!;
  };

  const line = async (m: Envelope): Promise<string | null> => {
    const d = m.data;
    const wid = typeof d.workflowId === 'string' ? d.workflowId : null;
    if (m.event === 'workflow.updated' && typeof d.name === 'string' && wid) names.set(wid, d.name);
    if (!m.event.startsWith('execution.') || !wid) return null;
    if (only && wid !== only) return null;
    const head = `${new Date().toISOString()}  ${await nameOf(wid)}  ${String(d.executionId)}`;
    switch (m.event) {
      case 'execution.queued':
        return `${head}  ${dim('queued')} (${String(d.triggerType)})`;
      case 'execution.started':
        return `${head}  started (attempt ${String(d.attempt)})`;
      case 'execution.step': {
        const s = d.step as { stepId: string; status: string; durationMs: number; error?: string };
        const paint = s.status === 'failed' ? red : s.status === 'succeeded' ? green : yellow;
        return `${head}  step ${s.stepId} ${paint(s.status)} ${formatMs(s.durationMs)}${s.error ? `: ${s.error}` : ''}`;
      }
      case 'execution.succeeded':
        return `${head}  ${green('succeeded')} ${formatMs(d.durationMs as number)}`;
      case 'execution.failed':
        return `${head}  ${red(String(d.status))} ${formatMs(d.durationMs as number)}${d.error ? `: ${String(d.error)}` : ''}`;
      case 'execution.waiting':
        return `${head}  ${yellow('waiting')} at ${(d.waits as { path: string }[]).map((w) => w.path).join(', ')}`;
      case 'execution.resumed':
        return `${head}  resumed by ${String(d.by)}${d.stepPath ? ` at ${String(d.stepPath)}` : ''}`;
      case 'execution.cancelled':
        return `${head}  ${red('cancelled')}`;
      default:
        return `${head}  ${m.event}`;
    }
  };

  const url = `${api.baseUrl.replace(/^http/, 'ws')}/ws`;
  let backoff = 500;
  let announced = false;
  for (;;) {
    const outcome = await new Promise<{ code: number; reason: string; authed: boolean }>((resolve) => {
      let authed = false;
      MiniWebSocket.connect(url).then(
        (ws) => {
          // The key goes in the first message, not the URL (URLs end up in proxies' logs).
          ws.send(JSON.stringify({ event: 'auth', data: { token: api.key } }));
          let queue = Promise.resolve();
          ws.on('message', (text) => {
            let m: Envelope;
            try {
              m = JSON.parse(text) as Envelope;
            } catch {
              return;
            }
            if (m.event === 'auth_success') {
              authed = true;
              backoff = 500;
              ws.send(JSON.stringify({ event: 'subscribe', data: { topics: ['execution.*', 'workflow.updated'] } }));
              return;
            }
            if (m.event === 'subscribed') {
              if (!announced) err(dim(`Listening to ${only ? `workflow ${names.get(only) ?? only}` : 'every workflow'} on ${url} (Ctrl-C to stop)…`));
              else err(dim('Reconnected.'));
              announced = true;
              return;
            }
            if (m.event === 'error') {
              err(red(`server: ${String(m.data?.message)} (${String(m.data?.code)})`));
              return;
            }
            // In order, even when a line needs the workflow's name fetched first.
            queue = queue.then(async () => {
              if (opts.json) {
                if (m.event.startsWith('execution.') && (!only || m.data?.workflowId === only)) out(JSON.stringify(m));
                return;
              }
              const l = await line(m);
              if (l) out(l);
            });
          });
          ws.on('close', (code, reason) => resolve({ code, reason, authed }));
        },
        (e: Error) => resolve({ code: 1006, reason: e.message, authed }),
      );
    });
    if (outcome.code === CLOSE_CODES.unauthorized || (!outcome.authed && outcome.code === CLOSE_CODES.authTimeout)) {
      throw new CliError(`the api refused the key on the WebSocket (${outcome.code} ${outcome.reason}); run \`tributary login\` again`);
    }
    err(yellow(`Disconnected (${outcome.code}${outcome.reason ? ` ${outcome.reason}` : ''}); reconnecting in ${formatMs(backoff)}…`));
    await new Promise((r) => setTimeout(r, backoff));
    backoff = Math.min(backoff * 2, 15_000);
  }
}
