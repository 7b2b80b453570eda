// Everything the e2e test reads from its environment, in one place. scripts/e2e.sh sets these for a
// throwaway dev stack; to point the test at a stack you started yourself, set E2E_UI_URL (see README.md).
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const repoRoot = path.resolve(here, '..', '..');

function env(name, fallback) {
  const v = process.env[name];
  return v === undefined || v === '' ? fallback : v;
}

function intEnv(name, fallback) {
  const v = Number(env(name, fallback));
  if (!Number.isInteger(v) || v <= 0) throw new Error(`${name} must be a positive integer, got ${process.env[name]}`);
  return v;
}

// Every run this test starts has a workflow id that begins with the tag, so that the workflows list can be
// filtered to them (WorkflowId STARTS_WITH) also on a stack that holds other runs.
const runTag = env('E2E_RUN_TAG', `e2e-${new Date().toISOString().replace(/[-:TZ]/g, '').replace(/\..*/, '')}`);

export const config = {
  // The Temporal UI served by `temporal server start-dev` (scripts/dev.sh prints it).
  uiUrl: env('E2E_UI_URL', ''),
  namespace: env('E2E_NAMESPACE', 'default'),
  taskQueue: 'wecomsync',
  workflowType: 'UpstreamSync',
  runTag,
  workflowId: env('E2E_WORKFLOW_ID', `${runTag}-ui-upstream`),
  // The Summary typed into the start form's "More options" (user metadata, shown on the run's page).
  summary: env('E2E_SUMMARY', 'e2e upstream of demo.xlsx'),
  // The starter binary (make build) for the runs with other outcomes; it reads the stack's WECOMSYNC_*
  // environment (scripts/e2e.sh sets it; a `make dev` stack needs none) and runs in the repository root.
  starter: path.resolve(env('E2E_STARTER', path.join(repoRoot, 'bin/starter'))),
  // The worker reads absolute paths on its own machine; this one is the repository's demo export.
  exportFile: path.resolve(env('E2E_EXPORT_FILE', path.join(repoRoot, 'testdata/exports/demo.xlsx'))),
  outDir: path.resolve(env('E2E_OUT', path.join(repoRoot, 'e2e/out'))),
  // The cropped screenshots meant for the README (scripts/e2e.sh copies them to docs/screenshots/ when
  // E2E_UPDATE_DOCS=1).
  docsShotsDir: path.resolve(env('E2E_OUT', path.join(repoRoot, 'e2e/out')), 'docs'),
  chromium: env('E2E_CHROMIUM', '/usr/bin/chromium'),
  // scripts/e2e.sh sets E2E_FRESH_STACK=1: empty Authing emulator, so the report's counts are known exactly.
  freshStack: env('E2E_FRESH_STACK', '') === '1',
  viewport: { width: 1400, height: 1000 },
  timeouts: {
    action: intEnv('E2E_ACTION_TIMEOUT_MS', 15000), // one click, fill or wait for an element
    navigation: intEnv('E2E_NAVIGATION_TIMEOUT_MS', 30000),
    run: intEnv('E2E_RUN_TIMEOUT_MS', 90000), // from "started" until the list shows the run Completed
    starter: intEnv('E2E_STARTER_TIMEOUT_MS', 60000), // one starter command, or a run until it waits for approval
  },
};

