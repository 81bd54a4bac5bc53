import { expect, type Page } from '@playwright/test';
import type { LeedHooks, LeedState } from '../src/app/test-hooks';

export const SAMPLE = 'public/samples/astronaut.png';

/** Every request the page (and its worker) makes, and every console error. */
export function recordTraffic(page: Page) {
  const requests: string[] = [];
  const consoleErrors: string[] = [];
  page.on('request', (r) => requests.push(r.url()));
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(m.text());
  });
  page.on('pageerror', (e) => consoleErrors.push(`pageerror: ${e.message}`));
  return { requests, consoleErrors };
}

/** Requests whose origin is not the app's own (data: and blob: URLs are local). */
export function foreignRequests(requests: string[], baseURL: string): string[] {
  const own = new URL(baseURL).origin;
  return requests.filter((u) => !u.startsWith('data:') && !u.startsWith('blob:') && new URL(u).origin !== own);
}

/** Opens the app and waits for the engine to be ready; returns the backend the badge reports. */
export async function openApp(page: Page): Promise<string> {
  await page.goto('/');
  const badge = page.getByTestId('backend-badge');
  await expect(badge).toHaveAttribute('data-backend', /.+/, { timeout: 150_000 });
  await expect(page.getByTestId('progress')).toHaveCount(0);
  return (await badge.getAttribute('data-backend')) ?? '';
}

export type { LeedState };

export function leedState(page: Page): Promise<LeedState> {
  return page.evaluate(() => (window as unknown as { __leed: LeedHooks }).__leed.state());
}

/** Waits until the app is idle (no request in flight in the UI). */
export async function waitIdle(page: Page): Promise<void> {
  await expect(page.getByTestId('busy')).toHaveCount(0);
  await expect.poll(async () => (await leedState(page)).status).toBe('ready');
}

/**
 * Counts drawn (non-transparent) overlay pixels inside a region around the face box and outside a
 * larger region. Coordinates are converted from image pixels to the overlay's canvas pixels.
 */
export function overlayPixels(page: Page, box: { x: number; y: number; width: number; height: number }, photoWidth: number) {
  return page.evaluate(
    ({ box, photoWidth }) => {
      const c = document.querySelector('[data-testid="mesh-overlay"]') as HTMLCanvasElement;
      const s = c.width / photoWidth;
      const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      const cx = (box.x + box.width / 2) * s;
      const cy = (box.y + box.height / 2) * s;
      const half = (Math.max(box.width, box.height) * s) / 2;
      let inside = 0;
      let outside = 0;
      for (let y = 0; y < c.height; y++) {
        for (let x = 0; x < c.width; x++) {
          if (d[(y * c.width + x) * 4 + 3] === 0) continue;
          const r = Math.max(Math.abs(x - cx), Math.abs(y - cy));
          if (r <= half * 1.4) inside++;
          else if (r > half * 2) outside++;
        }
      }
      return { inside, outside, width: c.width, height: c.height };
    },
    { box, photoWidth },
  );
}

/** Tensors held by the engine worker. */
export function engineMemory(page: Page): ReturnType<LeedHooks['memory']> {
  return page.evaluate(() => (window as unknown as { __leed: LeedHooks }).__leed.memory());
}

/** Waits until the frame for the newest slider value has been rendered. */
export async function waitFrame(page: Page, a: number): Promise<void> {
  await expect
    .poll(async () => {
      const s = await leedState(page);
      return !s.rendering && s.status === 'ready' && s.renderedIntensity !== null && Math.abs(s.renderedIntensity - a) < 1e-6;
    })
    .toBe(true);
}
