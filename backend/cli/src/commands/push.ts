/**
 * `tributary push`: applies a folder of workflow files to the workspace. Every file is validated
 * offline first (nothing is sent when one is bad); then each file is compared with the server's
 * workflow: create, update (a new version), or unchanged (no call at all). Changes are shown as a
 * diff; a file whose workflow changed on the server since its pull is refused unless --force.
 */
import { writeFile } from 'node:fs/promises';
import { createInterface } from 'node:readline/promises';
import type { Workflow } from '@tributary/contracts';
import { ApiError, type Api, type WorkflowBody } from '../api.js';
import { unifiedDiff } from '../diff.js';
import { CliError, cyan, dim, err, green, out, red, yellow } from '../output.js';
import {
  canonical,
  definitionLines,
  definitionOfServer,
  effectiveDefinition,
  fieldPath,
  formatFile,
  formatProblem,
  listWorkflowFiles,
  loadWorkflowFiles,
  metaOfServer,
  type Definition,
  type LoadedFile,
  type Problem,
} from '../workflow-file.js';

type Change =
  | { kind: 'create'; file: LoadedFile }
  | { kind: 'update'; file: LoadedFile; server: Workflow; byName: boolean }
  | { kind: 'unchanged'; file: LoadedFile; server: Workflow }
  | { kind: 'conflict'; file: LoadedFile; server: Workflow | null; reason: string };

export interface PushOptions {
  dir: string;
  dryRun?: boolean;
  force?: boolean;
  prune?: boolean;
  yes?: boolean;
  diff?: boolean;
  concurrency?: number;
}

function bodyOf(d: Definition): WorkflowBody {
  return d;
}

/** Decides what each file means for the server, without calling it. */
export function plan(files: LoadedFile[], server: Workflow[], force: boolean): { changes: Change[]; serverOnly: Workflow[] } {
  const byId = new Map(server.map((w) => [w.id, w]));
  const claimed = new Set(files.flatMap((f) => (f.meta ? [f.meta.id] : [])));
  // A file without an id takes over a server workflow of exactly its name that no file claims (a
  // push whose written-back ids were not committed must not create duplicates).
  const unclaimedByName = new Map<string, Workflow[]>();
  for (const w of server) if (!claimed.has(w.id)) unclaimedByName.set(w.name, [...(unclaimedByName.get(w.name) ?? []), w]);
  const changes: Change[] = [];
  for (const f of files) {
    let w: Workflow | undefined;
    let byName = false;
    if (f.meta) {
      w = byId.get(f.meta.id);
      if (!w) {
        if (force) changes.push({ kind: 'create', file: f });
        else changes.push({ kind: 'conflict', file: f, server: null, reason: `workflow ${f.meta.id} was deleted on the server since the pull (--force creates it again; or delete the file)` });
        continue;
      }
    } else {
      const same = unclaimedByName.get(f.definition.name);
      if (same?.length === 1) {
        w = same[0]!;
        byName = true;
        claimed.add(w.id);
        unclaimedByName.delete(f.definition.name);
      }
    }
    if (!w) {
      changes.push({ kind: 'create', file: f });
      continue;
    }
    if (canonical(definitionOfServer(w)) === canonical(effectiveDefinition(f.definition, definitionOfServer(w)))) {
      changes.push({ kind: 'unchanged', file: f, server: w });
      continue;
    }
    const moved = f.meta && (w.version !== f.meta.version || w.updatedAt !== f.meta.updatedAt);
    if (moved && !force) {
      const what = w.version !== f.meta!.version ? `version ${f.meta!.version} → ${w.version}` : `updated at ${w.updatedAt}, pulled ${f.meta!.updatedAt || 'never'}`;
      changes.push({ kind: 'conflict', file: f, server: w, reason: `changed on the server since the pull (${what}); pull again and re-apply your edit, or push --force to overwrite` });
      continue;
    }
    changes.push({ kind: 'update', file: f, server: w, byName });
  }
  const serverOnly = server.filter((w) => !claimed.has(w.id)).sort((a, b) => a.name.localeCompare(b.name));
  return { changes, serverOnly };
}

async function confirm(question: string): Promise<boolean> {
  if (!process.stdin.isTTY) return false;
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(`${question} [y/N] `)).trim());
  } finally {
    rl.close();
  }
}

/** Runs `fn` over items with at most `n` at once. */
async function pool<T>(items: T[], n: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(n, items.length) }, async () => {
      while (next < items.length) await fn(items[next++]!);
    }),
  );
}

/** A 400's field errors named in the file: `file: steps[2].input.url: message`. */
function fileErrors(file: string, e: unknown): Problem[] {
  if (e instanceof ApiError) {
    if (e.details.length) return e.details.map((d) => ({ file, path: fieldPath(d.path), message: d.message }));
    return [{ file, path: '', message: `${e.status} ${e.apiMessage}` }];
  }
  return [{ file, path: '', message: (e as Error).message }];
}

