import { resolve } from 'node:path';
import { defineConfig } from 'vite';

/** The case desk (src/desk) as static files in dist/desk, served by the API at `/` (SPEC §12); no CDN. */
export default defineConfig({
  root: resolve(import.meta.dirname, 'src/desk'),
  base: '/',
  publicDir: false,
  logLevel: 'warn',
  oxc: { jsx: { runtime: 'automatic' } },
  build: {
    outDir: resolve(import.meta.dirname, 'dist/desk'),
    emptyOutDir: true,
    chunkSizeWarningLimit: 4000,
    rollupOptions: {
      // GraphiQL's React libraries carry "use client" directives, meaningless in a client-only bundle.
      onwarn(warning, warn) {
        if (warning.code !== 'MODULE_LEVEL_DIRECTIVE') warn(warning);
      },
      input: { index: resolve(import.meta.dirname, 'src/desk/index.html'), ide: resolve(import.meta.dirname, 'src/desk/ide.html') },
    },
  },
});
