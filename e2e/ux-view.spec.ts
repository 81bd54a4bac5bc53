/**
 * The photo view and the app's resilience: the "Rendering…" overlay on the face, the face zoom and
 * the whole-photo view, before/after (split and hold), the phone layout, transparency shown as a
 * checkerboard, a lost GPU device, a crashed worker and one killed from outside (the photo is kept),
 * and the Content-Security-Policy (present, and nothing violates it). Writes docs/screenshot-*.png.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { PNG } from 'pngjs';
import { expect, test, type Browser, type BrowserContextOptions, type Page } from '@playwright/test';
import type { EngineTestHooks } from '../src/app/engine-supervisor';
import { leedState, openApp, recordTraffic, SAMPLE, waitIdle } from './helpers';

/**
 * A frame for intensity `a` is on screen (a preview or the full frame); on a timeout the app state is
 * in the error (what was it doing?).
 */
async function waitFrame(page: Page, a: number) {
  try {
    // The machine's cores are shared: a full frame may take minutes while other tests run.
    await expect
      .poll(
        async () => {
          const s = await leedState(page);
          return s.status === 'ready' && s.renderedIntensity !== null && Math.abs(s.renderedIntensity - a) < 1e-6;
        },
        { timeout: 300_000 },
      )
      .toBe(true);
  } catch (e) {
    const s = await leedState(page).catch(() => null);
    const { facePoints: _f, targetPoints: _t, ...brief } = s ?? ({} as Record<string, unknown>);
    throw new Error(`no frame at ${a}: ${JSON.stringify(brief)}\n${(e as Error).message}`);
  }
}

type Csp = { violations: string[]; consoleErrors: string[] };

