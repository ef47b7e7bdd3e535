/**
 * Template autocomplete that knows the data, and the preview under a template field: a workflow
 * (transform → loop over the payload's lines → transform) run once through the api; in its builder,
 * typing `{{` offers the sample payload's fields and the earlier step's fields as its last run gave
 * them (its output schema says nothing), and the field shows what the template renders to with the
 * sample (rendered by the api). Inside the loop, `item`, `$index` and `item.<field>`: the nested
 * steps are edited by the canvas's side panel, so the stage checks `templatePathsFor` itself (the
 * pure module the panel and the form share, compiled from frontend/ with TypeScript) and, where the
 * builder shows nested steps' fields, the suggestions in the page.
 */
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { API_URL, BASE_URL, RUN, apiAs, fail, screenshot, stage, waitFor } from '../harness.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const WORKFLOW_NAME = `E2E autocomplete ${RUN}`;
const PAYLOAD = { user: { name: 'Alex' }, order: { id: 12345, lines: [{ sku: 'A-1', qty: 2 }, { sku: 'B-7', qty: 1 }] } };
// The sample differs from the run's payload, so the preview shows it is rendered with the sample.
const SAMPLE = { user: { name: 'Sam' }, order: { id: 777, lines: [{ sku: 'S-9', qty: 5 }] } };
const STEPS = [
  { id: 'shape', connector: 'core', action: 'transform', input: { value: { greeting: 'Hello {{user.name}}', lineCount: '{{order.lines.length}}' } } },
  {
    id: 'each',
    type: 'loop',
    items: '{{order.lines}}',
    steps: [
      { id: 'line', connector: 'core', action: 'transform', input: { value: { sku: '{{item.sku}}', position: '{{$index}}' } } },
      { id: 'label', connector: 'core', action: 'transform', input: { value: { text: '{{steps.line.sku}} ×{{item.qty}}' } } },
    ],
  },
  { id: 'notify', connector: 'core', action: 'transform', input: { value: { text: '{{steps.shape.greeting}}' } } },
];
const NOTIFY_FIELD = 'field-steps.2.input.value';

/** The suggestions shown for `typed` in a template field (typed at the end of what is there). */
async function suggestionsFor(page, field, typed, { allowNone = false } = {}) {
  await field.click();
  await field.fill('');
  await field.pressSequentially(typed, { delay: 10 });
  const list = page.getByTestId('template-suggestions');
  if (allowNone) await page.waitForTimeout(300);
  else await list.waitFor({ timeout: 5000 }).catch(() => fail(`typing "${typed}" opened no suggestions`));
  return page.getByTestId('template-suggestion').allTextContents();
}

/** Opens a step's fields: its node on the canvas (the side panel), where there is a canvas. */
async function openStep(page, id) {
  const node = page.locator(`[data-testid="canvas-node"][data-step-id="${id}"]`);
  await node.or(page.getByTestId('step-card').first()).first().waitFor({ timeout: 20_000 }).catch(() => fail('the builder shows neither a canvas nor step cards'));
  if (await node.count()) {
    await node.click();
    await page.locator(`[data-testid="node-panel"][data-node-id="${id}"]`).waitFor().catch(() => fail(`clicking the node ${id} opened no side panel for it`));
  }
}

