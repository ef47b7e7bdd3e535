/**
 * The `code` connector: a step that runs a JavaScript function body (like n8n's Code node) in the
 * QuickJS sandbox of ./sandbox.ts. The code sees only `input` (the step's rendered input, after a
 * JSON round trip) and a captured `console`; it has no network, files, timers or host objects, so
 * the action is pure and a failure is the code's own (never worth another attempt).
 */
import { z } from 'zod';
import { ConnectorError, defineAction, defineConnector } from '../sdk.js';
import { runInSandbox, SandboxError } from './sandbox.js';

export const javascriptInput = z.object({
  // contentMediaType (JSON Schema): the dashboard edits this field in a JavaScript code editor.
  code: z.string().min(1).max(100_000).describe('JavaScript function body: read `input`, `return` a JSON value; `await` works').meta({ contentMediaType: 'text/javascript' }),
  input: z.unknown().optional().describe('Data the code sees as `input` (templates rendered)'),
  timeoutMs: z.number().int().min(10).max(30_000).default(1_000).describe('Stop the code after this many milliseconds'),
  memoryMb: z.number().int().min(8).max(256).default(64).describe('Stop the code when it uses more memory than this (MB)'),
});

const SAMPLE_CODE = [
  'const lines = input.order.lines.filter((line) => line.qty > 0);',
  'const total = lines.reduce((sum, line) => sum + line.qty * line.price, 0);',
  'console.log(`order ${input.order.id}: ${lines.length} lines`);',
  'return { orderId: input.order.id, lines: lines.length, total: Math.round(total * 100) / 100 };',
].join('\n');

export const code = defineConnector({
  key: 'code',
  name: 'Code',
  icon: 'code',
  description: 'Runs a JavaScript snippet in a sandbox to transform data',
  credentials: null,
  actions: [
    defineAction({
      key: 'javascript',
      name: 'Run JavaScript',
      description: 'Runs the code with the step input as `input`; its output is the returned value and the console lines',
      input: javascriptInput,
      output: z.object({ result: z.unknown(), logs: z.array(z.string()) }),
      sample: {
        code: SAMPLE_CODE,
        input: {
          order: {
            id: 'A-1001',
            lines: [
              { sku: 'TEA-01', qty: 2, price: 4.5 },
              { sku: 'MUG-02', qty: 1, price: 12 },
              { sku: 'GIFT', qty: 0, price: 0 },
            ],
          },
        },
      },
      pure: true,
      // The code is code: `{{ a: 1 }}`-like text in it is not a template (its data comes through `input`).
      verbatim: ['code'],
      async execute({ input, signal }) {
        try {
          const { result, logs } = await runInSandbox({ code: input.code, input: input.input, timeoutMs: input.timeoutMs, memoryMb: input.memoryMb, signal });
          return { result, logs };
        } catch (err) {
          if (!(err instanceof SandboxError)) throw err;
          // Another attempt would run the same code on the same input: not retryable, whatever the cause.
          throw new ConnectorError(err.message, {
            retryable: false,
            details: { kind: err.kind, line: err.line, column: err.column, logs: err.logs },
            cause: err,
          });
        }
      },
    }),
  ],
});
