/** `tributary validate`: every workflow file against the contracts' schema, offline (for CI). */
import { stat } from 'node:fs/promises';
import { CliError, err, out } from '../output.js';
import { formatProblem, listWorkflowFiles, loadWorkflowFiles } from '../workflow-file.js';

/** Folders become their `*.workflow.json` files; files are taken as given. */
export async function expandPaths(paths: string[]): Promise<string[]> {
  const files: string[] = [];
  for (const p of paths) {
    let s;
    try {
      s = await stat(p);
    } catch {
      throw new CliError(`${p}: no such file or folder`);
    }
    if (s.isDirectory()) files.push(...(await listWorkflowFiles(p)));
    else files.push(p);
  }
  return files;
}

export async function validate(paths: string[], opts: { dir: string; quiet?: boolean }): Promise<void> {
  const files = await expandPaths(paths.length ? paths : [opts.dir]);
  if (!files.length) throw new CliError(`no *.workflow.json files in ${paths.length ? paths.join(', ') : opts.dir}`);
  const { problems } = await loadWorkflowFiles(files);
  for (const p of problems) out(formatProblem(p));
  const bad = new Set(problems.map((p) => p.file)).size;
  if (bad) {
    err(`${bad} of ${files.length} file(s) invalid.`);
    throw new CliError('', 1);
  }
  if (!opts.quiet) out(`${files.length} workflow file(s) valid.`);
}
