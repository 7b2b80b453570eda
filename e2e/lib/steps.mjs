// Named steps for node:test: each step is an `it` of the suite, run in order. A failing step saves a
// screenshot of the page (failure-<step>.png) and names it in the error; the steps after it are skipped,
// so the report shows the first thing that went wrong.
import { it } from 'node:test';
import { screenshot } from './browser.mjs';

export function stepper(getPage) {
  let failed = null;
  return function step(name, fn) {
    it(name, async (t) => {
      if (failed) {
        t.skip(`skipped: step "${failed}" failed`);
        return;
      }
      try {
        await fn(t);
      } catch (err) {
        failed = name;
        const page = getPage();
        let shot = '';
        if (page) {
          try {
            shot = await screenshot(page, `failure-${slug(name)}`);
          } catch (shotErr) {
            shot = `(no screenshot: ${shotErr.message})`;
          }
        }
        const where = page ? `\n  page: ${page.url()}` : '';
        const message = `${name}: ${err.message}${where}\n  screenshot: ${shot}`;
        console.error(`FAILED ${message}`);
        throw new Error(message, { cause: err });
      }
    });
  };
}

export function slug(s) {
  return s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
}
