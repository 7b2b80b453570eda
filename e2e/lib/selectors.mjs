// Every selector of the Temporal UI (2.42.1, served by the pinned temporal CLI v1.5.1) the test relies
// on, in one place: when the UI changes, this file is the one to update. Each entry takes a Playwright
// Page (or a Locator to search within) and returns a Locator.

export const ui = {
  workflowsList: {
    // The "Start Workflow" button of the workflows list is a link to .../workflows/start-workflow.
    startWorkflowButton: (page) => page.locator('main a[href*="/workflows/start-workflow"]'),
    row: (page, workflowId) =>
      page.getByTestId('workflows-summary-configurable-table-row').filter({
        has: page.locator('a', { hasText: new RegExp(`^\\s*${escapeRegExp(workflowId)}\\s*$`) }),
      }),
    // The row's links all lead to the run's history page: .../workflows/<id>/<runId>/history.
    runLink: (row, workflowId) => row.locator(`a[href*="/workflows/${encodeURIComponent(workflowId)}/"]`).first(),
    status: (row, status) => row.getByText(status, { exact: true }),
  },

  // How the UI labels a run's status (list rows and the run page's header).
  statuses: {
    open: ['Running'],
    closed: ['Completed', 'Failed', 'Canceled', 'Terminated', 'Timed Out', 'Continued as New'],
  },

  startForm: {
    heading: (page) => page.getByTestId('start-workflow'),
    workflowId: (page) => page.locator('#workflowId'),
    taskQueue: (page) => page.locator('#taskQueue'),
    workflowType: (page) => page.locator('#workflowType'),
    // The input payload is a CodeMirror editor (contenteditable), not a textarea.
    inputEditor: (page) => page.locator('main [role="textbox"][data-language="json"][contenteditable="true"]').first(),
    // Shown once the task queue field is filled: "Task Queue is Active" / "Task Queue is Inactive".
    taskQueueStatus: (page) => page.locator('main [role="status"]').filter({ hasText: /Task Queue is (Active|Inactive)/ }),
    submit: (page) => page.getByTestId('start-workflow-button'),
    startedToast: (page) => page.getByText('Workflow started successfully'),
    error: (page) => page.locator('main [role="alert"]'),
  },

  run: {
    heading: (page) => page.getByTestId('workflow-id-heading'),
    status: (page, status) => page.locator('main header').getByText(status, { exact: true }).first(),
    inputAndResult: (page) => page.getByTestId('input-and-result'),
    // Input and Result show `null` until the run's history has loaded.
    inputBlock: (page) => page.getByTestId('input-and-result').locator('h2:text-is("Input")').locator('xpath=..'),
    eventHistory: (page) => page.getByTestId('event-summary-table'),
    // The "Result" heading's parent holds the code block and its buttons.
    resultBlock: (page) => page.getByTestId('input-and-result').locator('h2:text-is("Result")').locator('xpath=..'),
    resultEditor: (block) => block.locator('.cm-content').first(),
    codeLine: (block, text) => block.locator('.cm-line', { hasText: text }).first(),
    // The code block's corner buttons: copy, then expand/collapse (no accessible name of its own).
    resultExpandToggle: (block) => block.locator('button:not([data-track-name="copyable-button"])').last(),
  },
};

// Page paths of the UI.
export const routes = {
  workflows: (ns) => `/namespaces/${encodeURIComponent(ns)}/workflows`,
  workflowsQuery: (ns, query) => `/namespaces/${encodeURIComponent(ns)}/workflows?query=${encodeURIComponent(query)}`,
  startWorkflow: (ns) => `/namespaces/${encodeURIComponent(ns)}/workflows/start-workflow`,
  runHistory: /\/workflows\/[^/]+\/[^/]+\/history/,
};

export function escapeRegExp(s) {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
