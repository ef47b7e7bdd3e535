/**
 * The layer rules of .dependency-cruiser.cjs (run over src/ by `npm run lint`): the tree passes
 * them, and each rule refuses the import it names (a rule that never fires would pass anything).
 */
import { jest } from '@jest/globals';
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const BACKEND = resolve(import.meta.dirname, '..');
const DEPCRUISE = join(BACKEND, 'node_modules', '.bin', 'depcruise');

async function cruise(cwd: string): Promise<{ code: number; out: string }> {
  try {
    const { stdout } = await run(DEPCRUISE, ['src', '--config', '.dependency-cruiser.cjs', '--output-type', 'err'], { cwd });
    return { code: 0, out: stdout };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, out: e.stdout + e.stderr };
  }
}

describe('layers (dependency-cruiser)', () => {
  jest.setTimeout(60_000);
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'tributary-layers-'));
    cpSync(join(BACKEND, '.dependency-cruiser.cjs'), join(dir, '.dependency-cruiser.cjs'));
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext' }, include: ['src'] }));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function tree(files: Record<string, string>): string {
    const root = mkdtempSync(join(dir, 'case-'));
    cpSync(join(dir, '.dependency-cruiser.cjs'), join(root, '.dependency-cruiser.cjs'));
    cpSync(join(dir, 'tsconfig.json'), join(root, 'tsconfig.json'));
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      writeFileSync(join(root, path), text);
    }
    return root;
  }

  it('src/ has no upward import and no folder cycle', async () => {
    const { code, out } = await cruise(BACKEND);
    expect(out).not.toMatch(/error/);
    expect(code).toBe(0);
  });

  it.each([
    ['no-folder-cycles', { 'src/users/a.ts': "import '../auth/b.js';\nexport const a = 1;\n", 'src/auth/b.ts': "import '../users/a.js';\nexport const b = 1;\n" }],
    ['foundations-import-foundations', { 'src/common/a.ts': "import '../executions/b.js';\n", 'src/executions/b.ts': 'export const b = 1;\n' }],
    ['connectors-import-the-sdk-only', { 'src/connectors/x/index.ts': "import '../../engine/b.js';\n", 'src/engine/b.ts': 'export const b = 1;\n' }],
    ['engine-is-below-the-features', { 'src/engine/a.ts': "import '../executions/b.js';\n", 'src/executions/b.ts': 'export const b = 1;\n' }],
    ['low-folders-import-foundations', { 'src/access/a.ts': "import '../users/b.js';\n", 'src/users/b.ts': 'export const b = 1;\n' }],
    ['nothing-imports-composition', { 'src/users/a.ts': "import '../app.module.js';\n", 'src/app.module.ts': 'export const m = 1;\n' }],
  ])('%s refuses its import', async (rule, files) => {
    const { code, out } = await cruise(tree(files));
    expect(out).toContain(`error ${rule}:`);
    expect(code).not.toBe(0);
  });
});
