/**
 * Headless Chromium with SwiftShader WebGPU, exactly the flags of /work/shared/TESTING-WEBGPU.md.
 * Shared by the Playwright tests and the benchmark. Never `npx playwright install`: Debian's
 * /usr/bin/chromium is used.
 */
export const CHROMIUM_PATH = '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--enable-unsafe-webgpu',
  '--enable-features=Vulkan',
  '--use-vulkan=swiftshader',
  '--use-webgpu-adapter=swiftshader',
  '--enable-unsafe-swiftshader',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** LEED_E2E_PORT and LEED_E2E_DIST let two test runs share a machine (each builds into its own folder). */
export const PORT = Number(process.env.LEED_E2E_PORT ?? 4173);
export const DIST = process.env.LEED_E2E_DIST ?? 'dist';
export const BASE_URL = `http://127.0.0.1:${PORT}`;
