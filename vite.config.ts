import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';
import { resolve } from 'node:path';
import { offline } from './scripts/pwa-config.ts';

// public/ (models, sample photo) is served at the site root: /models, /samples.
export const PREVIEW_PORT = 4173;

// The engine reaches for these only on its Node paths (lazy imports); the browser build gets a stub.
const nodeOnly = resolve(import.meta.dirname, 'src/app/node-only.ts');

// The engine's own modules have no import-time side effects: a bundle keeps only those whose exports it
// uses. So the UI thread can import pure values (error codes, file naming) from src/engine/index.ts
// without pulling in the rest of the engine and tfjs, which only the workers need.
const engineDir = resolve(import.meta.dirname, 'src/engine');
const moduleSideEffects = (id: string) => !id.startsWith(engineDir);

// index.html carries the Content-Security-Policy (no other origin, ever). The dev server alone needs
// inline scripts (React Fast Refresh) and its websocket, so only there is script-src relaxed.
const devCsp: Plugin = {
  name: 'leed-dev-csp',
  apply: 'serve',
  transformIndexHtml: (html) =>
    html.replace("script-src 'self'", "script-src 'self' 'unsafe-inline'").replace("connect-src 'self'", "connect-src 'self' ws: wss:"),
};

/**
 * Test builds (`vite build --mode test`: `npm run test:e2e`, `npm run bench`) and the dev server carry the
 * test controls: the hooks on `window` (__leed, __leedEngine), the worker's methods that break the engine
 * on purpose, and the bench and sampler pages. A production build has `__LEED_TEST_HOOKS__` false, so the
 * minifier drops that code and its names; tests/app-production-bundle.test.ts checks the bundle.
 */
export default defineConfig(({ command, mode }) => {
  const testHooks = mode === 'test' || command === 'serve';
  return {
    plugins: [react(), devCsp, offline()],
    define: { __LEED_TEST_HOOKS__: JSON.stringify(testHooks) },
    resolve: {
      alias: [
        { find: /^pngjs$/, replacement: nodeOnly },
        { find: /^jpeg-js$/, replacement: nodeOnly },
        { find: /^node:buffer$/, replacement: nodeOnly },
      ],
    },
    worker: { format: 'es' },
    build: {
      target: 'es2022',
      chunkSizeWarningLimit: 4096,
      rollupOptions: {
        treeshake: { moduleSideEffects },
        input: {
          main: resolve(import.meta.dirname, 'index.html'),
          ...(testHooks && {
            bench: resolve(import.meta.dirname, 'e2e/bench.html'),
            sampler: resolve(import.meta.dirname, 'e2e/sampler.html'),
          }),
        },
      },
    },
    preview: { port: PREVIEW_PORT, strictPort: true, host: '127.0.0.1' },
    server: { host: '127.0.0.1' },
  };
});
