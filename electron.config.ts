/**
 * The desktop app's build (electron-vite): main (with the engine worker as a second entry),
 * preload and renderer, into dist/electron/{main,preload,renderer}. `npm run build` runs it after
 * tsc and the web renderer's vite build; it needs no Electron binary (FACTS.md §1).
 *
 * The renderer is the web dashboard's own vite config (renderer/vite.config.ts: root, Svelte
 * plugin, CSP-friendly output) with only the output folder changed, so both hosts ship one page.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'electron-vite';
import web from './renderer/vite.config.js';

const at = (p: string) => fileURLToPath(new URL(p, import.meta.url));

export default defineConfig({
  main: {
    build: {
      outDir: at('dist/electron/main'),
      emptyOutDir: true,
      sourcemap: true,
      rolldownOptions: {
        input: { index: at('src/host/electron/main.ts'), engine: at('src/engine/host.ts') },
      },
    },
  },
  preload: {
    build: {
      outDir: at('dist/electron/preload'),
      emptyOutDir: true,
      // A sandboxed preload cannot require() packages or be an ES module: one self-contained CommonJS file.
      externalizeDeps: false,
      rolldownOptions: {
        input: { index: at('src/host/electron/preload.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    ...web,
    build: {
      ...web.build,
      // electron-vite leaves bundles unminified by default; the web build is minified, and so is this.
      minify: true,
      outDir: at('dist/electron/renderer'),
      rolldownOptions: { input: { index: at('renderer/index.html') } },
    },
  },
});
