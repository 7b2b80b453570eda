// Issue 13 §7: a person starts an upstream sync from the Temporal UI's "Start Workflow" form, and the UI
// shows the run, its Completed status and its report. Run through `make test-e2e` (scripts/e2e.sh).
import assert from 'node:assert/strict';
import { after, before, describe } from 'node:test';
import { launchBrowser, screenshot } from '../lib/browser.mjs';
import { config, expectedReport } from '../lib/config.mjs';
import { stepper } from '../lib/steps.mjs';
import * as temporalUI from '../lib/temporal-ui.mjs';

describe(`UpstreamSync started from the Temporal UI (${config.uiUrl || 'E2E_UI_URL unset'})`, () => {
  let browser;
  const shots = [];
  const run = {}; // what the steps learn and hand on: row, runId, report
  const step = stepper(() => browser?.page);

  before(async () => {
    assert.ok(config.uiUrl, 'E2E_UI_URL is not set: run `make test-e2e` (scripts/e2e.sh), or set it to a running Temporal UI');
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    if (shots.length) console.log(`screenshots:\n${shots.map((s) => `  ${s}`).join('\n')}`);
    if (browser?.pageErrors.length) console.log(`page errors:\n  ${browser.pageErrors.join('\n  ')}`);
  });

  const shoot = async (name) => shots.push(await screenshot(browser.page, name));

  step('open the start form from the workflows list', async () => {
    await temporalUI.openWorkflowsList(browser.page);
    await temporalUI.openStartWorkflowForm(browser.page);
  });

  step('fill the start form', async () => {
    await temporalUI.fillStartWorkflowForm(browser.page, {
      workflowId: config.workflowId,
      taskQueue: config.taskQueue,
      workflowType: config.workflowType,
      input: { file: config.exportFile },
    });
    await shoot('01-start-form-filled');
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
});

function nonZero(counts) {
  const kept = Object.entries(counts).filter(([, v]) => v !== 0).map(([k, v]) => `${k} ${v}`);
  return kept.length ? kept.join(', ') : 'nothing';
}
