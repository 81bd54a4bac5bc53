/**
 * Offline use (vite.config.ts): vite-plugin-pwa (workbox) writes a service worker that precaches the app shell, the
 * sample photo and every model under public/models (LEED's and the npm-copied third-party ones,
 * scripts/copy-models.mjs) at install, so that once loaded the app opens and edits with no network; and the web app
 * manifest with its icons (scripts/make-icons.mjs), so that it can be installed.
 *
 * The precache's revisions are the files' hashes: a new deploy replaces what changed and drops the rest. The engine
 * still checks every model file against public/models/manifest.json when it loads it, cached or not.
 *
 * Test builds (`vite build --mode test`) carry the same service worker, so that e2e/offline.spec.ts tests what ships;
 * the other browser tests must not run under it (a worker that answers fetches from its cache hides requests from
 * page.route and from the request counts), so playwright.config.ts blocks service workers for every spec and
 * offline.spec.ts alone allows them. The bench and sampler pages of a test build are left out of the precache (not the
 * copies of tfjs their workers bundle, which cannot be told from the app worker's by name).
 */
import { VitePWA } from 'vite-plugin-pwa';

/** The largest model file is about 3 MiB; workbox's default limit (2 MiB) would leave it out silently. */
const MAX_PRECACHED_FILE = 16 * 2 ** 20;

export function offline() {
  return VitePWA({
    registerType: 'autoUpdate',
    // a script file, not inline: the Content-Security-Policy (index.html) allows scripts from this site only
    injectRegister: 'script',
    manifest: {
      name: 'LEED expression editor',
      short_name: 'Expressions',
      description: 'Edit the facial expression of a photo, entirely in your browser.',
      start_url: '.',
      scope: '.',
      display: 'standalone',
      background_color: '#0f1216',
      theme_color: '#0f1216',
      icons: [
        { src: 'icons/icon-192.png', sizes: '192x192', type: 'image/png', purpose: 'any' },
        { src: 'icons/icon-512.png', sizes: '512x512', type: 'image/png', purpose: 'any' },
        { src: 'icons/icon-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
      ],
    },
    workbox: {
      globPatterns: ['**/*.{html,js,css,wasm,png,jpg,svg,json,bin,webmanifest}'],
      // the identity and emotion models are for evaluation (tools.ts createFaceDescriber): the editor never loads them
      globIgnores: ['e2e/**', '**/bench-*.js', '**/sampler-*.js', 'models/human/faceres.*', 'models/human/emotion.*'],
      maximumFileSizeToCacheInBytes: MAX_PRECACHED_FILE,
      // the new worker takes over at once: the page that installed it is offline-ready without a reload
      skipWaiting: true,
      clientsClaim: true,
      cleanupOutdatedCaches: true,
      navigateFallback: 'index.html',
      navigateFallbackDenylist: [/^\/e2e\//],
    },
  });
}
