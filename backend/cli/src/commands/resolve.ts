/** Finds the workflow a command names: a workflow file (its id or name), an id, or an exact name. */
import { readFile, stat } from 'node:fs/promises';
import type { Workflow } from '@tributary/contracts';
import { ApiError, type Api } from '../api.js';
import { CliError } from '../output.js';
import { idOfText } from './pull.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function resolveWorkflow(api: Api, ref: string): Promise<Workflow> {
  let name = ref;
  if (await stat(ref).then((s) => s.isFile(), () => false)) {
    const text = await readFile(ref, 'utf8');
    const id = idOfText(text);
    if (id) return getById(api, id, `${ref}'s _tributary.id`);
    try {
      name = String((JSON.parse(text) as { name?: unknown }).name ?? '');
    } catch (e) {
      throw new CliError(`${ref}: ${(e as Error).message}`);
    }
    if (!name) throw new CliError(`${ref}: no _tributary.id and no name: push it first`);
  } else if (UUID.test(ref)) {
    return getById(api, ref, ref);
  }
  const matches = (await api.listWorkflows()).filter((w) => w.name === name);
  if (!matches.length) throw new CliError(`no workflow named "${name}" in this workspace`);
  if (matches.length > 1) throw new CliError(`${matches.length} workflows are named "${name}": use an id (${matches.map((w) => w.id).join(', ')})`);
  return matches[0]!;
}

async function getById(api: Api, id: string, what: string): Promise<Workflow> {
  try {
    return await api.getWorkflow(id);
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) throw new CliError(`${what}: no workflow ${id} in this workspace`);
    throw e;
  }
}