/** frontend/components/workflows/builder/template-paths.ts (and lib/json-schema.ts and step-lists.ts it reads) compiled to plain modules. */
async function loadTemplatePaths() {
  const ts = (await import('typescript')).default;
  const dir = await mkdtemp(path.join(tmpdir(), 'tributary-template-paths-'));
  const compile = async (from, to, rewrite = (s) => s) => {
    const source = await readFile(path.join(ROOT, from), 'utf8');
    const { outputText } = ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: false } });
    await writeFile(path.join(dir, to), rewrite(outputText));
  };
  await compile('frontend/lib/json-schema.ts', 'json-schema.mjs');
  await compile('frontend/components/workflows/builder/step-lists.ts', 'step-lists.mjs');
  await compile('frontend/components/workflows/builder/template-paths.ts', 'template-paths.mjs', (s) =>
    s.replace(/(['"])@\/lib\/json-schema\1/g, "'./json-schema.mjs'").replace(/(['"])\.\/step-lists\1/g, "'./step-lists.mjs'"),
  );
  return import(pathToFileURL(path.join(dir, 'template-paths.mjs')).href);
}

/** `page` is signed in as an admin (or editor). */
export async function autocompleteStages(page) {
  let workflow;
  let execution;

  await stage(page, 'autocomplete-last-run', async () => {
    workflow = await apiAs(page, 'POST', '/workflows', { name: WORKFLOW_NAME, trigger: { type: 'manual' }, steps: STEPS });
    const { executionId } = await apiAs(page, 'POST', `/workflows/${workflow.id}/run`, { payload: PAYLOAD });
    execution = await waitFor('the run to finish', async () => {
      const e = await apiAs(page, 'GET', `/executions/${executionId}`);
      return e.status === 'succeeded' || e.status === 'failed' ? e : undefined;
    }, { timeout: 60_000, interval: 500 });
    if (execution.status !== 'succeeded') fail(`the run ${execution.status}: ${execution.error}`);
    console.log(`    workflow ${workflow.id}, run ${execution.id}`);

    // The sample payload is the builder's (kept per workflow in the browser).
    await page.goto(`${BASE_URL}/workflows/${workflow.id}`);
    await page.evaluate(([key, text]) => localStorage.setItem(key, text), [`tributary.sample.${workflow.id}`, JSON.stringify(SAMPLE, null, 2)]);
    await page.reload();
    await openStep(page, 'notify');
    const field = page.getByTestId(NOTIFY_FIELD);
    await field.waitFor({ timeout: 20_000 }).catch(() => fail(`no template field ${NOTIFY_FIELD} on the last step`));

    // From the sample payload.
    const fromSample = await suggestionsFor(page, field, '{{order.li');
    if (!fromSample.includes('order.lines')) fail(`"{{order.li" suggested ${JSON.stringify(fromSample)}, not order.lines from the sample`);
    if (!fromSample.some((s) => s === 'order.lines.[0].sku')) fail(`the sample's lines' fields are not suggested: ${JSON.stringify(fromSample)}`);
    await field.press('Escape');

    // From the earlier step's output in the last run (core.transform's output schema is open: only the run knows `greeting`).
    const fromRun = await waitFor('steps.shape.greeting among the suggestions (the last run is fetched)', async () => {
      const s = await suggestionsFor(page, field, '{{steps.shape.');
      await field.press('Escape');
      return s.includes('steps.shape.greeting') && s.includes('steps.shape.lineCount') ? s : undefined;
    }, { timeout: 15_000, interval: 1000 });
    await suggestionsFor(page, field, '{{steps.shape.gr');
    await screenshot(page, 'autocomplete-last-run-suggestions');
    await field.press('Enter');
    const inserted = await field.inputValue();
    if (inserted !== '{{steps.shape.greeting}}') fail(`Enter inserted ${JSON.stringify(inserted)}, not {{steps.shape.greeting}}`);
    // Steps nested in the earlier loop finished before this one: offered too; `item` is not (outside the loop).
    const outside = await suggestionsFor(page, field, '{{ite', { allowNone: true });
    await field.press('Escape');
    if (outside.includes('item') || outside.includes('$index')) fail(`item/$index are offered outside the loop: ${JSON.stringify(outside)}`);
    const line = await suggestionsFor(page, field, '{{steps.line');
    await field.press('Escape');
    if (!line.includes('steps.line.sku')) fail(`the loop's nested step's last-run output is not offered: ${JSON.stringify(line)} (the earlier step's: ${JSON.stringify(fromRun)})`);
  });

  await stage(page, 'autocomplete-preview', async () => {
    const probe = await fetch(`${API_URL}/api/workflows/template-preview`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    const routed = probe.status !== 404;
    const field = page.getByTestId(NOTIFY_FIELD);
    await field.fill('{"text": "Hi {{user.name}}, order {{order.id}}: {{steps.shape.greeting}}"}');
    // The preview sits under its field, in the field's wrapper.
    const preview = field.locator('xpath=..').getByTestId('template-preview');
    if ((await preview.getAttribute('aria-live')) !== 'polite') fail('the preview is not a polite live region');
    if (!routed) {
      await waitFor('the preview to say it is unavailable', async () => (await preview.getAttribute('data-status')) === 'unavailable', { timeout: 5000, interval: 200 });
      fail('the api has no POST /api/workflows/template-preview (rebuild backend/dist): the preview shows "No preview"');
    }
    // Rendered by the api with the sample (Sam, 777) and the last run's output of `shape` (Hello Alex).
    const expected = 'Hi Sam, order 777: Hello Alex';
    await waitFor(`the preview to show "${expected}"`, async () => (await preview.getByTestId('template-preview-value').textContent().catch(() => ''))?.includes(expected), { timeout: 10_000, interval: 200 });
    await screenshot(page, 'autocomplete-preview');

    // A template error shows inline, from the api's 400.
    await field.fill('Hi {{#if user}}');
    await preview.getByTestId('template-preview-error').waitFor({ timeout: 10_000 }).catch(() => fail('an unclosed {{#if}} shows no error under the field'));
    // Typing fast sends one request for the last text (debounced, stale ones cancelled).
    let sent = 0;
    const count = (req) => req.method() === 'POST' && req.url().endsWith('/api/workflows/template-preview') && sent++;
    page.on('request', count);
    await field.fill('');
    await field.pressSequentially('{{user.name}} / {{order.id}}', { delay: 20 });
    await waitFor('the preview of what was typed', async () => (await preview.getByTestId('template-preview-value').textContent().catch(() => ''))?.trim() === 'Sam / 777', { timeout: 10_000, interval: 200 });
    page.off('request', count);
    if (sent > 3) fail(`typing 28 characters sent ${sent} preview requests (no debounce)`);
  });
  await stage(page, 'autocomplete-loop-item', async () => {
    // The pure function the form's cards and the canvas's side panel share.
    const { templatePathsFor, templateScopeFor } = await loadTemplatePaths();
    const connectors = await apiAs(page, 'GET', '/connectors');
    const lastRun = { executionId: execution.id, payload: execution.payload, outputs: Object.fromEntries(execution.steps.filter((r) => r.output !== undefined).reverse().map((r) => [r.stepId, r.output])) };
    const context = { sample: SAMPLE, connectors, lastRun };
    const inLoop = templatePathsFor('label', workflow.steps, context);
    for (const p of ['item', '$index', 'item.sku', 'item.qty', 'steps.line', 'steps.line.sku', 'steps.shape.greeting', 'user.name']) {
      if (!inLoop.includes(p)) fail(`inside the loop, ${p} is not offered (got ${JSON.stringify(inLoop.slice(0, 30))})`);
    }
    if (inLoop.includes('steps.label') || inLoop.includes('steps.notify') || inLoop.includes('steps.each')) fail('inside the loop, the step itself, its loop or later steps are offered');
    const first = templatePathsFor('line', workflow.steps, context);
    if (first.includes('steps.line') || !first.includes('item.sku')) fail(`the loop's first step: ${JSON.stringify(first.slice(0, 30))}`);
    const after = templatePathsFor('notify', workflow.steps, context);
    if (after.includes('item') || after.includes('$index') || !after.includes('steps.each')) fail(`after the loop: ${JSON.stringify(after.slice(0, 30))}`);
    const scope = templateScopeFor('label', workflow.steps, context);
    if (JSON.stringify(scope.item) !== JSON.stringify(SAMPLE.order.lines[0]) || scope.index !== 0) fail(`the loop's sample item is ${JSON.stringify(scope.item)} #${scope.index}, not the sample's first line`);
    // Parallel branches run at the same time: one does not see the other.
    const parallel = [{ id: 'fan', type: 'parallel', branches: [[{ id: 'a', connector: 'core', action: 'transform', input: {} }], [{ id: 'b', connector: 'core', action: 'transform', input: {} }]] }];
    if (templatePathsFor('b', parallel, context).includes('steps.a')) fail('a parallel branch is offered the other branch\'s step');

    // In the page: the nested step's fields (the canvas's side panel) offer the loop's item, and preview with the sample's first line.
    await page.reload();
    await openStep(page, 'label');
    const nestedField = page.locator('[data-testid="node-panel"][data-node-id="label"] [role="combobox"]').first();
    await nestedField.waitFor({ timeout: 10_000 }).catch(() => fail('the side panel of the loop\'s step "label" has no template field'));
    const shown = await suggestionsFor(page, nestedField, '{{ite');
    if (!shown.includes('item') || !shown.includes('item.sku')) fail(`the nested step's field suggests ${JSON.stringify(shown)}, not item and item.sku`);
    const index = await suggestionsFor(page, nestedField, '{{$ind');
    if (!index.includes('$index')) fail(`the nested step's field does not suggest $index: ${JSON.stringify(index)}`);
    await suggestionsFor(page, nestedField, '{{item.');
    await screenshot(page, 'autocomplete-loop-item');
    await nestedField.press('Escape');
    await nestedField.fill('{{item.sku}} #{{$index}}');
    const preview = nestedField.locator('xpath=..').getByTestId('template-preview');
    await waitFor('the loop step\'s preview with the sample\'s first line', async () => (await preview.getByTestId('template-preview-value').textContent().catch(() => ''))?.trim() === 'S-9 #0', { timeout: 10_000, interval: 200 });
  });

}
