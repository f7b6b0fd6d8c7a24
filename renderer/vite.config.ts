import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';

const root = fileURLToPath(new URL('.', import.meta.url));

// The web host serves dist/renderer/ under `script-src 'self'; style-src 'self'`: every script and
// every stylesheet must be a file. Svelte's CSS therefore goes out as a stylesheet (css: 'external'
// plus emitCss), never as a <style> injected at run time, and no inline module-preload polyfill.
export default defineConfig({
  root,
  base: './',
  plugins: [svelte({ configFile: false, emitCss: true, compilerOptions: { css: 'external' } })],
  build: {
    outDir: fileURLToPath(new URL('../dist/renderer', import.meta.url)),
    emptyOutDir: true,
    sourcemap: false,
    modulePreload: { polyfill: false },
    cssCodeSplit: false,
    assetsInlineLimit: 0,
  },
});
