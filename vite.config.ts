import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { resolve } from 'node:path';

// public/ (models, sample photo) is served at the site root: /models, /samples.
export const PREVIEW_PORT = 4173;

export default defineConfig({
  plugins: [react()],
  worker: { format: 'es' },
  build: {
    target: 'es2022',
    chunkSizeWarningLimit: 4096,
    rollupOptions: {
      input: {
        main: resolve(import.meta.dirname, 'index.html'),
        bench: resolve(import.meta.dirname, 'e2e/bench.html'),
      },
    },
  },
  preview: { port: PREVIEW_PORT, strictPort: true, host: '127.0.0.1' },
  server: { host: '127.0.0.1' },
});
