/**
 * The production build carries no test controls (vite.config.ts, __LEED_TEST_HOOKS__): a plain
 * `vite build`, into a folder of its own so the test build the other specs run on stays, has none of
 * the names the test build installs on the page or exposes from the worker. The test build has them
 * all, which shows the search would find them. No browser: the bundles are read as text.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { DIST } from './chromium';

const PRODUCTION_DIST = process.env.LEED_E2E_PRODUCTION_DIST ?? 'dist-production';

/** Names only test builds may contain: the window hooks and their methods, the worker's test methods, the bench and sampler pages' handles. */
const TEST_ONLY = [
  '__leedEngine',
  '__leed',
  'crashWorker',
  'killWorker',
  'terminateWorker',
  'setHeartbeat',
  'testCrash',
  'testLoseDevice',
  'simulated engine crash',
  '__bench',
  '__samplers',
];

/** The text of every script and page of a build (models and samples are left out). */
function bundleText(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const e of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (e.isFile() && /\.(js|mjs|html)$/.test(e.name)) files.set(join(e.parentPath, e.name), readFileSync(join(e.parentPath, e.name), 'utf8'));
  }
  return files;
}

const containing = (files: Map<string, string>, name: string) => [...files].filter(([, text]) => text.includes(name)).map(([path]) => path);

test('the production bundle has no test controls; the test build has them', () => {
  test.setTimeout(300_000);
  // As `npm run build` builds it: production mode, whatever NODE_ENV the test runner has.
  const { NODE_ENV: _, ...env } = process.env;
  execFileSync(process.execPath, ['node_modules/vite/bin/vite.js', 'build', '--outDir', PRODUCTION_DIST, '--emptyOutDir', '--logLevel', 'error'], {
    env,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const production = bundleText(PRODUCTION_DIST);
  expect(existsSync(join(PRODUCTION_DIST, 'index.html'))).toBe(true);
  expect([...production.keys()].some((f) => /worker-[^/]*\.js$/.test(f))).toBe(true);
  expect(existsSync(join(PRODUCTION_DIST, 'e2e'))).toBe(false); // the bench and sampler pages
  for (const name of TEST_ONLY) expect(containing(production, name), `"${name}" in the production bundle`).toEqual([]);

  const testBuild = bundleText(DIST);
  for (const name of TEST_ONLY) expect(containing(testBuild, name).length, `"${name}" in the test build (${DIST})`).toBeGreaterThan(0);
});
