/**
 * Offline use (issue 25 item 7): once the app has loaded, its service worker (scripts/pwa-config.ts) holds the app
 * shell, the sample and the models; with the network gone, a reload still opens the app, the sample, and edits it.
 * playwright.config.ts blocks service workers for the other specs; this one allows them.
 */
import { readFileSync } from 'node:fs';
import { PNG } from 'pngjs';
import { expect, test } from '@playwright/test';
import { leedState, openApp, SAMPLE, waitIdle } from './helpers';

test.use({ serviceWorkers: 'allow' });

/** The model files the editor loads (public/models/manifest.json, less the evaluation-only models the precache leaves out). */
const MODELS = Object.keys(JSON.parse(readFileSync('public/models/manifest.json', 'utf8')).files as Record<string, string>).filter(
  (f) => !/^human\/(faceres|emotion)\./.test(f),
);

test('once loaded, the app reloads, opens the sample and edits it with no network', async ({ page, context }) => {
  test.setTimeout(600_000);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await openApp(page);
  // the service worker controls the page, and every model, the sample and the page itself are in its cache
  await expect.poll(() => page.evaluate(() => navigator.serviceWorker.controller?.state ?? null)).toBe('activated');
  const missing = () =>
    page.evaluate(async (files) => {
      const urls = [...files.map((f) => `models/${f}`), 'samples/astronaut.png', 'index.html'];
      const hits = await Promise.all(urls.map(async (u) => ((await caches.match(new URL(u, location.href).href, { ignoreSearch: true })) ? null : u)));
      return hits.filter((u) => u !== null);
    }, MODELS);
  await expect.poll(missing, { timeout: 120_000 }).toEqual([]);

  await context.setOffline(true);
  // the network really is gone: a file the precache does not hold cannot be fetched
  expect(
    await page.evaluate(() =>
      fetch('models/human/faceres.json').then(
        () => 'fetched',
        () => 'failed',
      ),
    ),
  ).toBe('failed');
  await page.reload();
  expect(await openApp(page)).toBe('webgpu');
  await page.getByTestId('sample-button').click();
  await expect.poll(async () => (await leedState(page)).photo?.name ?? null).toBe('astronaut.png');
  await expect(page.getByTestId('face-count')).toHaveText('1 face');
  await waitIdle(page);
  expect((await leedState(page)).points).toBe(468);

  await page.getByTestId('reference-select').selectOption('preset:surprise');
  // the refiner warms up after the first face, and the preset strip renders, before this frame: a longer wait than waitFrame's
  await expect
    .poll(
      async () => {
        const s = await leedState(page);
        return s.status === 'ready' && !s.rendering && s.renderedIntensity === 1 && s.lastFrameKind === 'full';
      },
      { timeout: 300_000 },
    )
    .toBe(true);
  await expect(page.getByTestId('photo-canvas')).toHaveAttribute('data-showing', 'edited');
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download-png').click()]);
  const edited = PNG.sync.read(readFileSync(await download.path()));
  const source = PNG.sync.read(readFileSync(SAMPLE));
  expect([edited.width, edited.height]).toEqual([source.width, source.height]);
  // the mouth (landmarks 13, 14: the inner lips' middle) and around it changed
  const pts = (await leedState(page)).facePoints;
  const [cx, cy] = [(pts[13][0] + pts[14][0]) / 2, (pts[13][1] + pts[14][1]) / 2];
  let sum = 0;
  let n = 0;
  for (let y = Math.round(cy - 20); y <= cy + 20; y++) {
    for (let x = Math.round(cx - 30); x <= cx + 30; x++) {
      const o = (y * source.width + x) * 4;
      for (let c = 0; c < 3; c++) sum += Math.abs(edited.data[o + c] - source.data[o + c]);
      n += 3;
    }
  }
  expect(sum / n, 'the mouth changed').toBeGreaterThan(2);
  expect(errors).toEqual([]);
});
