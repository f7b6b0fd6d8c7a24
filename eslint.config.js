// Lints the dashboard (renderer/) for now. The rule that matters most: heap strings are hostile
// input, so `{@html}` is an error everywhere (issue 4, Security).
import svelte from 'eslint-plugin-svelte';
import tseslint from 'typescript-eslint';

const RENDERER = ['renderer/**/*.ts', 'renderer/**/*.svelte'];

/** Shared configs, narrowed to the renderer (each keeps its own narrower `files` if it has one). */
const inRenderer = (configs) =>
  configs.map((c) => (c.files ? { ...c, files: c.files.map((f) => `renderer/${f.replace(/^\*\*\//, '**/')}`) } : { ...c, files: RENDERER }));

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**'] },
  ...inRenderer(tseslint.configs.recommended),
  ...inRenderer(svelte.configs['flat/recommended']),
  {
    files: ['renderer/**/*.svelte', 'renderer/**/*.svelte.ts'],
    languageOptions: { parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.svelte'] } },
    rules: {
      // `let { a, b = $bindable() } = $props()` must be `let`; svelte/prefer-const knows the runes.
      'prefer-const': 'off',
      'svelte/prefer-const': 'error',
    },
  },
  {
    files: RENDERER,
    rules: {
      'svelte/no-at-html-tags': 'error',
      // The renderer runs in a browser page: Node's globals would type-check (renderer/tsconfig.json
      // carries Node types for src/shared's imports) but fail at run time.
      'no-restricted-globals': ['error', 'process', 'Buffer', 'require', '__dirname', '__filename', 'global'],
      // Markup never comes from strings.
      'no-restricted-properties': [
        'error',
        { property: 'innerHTML', message: 'Heap strings are hostile: render text, never markup.' },
        { property: 'outerHTML', message: 'Heap strings are hostile: render text, never markup.' },
        { property: 'insertAdjacentHTML', message: 'Heap strings are hostile: render text, never markup.' },
        { object: 'document', property: 'write', message: 'Heap strings are hostile: render text, never markup.' },
      ],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['renderer/vite.config.ts'],
    rules: { 'no-restricted-globals': 'off' },
  },
);
