/**
 * Starting a sandbox thread when the host runs from TypeScript source (the Jest specs: @swc/jest
 * compiles the modules of the Jest process only, a worker thread loads its files with Node's own
 * loader, which cannot read TypeScript on Node 20). The thread then starts from a small CommonJS
 * bootstrap that registers a module loader hook compiling `.ts` files with @swc/core (the
 * devDependency @swc/jest runs on; resolved from this file, so only where it is installed) and
 * imports the thread's module, so the specs run the very source they test, never a stale build.
 * The built backend (backend/dist) never comes here: its thread entry is a `.js` file.
 */
import { createRequire } from 'node:module';

/**
 * The loader hooks (run on Node's loader thread, as a `data:` module): `./x.js` imported from a
 * `.ts` file is `./x.ts` when that exists (the TypeScript sources' NodeNext convention), and a `.ts`
 * file is compiled by swc to an ES module with an inline source map.
 */
const LOADER = `
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
let swc;
export function initialize(data) {
  swc = createRequire(data.swc)(data.swc);
}
export async function resolve(specifier, context, next) {
  if (context.parentURL?.endsWith('.ts') && /^\\.{1,2}\\//.test(specifier) && specifier.endsWith('.js')) {
    const ts = new URL(specifier.slice(0, -3) + '.ts', context.parentURL);
    if (existsSync(ts)) return { url: ts.href, format: 'module', shortCircuit: true };
  }
  return next(specifier, context);
}
export async function load(url, context, next) {
  if (!url.startsWith('file:') || !url.endsWith('.ts')) return next(url, context);
  const filename = fileURLToPath(url);
  const { code } = await swc.transform(await readFile(filename, 'utf8'), {
    filename,
    sourceMaps: 'inline',
    jsc: { parser: { syntax: 'typescript' }, target: 'es2022', keepClassNames: true },
    module: { type: 'es6' },
  });
  return { format: 'module', source: code, shortCircuit: true };
}
`;

/** Runs as the thread's script (`eval: true`): registers the loader, then imports the entry. */
const BOOTSTRAP = `
const { register } = require('node:module');
const { workerData } = require('node:worker_threads');
const { entry, loader, swc } = workerData.sourceThread;
register('data:text/javascript,' + encodeURIComponent(loader), { data: { swc } });
import(entry).catch((err) => setImmediate(() => { throw err; }));
`;

export interface SourceThread {
  /** The thread's script, to start with `eval: true`. */
  script: string;
  /** To add to the thread's workerData as `sourceThread`. */
  data: { entry: string; loader: string; swc: string };
}

/** How to start a thread whose entry is the TypeScript module `entry`. */
export function sourceThread(entry: URL): SourceThread {
  let swc: string;
  try {
    swc = createRequire(import.meta.url).resolve('@swc/core');
  } catch (err) {
    throw new Error(`The code sandbox runs from TypeScript source (${entry.pathname}) but @swc/core, which its thread needs to load it, is not installed: build the backend and run it from dist`, { cause: err });
  }
  return { script: BOOTSTRAP, data: { entry: entry.href, loader: LOADER, swc } };
}