export async function push(api: Api, paths: string[], opts: PushOptions): Promise<void> {
  const started = Date.now();
  if (opts.prune && paths.length) throw new CliError('--prune works on the whole folder, not on given files (it would delete every workflow without a file among them)');
  const files = paths.length ? paths : await listWorkflowFiles(opts.dir);
  if (!files.length) throw new CliError(`no *.workflow.json files in ${opts.dir}`);
  const { loaded, problems } = await loadWorkflowFiles(files);
  if (problems.length) {
    for (const p of problems) err(red(formatProblem(p)));
    throw new CliError(`nothing pushed: ${new Set(problems.map((p) => p.file)).size} invalid file(s)`);
  }

  const server = await api.listWorkflows();
  const { changes, serverOnly } = plan(loaded, server, !!opts.force);
  const creates = changes.filter((c) => c.kind === 'create');
  const updates = changes.filter((c): c is Extract<Change, { kind: 'update' }> => c.kind === 'update');
  const unchanged = changes.filter((c): c is Extract<Change, { kind: 'unchanged' }> => c.kind === 'unchanged');
  const conflicts = changes.filter((c): c is Extract<Change, { kind: 'conflict' }> => c.kind === 'conflict');

  if (opts.diff !== false) {
    for (const c of creates) {
      out(green(`+ create ${c.file.file} (${c.file.definition.name})`));
      for (const l of definitionLines(c.file.definition)) out(green(`+${l}`));
    }
    for (const c of updates) {
      out(yellow(`~ update ${c.file.file} (${c.server.name}, version ${c.server.version} → ${c.server.version + 1})${c.byName ? ' [matched by name]' : ''}`));
      out(dim(`--- server ${c.server.id} v${c.server.version}`));
      out(dim(`+++ ${c.file.file}`));
      const before = definitionOfServer(c.server);
      for (const l of unifiedDiff(definitionLines(before), definitionLines(effectiveDefinition(c.file.definition, before)))) out(l);
    }
  }
  for (const c of conflicts) err(red(`! ${c.file.file}: ${c.reason}`));
  for (const w of serverOnly) {
    if (opts.prune) out(red(`- delete ${w.name} (${w.id}): no file for it`));
    else err(dim(`  ${w.name} (${w.id}) is on the server but has no file (pull to get it, push --prune to delete it)`));
  }
  const summary = `${creates.length} to create, ${updates.length} to update, ${unchanged.length} unchanged${opts.prune ? `, ${serverOnly.length} to delete` : serverOnly.length ? `, ${serverOnly.length} only on the server` : ''}${conflicts.length ? `, ${conflicts.length} refused` : ''}`;
  out(cyan(`Plan: ${summary}.`));

  if (conflicts.length) throw new CliError(`nothing pushed: ${conflicts.length} file(s) changed on the server since the pull (see above; --force overwrites)`);
  if (opts.dryRun) {
    err('Dry run: nothing was changed.');
    return;
  }
  if (opts.prune && serverOnly.length && !opts.yes && !(await confirm(`Delete ${serverOnly.length} workflow(s) from the server?`))) {
    throw new CliError('nothing pushed: deleting workflows needs confirmation (--yes when not interactive)');
  }

  const failures: Problem[] = [];
  let applied = 0;
  const writeBack = async (f: LoadedFile, w: Workflow) => {
    const text = formatFile(f.definition, metaOfServer(w));
    if (text !== f.text) await writeFile(f.file, text);
  };
  await pool([...creates, ...updates], opts.concurrency ?? 8, async (c) => {
    try {
      const saved = c.kind === 'create' ? await api.createWorkflow(bodyOf(c.file.definition)) : await api.updateWorkflow(c.server.id, bodyOf(c.file.definition));
      await writeBack(c.file, saved);
      applied++;
      out(`${c.kind === 'create' ? 'created' : 'updated'} ${c.file.file}: ${saved.name} (${saved.id}) version ${saved.version}`);
    } catch (e) {
      failures.push(...fileErrors(c.file.file, e));
    }
  });
  // Unchanged files whose _tributary block is behind (e.g. a push from CI not committed back) catch up locally.
  for (const c of unchanged) {
    const m = c.file.meta;
    if (!m || m.id !== c.server.id || m.version !== c.server.version || m.updatedAt !== c.server.updatedAt) await writeBack(c.file, c.server);
  }
  let deleted = 0;
  if (opts.prune) {
    await pool(serverOnly, opts.concurrency ?? 8, async (w) => {
      try {
        await api.deleteWorkflow(w.id);
        deleted++;
        out(`deleted ${w.name} (${w.id})`);
      } catch (e) {
        failures.push({ file: `(server) ${w.name}`, path: '', message: (e as Error).message });
      }
    });
  }
  for (const p of failures) err(red(formatProblem(p)));
  err(`Pushed ${applied} change(s)${opts.prune ? `, deleted ${deleted}` : ''}; ${unchanged.length} unchanged (${Date.now() - started} ms).`);
  if (failures.length) throw new CliError(`${new Set(failures.map((p) => p.file)).size} file(s) failed (see above)`);
}
