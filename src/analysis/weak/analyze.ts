import type { LoadedSnapshot } from '../snapshot.js';
import { CodeOwners } from './owner.js';
import { scanWeakReferences, WEAK_KINDS, type WeakLink } from './holders.js';
import { Name, Names } from './names.js';
import { edgeShape } from './shape.js';
import type { WeakCause, WeakHolderDto, WeakShellGroupDto, WeakStatus, WeakTargetDto } from './types.js';

const NO_PARENT = 0xffffffff;
const MAX_SHELL_IDS = 100;

/** The weak references of one snapshot, by ordinal; DTOs are built from it on demand. */
export class SnapshotWeakRefs {
  /** Target ordinal → the weak links that reach it. */
  readonly targets: Map<number, WeakLink[]>;
  /** Holder ordinal → its group of dead WeakRefs (only those still strongly held). */
  readonly shellGroups: Map<number, ShellGroup>;
  private readonly names: Names;
  private readonly owners: CodeOwners;
  private readonly internalCache = new Map<number, boolean>();

  constructor(readonly snapshot: LoadedSnapshot) {
    const g = snapshot.graph;
    this.names = new Names(g);
    const scan = scanWeakReferences(g, this.names, (id) => snapshot.ordinalOf(id));
    this.owners = new CodeOwners(g, this.names, snapshot.paths);
    this.targets = new Map();
    for (const link of scan.links) {
      const list = this.targets.get(link.target);
      if (!list) this.targets.set(link.target, [link]);
      else if (!list.some((l) => l.kind === link.kind && l.holder === link.holder && l.value === link.value)) list.push(link);
    }
    this.shellGroups = this.groupShells(scan.shells);
  }

  /** Whether a holder is Node's own (see CodeOwners), judged once per holder. */
  isInternalHolder(holder: number): boolean {
    let v = this.internalCache.get(holder);
    if (v === undefined) {
      v = this.owners.isNodeInternal(holder);
      this.internalCache.set(holder, v);
    }
    return v;
  }

  holderDtos(links: readonly WeakLink[]): WeakHolderDto[] {
    const g = this.snapshot.graph;
    return [...links]
      .sort((a, b) => WEAK_KINDS.indexOf(a.kind) - WEAK_KINDS.indexOf(b.kind) || g.nodeId[a.holder]! - g.nodeId[b.holder]!)
      .map((l) => {
        const value = l.value >= 0 ? g.nodeId[l.value]! : undefined;
        return {
          kind: l.kind,
          id: g.nodeId[l.holder]!,
          ...(value !== undefined && l.kind === 'WeakMap' ? { valueId: value } : {}),
          ...(value !== undefined && l.kind === 'FinalizationRegistry' ? { heldValueId: value } : {}),
          internal: this.isInternalHolder(l.holder),
        };
      });
  }

  /** The CONTRACT.md target record of `ordinal` in this snapshot; `holders` may come from another snapshot. */
  targetDto(ordinal: number, holders: WeakHolderDto[], status?: WeakStatus): WeakTargetDto {
    const s = this.snapshot;
    const g = s.graph;
    const strong = s.paths.isStronglyReachable(ordinal);
    const t: WeakTargetDto = {
      id: g.nodeId[ordinal]!,
      name: s.className(ordinal),
      type: g.nodeTypeName(ordinal),
      selfSize: s.selfSize[ordinal]!,
      retainedSize: s.retainedSize(ordinal),
      holders,
      reachability: strong ? 'strong' : 'weak-only',
      retainerPath: strong ? s.retainerPath(ordinal) : [],
      ...(status ? { status } : {}),
      internal: holders.length > 0 && holders.every((h) => h.internal),
    };
    const cause = strong ? this.causeOf(ordinal) : undefined;
    if (cause) t.cause = cause;
    return t;
  }

  /** When the strong path runs through a FinalizationRegistry cell or a WeakMap entry, say so. */
  private causeOf(ordinal: number): WeakCause | undefined {
    const g = this.snapshot.graph;
    const paths = this.snapshot.paths;
    let cause: WeakCause | undefined;
    for (const o of paths.ordinals(ordinal)) {
      if (o === ordinal) break;
      if (this.names.node(o) === Name.weakCell) return 'finalization-held-value';
      const e = paths.parentEdge[o]!;
      if (e !== NO_PARENT && g.edgeType[e] === g.edgeTypes.internal && g.ephemeronEdge(g.edgeName[e]!)) cause = 'weakmap-value';
    }
    // The last hop counts too: the target itself reached through a pair edge.
    const last = paths.parentEdge[ordinal]!;
    if (last !== NO_PARENT && g.edgeType[last] === g.edgeTypes.internal && g.ephemeronEdge(g.edgeName[last]!)) cause = 'weakmap-value';
    return cause;
  }

  shellDto(group: ShellGroup): WeakShellGroupDto {
    const s = this.snapshot;
    return {
      holderId: s.graph.nodeId[group.holder]!,
      holderName: s.className(group.holder),
      count: group.count,
      retainerPath: s.retainerPath(group.holder),
      via: group.via,
      ids: group.ids,
      internal: group.internal,
    };
  }

  /**
   * Dead WeakRefs grouped by the object that holds them: the nearest object or scope on the path to
   * the shell, skipping V8's storage (a Map's table, elements and property arrays), so the
   * logger-cache pattern comes out as "48 in Map @123 via .table[]".
   */
  private groupShells(shells: readonly number[]): Map<number, ShellGroup> {
    const s = this.snapshot;
    const g = s.graph;
    const paths = s.paths;
    const groups = new Map<number, ShellGroup>();
    for (const shell of shells) {
      if (!paths.isStronglyReachable(shell)) continue; // goes at the next GC
      const hops: string[] = [];
      let holder = shell;
      for (let o = shell; ;) {
        const parent = paths.parentNode[o]!;
        if (parent === NO_PARENT || parent === g.rootOrdinal) break;
        const e = paths.parentEdge[o]!;
        hops.unshift(edgeShape({ edge: g.edgeNameString(e), edgeType: g.edgeTypeName(e) }));
        holder = parent;
        if (!this.isStorage(parent)) break;
        o = parent;
      }
      const internal = this.isInternalHolder(shell);
      let group = groups.get(holder);
      if (!group) {
        group = { holder, count: 0, ids: [], via: hops.join(''), internal };
        groups.set(holder, group);
      }
      group.count++;
      group.internal &&= internal;
      if (group.ids.length < MAX_SHELL_IDS) group.ids.push(g.nodeId[shell]!);
    }
    return groups;
  }

  /** V8's storage behind a JS object (arrays, hidden and code nodes, `system / …` objects other than scopes). */
  private isStorage(o: number): boolean {
    const g = this.snapshot.graph;
    const type = g.nodeType[o];
    if (type === g.types.closure) return false;
    if (type !== g.types.object) return true;
    return this.names.node(o) !== Name.systemContext && g.nodeNameString(o).startsWith('system / ');
  }
}

export interface ShellGroup {
  holder: number;
  count: number;
  ids: number[];
  via: string;
  internal: boolean;
}
