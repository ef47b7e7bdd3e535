// Agent step benchmark: `node scripts/bench/agent.mjs [--runs N] [--iterations N]` measures the
// engine's own time per agent iteration (SPEC "AI steps"), without the model's: the runner of
// backend/dist (BENCH_DIST for another build; `cd backend && npx tsc -p tsconfig.build.json`) runs
// an agent step whose model answers at once (an in-memory HTTP client returning a completion: a
// tool call for each turn but the last, then a final answer) and whose tool is a workflow that
// answers at once (the sub-workflow starter's answer, as a finished child gives it). What remains
// is the engine: rendering, the conversation (rebuilt and sent whole each turn), the llm connector's
// request and parsing, recording each model and tool call, and the checkpoint callback (a no-op
// here: its PostgreSQL write is the durability contract's cost, measured by `make bench-engine`).
// Prints one JSON object on stdout and a line on stderr:
//   per_iteration_us   wall time of a run / its iterations (p50, p99 over runs), and the mean
//   cpu_us_per_iteration  process.cpuUsage over all counted runs / their iterations
import { performance } from 'node:perf_hooks';
import { join } from 'node:path';
import { DIST, intFlag, log, round, summary } from './harness.mjs';

const RUNS = intFlag('runs', 300);
const ITERATIONS = intFlag('iterations', 10);
const WARMUP = 30;

const { runWorkflow } = await import(join(DIST, 'engine/runner.js'));
const { getConnector } = await import(join(DIST, 'connectors/registry.js'));

/** The model: turn n < ITERATIONS-1 asks for the tool, the last answers. Counted from the assistant messages sent. */
const http = {
  async request(req) {
    const messages = req.json.messages;
    const turn = messages.filter((m) => m.role === 'assistant').length;
    const message =
      turn < ITERATIONS - 1
        ? { role: 'assistant', content: null, tool_calls: [{ id: `call_${turn}`, type: 'function', function: { name: 'lookup_order', arguments: JSON.stringify({ orderId: `A-${turn}` }) } }] }
        : { role: 'assistant', content: 'Your order has shipped.' };
    const body = { model: 'bench', choices: [{ index: 0, message, finish_reason: turn < ITERATIONS - 1 ? 'tool_calls' : 'stop' }], usage: { prompt_tokens: 100 + turn * 40, completion_tokens: 20, total_tokens: 120 + turn * 40 } };
    return { status: 200, headers: {}, body, text: JSON.stringify(body) };
  },
};
const deps = {
  findConnector: getConnector,
  resolveCredential: async () => ({ connector: 'llm', data: { baseUrl: 'http://model.invalid/v1', model: 'bench', apiKey: 'sk-bench-key' }, credentialId: 'c1' }),
  http,
  baseUrl: (_k, d) => d,
  logger: { info() {}, warn() {}, error() {} },
  checkpoint: async () => undefined,
  calls: {
    call: async (c) => ({ status: 'succeeded', executionId: `child-${c.path}`, output: { orderId: c.input.orderId, status: 'shipped', carrier: 'DHL' } }),
    describe: async () => ({ description: 'Looks up an order', inputSchema: { type: 'object', properties: { orderId: { type: 'string' } }, required: ['orderId'] } }),
  },
};
const steps = [
  {
    id: 'agent',
    type: 'agent',
    credentialId: '00000000-0000-4000-8000-000000000001',
    system: 'You are a support assistant.',
    prompt: 'Where is my order {{orderId}}?',
    tools: [{ kind: 'workflow', workflowId: '00000000-0000-4000-8000-000000000002', name: 'lookup_order' }],
    maxIterations: ITERATIONS,
  },
];

async function once(i) {
  const r = await runWorkflow({ executionId: `bench-${i}`, steps, payload: { orderId: 'A-1042' } }, deps);
  if (r.status !== 'succeeded' || r.steps.at(-1).output.iterations !== ITERATIONS) throw new Error(`bench run ${i}: ${r.status} ${r.error ?? ''}`);
}

for (let i = 0; i < WARMUP; i++) await once(-i - 1);
const wall = [];
const cpu0 = process.cpuUsage();
const t0 = performance.now();
for (let i = 0; i < RUNS; i++) {
  const s = performance.now();
  await once(i);
  wall.push(((performance.now() - s) * 1000) / ITERATIONS);
}
const elapsed = performance.now() - t0;
const cpu = process.cpuUsage(cpu0);
const per = summary(wall);
const result = {
  runs: RUNS,
  iterations_per_run: ITERATIONS,
  per_iteration_us: { p50: round(per.p50), p99: round(per.p99), mean: round((elapsed * 1000) / (RUNS * ITERATIONS)) },
  cpu_us_per_iteration: round((cpu.user + cpu.system) / (RUNS * ITERATIONS)),
  node: process.version,
};
console.log(JSON.stringify(result));
log(`agent: ${ITERATIONS} iterations a run, ${RUNS} runs: ${result.per_iteration_us.p50} µs per iteration (p50), ${result.per_iteration_us.p99} µs (p99), ${result.cpu_us_per_iteration} µs CPU`);
