// The starter binary (bin/starter) as the test runs it: in the repository root, with the test's
// environment (scripts/e2e.sh passes the stack's WECOMSYNC_* settings), its output collected, every
// command bounded by a timeout after which it is stopped.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { config, repoRoot } from './config.mjs';

// The starter's exit codes with --wait for each outcome of a run (README "Exit codes").
export const exitCodeOf = {
  completed: 0,
  'dry-run': 0,
  'completed-with-errors': 4,
  failed: 3,
  rejected: 3,
  canceled: 3,
};

// Starts `starter <args>`; returns { output(), waitForOutput(re, ms), stop(), done }, where done resolves to
// { code, signal, output } once the process has exited (it is killed when timeoutMs passes).
export function startStarter(args, { timeoutMs = config.timeouts.starter } = {}) {
  if (!fs.existsSync(config.starter)) throw new Error(`no starter binary at ${config.starter} (make build, or set E2E_STARTER)`);
  const child = spawn(config.starter, args, { cwd: repoRoot, env: process.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  const listeners = new Set();
  const append = (chunk) => {
    text += chunk.toString();
    for (const l of listeners) l();
  };
  child.stdout.on('data', append);
  child.stderr.on('data', append);
  let timedOut = false;
  let exited = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGTERM');
  }, timeoutMs);
  const done = new Promise((resolve, reject) => {
    child.on('error', (err) => {
      clearTimeout(timer);
      exited = true;
      for (const l of listeners) l();
      reject(new Error(`starter ${args.join(' ')}: ${err.message}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      exited = true;
      for (const l of listeners) l();
      if (timedOut) reject(new Error(`starter ${args.join(' ')} did not finish within ${timeoutMs} ms; its output:\n${indent(text)}`));
      else resolve({ code, signal, output: text });
    });
  });
  done.catch(() => {}); // handled by whoever awaits it; never an unhandled rejection

  return {
    command: `starter ${args.join(' ')}`,
    output: () => text,
    done,
    // Stops the command if it still runs (a step that failed half-way leaves nothing behind).
    stop() {
      if (!exited) child.kill('SIGTERM');
    },
    // Resolves with the match once the output matches re; rejects when the process exits first or
    // timeoutMs passes.
    waitForOutput(re, ms = timeoutMs) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const m = text.match(re);
          if (m) return finish(null, m);
          if (exited) return finish(new Error(`starter ${args.join(' ')} exited before printing ${re}; its output:\n${indent(text)}`));
        };
        const t = setTimeout(() => finish(new Error(`starter ${args.join(' ')} did not print ${re} within ${ms} ms; its output:\n${indent(text)}`)), ms);
        const finish = (err, m) => {
          clearTimeout(t);
          listeners.delete(check);
          if (err) reject(err);
          else resolve(m);
        };
        listeners.add(check);
        check();
      });
    },
  };
}

// Runs `starter <args>` to its end; returns { code, output }.
export async function runStarter(args, options) {
  return startStarter(args, options).done;
}

// The run id the starter prints when it has started a run: "started <id> (run <runId>)".
export function startedRunId(output, workflowId) {
  const m = output.match(new RegExp(`started ${escape(workflowId)} \\(run ([0-9a-f-]+)\\)`));
  return m ? m[1] : '';
}

// The status in the first line of a --wait report: "upstream sync <id> (run <runId>): <status> in 0.7s"
// (a dry run: "…: dry-run — dry run, nothing written in 0.3s").
export function reportedStatus(output, workflowId) {
  const m = output.match(new RegExp(`sync ${escape(workflowId)} \\(run [0-9a-f-]+\\): ([a-z-]+)(?= )`));
  return m ? m[1] : '';
}

export function indent(text, prefix = '    ') {
  return text.trimEnd().split('\n').map((l) => prefix + l).join('\n');
}

function escape(s) {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