/** A page that records CSP violations (the securitypolicyviolation event) and console errors. */
async function cspPage(browser: Browser, options: BrowserContextOptions = {}): Promise<{ page: Page; csp: Csp }> {
  const context = await browser.newContext(options);
  const page = await context.newPage();
  await page.addInitScript(() => {
    const w = window as unknown as { __cspViolations: string[] };
    w.__cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) => w.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  const { consoleErrors } = recordTraffic(page);
  return { page, csp: { violations: [], consoleErrors } };
}

async function expectNoCspViolation(page: Page, csp: Csp) {
  const violations = await page.evaluate(() => (window as unknown as { __cspViolations: string[] }).__cspViolations);
  expect(violations).toEqual([]);
  expect(csp.consoleErrors.filter((e) => /content security policy/i.test(e))).toEqual([]);
}

const engine = <T>(page: Page, fn: (h: EngineTestHooks) => T | Promise<T>) => page.evaluate(`(${fn.toString()})(window.__leedEngine)`) as Promise<T>;

async function openSample(page: Page) {
  await page.getByTestId('sample-button').click();
  await expect(page.getByTestId('face-count')).toHaveText('1 face');
  await waitIdle(page);
  expect((await leedState(page)).selected).toBe(0);
}

/** Picks preset `name`; the overlay says "Rendering…" over the face until the frame is there. */
async function pickPreset(page: Page, name: string, expectOverlay = true) {
  await page.getByTestId('reference-select').selectOption(`preset:${name}`);
  if (expectOverlay) {
    const overlay = page.getByTestId('render-overlay');
    await expect(overlay).toBeVisible();
    await expect(overlay).toContainText('Rendering');
    await expect(overlay).toHaveAttribute('data-kind', 'render');
  }
  const a = (await leedState(page)).intensity;
  await waitFrame(page, a);
  await expect(page.getByTestId('photo-canvas')).toHaveAttribute('data-showing', 'edited');
}

const box = async (page: Page, testId: string) => (await page.getByTestId(testId).boundingBox())!;

test('desktop: face zoom, whole photo, rendering overlay, before/after, checkerboard, CSP', async ({ browser }) => {
  test.setTimeout(900_000);
  const { page, csp } = await cspPage(browser, { viewport: { width: 1280, height: 800 } });
  expect(await openApp(page)).toBe('webgpu');

  // The policy is in the built page and forbids every other origin.
  const policy = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
  expect(policy).toContain("default-src 'self'");
  expect(policy).toMatch(/connect-src 'self' blob: data:;/);
  expect(policy).not.toMatch(/https?:|\*/);

  await openSample(page);
  // One face: the view opens zoomed on it.
  await expect(page.getByTestId('viewer')).toHaveAttribute('data-view', 'face');
  const vp = await box(page, 'viewport');
  await expect.poll(async () => (await box(page, 'frame')).width / vp.width).toBeGreaterThan(1.8);
  // The whole photo is one click away, and the face again.
  await page.getByTestId('view-photo').click();
  await expect(page.getByTestId('viewer')).toHaveAttribute('data-view', 'photo');
  await expect.poll(async () => Math.abs((await box(page, 'frame')).width - vp.width)).toBeLessThan(2);
  await page.getByTestId('view-face').click();
  await expect(page.getByTestId('viewer')).toHaveAttribute('data-view', 'face');
  await expect.poll(async () => (await box(page, 'frame')).width / vp.width).toBeGreaterThan(1.8);

  // A render shows the overlay on the face (inside the view), then the edited face.
  await page.getByTestId('reference-select').selectOption('preset:happy');
  const overlay = page.getByTestId('render-overlay');
  await expect(overlay).toBeVisible();
  await expect(overlay).toContainText('Rendering');
  const ob = (await overlay.boundingBox())!;
  expect(ob.x).toBeGreaterThanOrEqual(vp.x - 1);
  expect(ob.x + ob.width).toBeLessThanOrEqual(vp.x + vp.width + 1);
  expect(ob.width).toBeGreaterThan(150); // the zoomed face, not a 100-px thumbnail
  expect(ob.width).toBeLessThan(vp.width); // over the face, not the whole photo
  await waitFrame(page, (await leedState(page)).intensity);
  await expect(overlay).toHaveCount(0, { timeout: 300_000 }); // the full frame after the preview
  await expect(page.getByTestId('photo-canvas')).toHaveAttribute('data-showing', 'edited');

  // Before/after split: the left part shows the original, the right the edit; the divider moves.
  await page.getByTestId('split-toggle').click();
  await expect(page.getByTestId('before-canvas')).toBeVisible();
  const handle = page.getByTestId('split-handle');
  await expect(handle).toHaveAttribute('aria-valuenow', '50');
  const diff = await page.evaluate(() => {
    const a = (document.querySelector('[data-testid="before-canvas"]') as HTMLCanvasElement).getContext('2d')!.getImageData(0, 0, 512, 512).data;
    const b = (document.querySelector('[data-testid="photo-canvas"]') as HTMLCanvasElement).getContext('2d')!.getImageData(0, 0, 512, 512).data;
    let n = 0;
    for (let i = 0; i < a.length; i += 4) if (Math.abs(a[i] - b[i]) + Math.abs(a[i + 1] - b[i + 1]) + Math.abs(a[i + 2] - b[i + 2]) > 30) n++;
    return n;
  });
  expect(diff).toBeGreaterThan(200); // the edit changed the face; the "before" layer is the original
  await handle.focus();
  for (let i = 0; i < 5; i++) await page.keyboard.press('ArrowLeft');
  await expect(handle).toHaveAttribute('aria-valuenow', '40');
  const clip = await page.getByTestId('before-canvas').evaluate((el) => (el as HTMLElement).style.clipPath);
  expect(clip).toMatch(/^inset\(0(px)? [\d.]+% 0(px)? 0(px)?\)$/);
  // Dragging across the photo moves the divider too.
  await page.mouse.move(vp.x + vp.width * 0.7, vp.y + vp.height / 2);
  await page.mouse.down();
  await page.mouse.move(vp.x + vp.width * 0.75, vp.y + vp.height / 2);
  await page.mouse.up();
  await expect.poll(async () => Number(await handle.getAttribute('aria-valuenow'))).toBeGreaterThan(70);
  await page.getByTestId('split-toggle').click();
  await expect(page.getByTestId('before-canvas')).toHaveCount(0);

  // Press and hold to see the original (the one hold control, in the Result panel).
  await page.getByTestId('compare-button').hover();
  await page.mouse.down();
  await expect(page.getByTestId('photo-canvas')).toHaveAttribute('data-showing', 'original');
  await page.mouse.up();
  await expect(page.getByTestId('photo-canvas')).toHaveAttribute('data-showing', 'edited');

  mkdirSync('docs', { recursive: true });
  // docs pictures: LEED_SCREENSHOTS=1 npm run test:e2e -- e2e/ux-view.spec.ts
  if (process.env.LEED_SCREENSHOTS) await page.screenshot({ path: 'docs/screenshot-desktop.png' });

  // A transparent PNG: the hidden colour (magenta) under alpha 0 is never shown, a checkerboard is.
  const png = PNG.sync.read(readFileSync(SAMPLE));
  for (let y = 0; y < png.height; y++) {
    for (let x = 0; x < 110; x++) {
      const o = (y * png.width + x) * 4;
      png.data.set([255, 0, 255, 0], o);
    }
  }
  await page.getByTestId('file-input').setInputFiles({ name: 'transparent.png', mimeType: 'image/png', buffer: PNG.sync.write(png) });
  await expect(page.getByTestId('photo-caption')).toContainText('transparent.png');
  await waitIdle(page);
  await page.getByTestId('view-photo').click();
  await expect.poll(async () => Math.abs((await box(page, 'frame')).width - (await box(page, 'viewport')).width)).toBeLessThan(2);
  const fb = await box(page, 'frame');
  const shot = PNG.sync.read(await page.screenshot({ clip: { x: fb.x + 4, y: fb.y + fb.height * 0.3, width: 48, height: 48 } }));
  let magenta = 0;
  const greys = new Set<number>();
  for (let i = 0; i < shot.data.length; i += 4) {
    const [r, g, b] = [shot.data[i], shot.data[i + 1], shot.data[i + 2]];
    if (r > 150 && g < 100 && b > 150) magenta++;
    if (Math.abs(r - g) < 6 && Math.abs(g - b) < 6 && r > 150) greys.add(Math.round(r / 16));
  }
  expect(magenta).toBe(0);
  expect(greys.size).toBeGreaterThanOrEqual(2); // two tones of the checkerboard

  await expectNoCspViolation(page, csp);
  await page.context().close();
});

test('phone 390x844: the zoomed face and the slider are in view together; touch wording', async ({ browser }) => {
  test.setTimeout(600_000);
  const { page, csp } = await cspPage(browser, { viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true });
  await openApp(page);
  await expect(page.getByTestId('welcome')).toBeVisible();
  await expect(page.getByText(/ctrl\s*\+\s*v|drag and drop|drop one here/i).filter({ visible: true })).toHaveCount(0);
  await openSample(page);
  await pickPreset(page, 'happy');
  await expect(page.getByTestId('viewer')).toHaveAttribute('data-view', 'face');

  const inView = async () => {
    const vp = await box(page, 'viewport');
    const slider = await box(page, 'intensity-slider');
    // The slider is on screen and not under the photo (the element at its centre is the slider).
    const onTop = await page.getByTestId('intensity-slider').evaluate((el) => {
      const r = el.getBoundingClientRect();
      return document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2) === el;
    });
    return { vp, slider, onTop };
  };
  const check = async () => {
    const { vp, slider, onTop } = await inView();
    expect(vp.y).toBeGreaterThanOrEqual(0);
    expect(vp.y + vp.height).toBeLessThanOrEqual(844);
    expect(vp.width).toBeGreaterThan(300);
    expect(slider.y).toBeGreaterThanOrEqual(vp.y + vp.height);
    expect(slider.y + slider.height).toBeLessThanOrEqual(844);
    expect(onTop).toBe(true);
  };
  await check();
  // The face is big on a phone: the view is zoomed well into the photo.
  expect((await box(page, 'frame')).width / (await box(page, 'viewport')).width).toBeGreaterThan(1.5);
  // Moving the slider keeps the photo in view (it is sticky at the top).
  await page.getByTestId('intensity-slider').fill('0.6');
  await waitFrame(page, 0.6);
  await check();
  await page.evaluate(() => window.scrollBy(0, 300));
  const vp = await box(page, 'viewport');
  expect(vp.y).toBeGreaterThanOrEqual(0);
  expect(vp.y).toBeLessThan(120);
  await page.evaluate(() => window.scrollTo(0, 0));
  mkdirSync('docs', { recursive: true });
  if (process.env.LEED_SCREENSHOTS) await page.screenshot({ path: 'docs/screenshot-phone.png' });
  await expectNoCspViolation(page, csp);
  await page.context().close();
});

