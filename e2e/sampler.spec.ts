/**
 * The 'webgl' sampler (GLSL programs: warp, crop, paste-back; src/engine/render/webgl-kernels.ts) on the
 * real tfjs WebGL backend in headless Chromium (SwiftShader), against the typed-array 'js' sampler on the
 * same inputs (e2e/sampler-page.ts): within a rounding step of 0..255, bit for bit where nothing moves or
 * the paste does not reach, no leaked tensors, and 'auto' picks it on WebGL. Also the sampling's peak
 * tensor memory on a 1024 x 1024 ROI, against the generic tfjs-ops sampler WebGL used before. The same
 * checks for the 'webgpu' sampler (WGSL kernels) on WebGPU.
 */
import { expect, test, type Page } from '@playwright/test';
import type { ParityResult } from './sampler-page';

/** The parity checks common to both GPU samplers. */
function expectParity(r: ParityResult, backend: string): void {
  expect(r.backend).toBe(backend);
  expect(r.auto).toBe(backend);
  expect(r.warp).toBeLessThan(0.05); // float32 vs float64 coordinates: far below a grey level
  expect(r.warpRounded).toBeLessThanOrEqual(1);
  expect(r.identity).toBe(0);
  expect(r.stillCells).toBe(0);
  expect(r.crops.map((c) => c.pool)).toEqual([1, 4]);
  for (const c of r.crops) {
    expect(c.masked).toBeGreaterThan(1000);
    expect(c.extract).toBeLessThan(0.05);
    expect(c.paste).toBeLessThan(0.1);
    expect(c.pasteRounded).toBeLessThanOrEqual(1);
    expect(c.untouched).toBe(0);
    expect(c.alpha).toBe(0);
  }
  expect(r.leaked).toBe(0);
}

async function parity(page: Page, kind: 'webgl' | 'webgpu'): Promise<ParityResult> {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto('/e2e/sampler.html');
  await page.waitForFunction(() => 'parity' in ((window as unknown as { __samplers?: object }).__samplers ?? {}));
  const r = await page.evaluate((k) => (window as unknown as { __samplers: { parity(k: string): Promise<ParityResult> } }).__samplers.parity(k), kind);
  console.log(JSON.stringify(r));
  expect(errors).toEqual([]);
  return r;
}

test("the 'webgl' sampler matches the 'js' sampler on WebGL, copies still pixels bit for bit and needs less memory than 'ops'", async ({ page }) => {
  test.setTimeout(300_000);
  const r = await parity(page, 'webgl');
  expectParity(r, 'webgl');
  expect(r.peakBytes.webgl).toBeLessThan(r.peakBytes.ops / 2);
});

test("the 'webgpu' sampler matches the 'js' sampler on WebGPU on the same inputs", async ({ page }) => {
  test.setTimeout(300_000);
  expectParity(await parity(page, 'webgpu'), 'webgpu');
});
