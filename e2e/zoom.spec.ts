/**
 * Looking closely: double-click to 1:1 (the photo's own pixels on screen, unsmoothed), the wheel zooms
 * about the cursor, a drag pans, the keys (0 fit, 1 for 1:1, + zoom, arrows pan), the Face view fills
 * the view with the face, the mesh overlay stays on the photo, and the zoom controls on a phone.
 */
import { readFileSync } from 'node:fs';
import { PNG } from 'pngjs';
import { expect, test, type Page } from '@playwright/test';
import { leedState, openApp, SAMPLE, waitIdle } from './helpers';

type Box = { x: number; y: number; width: number; height: number };
const box = async (page: Page, testId: string): Promise<Box> => (await page.getByTestId(testId).boundingBox())!;

/** The frame's box once it stops moving (the Face and Fit buttons animate it). */
async function settled(page: Page): Promise<Box> {
  let last = '';
  await expect
    .poll(
      async () => {
        const now = JSON.stringify(await box(page, 'frame'));
        const same = now === last;
        last = now;
        return same;
      },
      { intervals: [200] },
    )
    .toBe(true);
  return box(page, 'frame');
}

/**
 * Mean difference (0-255, RGB) between a 16 x 16 screenshot block at `at` and the photo's pixels that
 * nearest-neighbour display puts there (the best of the placements within 1 px, for rounding).
 */
async function blockError(page: Page, png: PNG, at: { x: number; y: number }): Promise<number> {
  const f = await box(page, 'frame');
  const k = f.width / png.width;
  const clip = { x: Math.round(at.x), y: Math.round(at.y), width: 16, height: 16 };
  const shot = PNG.sync.read(await page.screenshot({ clip }));
  let best = Number.POSITIVE_INFINITY;
  for (let dy = -1; dy <= 1; dy++) {
    for (let dx = -1; dx <= 1; dx++) {
      let sum = 0;
      for (let j = 0; j < 16; j++) {
        for (let i = 0; i < 16; i++) {
          const s = (j * shot.width + i) * 4;
          // Near a cell's edge either neighbour may be the one drawn there.
          const u = (clip.x + i + 0.5 - f.x) / k + dx;
          const v = (clip.y + j + 0.5 - f.y) / k + dy;
          let least = Number.POSITIVE_INFINITY;
          for (const iy of new Set([Math.floor(v - 0.25), Math.floor(v + 0.25)])) {
            for (const ix of new Set([Math.floor(u - 0.25), Math.floor(u + 0.25)])) {
              const o = (Math.min(png.height - 1, Math.max(0, iy)) * png.width + Math.min(png.width - 1, Math.max(0, ix))) * 4;
              let e = 0;
              for (let c = 0; c < 3; c++) e += Math.abs(shot.data[s + c] - png.data[o + c]);
              least = Math.min(least, e);
            }
          }
          sum += least;
        }
      }
      best = Math.min(best, sum / (16 * 16 * 3));
    }
  }
  console.log(`zoom ${Math.round(k * 100)} %: mean difference ${best.toFixed(2)}`);
  return best;
}

/** The image point (image pixels) under the page point `p`. */
const under = (f: Box, width: number, p: { x: number; y: number }) => ({ x: (p.x - f.x) / (f.width / width), y: (p.y - f.y) / (f.width / width) });

