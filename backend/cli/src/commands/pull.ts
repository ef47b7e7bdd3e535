/** `tributary pull`: every workflow of the workspace as one file per workflow, in a stable format. */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { Workflow } from '@tributary/contracts';
import type { Api } from '../api.js';
import { err, out, yellow } from '../output.js';
import { definitionOfServer, FILE_SUFFIX, formatFile, listWorkflowFiles, META_KEY, metaOfServer, slugOf } from '../workflow-file.js';

/** The id in a file's `_tributary` block, read leniently (a file that does not parse has none). */
export function idOfText(text: string): string | null {
  try {
    const doc = JSON.parse(text) as Record<string, unknown> | null;
    const meta = doc && typeof doc === 'object' ? (doc[META_KEY] as { id?: unknown } | undefined) : undefined;
    return typeof meta?.id === 'string' ? meta.id : null;
  } catch {
    return null;
  }
}

/**
 * A file name per workflow: a workflow keeps the file it already has (renames on the server do not
 * move files); new ones get `<slug>.workflow.json`, and when a slug is taken, `<slug>-<id8>`.
 */
export function assignFiles(workflows: Workflow[], existing: Map<string, string>, taken: Set<string>): Map<string, string> {
  const names = new Map<string, string>();
  const used = new Set(taken);
  for (const w of workflows) {
    const had = existing.get(w.id);
    if (had) names.set(w.id, had);
  }
  // Oldest first, so that the same server state always yields the same names.
  const fresh = workflows.filter((w) => !names.has(w.id)).sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
  for (const w of fresh) {
    const slug = slugOf(w.name);
    let name = `${slug}${FILE_SUFFIX}`;
    if (used.has(name)) name = `${slug}-${w.id.slice(0, 8)}${FILE_SUFFIX}`;
    used.add(name);
    names.set(w.id, name);
  }
  return names;
}

export async function pull(api: Api, opts: { dir: string; prune?: boolean }): Promise<void> {
  const started = Date.now();
  const [workflows, files] = await Promise.all([api.listWorkflows(), listWorkflowFiles(opts.dir)]);
  await mkdir(opts.dir, { recursive: true });
  const texts = new Map<string, string>();
  const existing = new Map<string, string>();
  const taken = new Set<string>();
  await Promise.all(
    files.map(async (f) => {
      const text = await readFile(f, 'utf8');
      texts.set(basename(f), text);
      taken.add(basename(f));
      const id = idOfText(text);
      if (id && !existing.has(id)) existing.set(id, basename(f));
    }),
  );
  const onServer = new Set(workflows.map((w) => w.id));
  // Files of workflows deleted on the server free their names only when pruned.
  const names = assignFiles(workflows, existing, taken);
  let written = 0;
  let unchanged = 0;
  await Promise.all(
    workflows.map(async (w) => {
      const name = names.get(w.id)!;
      const text = formatFile(definitionOfServer(w), metaOfServer(w));
      if (texts.get(name) === text) {
        unchanged++;
        return;
      }
      await writeFile(join(opts.dir, name), text);
      written++;
      out(`${texts.has(name) ? 'updated' : 'created'} ${join(opts.dir, name)}`);
    }),
  );
  const gone = [...existing].filter(([id]) => !onServer.has(id)).sort((a, b) => a[1].localeCompare(b[1]));
  for (const [id, name] of gone) {
    if (opts.prune) {
      await rm(join(opts.dir, name));
      out(`deleted ${join(opts.dir, name)} (workflow ${id} no longer exists on the server)`);
    } else {
      err(yellow(`${join(opts.dir, name)}: workflow ${id} was deleted on the server; delete the file (or pull --prune), or remove its _tributary block to create it again`));
    }
  }
  err(`Pulled ${workflows.length} workflow(s) into ${opts.dir}: ${written} written, ${unchanged} unchanged${gone.length ? `, ${gone.length} deleted on the server${opts.prune ? ' (pruned)' : ''}` : ''} (${Date.now() - started} ms).`);
}
