import { defineConfig } from '@playwright/test';
import { BASE_URL, CHROMIUM_ARGS, CHROMIUM_PATH, DIST, PORT } from './e2e/chromium';

// Browser tests run on the BUILT app, a test build with the test hooks (`vite build --mode test` first;
// `npm run test:e2e` does both), served by `vite preview`.
// SwiftShader WebGPU runs on the CPU and the machine has 2 shared cores: one worker, generous timeouts.
export default defineConfig({
  testDir: './e2e',
  testMatch: /.*\.spec\.ts$/,
  workers: 1,
  fullyParallel: false,
  retries: 0,
  timeout: 180_000,
  expect: { timeout: 120_000 },
  reporter: [['list']],
  outputDir: 'test-results',
  use: {
    baseURL: BASE_URL,
    browserName: 'chromium',
    headless: true,
    acceptDownloads: true,
    launchOptions: { executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS },
    trace: 'off',
    screenshot: 'off',
    video: 'off',
    // The build's service worker (scripts/pwa-config.ts) would answer fetches from its cache, out of page.route's
    // and the request counts' sight: blocked here, allowed by e2e/offline.spec.ts alone.
    serviceWorkers: 'block',
  },
  webServer: {
    command: `node node_modules/vite/bin/vite.js preview --port ${PORT} --strictPort --host 127.0.0.1 --outDir ${DIST}`,
    url: `${BASE_URL}/`,
    reuseExistingServer: false,
    timeout: 60_000,
  },
});
