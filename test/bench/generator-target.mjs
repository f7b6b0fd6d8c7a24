// Benchmark target ("mixed" heap): builds a heap whose snapshot is roughly SIZE_MB megabytes. Unlike
// fixtures/targets/generator.mjs (uniform `Item` chains), it mixes class instances in trees, plain
// objects, strings (flat and concatenated), arrays, closures, Maps, and a few WeakRefs / WeakMap
// entries / FinalizationRegistry cells, so every analysis (interface names, ephemerons, shallow-size
// redistribution) has work to do.
//
//   node --max-old-space-size=12000 test/bench/generator-target.mjs SIZE_MB [SNAPSHOT_PATH]
//
// Fixture-target protocol (fixtures/targets/phases.mjs): phase 0 "built" once the heap is built;
// SIGUSR2 moves to phase 1, which writes SNAPSHOT_PATH with v8.writeHeapSnapshot (the harness's
// fallback when `heapscope capture` is unavailable). Size control is approximate (Node 20: ~1.2 KB of
// snapshot per unit).
import v8 from 'node:v8';
import { runPhases } from '../../fixtures/targets/phases.mjs';

const sizeMb = Number(process.argv[2] ?? 50);
const snapshotPath = process.argv[3];
if (!(sizeMb > 0)) {
  console.error('usage: generator-target.mjs SIZE_MB [SNAPSHOT_PATH]');
  process.exit(2);
}

// Snapshot bytes per unit below, measured on Node 20.20 (a baseline process is ~4 MB).
const BYTES_PER_UNIT = 1170;
const units = Math.max(1, Math.round(((sizeMb - 4) * 1e6) / BYTES_PER_UNIT));

const KINDS = ['alpha', 'beta', 'gamma', 'delta', 'epsilon', 'zeta', 'eta'];

class Session {
  constructor(id, owner) {
    this.id = id;
    this.owner = owner;
    this.label = 'session-' + id; // a fresh flat string per unit
    this.note = KINDS[id % KINDS.length] + ' / ' + this.label + ' / long enough to be a cons string';
    this.children = [];
    this.meta = { created: 'c' + id, kind: KINDS[id % KINDS.length], tags: ['t' + (id % 97), 't' + (id % 89)] };
    const self = this;
    this.onEvent = function onEvent(x) { return self.id + x; };
  }
}

class Cache {
  constructor() {
    this.byLabel = new Map();
    this.weakByOwner = new WeakMap();
  }
}

const roots = [];
const cache = new Cache();
const weakRefs = [];
const registry = new FinalizationRegistry(() => {});

function build() {
  let parent = null;
  for (let i = 0; i < units; i++) {
    const s = new Session(i, parent);
    if (parent) parent.children.push(s);
    // Trees of ~64 nodes: each tree gets a new root, so dominator trees are deep and wide.
    if (i % 64 === 0) {
      roots.push(s);
      parent = s;
    } else if (i % 8 === 0) {
      parent = s;
    }
    if (i % 4 === 0) cache.byLabel.set(s.label, s);
    if (i % 16 === 0) cache.weakByOwner.set(s, { shadow: s.id, at: 'w' + i });
    if (i % 1024 === 0) {
      weakRefs.push(new WeakRef(s));
      registry.register(s, 'held-' + i);
    }
  }
  globalThis.__heapscopeBench = { roots, cache, weakRefs, registry, units };
}

runPhases('bench-mixed', [
  ['built', build],
  ['snapshot written', () => {
    if (!snapshotPath) throw new Error('no SNAPSHOT_PATH given');
    v8.writeHeapSnapshot(snapshotPath);
  }],
]);