test('zoom to 1:1 and beyond, wheel about the cursor, drag, keys, Face view, phone controls', async ({ page }) => {
  test.setTimeout(300_000);
  const png = PNG.sync.read(readFileSync(SAMPLE));
  await page.setViewportSize({ width: 1280, height: 800 });
  await openApp(page);
  await page.getByTestId('sample-button').click();
  await expect(page.getByTestId('face-count')).toHaveText('1 face');
  await waitIdle(page);
  const level = page.getByTestId('zoom-level');
  const percent = async () => Number((await level.textContent())?.replace(/\D/g, ''));

  // Fit: the whole photo.
  await page.getByTestId('view-photo').click();
  await expect(page.getByTestId('viewer')).toHaveAttribute('data-view', 'photo');
  const vp = await box(page, 'viewport');
  let f = await settled(page);
  expect(Math.abs(f.width - vp.width)).toBeLessThan(2);
  const fit = Math.round((vp.width / png.width) * 100);
  await expect(level).toHaveText(`${fit} %`);

  // Double-click: 1:1, the photo's own pixels on screen.
  await page.mouse.dblclick(vp.x + vp.width / 2, vp.y + vp.height / 2);
  await expect(level).toHaveText('100 %');
  f = await settled(page);
  expect(f.width).toBeCloseTo(png.width, 0);
  const centre = { x: vp.x + vp.width / 2 - 8, y: vp.y + vp.height * 0.4 };
  expect(await blockError(page, png, centre)).toBeLessThan(1);

  // The wheel zooms in about the cursor: the image point under it stays there.
  const p = { x: vp.x + vp.width * 0.35, y: vp.y + vp.height * 0.42 };
  await page.mouse.move(p.x, p.y);
  const before = under(f, png.width, p);
  await page.mouse.wheel(0, -300);
  await expect.poll(percent).toBeGreaterThan(150);
  f = await settled(page);
  const after = under(f, png.width, p);
  const k = f.width / png.width;
  expect(Math.abs(after.x - before.x) * k).toBeLessThan(1.5);
  expect(Math.abs(after.y - before.y) * k).toBeLessThan(1.5);
  // Beyond 1:1 the pixels are not smoothed: each screen pixel is one photo pixel's colour.
  expect(await blockError(page, png, { x: p.x - 8, y: p.y - 8 })).toBeLessThan(1);
  // The check tells the difference: the same block drawn smoothed does not pass it.
  const smooth = await page.addStyleTag({ content: '.frame .photo { image-rendering: auto !important; }' });
  await expect.poll(() => blockError(page, png, { x: p.x - 8, y: p.y - 8 })).toBeGreaterThan(1.5);
  await smooth.evaluate((el) => (el as Element).remove());
  // The mesh overlay lies exactly on the photo.
  await page.getByTestId('mesh-toggle').check();
  await expect(page.getByTestId('mesh-overlay')).not.toHaveAttribute('data-points', '0');
  expect(await box(page, 'mesh-overlay')).toEqual(await box(page, 'photo-canvas'));

  // A drag pans the photo by as much as the pointer moved.
  await page.evaluate(() => window.scrollTo(0, 0)); // the mesh toggle may have scrolled the page
  f = await settled(page);
  await page.mouse.move(p.x, p.y);
  await page.mouse.down();
  await page.mouse.move(p.x - 80, p.y - 60, { steps: 6 });
  await page.mouse.up();
  const dragged = await settled(page);
  expect(dragged.x - f.x).toBeCloseTo(-80, 0);
  expect(dragged.y - f.y).toBeCloseTo(-60, 0);
  await page.getByTestId('mesh-toggle').uncheck();

  // Keys, with the photo view focused: 0 fits, 1 is 1:1, + zooms, arrows pan.
  await page.getByTestId('viewport').focus();
  await page.keyboard.press('0');
  await expect(page.getByTestId('viewer')).toHaveAttribute('data-view', 'photo');
  await expect(level).toHaveText(`${fit} %`);
  expect(Math.abs((await settled(page)).width - vp.width)).toBeLessThan(2);
  await page.keyboard.press('1');
  await expect(level).toHaveText('100 %');
  await page.keyboard.press('+');
  await expect(level).toHaveText('125 %');
  const z = await settled(page);
  await page.keyboard.press('ArrowLeft');
  await expect.poll(async () => (await box(page, 'frame')).x).toBeGreaterThan(z.x + 5);

  // The Face view fills the view with the face.
  await page.getByTestId('view-face').click();
  await expect(page.getByTestId('viewer')).toHaveAttribute('data-view', 'face');
  const face = (await leedState(page)).faces[0];
  const faceSide = Math.max(Math.min(face.width, png.width), Math.min(face.height, png.height));
  // (on a loaded machine the frame can look still between two samples while it still moves: wait for the zoom)
  await expect.poll(async () => ((await settled(page)).width / png.width) * faceSide).toBeGreaterThan(0.65 * vp.width);
  f = await settled(page);
  const s = f.width / png.width;
  const fx = f.x + Math.max(0, face.x) * s;
  const fy = f.y + Math.max(0, face.y) * s;
  expect(fx).toBeGreaterThanOrEqual(vp.x - 2);
  expect(fy).toBeGreaterThanOrEqual(vp.y - 2);
  expect(f.x + Math.min(png.width, face.x + face.width) * s).toBeLessThanOrEqual(vp.x + vp.width + 2);
  expect(f.y + Math.min(png.height, face.y + face.height) * s).toBeLessThanOrEqual(vp.y + vp.height + 2);
  expect(await percent()).toBeGreaterThan(1.5 * fit);

  // A phone: the zoom controls are on screen and work.
  await page.setViewportSize({ width: 390, height: 844 });
  await page.getByTestId('view-photo').click();
  for (const id of ['view-face', 'view-photo', 'view-1to1', 'zoom-out', 'zoom-level', 'zoom-in']) {
    const b = await box(page, id);
    expect(b.x).toBeGreaterThanOrEqual(0);
    expect(b.x + b.width).toBeLessThanOrEqual(390);
    expect(b.height).toBeGreaterThan(20);
  }
  const small = await percent();
  await page.getByTestId('zoom-in').click();
  await expect.poll(percent).toBeGreaterThan(small);
  await page.getByTestId('view-1to1').click();
  await expect(level).toHaveText('100 %');

  // Pinch (two touch pointers moving apart): the zoom follows the distance between them.
  const pv = await box(page, 'viewport');
  await page.getByTestId('viewport').evaluate(
    (el, c) => {
      const send = (type: string, pointerId: number, x: number) =>
        el.dispatchEvent(
          new PointerEvent(type, {
            pointerId,
            pointerType: 'touch',
            isPrimary: pointerId === 11,
            clientX: x,
            clientY: c.y,
            bubbles: true,
            button: 0,
            buttons: type === 'pointerup' ? 0 : 1,
          }),
        );
      send('pointerdown', 11, c.x - 40);
      send('pointerdown', 12, c.x + 40);
      for (let x = c.x + 50; x <= c.x + 100; x += 10) send('pointermove', 12, x);
      send('pointerup', 12, c.x + 100);
      send('pointerup', 11, c.x - 40);
    },
    { x: pv.x + pv.width / 2, y: pv.y + pv.height / 2 },
  );
  await expect.poll(percent).toBeGreaterThan(165);
  expect(await percent()).toBeLessThan(185); // 100 % x 140 / 80
});
