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

// Fills workflow id, task queue, type and the JSON input, and with `summary` the Summary under "More
// options" (user metadata); returns once the form shows that a worker polls the task queue (the form
// checks the task queue when its field loses focus).
export async function fillStartWorkflowForm(page, { workflowId, taskQueue, workflowType, input, summary }) {
  const form = ui.startForm;
  await form.workflowId(page).fill(workflowId);
  await form.taskQueue(page).fill(taskQueue);
  await form.workflowType(page).fill(workflowType);
  await fillCodeEditor(page, form.inputEditor(page), JSON.stringify(input));

  const tq = form.taskQueueStatus(page);
  await tq.waitFor({ state: 'visible' });
  const tqText = (await tq.innerText()).replace(/\s+/g, ' ').trim();
  if (!/Task Queue is Active/.test(tqText)) {
    throw new Error(`the start form says no worker polls task queue "${taskQueue}": ${tqText}`);
  }
  if (summary !== undefined) {
    const editor = form.summaryEditor(page);
    if (!(await editor.isVisible())) await form.moreOptions(page).click();
    await editor.waitFor({ state: 'visible' });
    await fillCodeEditor(page, editor, summary);
    const shown = (await editor.innerText()).trim();
    if (shown !== summary) throw new Error(`the Summary editor shows "${shown}", want "${summary}"`);
  }
  await expectValue(form.workflowId(page), workflowId, 'Workflow ID');
  await expectValue(form.taskQueue(page), taskQueue, 'Task Queue');
  await expectValue(form.workflowType(page), workflowType, 'Workflow Type');
  const shown = await form.inputEditor(page).innerText();
  if (!sameJSON(shown, input)) throw new Error(`the Input editor shows ${shown}, want ${JSON.stringify(input)}`);
}

// Screenshots the whole start form (from "Back to Workflows" to the Start button), cropped to it: the
// window is made tall enough for the form, then put back.
export async function screenshotStartForm(page, shoot) {
  const viewport = page.viewportSize();
  await page.setViewportSize({ width: viewport.width, height: 2400 });
  try {
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    await ui.startForm.backLink(page).scrollIntoViewIfNeeded();
    const top = await ui.startForm.backLink(page).boundingBox();
    const box = await ui.startForm.box(page).boundingBox();
    if (!top || !box) throw new Error('the start form is not on the page');
    const pad = 16;
    const clip = {
      x: Math.max(0, box.x - pad),
      y: Math.max(0, top.y - pad),
      width: box.width + 2 * pad,
      height: box.y + box.height - top.y + 2 * pad,
    };
    return await shoot({ clip });
  } finally {
    await page.setViewportSize(viewport);
  }
}

