import { defineConfig } from 'vite';
import preact from '@preact/preset-vite';

// The console is served by the API's own origin (`make dev`'s launcher, or the web image behind the
// same ingress), so there is no base URL and no proxy: every API call is a same-origin /api/… path.
export default defineConfig({
  plugins: [preact()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // A strict CSP (script-src 'self') forbids inline scripts; Vite's module preload polyfill is one.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    sourcemap: false,
    reportCompressedSize: false,
    // hls.js alone is ~580 kB; it is its own chunk, loaded by the player page only.
    chunkSizeWarningLimit: 700,
  },
});