test('a lost GPU device falls back to another backend, a crashed or killed worker restarts; the photo is kept', async ({ browser }) => {
  test.setTimeout(1_500_000);
  const { page, csp } = await cspPage(browser, { viewport: { width: 1280, height: 800 } });
  expect(await openApp(page)).toBe('webgpu');
  await openSample(page);
  await pickPreset(page, 'surprise', false);
  await page.getByTestId('intensity-slider').fill('0.8');
  await waitFrame(page, 0.8);

  const kept = async (restarts: number) => {
    await expect.poll(() => engine(page, (h) => h.restarts()), { timeout: 240_000 }).toBe(restarts);
    await waitFrame(page, 0.8);
    const s = await leedState(page);
    expect(s.photo).toEqual({ name: 'astronaut.png', width: 512, height: 512 });
    expect(s.selected).toBe(0);
    expect(s.points).toBe(468);
    expect(s.reference).toEqual({ kind: 'preset', preset: 'surprise' });
    expect(s.error).toBeNull();
    await expect(page.getByTestId('photo-canvas')).toHaveAttribute('data-showing', 'edited');
    return s;
  };

  await engine(page, (h) => h.loseDevice());
  const notice = page.getByTestId('engine-notice');
  await expect(notice).toContainText('graphics processor stopped working');
  let s = await kept(1);
  expect(s.backend).not.toBe('webgpu');
  await expect(notice).toContainText(/restarted on (WebGL|the processor)/);
  await expect(notice).toContainText('Your photo and settings were kept');
  await expect(page.getByTestId('backend-badge')).toContainText(/device was lost/);
  const fallback = s.backend;

  // An edit still renders on the new backend.
  await page.getByTestId('intensity-slider').fill('0.5');
  await waitFrame(page, 0.5);
  await page.getByTestId('intensity-slider').fill('0.8');
  await waitFrame(page, 0.8);

  await engine(page, (h) => h.crashWorker());
  await expect(notice).toContainText('stopped unexpectedly');
  s = await kept(2);
  expect(s.backend).toBe(fallback); // a crash restarts on the same backend
  await expect(notice).toContainText('was restarted');

  // Terminated from outside (the Worker itself, as the browser ends one that ran out of memory): no event
  // says so; the heartbeat notices the silence. Shortened for this worker only (its replacement loads its
  // models again, which a short timeout would take for a hang).
  const warnings: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'warning') warnings.push(m.text());
  });
  await engine(page, (h) => {
    h.setHeartbeat({ intervalMs: 250, timeoutMs: 3_000 });
    h.killWorker();
  });
  await expect(notice).toContainText('stopped unexpectedly');
  s = await kept(3);
  expect(s.backend).toBe(fallback);
  expect(warnings.some((w) => /did not answer for 3 s/.test(w))).toBe(true);
  // The user edits on.
  await page.getByTestId('intensity-slider').fill('0.5');
  await waitFrame(page, 0.5);

  await expectNoCspViolation(page, csp);
  await page.context().close();
});
