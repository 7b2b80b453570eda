// Headless Chromium from Debian (/usr/bin/chromium) driven by playwright-core, started the way that works
// on these machines: no sandbox (root), no GPU, no QUIC, no background networking (the closed network
// refuses those connections), and a new empty profile (user data dir) for every run.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { config } from './config.mjs';

export const chromiumArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export async function launchBrowser() {
  if (!fs.existsSync(config.chromium)) {
    throw new Error(`Chromium not found at ${config.chromium} (apt-get install chromium, or set E2E_CHROMIUM)`);
  }
  // An empty --user-data-dir: Playwright passes it for a persistent context.
  // In TMPDIR: scripts/e2e.sh points it into its throwaway data dir, removed even if this process is killed.
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'chromium-profile-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: config.chromium,
    headless: true,
    args: chromiumArgs,
    viewport: config.viewport,
    baseURL: config.uiUrl,
    timezoneId: 'UTC',
    locale: 'en-US',
  });
  context.setDefaultTimeout(config.timeouts.action);
  context.setDefaultNavigationTimeout(config.timeouts.navigation);
  const page = context.pages()[0] ?? (await context.newPage());
  const pageErrors = [];
  page.on('pageerror', (err) => pageErrors.push(err.message));
  return {
    context,
    page,
    pageErrors,
    async close() {
      await context.close().catch(() => {});
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}

// Saves a screenshot of the viewport (or of options.clip) into the output folder and returns its
// absolute path.
export async function screenshot(page, name, options = {}) {
  fs.mkdirSync(config.outDir, { recursive: true });
  const file = path.join(config.outDir, `${name}.png`);
  await page.screenshot({ path: file, ...options });
  return file;
}

// The README's screenshots (docs/screenshots/) are kept small.
export const docsShotMaxBytes = 250 * 1024;

// Copies a screenshot into the output's docs/ folder under the README's name (scripts/e2e.sh copies
// that folder to docs/screenshots/ with E2E_UPDATE_DOCS=1); fails when it is not small.
export function keepForDocs(file, docName) {
  const size = fs.statSync(file).size;
  if (size > docsShotMaxBytes) {
    throw new Error(`${file} is ${Math.round(size / 1024)} KB, more than the ${docsShotMaxBytes / 1024} KB a README screenshot may take (crop it)`);
  }
  fs.mkdirSync(config.docsShotsDir, { recursive: true });
  const copy = path.join(config.docsShotsDir, docName);
  fs.copyFileSync(file, copy);
  return copy;
}
