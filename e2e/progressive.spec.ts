/**
 * Progressive slider frames (src/app/frame-scheduler.ts with previews): while the slider moves the
 * screen shows warp-only previews of the newest value; once it rests, that value's full frame
 * (warp + refiner) replaces the preview and stays.
 */
import { expect, test } from '@playwright/test';
import { leedState, openApp, waitIdle } from './helpers';

test('a 20-step drag shows previews while it moves, and the last value full frame stays on screen', async ({ page }) => {
  test.setTimeout(400_000);
  expect(await openApp(page)).toBe('webgpu');
  await page.getByTestId('sample-button').click();
  await expect(page.getByTestId('face-count')).toHaveText('1 face');
  await waitIdle(page);
  expect((await leedState(page)).capabilities).toMatchObject({ expression: true, refiner: true });
  await page.getByTestId('reference-select').selectOption('preset:surprise');
  await expect.poll(async () => (await leedState(page)).lastFrameKind, { timeout: 200_000 }).toBe('full');
  await waitIdle(page);
  // The preset strip's thumbnails are made while the user rests, each with its texture network run, which cannot be
  // stopped once started (about a second on SwiftShader, longer than this drag): the drag starts after them, as one
  // does after a look at the strip. That a thumbnail gives way to a slider move is tests/app-preset-thumbs.test.ts's.
  await expect.poll(async () => (await leedState(page)).presetThumbs.length, { timeout: 200_000 }).toBe(7);

  // 20 slider steps, the input events of a drag, 40 ms apart; the kinds of frame seen on screen meanwhile
  const kinds = await page.evaluate(async () => {
    const el = document.querySelector('[data-testid="intensity-slider"]') as HTMLInputElement;
    const setValue = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')!.set!;
    const hooks = (window as unknown as { __leed: { state(): Promise<{ lastFrameKind: string | null; renderedIntensity: number | null }> } }).__leed;
    const seen: string[] = [];
    for (let k = 1; k <= 20; k++) {
      setValue.call(el, String(Math.round((0.3 + k * 0.05) * 20) / 20));
      el.dispatchEvent(new Event('input', { bubbles: true }));
      await new Promise((r) => setTimeout(r, 40));
      const s = await hooks.state();
      seen.push(`${s.lastFrameKind}@${s.renderedIntensity}`);
    }
    return seen;
  });
  const last = 1.3;
  await expect(page.getByTestId('intensity-value')).toHaveText(last.toFixed(2));
  // the newest value's full frame arrives and replaces its preview
  await expect
    .poll(
      async () => {
        const s = await leedState(page);
        return !s.rendering && s.renderedIntensity !== null && Math.abs(s.renderedIntensity - last) < 1e-6 && s.lastFrameKind === 'full';
      },
      { timeout: 200_000 },
    )
    .toBe(true);
  const settled = await leedState(page);
  // and stays: nothing older is shown after it
  await page.waitForTimeout(3000);
  const later = await leedState(page);
  expect(later.framesRendered).toBe(settled.framesRendered);
  expect(later.renderedIntensity).toBeCloseTo(last, 6);
  expect(later.lastFrameKind).toBe('full');
  // previews were shown during the drag, of values that only ever went up (the drag's direction)
  const previews = kinds.filter((k) => k.startsWith('preview@')).map((k) => Number(k.split('@')[1]));
  expect(previews.length).toBeGreaterThan(0);
  for (let i = 1; i < previews.length; i++) expect(previews[i]).toBeGreaterThanOrEqual(previews[i - 1]);
});
