/**
 * The code step in the builder: a new user (registered through the dashboard, in a browser of their
 * own) adds Code → Run JavaScript from the connector picker; the code field is a CodeMirror editor
 * loaded only then (no CodeMirror chunk before), labelled for assistive technology, with line
 * numbers, bracket matching, undo/redo, Tab indenting and Esc-then-Tab leaving. The transform is
 * typed with the keyboard, its `input` (a JSON object reading the trigger payload) filled in the
 * form; the JSON view holds the exact text; a dry run shows the result and the console line; the
 * saved step's `input.code` is what was typed. Then a code with \r\n, a tab and trailing spaces
 * set through the JSON view comes back from the api byte for byte.
 */
import { BASE_URL, RUN, apiAs, consoleErrors, fail, newPage, screenshot, stage, waitFor } from '../harness.mjs';

const EMAIL = `e2e-coder-${RUN}@example.com`;
const WORKFLOW_NAME = `E2E code step ${RUN}`;
const CODE = ["const total = input.items.reduce((s, i) => s + i.price * i.qty, 0);", "console.log('total', total);", 'return { total };'].join('\n');
const INPUT = { items: '{{order.items}}' };
const PAYLOAD = {
  order: {
    id: `A-${RUN}`,
    items: [
      { sku: 'TEA-01', price: 4.5, qty: 2 },
      { sku: 'MUG-02', price: 12, qty: 1 },
      { sku: 'SPOON', price: 1.25, qty: 4 },
    ],
  },
};
const TOTAL = 26; // 9 + 12 + 5
/** Set through the JSON view: Windows line ends, a tab, trailing spaces and a final line end. */
const TRICKY = "// exact\r\n\tconst t = input.items.length;   \r\nreturn { t };\r\n";

const CODE_FIELD = 'field-steps.0.input.code';
const CODE_ID = 'f-steps-0-input-code';

/** The text the editor shows, line by line (its rendered lines; enough for text without special characters). */
async function editorText(page) {
  return (await page.locator(`#${CODE_ID} .cm-line`).allTextContents()).join('\n');
}

async function stepsFromJsonView(page) {
  await page.getByTestId('steps-view-json').click();
  const text = await page.getByTestId('steps-json').inputValue();
  return JSON.parse(text);
}

