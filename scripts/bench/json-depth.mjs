// Micro-benchmark of the JSON depth guard (backend/src/common/json-depth-guard.ts) on the webhook
// route's typical body: what the preValidation hook adds per request. Needs `npm run build -w @tributary/backend`.
//   node scripts/bench/json-depth.mjs
import { countOpeners, findTooDeep } from '../../backend/dist/common/json-depth-guard.js';

const LIMIT = 64;
const typical = JSON.stringify({
  event: 'order.created',
  user: { id: 42, name: 'Ada Lovelace', email: 'ada@example.com' },
  order: { id: 'A-1002', items: [{ sku: 'X1', qty: 2 }, { sku: 'Y7', qty: 1 }], total: 129.5, currency: 'EUR' },
});
const manyObjects = JSON.stringify({ items: Array.from({ length: 1000 }, (_, i) => ({ id: i, name: `item ${i}`, tags: ['a', 'b'] })) });
const deep = '{"a":'.repeat(10_000) + '1' + '}'.repeat(10_000);

/** What the hook does for one request: the bracket count, and the exact walk only past the limit. */
function guard(raw, parsed) {
  return countOpeners(raw, LIMIT) > LIMIT ? findTooDeep(parsed, LIMIT) : undefined;
}

function bench(name, body, iterations) {
  const raw = Buffer.from(body);
  const parsed = JSON.parse(body);
  let sink = 0;
  for (let i = 0; i < Math.min(iterations, 100_000); i++) sink += guard(raw, parsed) ? 1 : 0;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) sink += guard(raw, parsed) ? 1 : 0;
  const ns = Number(process.hrtime.bigint() - t0) / iterations;
  const parseNs = (() => {
    const t = process.hrtime.bigint();
    for (let i = 0; i < Math.min(iterations, 20_000); i++) sink += JSON.parse(body) ? 0 : 1;
    return Number(process.hrtime.bigint() - t) / Math.min(iterations, 20_000);
  })();
  console.log(JSON.stringify({ body: name, bytes: raw.length, refused: Boolean(guard(raw, parsed)), guardNs: Math.round(ns), jsonParseNs: Math.round(parseNs), sink: sink > -1 }));
}

bench('typical webhook', typical, 2_000_000);
bench('1,000 objects in an array', manyObjects, 2_000);
bench('10,000 levels deep', deep, 20_000);
