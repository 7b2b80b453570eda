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

export const config = {
  // The Temporal UI served by `temporal server start-dev` (scripts/dev.sh prints it).
  uiUrl: env('E2E_UI_URL', ''),
  namespace: env('E2E_NAMESPACE', 'default'),
  taskQueue: 'wecomsync',
  workflowType: 'UpstreamSync',
  workflowId: env('E2E_WORKFLOW_ID', `e2e-upstream-${new Date().toISOString().replace(/[-:.TZ]/g, '')}`),
  // The worker reads absolute paths on its own machine; this one is the repository's demo export.
  exportFile: path.resolve(env('E2E_EXPORT_FILE', path.join(repoRoot, 'testdata/exports/demo.xlsx'))),
  outDir: path.resolve(env('E2E_OUT', path.join(repoRoot, 'e2e/out'))),
  chromium: env('E2E_CHROMIUM', '/usr/bin/chromium'),
  // scripts/e2e.sh sets E2E_FRESH_STACK=1: empty Authing emulator, so the report's counts are known exactly.
  freshStack: env('E2E_FRESH_STACK', '') === '1',
  viewport: { width: 1400, height: 1000 },
  timeouts: {
    action: intEnv('E2E_ACTION_TIMEOUT_MS', 15000), // one click, fill or wait for an element
    navigation: intEnv('E2E_NAVIGATION_TIMEOUT_MS', 30000),
    run: intEnv('E2E_RUN_TIMEOUT_MS', 90000), // from "started" until the list shows the run Completed
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
  status: 'completed',
  mode: 'create-update',
  dryRun: false,
  failuresTotal: 0,
  fresh: {
    planned: { departmentsCreate: 8, usersCreate: 40, usersUpdate: 0, usersDelete: 0 },
    applied: { departmentsCreate: 8, usersCreate: 40, usersUpdate: 0, usersDelete: 0 },
    file: { members: 40, rejected: 5, departments: 8 },
  },
};