/** `browser`: the stage signs up a user of its own. */
export async function codeStepStages(browser) {
  const page = await newPage(browser, 'coder');
  /** JS chunks that hold CodeMirror (by a class name its view code writes), with when they arrived. */
  const cmChunks = [];
  page.on('response', async (res) => {
    const url = res.url();
    if (!/\/_next\/static\/chunks\/.*\.js(\?|$)/.test(url)) return;
    const body = await res.text().catch(() => '');
    if (body.includes('cm-lineNumbers') || body.includes('cm-gutterElement')) cmChunks.push(url);
  });
  let workflowId;

  await stage(page, 'code-step-sign-up', async () => {
    await page.goto(`${BASE_URL}/register`);
    await page.getByLabel('Your name').fill(`Coder ${RUN}`);
    await page.getByLabel('Organisation').fill(`Code org ${RUN}`);
    await page.getByLabel('Email').fill(EMAIL);
    await page.getByLabel('Password').fill('coder-password-1');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.waitForURL((u) => new URL(u).pathname === '/', { timeout: 20_000 }).catch(async () => fail(`signing up did not land on the overview: ${(await page.locator('[role=alert]').allTextContents()).join(' | ')}`));
    await page.getByTestId('current-user').waitFor();
  });

  await stage(page, 'code-step-editor', async () => {
    await page.goto(`${BASE_URL}/workflows/new`);
    await page.getByTestId('workflow-name').fill(WORKFLOW_NAME);
    await page.getByTestId('trigger-type-webhook').click();
    // Whatever the builder fetches on its own has arrived by now (live updates keep a connection open: no 'networkidle').
    await page.getByTestId('workflow-builder').waitFor();
    await page.waitForTimeout(1500);
    if (cmChunks.length) fail(`the builder loaded CodeMirror before any code step: ${cmChunks.join(', ')}`);

    await page.getByTestId('add-step').click();
    const picker = page.getByTestId('connector-picker');
    await picker.getByTestId('connector-search').fill('code');
    await picker.getByTestId('pick-code-javascript').click().catch(() => fail('the connector picker offers no Code → Run JavaScript'));
    if (!(await picker.isHidden())) await picker.waitFor({ state: 'detached' });

    const editor = page.locator(`[data-testid="${CODE_FIELD}"][data-code-editor="ready"]`);
    await editor.waitFor({ timeout: 20_000 }).catch(() => fail('the code field did not become a code editor'));
    await waitFor('the CodeMirror chunk to be fetched for the code step', async () => cmChunks.length > 0, { timeout: 5000, interval: 200 });

    // Accessibility: a textbox named by the field's label, described by the keyboard hint (shown on the page).
    const content = page.locator(`#${CODE_ID}`);
    const a = await content.evaluate((el) => ({
      role: el.getAttribute('role'),
      multiline: el.getAttribute('aria-multiline'),
      label: document.getElementById(el.getAttribute('aria-labelledby') ?? '')?.textContent?.trim(),
      described: (el.getAttribute('aria-describedby') ?? '').split(' ').map((id) => document.getElementById(id)?.textContent ?? '').join(' | '),
      editable: el.getAttribute('contenteditable'),
    }));
    if (a.role !== 'textbox' || a.multiline !== 'true' || a.editable !== 'true') fail(`the editor is not an editable multi-line textbox: ${JSON.stringify(a)}`);
    if (!/^Code\*?$/.test(a.label ?? '')) fail(`the editor is not labelled "Code" (aria-labelledby gives ${JSON.stringify(a.label)})`);
    if (!/Esc.*then.*Tab/.test(a.described)) fail(`the editor's description does not tell how to leave it with the keyboard: ${a.described}`);
    if (!(await page.getByTestId('code-keys-steps.0.input.code').isVisible())) fail('the keyboard hint is not visible');
    const box = await editor.boundingBox();
    if (!box || box.height < 8 * 12 * 1.5) fail(`the editor is ${box?.height}px high, less than 8 lines`);
    if (!(await editor.locator('.cm-lineNumbers').count())) fail('the editor shows no line numbers');

    // The input: a JSON object read from the trigger payload.
    await page.getByTestId('field-steps.0.input.input').fill(JSON.stringify(INPUT));

    // The transform, typed with the keyboard (a click on the label focuses the editor).
    await page.locator('#f-steps-0-input-code-label').click();
    await waitFor('the editor to take the focus from its label', async () => content.evaluate((el) => el.contains(document.activeElement)), { timeout: 3000, interval: 100 });
    await page.keyboard.type(CODE, { delay: 5 });
    if ((await editorText(page)) !== CODE) fail(`the editor shows something else than what was typed:\n${await editorText(page)}`);
    const highlighted = await content.locator('.cm-line span').count();
    if (highlighted < 5) fail(`the JavaScript is not highlighted (${highlighted} token spans)`);

    // Bracket matching: the caret right after the `}` of the return marks it and its `{`.
    await page.keyboard.press('ArrowLeft');
    await waitFor('matching brackets to be marked', async () => (await content.locator('.cm-matchingBracket').count()) === 2, { timeout: 3000, interval: 100 });
    await screenshot(page, 'code-step-bracket-matching');
    await page.keyboard.press('End');

    // Undo and redo (a pause first, so the edit is a history event of its own).
    await page.waitForTimeout(700);
    await page.keyboard.type(' // draft');
    if (!(await editorText(page)).endsWith('return { total }; // draft')) fail('typing at the end did not reach the editor');
    await page.keyboard.press('Control+KeyZ');
    if ((await editorText(page)) !== CODE) fail(`Ctrl+Z did not undo the last edit:\n${await editorText(page)}`);
    await page.keyboard.press('Control+Shift+KeyZ');
    if (!(await editorText(page)).endsWith('// draft')) fail('Ctrl+Shift+Z did not redo the edit');
    await page.keyboard.press('Control+KeyZ');
    if ((await editorText(page)) !== CODE) fail('the second Ctrl+Z did not undo the edit');

    // Tab indents inside the editor (Shift+Tab takes it back)…
    await page.keyboard.press('Tab');
    if (!(await editorText(page)).endsWith('\n  return { total };')) fail(`Tab did not indent the line:\n${await editorText(page)}`);
    if (!(await content.evaluate((el) => el.contains(document.activeElement)))) fail('Tab left the editor instead of indenting');
    await page.keyboard.press('Shift+Tab');
    if ((await editorText(page)) !== CODE) fail(`Shift+Tab did not take the indent back:\n${await editorText(page)}`);
    // …and Esc then Tab leaves it, to the next field.
    await page.keyboard.press('Escape');
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(() => document.activeElement?.id);
    if (focused !== 'f-steps-0-input-input') fail(`Esc then Tab moved the focus to "${focused}", not out of the editor to the next field`);
    if ((await editorText(page)) !== CODE) fail('Esc then Tab changed the code');
    await screenshot(page, 'code-step-typed');

    // The JSON view holds exactly the typed text; back in the form the editor shows it again.
    const steps = await stepsFromJsonView(page);
    const s = steps[0];
    if (s?.connector !== 'code' || s.action !== 'javascript') fail(`the JSON view's step is ${s?.connector}.${s?.action}, not code.javascript`);
    if (s.input.code !== CODE) fail(`the JSON view's code differs from what was typed: ${JSON.stringify(s.input.code)}`);
    if (JSON.stringify(s.input.input) !== JSON.stringify(INPUT)) fail(`the JSON view's input is ${JSON.stringify(s.input.input)}`);
    await page.getByTestId('steps-view-form').click();
    await editor.waitFor();
    await waitFor('the editor to show the code again after the JSON view', async () => (await editorText(page)) === CODE, { timeout: 5000, interval: 200 });
  });

  await stage(page, 'code-step-dry-run', async () => {
    await page.getByTestId('tab-dry-run').click();
    await page.getByTestId('sample-payload').fill(JSON.stringify(PAYLOAD, null, 2));
    await page.getByTestId('dry-run').click();
    const result = page.getByTestId('dry-run-result');
    await result.waitFor({ timeout: 30_000 }).catch(async () => fail(`no dry-run result: ${(await page.locator('[role=alert]').allTextContents()).join(' | ')}`));
    const status = await result.getAttribute('data-status');
    if (status !== 'succeeded') fail(`the dry run ${status}: ${(await result.getByTestId('dry-run-error').allTextContents()).join(' | ')}`);
    const step = result.locator('[data-testid="dry-run-step"][data-step-id]').first();
    const input = JSON.parse((await step.getByTestId('dry-run-input').textContent()) ?? 'null');
    if (input?.code !== CODE || JSON.stringify(input?.input) !== JSON.stringify({ items: PAYLOAD.order.items })) fail(`the rendered input is not the code and the payload's items: ${JSON.stringify(input)}`);
    const output = JSON.parse((await step.getByTestId('dry-run-output').textContent()) ?? 'null');
    if (output?.result?.total !== TOTAL) fail(`the dry run's result is ${JSON.stringify(output?.result)}, expected { total: ${TOTAL} }`);
    if (!output.logs?.includes(`total ${TOTAL}`)) fail(`the dry run's logs do not show "total ${TOTAL}": ${JSON.stringify(output.logs)}`);
    await step.getByTestId('dry-run-output').scrollIntoViewIfNeeded();
  });

  await stage(page, 'code-step-save', async () => {
    await page.getByTestId('save-workflow').click();
    await page.waitForURL(/\/workflows\/(?!new)[^/]+$/, { timeout: 20_000 }).catch(async () => {
      const err = await page.getByTestId('save-errors').textContent().catch(() => null);
      fail(`saving did not open the saved workflow${err ? `: ${err}` : ''}`);
    });
    workflowId = new URL(page.url()).pathname.split('/').pop();
    const wf = await apiAs(page, 'GET', `/workflows/${workflowId}`);
    const s = wf.steps[0];
    if (s?.connector !== 'code' || s.action !== 'javascript') fail(`the saved step is ${s?.connector}.${s?.action}`);
    if (s.input.code !== CODE) fail(`the saved code differs from what was typed:\nsaved ${JSON.stringify(s.input.code)}\ntyped ${JSON.stringify(CODE)}`);
    if (JSON.stringify(s.input.input) !== JSON.stringify(INPUT)) fail(`the saved input is ${JSON.stringify(s.input.input)}`);
    // Opened afresh, the saved workflow shows its code in the editor.
    await page.reload();
    // Selecting the step on the canvas opens its form.
    await page.locator('[data-testid="canvas-node"][data-kind="action"]').first().click({ timeout: 20_000 });
    await page.locator(`[data-testid="${CODE_FIELD}"][data-code-editor="ready"]`).waitFor({ timeout: 20_000 });
    if ((await editorText(page)) !== CODE) fail(`the saved workflow's editor shows:\n${await editorText(page)}`);
  });

  await stage(page, 'code-step-exact-text', async () => {
    // Set through the JSON view, shown by the editor, saved from the form: the api gets it byte for byte.
    const steps = await stepsFromJsonView(page);
    steps[0].input.code = TRICKY;
    await page.getByTestId('steps-json').fill(JSON.stringify(steps, null, 2));
    await page.getByTestId('steps-view-form').click();
    await page.locator(`[data-testid="${CODE_FIELD}"][data-code-editor="ready"]`).waitFor();
    const lines = await page.locator(`#${CODE_ID} .cm-line`).count();
    if (lines !== 4) fail(`the editor shows ${lines} lines for a code of 3 \\r\\n-ended lines (expected 4)`);
    if ((await stepsFromJsonView(page))[0].input.code !== TRICKY) fail('the JSON view → form → JSON view round trip changed the code');
    await page.getByTestId('steps-view-form').click();
    await page.getByTestId('save-workflow').click();
    const toast = page.getByTestId('toast').filter({ hasText: /Saved as v2|refused|Could not/ }).first();
    await toast.waitFor({ timeout: 15_000 });
    const wf = await apiAs(page, 'GET', `/workflows/${workflowId}`);
    if (wf.version !== 2) fail(`the save did not make version 2 (${wf.version}): ${await toast.textContent()}`);
    if (wf.steps[0].input.code !== TRICKY) fail(`the api holds ${JSON.stringify(wf.steps[0].input.code)}, not ${JSON.stringify(TRICKY)}`);
    const errors = consoleErrors.filter((e) => e.startsWith('coder: pageerror'));
    if (errors.length) fail(`the page threw: ${errors.join(' | ')}`);
  });

  await page.context().close();
}