// The form's code editors (Input, Summary) are CodeMirror views: select all, replace with the text
// (inserted as-is, so the editor's bracket auto-close does not double braces), then leave the editor.
// Leaving the Input reformats the JSON and makes the form taller, so it must happen before the submit
// button is clicked (a click whose mousedown moves the button is lost).
async function fillCodeEditor(page, editor, text) {
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

// The list's row of a workflow id (on the list as it is now).
export function listRow(page, workflowId) {
  return ui.workflowsList.row(page, workflowId);
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

// --- The workflows list with search attributes as columns.

// Opens the workflows list filtered by a query (the list's own filter syntax, e.g.
// `WorkflowId STARTS_WITH "e2e-…"`); waits until it shows at least one row.
export async function openWorkflowsQuery(page, query) {
  await page.goto(routes.workflowsQuery(config.namespace, query));
  await ui.workflowsList.rows(page).first().waitFor({ state: 'visible' });
}

// Sets the list's columns through its "Configure Workflows Table" drawer (the gear below the table):
// removes the columns named in `remove`, then adds those in `add` in order (an added column goes last), and
// collapses the Saved Views panel, so that the table fits the window. The UI keeps this in the browser's
// local storage (a new profile each run starts from the default columns).
export async function configureListColumns(page, { remove, add }) {
  const list = ui.workflowsList;
  await list.configureColumnsButton(page).click();
  await list.drawerCloseButton(page).waitFor({ state: 'visible' });
  for (const column of remove) {
    const button = list.columnRemoveButton(page, column);
    if (await button.isVisible()) await button.click();
  }
  for (const column of add) {
    const addButton = list.columnAddButton(page, column);
    await addButton.or(list.columnRemoveButton(page, column)).first().waitFor({ state: 'visible' })
      .catch(() => { throw new Error(`the column drawer offers no column "${column}" (is the search attribute registered?)`); });
    if (await addButton.isVisible()) await addButton.click();
  }
  await list.drawerCloseButton(page).click();
  await list.drawerCloseButton(page).waitFor({ state: 'hidden' });
  if (await list.collapseSavedViews(page).isVisible()) await list.collapseSavedViews(page).click();
  const headers = await readListHeaders(page);
  for (const column of add) {
    if (!headers.includes(column)) throw new Error(`the list shows the columns ${headers.join(', ')}; "${column}" is missing`);
  }
  for (const column of remove.filter((c) => !add.includes(c))) {
    if (headers.includes(column)) throw new Error(`the list still shows the column "${column}" (columns: ${headers.join(', ')})`);
  }
  return headers;
}

async function readListHeaders(page) {
  return ui.workflowsList.headerCells(page).evaluateAll((ths) =>
    ths.map((th) => th.dataset.testid.replace('workflows-summary-table-header-cell-', '')));
}

// Reads the list as the page shows it: one object per row, { 'Workflow ID': …, Status: …, <column>: … },
// keyed by the configurable columns' headers, each cell's visible text.
export async function readListRows(page) {
  const headers = await readListHeaders(page);
  const rows = await ui.workflowsList.rows(page).evaluateAll((trs) =>
    trs.map((tr) => [...tr.querySelectorAll('[data-testid="workflows-summary-table-body-cell"]')]
      .map((td) => td.innerText.replace(/\s+/g, ' ').trim())));
  return rows.map((cells) => Object.fromEntries(headers.map((h, i) => [h, cells[i] ?? ''])));
}

// Reloads the list (filtered by `query`) until it shows every expected run with its status and
// WecomsyncOutcome, and nothing else; `expected` maps workflow id → { status, outcome }. Fails at once
// when a run shows another closed status or outcome. Returns the rows.
export async function waitForListOutcomes(page, query, expected, timeoutMs = config.timeouts.run) {
  const deadline = Date.now() + timeoutMs;
  let seen = 'no rows';
  const here = new URL(page.url());
  const onIt = here.pathname === routes.workflows(config.namespace) && here.searchParams.get('query') === query;
  for (let attempt = 0; ; attempt++) {
    if (attempt > 0) await page.reload();
    else if (!onIt) await page.goto(routes.workflowsQuery(config.namespace, query));
    try {
      await ui.workflowsList.rows(page).first().waitFor({ state: 'visible', timeout: Math.min(10000, Math.max(1000, deadline - Date.now())) });
      const rows = await readListRows(page);
      seen = rows.map((r) => `${r['Workflow ID']}: ${r.Status}, ${r.WecomsyncOutcome || '-'}`).join('; ');
      const byId = new Map(rows.map((r) => [r['Workflow ID'], r]));
      const extra = rows.filter((r) => !expected.has(r['Workflow ID']));
      if (extra.length) throw new Error(`the list shows runs it should not (query ${query}): ${extra.map((r) => r['Workflow ID']).join(', ')}`);
      let done = true;
      for (const [id, want] of expected) {
        const row = byId.get(id);
        if (!row || row.Status === 'Running' || row.WecomsyncOutcome === 'running' || row.WecomsyncOutcome === '') {
          done = false;
          continue;
        }
        if (row.Status !== want.status || row.WecomsyncOutcome !== want.outcome) {
          if (ui.statuses.closed.includes(row.Status)) {
            throw new Error(`run ${id} shows status ${row.Status}, WecomsyncOutcome ${row.WecomsyncOutcome}; want ${want.status}, ${want.outcome}`);
          }
          done = false;
        }
      }
      if (done) return rows;
    } catch (err) {
      if (err.name !== 'TimeoutError') throw err;
    }
    if (Date.now() >= deadline) {
      throw new Error(`the list did not show every run with its outcome within ${timeoutMs} ms (last seen: ${seen})`);
    }
    await page.waitForTimeout(1000); // poll interval between reloads of the list
  }
}

// Screenshots the list cropped to its heading, filter bar and rows. The window is widened for the shot
// when the table is wider than its box (it scrolls sideways otherwise), then put back.
export async function screenshotList(page, shoot) {
  const viewport = page.viewportSize();
  const table = ui.workflowsList.table(page);
  const overflow = await table.evaluate((t) => Math.max(0, t.scrollWidth - t.parentElement.clientWidth));
  if (overflow > 0) await page.setViewportSize({ width: viewport.width + overflow + 24, height: viewport.height });
  try {
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    const heading = await ui.workflowsList.heading(page).boundingBox();
    const box = await table.boundingBox();
    const last = await ui.workflowsList.rows(page).last().boundingBox();
    if (!heading || !box || !last) throw new Error('the workflows list is not on the page');
    const pad = 16;
    const x = Math.max(0, Math.min(heading.x, box.x) - pad);
    const y = Math.max(0, heading.y - pad);
    const { width } = page.viewportSize();
    return await shoot({ clip: { x, y, width: Math.min(width - x, box.x + box.width + pad - x), height: last.y + last.height + 2 - y } });
  } finally {
    if (overflow > 0) await page.setViewportSize(viewport);
  }
}

// --- A run's page beyond its history.

// Clicks one of the run page's tabs (history, user-metadata, search-attributes, …) and waits for its route.
export async function openRunTab(page, name) {
  await ui.run.tab(page, name).click();
  await page.waitForURL((url) => url.pathname.endsWith(`/${name}`));
}

// The run's Summary as the User Metadata tab renders it (markdown, in an iframe): its text.
export async function readRunSummary(page) {
  const frame = ui.run.summaryFrame(page);
  await frame.waitFor({ state: 'visible' });
  const body = frame.contentFrame().locator('body');
  const deadline = Date.now() + config.timeouts.action;
  let text = '';
  while (Date.now() < deadline) {
    text = (await body.innerText().catch(() => '')).replace(/\s+/g, ' ').trim();
    if (text) return text;
    await page.waitForTimeout(200);
  }
  throw new Error('the User Metadata tab shows no Summary');
}

// The run's search attributes as the Search Attributes tab shows them: its JSON's indexedFields.
export async function readSearchAttributes(page) {
  const block = ui.run.searchAttributesBlock(page);
  const editor = ui.run.resultEditor(block);
  await editor.locator('.cm-line').first().waitFor({ state: 'visible' });
  await ui.run.codeLine(block, '"WecomsyncOutcome"').waitFor({ state: 'visible' });
  const text = await editor.evaluate(readCodeMirrorText);
  try {
    return JSON.parse(text).indexedFields ?? {};
  } catch (err) {
    throw new Error(`the Search Attributes block does not hold JSON (${err.message}): ${text.slice(0, 300)}`);
  }
}

// The failure message of a failed run, as its page shows it twice: the "Failure Message" of the
// "Workflow Execution Failed" event, and failure.message in the Result block.
export async function readFailureMessage(page) {
  const row = ui.run.eventRow(page, 'Workflow Execution Failed');
  await row.waitFor({ state: 'visible' });
  const fromEvent = ((await ui.run.eventDetail(row, 'Failure Message').textContent()) ?? '').trim();
  const { json } = await readRunResult(page);
  return { fromEvent, fromResult: json?.failure?.message ?? '' };
}

// Screenshots the run page's top: its header (status, id, times) and the Input and Result blocks.
export async function screenshotRunTop(page, shoot) {
  const block = await ui.run.inputAndResult(page).boundingBox();
  if (!block) throw new Error('the run page shows no Input and Result');
  const { width } = page.viewportSize();
  return shoot({ clip: { x: 0, y: 0, width, height: Math.ceil(block.y + block.height + 4) } });
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