// What the report (the workflow result) of demo.xlsx synced into the fresh demo stack must say. The
// emulators start anew for every `make test-e2e`, so these are exact; against a long-lived stack
// (E2E_FRESH_STACK unset) only the status and the planned == applied checks apply.
export const expectedReport = {
  // The counters that are writes: applied must equal planned for each. (The others — usersUnchanged,
  // usersKept, usersOutOfScope, usersAmbiguous, usersAdopt — classify the plan and are not all counted
  // again when applied.)
  writeCounters: ['departmentsCreate', 'usersCreate', 'usersUpdate', 'usersMembership', 'usersDelete', 'usersSuspend'],
  // Every counter that is a write (plan/counts.go): their applied sum is the run's WecomsyncWrites.
  allWriteCounters: [
    'departmentsCreate', 'departmentsRename', 'departmentsMove', 'departmentsDelete', 'departmentsWriteBack',
    'usersCreate', 'usersAdopt', 'usersUpdate', 'usersMembership', 'usersDelete', 'usersSuspend', 'usersDisable',
    'usersWriteBack',
  ],
  status: 'completed',
  // The search attributes the run ends with (its Search Attributes tab); WecomsyncWrites is checked
  // against the report.
  searchAttributes: {
    WecomsyncOutcome: 'completed',
    WecomsyncDirection: 'upstream',
    WecomsyncMode: 'create-update',
    WecomsyncConnection: 'default',
    WecomsyncDryRun: false,
    WecomsyncFailures: 0,
  },
  mode: 'create-update',
  dryRun: false,
  failuresTotal: 0,
  fresh: {
    planned: { departmentsCreate: 8, usersCreate: 40, usersUpdate: 0, usersDelete: 0 },
    applied: { departmentsCreate: 8, usersCreate: 40, usersUpdate: 0, usersDelete: 0 },
    file: { members: 40, rejected: 5, departments: 8 },
  },
};

// The runs the starter binary starts next to the one started from the UI, one per outcome the list must
// show (WecomsyncOutcome), one after another with --wait (runs of one connection are exclusive). `id` is
// appended to the run tag; `outcome` is the search attribute's value the run must end with (the starter's
// exit code follows from it: 0 dry-run, 4 completed-with-errors, 3 failed or rejected); `status` how the
// UI's Status column calls it. The delete-only run waits for approval (it would delete most users) and is
// then rejected with `starter reject`. On a stack that is not fresh (E2E_FRESH_STACK unset), the duplicate
// phone numbers may already belong to accounts from an earlier run, which the run then adopts or leaves
// alone: there `completed` is accepted as well (usedStackOutcomes).
export const fixturesDir = path.join(repoRoot, 'e2e/fixtures');
export const starterRuns = [
  {
    id: 'dry-run',
    about: 'a dry run of edited.xlsx',
    args: ['upstream', '--dry-run', '--file', path.join(repoRoot, 'testdata/exports/edited.xlsx')],
    outcome: 'dry-run',
    status: 'Completed',
  },
  {
    id: 'with-errors',
    about: 'demo.xlsx plus 4 new members, two pairs sharing a phone: Authing refuses the second of each pair (409)',
    args: ['upstream', '--file', path.join(fixturesDir, 'duplicate-phones.xlsx')],
    outcome: 'completed-with-errors',
    usedStackOutcomes: ['completed-with-errors', 'completed'],
    status: 'Completed',
  },
  {
    id: 'bad-file',
    about: 'an export without its header row',
    args: ['upstream', '--file', path.join(repoRoot, 'testdata/exports/noheader.xlsx')],
    outcome: 'failed',
    status: 'Failed',
  },
  {
    id: 'delete-only',
    about: 'delete-only of an export with 5 of the 40 members: waits for approval, then rejected',
    args: ['upstream', '--mode', 'delete-only', '--file', path.join(fixturesDir, 'demo-5-members.xlsx')],
    outcome: 'rejected',
    status: 'Completed',
    reject: { by: 'e2e', reason: 'make test-e2e rejects this run on purpose' },
  },
];

// The failed run's message (the run page shows it as the failure of "Workflow Execution Failed" and in
// the Result): one line for a person, naming the file and what to check, without Temporal's chain of
// wrapped errors ("activity error (type: …, retryable: false)").
export const expectedFailure = {
  run: 'bad-file', // the starterRuns entry
  prefix: 'upstream sync failed: ',
  mentions: ['noheader.xlsx', 'no header row', 'is this the contacts export'],
  forbidden: ['retryable', 'type:', 'activity error', 'scheduledEventID', 'identity:', 'workflow task'],
  maxLength: 600,
  // The starter's static summary of the run (starter/upstream.go).
  summary: 'upstream create-update of noheader.xlsx',
};

// The columns the test puts on the workflows list (its column configuration): the outcome and counts
// from the search attributes next to the status and id, nothing else, so the list fits a screenshot.
export const listColumns = {
  remove: ['Run ID', 'Type', 'Start', 'End'],
  add: ['WecomsyncOutcome', 'WecomsyncMode', 'WecomsyncWrites', 'WecomsyncFailures', 'Start'],
};
