// The steps a person takes in the Temporal UI, as small functions over a Playwright Page. Selectors come
// from selectors.mjs only; the functions wait on what the page shows (the list, which does not refresh by
// itself, is reloaded until it does), never on fixed sleeps.
import { config } from './config.mjs';
import { routes, ui } from './selectors.mjs';

// The workflows list of the namespace.
export async function openWorkflowsList(page) {
  await page.goto(routes.workflows(config.namespace));
  await ui.workflowsList.startWorkflowButton(page).waitFor({ state: 'visible' });
}

// Clicks the list's "Start Workflow" button and waits for the start form.
export async function openStartWorkflowForm(page) {
  await ui.workflowsList.startWorkflowButton(page).click();
  await page.waitForURL((url) => url.pathname.endsWith('/workflows/start-workflow'));
  await ui.startForm.heading(page).waitFor({ state: 'visible' });
  await ui.startForm.workflowId(page).waitFor({ state: 'visible' });
}

// Fills workflow id, task queue, type and the JSON input; returns once the form shows that a worker
// polls the task queue (the form checks the task queue when its field loses focus).
export async function fillStartWorkflowForm(page, { workflowId, taskQueue, workflowType, input }) {
  const form = ui.startForm;
  await form.workflowId(page).fill(workflowId);
  await form.taskQueue(page).fill(taskQueue);
  await form.workflowType(page).fill(workflowType);
  await fillInputEditor(page, JSON.stringify(input));

  const tq = form.taskQueueStatus(page);
  await tq.waitFor({ state: 'visible' });
  const tqText = (await tq.innerText()).replace(/\s+/g, ' ').trim();
  if (!/Task Queue is Active/.test(tqText)) {
    throw new Error(`the start form says no worker polls task queue "${taskQueue}": ${tqText}`);
  }
  await expectValue(form.workflowId(page), workflowId, 'Workflow ID');
  await expectValue(form.taskQueue(page), taskQueue, 'Task Queue');
  await expectValue(form.workflowType(page), workflowType, 'Workflow Type');
  const shown = await form.inputEditor(page).innerText();
  if (!sameJSON(shown, input)) throw new Error(`the Input editor shows ${shown}, want ${JSON.stringify(input)}`);
}

// The input is a CodeMirror editor: select all, replace with the text (inserted as-is, so the editor's
// bracket auto-close does not double braces), then leave the editor. Leaving it reformats the JSON and
// makes the form taller, so it must happen before the submit button is clicked (a click whose mousedown
// moves the button is lost).
async function fillInputEditor(page, text) {
  const editor = ui.startForm.inputEditor(page);
  await editor.click();
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.press('Delete');
  await page.keyboard.insertText(text);
  await editor.blur();
}

// Clicks "Start Workflow" and waits for the UI's answer: the success toast or the form's error alert.
export async function submitStartWorkflowForm(page) {
  const form = ui.startForm;
  const button = form.submit(page);
  if (await button.isDisabled()) throw new Error('the "Start Workflow" button is disabled: a required field is empty or the input is not JSON');
  await button.click();
  await form.startedToast(page).or(form.error(page)).first().waitFor({ state: 'visible' });
  if (await form.error(page).isVisible()) {
    throw new Error(`the UI did not start the workflow: ${(await form.error(page).innerText()).replace(/\s+/g, ' ').trim()}`);
  }
}

// Opens the workflows list filtered to the workflow id and reloads it until the run's row shows the
// status (the list does not refresh by itself); returns { row, runId }.
export async function waitForRunInList(page, workflowId, status, timeoutMs = config.timeouts.run) {
  const deadline = Date.now() + timeoutMs;
  const url = routes.workflowsQuery(config.namespace, `WorkflowId="${workflowId}"`);
  let seen = 'no row';
  for (let attempt = 0; ; attempt++) {
    if (attempt === 0) await page.goto(url);
    else await page.reload();
    const row = ui.workflowsList.row(page, workflowId);
    try {
      await row.first().waitFor({ state: 'visible', timeout: Math.min(10000, Math.max(1000, deadline - Date.now())) });
      if ((await row.count()) !== 1) throw new Error(`the list shows ${await row.count()} rows for workflow ${workflowId}, want 1`);
      seen = (await row.innerText()).replace(/\s+/g, ' ').trim();
      if (await ui.workflowsList.status(row, status).isVisible()) {
        const href = await ui.workflowsList.runLink(row, workflowId).getAttribute('href');
        const runId = decodeURIComponent(href.split('/').slice(-2)[0]);
        return { row, runId };
      }
      for (const other of ui.statuses.closed) {
        if (other !== status && (await ui.workflowsList.status(row, other).isVisible())) {
          throw new Error(`workflow ${workflowId} closed as ${other}, want ${status} (row: ${seen})`);
        }
      }
    } catch (err) {
      if (err.name !== 'TimeoutError') throw err;
    }
    if (Date.now() >= deadline) {
      throw new Error(`workflow ${workflowId} did not show as ${status} in the list within ${timeoutMs} ms (last seen: ${seen})`);
    }
    await page.waitForTimeout(1000); // poll interval between reloads of the list
  }
}

