// Issue 13 §7: a person starts an upstream sync from the Temporal UI's "Start Workflow" form, with a
// summary, and the UI shows the run, its Completed status, its summary, its outcome search attribute and
// its report. Next to it the starter starts runs with the other outcomes (dry run, completed with
// errors, failed, rejected); the workflows list, with WecomsyncOutcome as a column, shows each run's
// outcome, and a failed run's page shows its failure as one sentence for a person. Run through
// `make test-e2e` (scripts/e2e.sh).
import assert from 'node:assert/strict';
import { after, before, describe } from 'node:test';
import { keepForDocs, launchBrowser, screenshot } from '../lib/browser.mjs';
import { config, expectedFailure, expectedReport, listColumns, starterRuns } from '../lib/config.mjs';
import { exitCodeOf, indent, reportedStatus, runStarter, startedRunId, startStarter } from '../lib/starter.mjs';
import { stepper } from '../lib/steps.mjs';
import * as temporalUI from '../lib/temporal-ui.mjs';

describe(`UpstreamSync started from the Temporal UI (${config.uiUrl || 'E2E_UI_URL unset'})`, () => {
  let browser;
  const shots = [];
  const run = {}; // what the steps learn and hand on: row, runId, report
  const others = []; // the starter's runs: { ...starterRuns[i], workflowId, runId, outcome }
  const step = stepper(() => browser?.page);
  const runsQuery = `WorkflowId STARTS_WITH "${config.runTag}"` +
    (config.workflowId.startsWith(config.runTag) ? '' : ` OR WorkflowId = "${config.workflowId}"`);

  before(async () => {
    assert.ok(config.uiUrl, 'E2E_UI_URL is not set: run `make test-e2e` (scripts/e2e.sh), or set it to a running Temporal UI');
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    if (shots.length) console.log(`screenshots:\n${shots.map((s) => `  ${s}`).join('\n')}`);
    if (browser?.pageErrors.length) console.log(`page errors:\n  ${browser.pageErrors.join('\n  ')}`);
  });

  // shoot(name) screenshots the window; shoot(name, crop) hands crop a function taking screenshot options
  // (a clip), for the cropped shots; docName also keeps a copy for the README (docs/screenshots/).
  const shoot = async (name, { crop, docName } = {}) => {
    const file = crop ? await crop((options) => screenshot(browser.page, name, options)) : await screenshot(browser.page, name);
    shots.push(file);
    if (docName) shots.push(keepForDocs(file, docName));
    return file;
  };

  // --- The run started from the UI.

  step('open the start form from the workflows list', async () => {
    await temporalUI.openWorkflowsList(browser.page);
    await temporalUI.openStartWorkflowForm(browser.page);
  });

  step('fill the start form, with a Summary under "More options"', async () => {
    await temporalUI.fillStartWorkflowForm(browser.page, {
      workflowId: config.workflowId,
      taskQueue: config.taskQueue,
      workflowType: config.workflowType,
      input: { file: config.exportFile },
      summary: config.summary,
    });
    await shoot('01-start-form-filled', {
      crop: (s) => temporalUI.screenshotStartForm(browser.page, s),
      docName: 'ui-start-workflow.png',
    });
  });

  step('submit the form: the UI says the workflow started', async () => {
    await temporalUI.submitStartWorkflowForm(browser.page);
  });

  step('the run shows in the workflows list and reaches Completed', async () => {
    const { row, runId } = await temporalUI.waitForRunInList(browser.page, config.workflowId, 'Completed');
    Object.assign(run, { row, runId });
    await shoot('02-run-list');
  });

  step('the run page shows Completed', async () => {
    await temporalUI.openRunFromList(run.row, browser.page, config.workflowId);
    await temporalUI.expectRunStatus(browser.page, 'Completed');
    assert.ok(browser.page.url().includes(`/${run.runId}/`), `run page ${browser.page.url()} is not run ${run.runId}`);
    await temporalUI.waitForRunHistory(browser.page, {
      inputShows: config.exportFile,
      resultShows: '"status"',
      event: 'Workflow Execution Completed',
    });
    await shoot('03-run-detail');
  });

  step('the run page shows the report as its result', async () => {
    const { json: report } = await temporalUI.readRunResult(browser.page);
    run.report = report;
    assert.equal(report.workflowId, config.workflowId, 'report.workflowId');
    assert.equal(report.runId, run.runId, 'report.runId');
    assert.equal(report.status, expectedReport.status, 'report.status');
    assert.equal(report.mode, expectedReport.mode, 'report.mode');
    assert.equal(report.dryRun, expectedReport.dryRun, 'report.dryRun');
    assert.equal(report.failuresTotal, expectedReport.failuresTotal, 'report.failuresTotal');
    assert.equal(typeof report.planned, 'object', 'report.planned');
    assert.equal(typeof report.applied, 'object', 'report.applied');
    for (const key of expectedReport.writeCounters) {
      assert.equal(typeof report.planned[key], 'number', `report.planned.${key}`);
      assert.equal(report.applied[key], report.planned[key], `report.applied.${key} equals report.planned.${key}`);
    }
    if (config.freshStack) {
      for (const [section, want] of Object.entries(expectedReport.fresh)) {
        for (const [key, value] of Object.entries(want)) {
          assert.equal(report[section]?.[key], value, `report.${section}.${key}`);
        }
      }
    }
    await temporalUI.expandRunResult(browser.page, 'applied');
    await shoot('04-run-result');
    await temporalUI.collapseRunResult(browser.page);
    console.log(`report: status ${report.status}, planned ${nonZero(report.planned)}, applied ${nonZero(report.applied)}`);
  });

  step('the run page shows the summary typed into the form (User Metadata)', async () => {
    await temporalUI.openRunTab(browser.page, 'user-metadata');
    const summary = await temporalUI.readRunSummary(browser.page);
    assert.equal(summary, config.summary, 'the Summary on the User Metadata tab');
    await shoot('05-run-summary');
  });

  step('the run page shows WecomsyncOutcome = completed (Search Attributes)', async () => {
    await temporalUI.openRunTab(browser.page, 'search-attributes');
    const attrs = await temporalUI.readSearchAttributes(browser.page);
    for (const [name, value] of Object.entries(expectedReport.searchAttributes)) {
      assert.equal(attrs[name], value, `search attribute ${name}`);
    }
    const writes = expectedReport.allWriteCounters.reduce((n, key) => n + (run.report.applied[key] ?? 0), 0);
    assert.equal(attrs.WecomsyncWrites, writes, 'search attribute WecomsyncWrites (the writes the report applied)');
    await shoot('06-run-search-attributes');
    console.log(`search attributes: ${Object.entries(attrs).filter(([k]) => k.startsWith('Wecomsync')).map(([k, v]) => `${k}=${v}`).join(' ')}`);
  });

  // --- Runs with the other outcomes, started by the starter binary.

  // One after another: a run fails at once ("another upstream run of connection … is open") while an
  // earlier run of its connection is open, dry runs included (workflows/run.go claim).
  step(`the starter runs ${starterRuns.map((r) => r.id).join(', ')} end as planned`, async () => {
    for (const r of starterRuns) {
      const started = Date.now();
      const result = await runWithStarter(r);
      others.push(result);
      console.log(`starter: ${result.workflowId} (run ${result.runId}): ${result.outcome} in ${Date.now() - started} ms — ${r.about}`);
    }
  });

  step('the workflows list shows each run with its WecomsyncOutcome column', async () => {
    const page = browser.page;
    await temporalUI.openWorkflowsQuery(page, runsQuery);
    const headers = await temporalUI.configureListColumns(page, listColumns);
    console.log(`list columns: ${headers.join(', ')}`);
    const expected = new Map([
      [config.workflowId, { status: 'Completed', outcome: expectedReport.searchAttributes.WecomsyncOutcome }],
      ...others.map((r) => [r.workflowId, { status: r.status, outcome: r.outcome }]),
    ]);
    const rows = await temporalUI.waitForListOutcomes(page, runsQuery, expected);
    console.log(`list:\n${rows.map((r) => `  ${r['Workflow ID']}: ${r.Status}, ${r.WecomsyncOutcome}, ${r.WecomsyncMode}, writes ${r.WecomsyncWrites}, failures ${r.WecomsyncFailures}`).join('\n')}`);
    const byId = new Map(rows.map((r) => [r['Workflow ID'], r]));
    const errorsRun = others.find((r) => r.id === 'with-errors');
    if (errorsRun.outcome === 'completed-with-errors') {
      assert.ok(Number(byId.get(errorsRun.workflowId).WecomsyncFailures) > 0, 'WecomsyncFailures of the run completed with errors');
    }
    const dryRun = others.find((r) => r.id === 'dry-run');
    assert.equal(byId.get(dryRun.workflowId).WecomsyncWrites, '0', 'WecomsyncWrites of the dry run');
    await shoot('07-list-outcomes', {
      crop: (s) => temporalUI.screenshotList(page, s),
      docName: 'ui-list-outcomes.png',
    });
  });

  step('the list filtered by WecomsyncOutcome = "failed" shows the failed run only', async () => {
    const failedRun = others.find((r) => r.id === expectedFailure.run);
    const query = `WecomsyncOutcome = "failed" AND ${wrap(runsQuery)}`;
    const rows = await temporalUI.waitForListOutcomes(browser.page, query,
      new Map([[failedRun.workflowId, { status: failedRun.status, outcome: 'failed' }]]));
    assert.equal(rows.length, 1, 'rows of the filtered list');
    await shoot('08-list-failed', { crop: (s) => temporalUI.screenshotList(browser.page, s) });
  });

  // --- The failed run's page.

  step("the failed run's page shows its failure as one readable sentence", async () => {
    const failedRun = others.find((r) => r.id === expectedFailure.run);
    const page = browser.page;
    await temporalUI.openRunFromList(temporalUI.listRow(page, failedRun.workflowId), page, failedRun.workflowId);
    await temporalUI.expectRunStatus(page, 'Failed');
    assert.ok(page.url().includes(`/${failedRun.runId}/`), `run page ${page.url()} is not run ${failedRun.runId}`);
    const { fromEvent, fromResult } = await temporalUI.readFailureMessage(page);
    assert.equal(fromEvent, fromResult, 'the event\'s Failure Message and the Result\'s failure.message');
    const msg = fromEvent;
    console.log(`failure message: ${msg}`);
    assert.ok(msg.startsWith(expectedFailure.prefix), `the message starts with "${expectedFailure.prefix}": ${msg}`);
    assert.ok(!/[\r\n]/.test(msg), `the message is one line: ${msg}`);
    assert.ok(msg.length <= expectedFailure.maxLength, `the message has at most ${expectedFailure.maxLength} characters, it has ${msg.length}`);
    for (const want of expectedFailure.mentions) assert.ok(msg.includes(want), `the message mentions "${want}": ${msg}`);
    for (const noise of expectedFailure.forbidden) {
      assert.ok(!msg.toLowerCase().includes(noise.toLowerCase()), `the message holds no "${noise}": ${msg}`);
    }
    await shoot('09-failed-run', {
      crop: (s) => temporalUI.screenshotRunTop(page, s),
      docName: 'ui-failed-run.png',
    });
  });

  step("the failed run's page shows the starter's summary (User Metadata)", async () => {
    await temporalUI.openRunTab(browser.page, 'user-metadata');
    assert.equal(await temporalUI.readRunSummary(browser.page), expectedFailure.summary, 'the Summary the starter set');
  });

  // Starts one of starterRuns with --wait; a run that waits for approval is rejected. Checks the exit
  // code and the outcome the starter prints, and returns the run with its ids and outcome.
  async function runWithStarter(r) {
    const workflowId = `${config.runTag}-${r.id}`;
    const proc = startStarter([...r.args, '--id', workflowId, '--wait']);
    try {
      let runId = '';
      if (r.reject) {
        await proc.waitForOutput(/waiting for approval/);
        runId = startedRunId(proc.output(), workflowId);
        assert.ok(runId, `${proc.command} printed no run id:\n${indent(proc.output())}`);
        const rej = await runStarter(['reject', '--id', workflowId, '--run-id', runId, '--by', r.reject.by, '--reason', r.reject.reason]);
        assert.equal(rej.code, 0, `starter reject --id ${workflowId} exited ${rej.code}:\n${indent(rej.output)}`);
      }
      const { code, output } = await proc.done;
      runId ||= startedRunId(output, workflowId);
      const outcome = reportedStatus(output, workflowId);
      const allowed = config.freshStack ? [r.outcome] : (r.usedStackOutcomes ?? [r.outcome]);
      assert.ok(allowed.includes(outcome),
        `${proc.command} exited ${code} with the outcome ${outcome ? `"${outcome}"` : 'unknown (no report printed)'}, want ${allowed.join(' or ')}:\n${indent(output || '(no output)')}`);
      assert.equal(code, exitCodeOf[outcome], `${proc.command} exited ${code}, want ${exitCodeOf[outcome]} for ${outcome}:\n${indent(output)}`);
      assert.ok(runId, `${proc.command} printed no run id:\n${indent(output)}`);
      return { ...r, workflowId, runId, outcome };
    } finally {
      proc.stop();
    }
  }
});

function wrap(query) {
  return query.includes(' OR ') ? `(${query})` : query;
}

function nonZero(counts) {
  const kept = Object.entries(counts).filter(([, v]) => v !== 0).map(([k, v]) => `${k} ${v}`);
  return kept.length ? kept.join(', ') : 'nothing';
}
