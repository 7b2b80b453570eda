// Every selector of the Temporal UI (2.42.1, served by the pinned temporal CLI v1.5.1) the test relies
// on, in one place: when the UI changes, this file is the one to update. Each entry takes a Playwright
// Page (or a Locator to search within) and returns a Locator.

export const ui = {
  workflowsList: {
    // The "Start Workflow" button of the workflows list is a link to .../workflows/start-workflow.
    startWorkflowButton: (page) => page.locator('main a[href*="/workflows/start-workflow"]'),
    rows: (page) => page.getByTestId('workflows-summary-configurable-table-row'),
    row: (page, workflowId) =>
      page.getByTestId('workflows-summary-configurable-table-row').filter({
        has: page.locator('a', { hasText: new RegExp(`^\\s*${escapeRegExp(workflowId)}\\s*$`) }),
      }),
    // The row's links all lead to the run's history page: .../workflows/<id>/<runId>/history.
    runLink: (row, workflowId) => row.locator(`a[href*="/workflows/${encodeURIComponent(workflowId)}/"]`).first(),
    status: (row, status) => row.getByText(status, { exact: true }),
    // The table's configurable columns: header cells carry these test ids, body cells the test id
    // workflows-summary-table-body-cell, in the same order (the checkbox and "start like this one" cells
    // before them have none; temporal-ui.mjs readListRows).
    headerCells: (page) => page.locator('main thead th[data-testid^="workflows-summary-table-header-cell-"]'),
    table: (page) => page.locator('main table').filter({ has: page.getByTestId('workflows-summary-configurable-table-row') }),
    // The gear below the table opens the drawer "Configure Workflows Table".
    configureColumnsButton: (page) => page.getByTestId('workflows-summary-table-configuration-button'),
    // In the drawer: a column in view has a remove (−) button, an available one an add (+) button.
    columnRemoveButton: (page, column) => page.getByTestId(`orderable-list-item-${column}-remove-button`),
    columnAddButton: (page, column) => page.getByTestId(`orderable-list-item-${column}-add-button`),
    drawerCloseButton: (page) => page.getByTestId('drawer-close-button'),
    collapseSavedViews: (page) => page.getByRole('button', { name: 'Collapse saved views' }),
    // "N Workflows" above the table; the filter bar below it shows the query as chips.
    heading: (page) => page.locator('main h1').first(),
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
    // The form's box (the heading is followed by it), for a cropped screenshot.
    box: (page) => page.locator('main h1[data-testid="start-workflow"] + div'),
    backLink: (page) => page.getByTestId('back-to-workflows'),
    // "More options" shows Custom Search Attributes, Workflow Start Delay and User Metadata (Summary,
    // Details); Summary and Details are CodeMirror markdown editors after their labels.
    moreOptions: (page) => page.locator('main').getByRole('button', { name: 'More options' }),
    summaryEditor: (page) => page.locator('main label[for="summary"] + div [role="textbox"][data-language="markdown"][contenteditable="true"]'),
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
    // The run page's tabs (each its own route: …/history, …/user-metadata, …/search-attributes).
    tab: (page, name) => page.getByTestId(`${name}-tab`),
    // User Metadata: the Summary heading's section renders the markdown in an iframe (title "output").
    summaryFrame: (page) =>
      page.getByTestId('user-metadata-summary-heading').filter({ hasText: /^\s*Summary\s*$/ })
        .locator('xpath=../..').locator('iframe[title="output"]').first(),
    // Search Attributes: the heading followed by a read-only JSON block {"indexedFields": {...}}.
    searchAttributesBlock: (page) => page.locator('main h3:text-is("Search Attributes")').locator('xpath=..'),
    // The event list's row of an event type, e.g. "Workflow Execution Failed", and its "Failure Message".
    eventRow: (page, eventType) =>
      page.getByTestId('event-summary-row').filter({ has: page.getByText(eventType, { exact: true }) }).first(),
    eventDetail: (row, label) => row.locator('p', { hasText: new RegExp(`^\\s*${escapeRegExp(label)}\\s*$`) }).locator('xpath=following-sibling::*[1]'),
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
