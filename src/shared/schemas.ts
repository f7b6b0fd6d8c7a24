/**
 * Run-time validation of every engine request (zod 4). The hosts (worker, web server, IPC) call
 * `parseRequest` before anything touches a snapshot; the renderer never imports this file.
 * Each schema is typed against contract.ts, so a contract change that the schema does not follow
 * fails to compile.
 */
import { z } from 'zod';
import type { Api, Channel, Request } from './contract.js';

/** Bounds the engine enforces: a page of at most maxPage rows, small trees and subgraphs. */
export const LIMITS = {
  maxPage: 1000,
  maxDepth: 5,
  maxRetainerLimit: 100,
  maxSubgraphDepth: 20,
  maxSubgraphNodes: 2000,
  maxShells: 100,
  /** dominators.tree: levels of nesting, dominees per nested node (default 20), nodes in one answer. */
  maxDominatorDepth: 4,
  maxChildLimit: 50,
  defaultChildLimit: 20,
  maxDominatorNodes: 10_000,
  /** leaks.report: `--ignore-class` patterns in one request, and the length of each. */
  maxIgnoreClasses: 100,
  maxPatternLength: 1000,
} as const;

/** What the engine hands out: 22 base64url characters (16 random bytes). Anything else, `../x` included, is refused here. */
const snapshotId = z.string().regex(/^[A-Za-z0-9_-]{22}$/, 'not a snapshot id');
const count = z.number().int().nonnegative();
const nodeId = z.number().int().nonnegative().max(0xffffffff);

/** A page `[start, end)`: end ≥ start; end - start is clamped to LIMITS.maxPage by the host. */
const range = { start: count, end: count };
const checkRange = (r: { start: number; end: number }) => r.end >= r.start;
const rangeIssue = { message: 'end must not be less than start', path: ['end'] };

/** A `--ignore-class` pattern: compiled here as the CLI compiles it (`new RegExp(source)`), so a bad one names its index. */
const regexSource = z.string().max(LIMITS.maxPatternLength).superRefine((source, ctx) => {
  try {
    new RegExp(source);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: `not a regular expression: ${(err as Error).message}` });
  }
});

const schemas: { [C in Channel]: z.ZodType<Request<C>> } = {
  'snapshot.load': z.strictObject({ path: z.string().min(1).max(4096) }),
  'snapshot.close': z.strictObject({ snapshotId }),
  'summary.range': z.strictObject({
    snapshotId,
    ...range,
    sort: z.strictObject({ by: z.enum(['name', 'distance', 'count', 'selfSize', 'retainedSize']), order: z.enum(['asc', 'desc']) }).optional(),
    filter: z.string().max(1000).optional(),
    detached: z.boolean().optional(),
  }).refine(checkRange, rangeIssue),
  'class.instances': z.strictObject({ snapshotId, classKey: z.string().max(100_000), ...range }).refine(checkRange, rangeIssue),
  'node.retainers': z.strictObject({
    snapshotId,
    id: nodeId,
    depth: z.number().int().min(0).max(LIMITS.maxDepth),
    limit: z.number().int().min(1).max(LIMITS.maxRetainerLimit),
  }),
  'node.path': z.strictObject({ snapshotId, id: nodeId }),
  'graph.subgraph': z.strictObject({
    snapshotId,
    id: nodeId,
    depth: z.number().int().min(0).max(LIMITS.maxSubgraphDepth),
    maxNodes: z.number().int().min(1).max(LIMITS.maxSubgraphNodes),
    baseId: snapshotId.optional(),
  }),
  'dominators.tree': z.strictObject({
    snapshotId,
    id: nodeId.optional(),
    ...range,
    depth: z.number().int().min(1).max(LIMITS.maxDominatorDepth).optional(),
    childLimit: z.number().int().min(1).max(LIMITS.maxChildLimit).optional(),
  }).refine(checkRange, rangeIssue),
  'diff.instances': z.strictObject({
    beforeId: snapshotId,
    afterId: snapshotId,
    classKey: z.string().max(100_000),
    kind: z.enum(['added', 'removed']),
    ...range,
  }).refine(checkRange, rangeIssue),
  'leaks.report': z.strictObject({
    baselineId: snapshotId,
    targetId: snapshotId,
    finalId: snapshotId,
    budgets: z.strictObject({
      maxLeakedBytes: count.optional(),
      maxLeakedObjects: count.optional(),
      ignoreClass: z.array(regexSource).max(LIMITS.maxIgnoreClasses).optional(),
    }).optional(),
    ...range,
  }).refine(checkRange, rangeIssue),
  'diff.classes': z.strictObject({
    beforeId: snapshotId,
    afterId: snapshotId,
    ...range,
    sort: z.strictObject({ by: z.enum(['name', 'added', 'removed', 'countDelta', 'addedSize', 'removedSize', 'sizeDelta']), order: z.enum(['asc', 'desc']) }).optional(),
    filter: z.string().max(1000).optional(),
  }).refine(checkRange, rangeIssue),
  'weak.report': z.strictObject({ snapshotId, afterId: snapshotId.optional(), ...range }).refine(checkRange, rangeIssue),
};

export function isChannel(channel: unknown): channel is Channel {
  return typeof channel === 'string' && Object.hasOwn(schemas, channel);
}

/** A request that does not match its channel's schema; `field` is the path of the first bad field. */
export class RequestError extends Error {
  readonly field: string | undefined;
  constructor(message: string, field?: string) {
    super(message);
    this.name = 'RequestError';
    this.field = field;
  }
}

/** The request, checked; throws RequestError naming the channel or the first bad field. */
export function parseRequest<C extends Channel>(channel: C, request: unknown): Api[C]['request'];
export function parseRequest(channel: unknown, request: unknown): unknown;
export function parseRequest(channel: unknown, request: unknown): unknown {
  if (!isChannel(channel)) throw new RequestError(`unknown channel ${JSON.stringify(String(channel)).slice(0, 80)}`, 'channel');
  const result = schemas[channel].safeParse(request);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const field = issue.path.map(String).join('.') || (issue.code === 'unrecognized_keys' ? issue.keys.join(',') : '');
  throw new RequestError(`${channel}: ${field ? `${field}: ` : ''}${issue.message}`, field || undefined);
}