// Follows the row's link to the run's page and waits for its heading.
export async function openRunFromList(row, page, workflowId) {
  await ui.workflowsList.runLink(row, workflowId).click();
  await page.waitForURL(routes.runHistory);
  await ui.run.heading(page).filter({ hasText: workflowId }).waitFor({ state: 'visible' });
}

export async function expectRunStatus(page, status) {
  await ui.run.status(page, status).waitFor({ state: 'visible' });
}

// Waits until the run's page has loaded its history: the Input and Result blocks show the payloads (they
// show `null` before) and the event list shows the event named (e.g. "Workflow Execution Completed").
export async function waitForRunHistory(page, { inputShows, resultShows, event }) {
  await ui.run.codeLine(ui.run.inputBlock(page), inputShows).waitFor({ state: 'visible' });
  await ui.run.codeLine(ui.run.resultBlock(page), resultShows).waitFor({ state: 'visible' });
  await ui.run.eventHistory(page).getByText(event, { exact: true }).first().waitFor({ state: 'visible' });
}

// Reads the whole JSON of the run page's Result block as the page renders it, and parses it. The block
// is a CodeMirror view, which renders only the lines near its visible part, so the block is scrolled
// through and the lines are collected by their position.
export async function readRunResult(page) {
  const block = ui.run.resultBlock(page);
  await block.waitFor({ state: 'visible' });
  const editor = ui.run.resultEditor(block);
  await editor.locator('.cm-line').first().waitFor({ state: 'visible' });
  const text = await editor.evaluate(readCodeMirrorText);
  try {
    return { text, json: JSON.parse(text) };
  } catch (err) {
    throw new Error(`the Result block does not hold JSON (${err.message}): ${text.slice(0, 300)}`);
  }
}

// Expands the Result block to the whole window (its corner button) and makes the window tall enough to
// show the JSON down to the end of the object under `throughKey` (e.g. "applied"), for a screenshot.
export async function expandRunResult(page, throughKey) {
  const block = ui.run.resultBlock(page);
  await ui.run.resultExpandToggle(block).click();
  const keyLine = ui.run.codeLine(block, `"${throughKey}":`);
  await keyLine.waitFor({ state: 'visible' });
  const bottom = await ui.run.resultEditor(block).evaluate((content, key) => {
    const lines = [...content.querySelectorAll('.cm-line')];
    const start = lines.findIndex((l) => l.textContent.trimStart().startsWith(`"${key}":`));
    if (start < 0) return 0;
    const indent = lines[start].textContent.match(/^\s*/)[0];
    const end = lines.findIndex((l, i) => i > start && /^[}\]],?$/.test(l.textContent.slice(indent.length)) && l.textContent.startsWith(indent));
    return (lines[end >= 0 ? end : start]).getBoundingClientRect().bottom;
  }, throughKey);
  const { width, height } = page.viewportSize();
  if (bottom + 24 > height) await page.setViewportSize({ width, height: Math.min(4000, Math.ceil(bottom + 24)) });
}

// Undoes expandRunResult: the Result block back in its place, the window back to its size.
export async function collapseRunResult(page) {
  await ui.run.resultExpandToggle(ui.run.resultBlock(page)).click();
  await page.setViewportSize(config.viewport);
}

// Runs in the page: scrolls the code block's scroll container from top to bottom, collecting every
// rendered line by its offset from the top of the content, then scrolls back.
async function readCodeMirrorText(content) {
  const frame = () => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
  let el = content.parentElement;
  while (el && el !== document.body) {
    const oy = getComputedStyle(el).overflowY;
    if ((oy === 'auto' || oy === 'scroll') && el.scrollHeight > el.clientHeight + 1) break;
    el = el.parentElement;
  }
  const scroller = el && el !== document.body ? el : document.scrollingElement;
  const lines = new Map();
  const collect = () => {
    const top = content.getBoundingClientRect().top;
    for (const line of content.querySelectorAll('.cm-line')) {
      lines.set(Math.round(line.getBoundingClientRect().top - top), line.textContent);
    }
  };
  const start = scroller.scrollTop;
  const step = Math.max(50, scroller.clientHeight - 40);
  for (let y = 0, i = 0; i < 1000; y += step, i++) {
    scroller.scrollTop = y;
    await frame();
    collect();
    if (scroller.scrollTop + scroller.clientHeight >= scroller.scrollHeight - 1) break;
  }
  scroller.scrollTop = start;
  await frame();
  return [...lines.entries()].sort((a, b) => a[0] - b[0]).map(([, text]) => text).join('\n');
}

async function expectValue(locator, want, label) {
  const got = await locator.inputValue();
  if (got !== want) throw new Error(`the ${label} field holds "${got}", want "${want}"`);
}

function sameJSON(text, value) {
  try {
    return JSON.stringify(JSON.parse(text)) === JSON.stringify(value);
  } catch {
    return false;
  }
}
