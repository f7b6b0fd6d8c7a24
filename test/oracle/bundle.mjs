// Builds Chrome DevTools' own heap snapshot code (front_end/entrypoints/heap_snapshot_worker and
// what it imports) into one ES module that runs in Node, so heapscope can be checked against the
// exact numbers DevTools shows (FACTS.md §4). The bundle is generated into node_modules/.cache and
// never committed; it is rebuilt when the DevTools package, esbuild or this recipe changes.
//
// Plain JS on purpose: the bundle is DevTools' TypeScript, which must stay out of our typecheck, and
// the benchmark (test/bench/run.mjs) uses this without a TS step.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// Every oracle program imports this module (their worker threads too), so the polyfill lives here:
// Node 20 lacks Promise.withResolvers (Node 22 has it); DevTools uses it in the loader and in
// SecondaryInitManager.
if (typeof Promise.withResolvers !== 'function') {
  Promise.withResolvers = function withResolvers() {
    let resolve;
    let reject;
    const promise = new this((res, rej) => { resolve = res; reject = rej; });
    return { promise, resolve, reject };
  };
}

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '..', '..');
const require = createRequire(path.join(repoRoot, 'package.json'));

// Bump when the recipe below changes, so stale bundles are not reused.
const RECIPE = 1;

function packageDir() {
  return path.dirname(require.resolve('chrome-devtools-frontend/package.json'));
}

/** Where the bundle for the installed chrome-devtools-frontend lives (it may not exist yet). */
export function bundlePath() {
  const pkg = JSON.parse(fs.readFileSync(path.join(packageDir(), 'package.json'), 'utf8'));
  const esbuildVersion = require('esbuild/package.json').version;
  const key = createHash('sha256').update(`${pkg.version}|${esbuildVersion}|${RECIPE}`).digest('hex').slice(0, 10);
  return path.join(repoRoot, 'node_modules', '.cache', 'heapscope-oracle', `devtools-${pkg.version}-${key}`, 'heap-snapshot.mjs');
}

// The file DevTools' build generates from its locale list; only its shape matters here.
const LOCALES_STUB = `
export const LOCALES = ['en-US'];
export const BUNDLED_LOCALES = ['en-US'];
export const DEFAULT_LOCALE = 'en-US';
export const REMOTE_FETCH_PATTERN = '';
export const LOCAL_FETCH_PATTERN = '';
`;

/**
 * Returns the path of the bundle, building it first if needed. Safe to call from several
 * processes at once: each writes its own temp file and renames it into place.
 */
export async function ensureBundle() {
  const out = bundlePath();
  if (fs.existsSync(out)) return out;
  const { build } = await import('esbuild');
  const workerDir = path.join(packageDir(), 'front_end', 'entrypoints', 'heap_snapshot_worker');
  const modelDir = path.join(packageDir(), 'front_end', 'models', 'heap_snapshot');
  fs.mkdirSync(path.dirname(out), { recursive: true });
  const tmp = `${out}.${process.pid}.${Date.now()}.tmp`;
  await build({
    stdin: {
      contents: [
        `export * as HeapSnapshot from ${JSON.stringify(path.join(workerDir, 'HeapSnapshot.ts'))};`,
        `export * as HeapSnapshotLoader from ${JSON.stringify(path.join(workerDir, 'HeapSnapshotLoader.ts'))};`,
        `export * as HeapSnapshotModel from ${JSON.stringify(path.join(modelDir, 'HeapSnapshotModel.ts'))};`,
      ].join('\n'),
      resolveDir: workerDir,
      loader: 'ts',
      sourcefile: 'heapscope-oracle-entry.ts',
    },
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    outfile: tmp,
    logLevel: 'silent',
    legalComments: 'none',
    plugins: [{
      name: 'devtools-generated-files',
      setup(b) {
        b.onResolve({ filter: /(^|\/)locales\.js$/ }, (args) => ({ path: args.path, namespace: 'heapscope-stub' }));
        b.onLoad({ filter: /.*/, namespace: 'heapscope-stub' }, () => ({ contents: LOCALES_STUB, loader: 'js' }));
      },
    }],
  });
  fs.renameSync(tmp, out);
  return out;
}

// `node test/oracle/bundle.mjs` builds the bundle and prints its path.
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  ensureBundle().then((p) => console.log(p), (e) => { console.error(e); process.exit(1); });
}
