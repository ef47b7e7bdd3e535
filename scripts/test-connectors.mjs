#!/usr/bin/env node
// @ts-check
/**
 * `make test-connectors`: runs every action of every registered connector with its `sample` input
 * and `sampleCredentials` against a freshly started scripts/mock-apis, and prints a table
 * (connector, action, status, latency ms). Exits 1 when any action fails.
 *
 * Assumption: the backend is compiled first (`npm run build -w @tributary/backend`), because this plain ESM
 * script imports the TypeScript connectors from backend/dist/connectors/{registry,testing}.js.
 * The samples write the mock's URL as MOCK_ORIGIN (connectors/sdk.ts); runAction points them at the
 * mock started here (a free port, so a running `make dev` mock is not disturbed). The built-in
 * `core` steps are in the registry too (they call nothing out).
 *
 * Usage: node scripts/test-connectors.mjs [connector-key …] [--json]
 */
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { startMockApis } from './mock-apis/server.js';

const dist = fileURLToPath(new URL('../backend/dist/connectors/', import.meta.url));
if (!existsSync(`${dist}registry.js`) || !existsSync(`${dist}testing.js`)) {
  console.error(`test-connectors: ${dist}registry.js not found; build the backend first (npm run build -w @tributary/backend).`);
  process.exit(2);
}
const { connectors } = await import(pathToFileURL(`${dist}registry.js`).href);
const { runAction } = await import(pathToFileURL(`${dist}testing.js`).href);

const args = process.argv.slice(2);
const asJson = args.includes('--json');
const only = new Set(args.filter((a) => !a.startsWith('--')));
/** @type {{ key: string, actions: { key: string }[] }[]} */
const selected = connectors.filter((/** @type {{ key: string }} */ c) => only.size === 0 || only.has(c.key));
const unknown = [...only].filter((k) => !connectors.some((/** @type {{ key: string }} */ c) => c.key === k));
if (unknown.length) {
  console.error(`test-connectors: unknown connector(s): ${unknown.join(', ')}`);
  process.exit(2);
}

const mock = await startMockApis();
/** @type {{ connector: string, action: string, status: 'ok' | 'FAIL', latencyMs: number, error?: string }[]} */
const rows = [];
try {
  for (const connector of selected) {
    for (const action of connector.actions) {
      const started = performance.now();
      try {
        await runAction(connector, action.key, { mockUrl: mock.url, http: { timeoutMs: 10_000 } });
        rows.push({ connector: connector.key, action: action.key, status: 'ok', latencyMs: Math.round(performance.now() - started) });
      } catch (err) {
        const error = err instanceof Error ? err.message : String(err);
        rows.push({ connector: connector.key, action: action.key, status: 'FAIL', latencyMs: Math.round(performance.now() - started), error });
      }
    }
  }
} finally {
  await mock.close();
}

if (asJson) {
  process.stdout.write(JSON.stringify(rows, null, 2) + '\n');
} else {
  const header = ['connector', 'action', 'status', 'latency ms'];
  const table = rows.map((r) => [r.connector, r.action, r.status, String(r.latencyMs)]);
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => row[i].length)));
  const line = (/** @type {string[]} */ cells) => cells.map((c, i) => (i === 3 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ');
  const out = [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...table.map(line)];
  for (const r of rows.filter((x) => x.error)) out.push('', `${r.connector}.${r.action}: ${r.error}`);
  const failed = rows.filter((r) => r.status === 'FAIL').length;
  out.push('', `${rows.length - failed}/${rows.length} actions passed`);
  process.stdout.write(out.join('\n') + '\n');
}
process.exit(rows.some((r) => r.status === 'FAIL') ? 1 : 0);
