/**
 * The shape of a leak report as `compare` reads it (zod 4): `leaks --json`/`check --json` documents
 * and the Playwright fixture's heapscope-leaks.json. Objects are loose on purpose: reports grow by
 * additive fields (CONTRACT.md), and a report from a newer heapscope must still compare. Only what
 * compare-runs.ts reads is checked, and each schema is typed against its input types, so the two
 * cannot drift. The CLI and the hosts validate here; the renderer never imports this file.
 */
import { z } from 'zod';
import type { LeakReportInput, ReportLeak, ReportStep, ReportTest } from '../analysis/compare-runs.js';
import { ReportFormatError } from './report-json.js';

const count = z.number().int().nonnegative();
const bytes = z.number().nonnegative().refine(Number.isFinite, 'must be a finite number');

const step = z.object({
  id: z.number().optional(),
  name: z.string(),
  type: z.string(),
  edge: z.string().nullable(),
  edgeType: z.string().optional(),
  module: z.string().optional(),
  function: z.string().optional(),
  node: z.string().optional(),
}) satisfies z.ZodType<ReportStep>;

const leak = z.object({
  name: z.string(),
  count,
  retainedSize: bytes,
  path: z.string().optional(),
  retainerPath: z.array(step).optional(),
}).refine((l) => l.path !== undefined || l.retainerPath !== undefined, {
  message: 'a cluster needs its path shape: `path` (a string) or `retainerPath` (an array of steps)',
  path: ['path'],
}) satisfies z.ZodType<ReportLeak>;

const test = z.object({
  titlePath: z.array(z.string()),
  project: z.string(),
  repeatEachIndex: count.optional(),
  retry: count.optional(),
  title: z.string().optional(),
  file: z.string().optional(),
  workerIndex: z.number().optional(),
}) satisfies z.ZodType<ReportTest>;

export const leakReportSchema = z.object({
  leaks: z.array(leak),
  test: test.optional(),
}) satisfies z.ZodType<LeakReportInput>;

/** `$.leaks[2].retainerPath[0].name`: where a bad field is, as a person looks for it in the file. */
export function jsonPath(path: readonly PropertyKey[]): string {
  let out = '$';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else if (typeof key === 'string' && /^[A-Za-z_$][\w$]*$/.test(key)) out += `.${key}`;
    else out += `[${JSON.stringify(String(key))}]`;
  }
  return out;
}

/** The document as a leak report; a ReportFormatError naming the file and the JSON path of the first bad field otherwise. */
export function validateLeakReport(doc: unknown, file: string): LeakReportInput {
  const result = leakReportSchema.safeParse(doc);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const field = jsonPath(issue.path);
  const message = issue.code === 'invalid_type' && /received undefined$/.test(issue.message)
    ? `missing (expected ${issue.expected})`
    : issue.message.replace(/^Invalid input: /, '');
  const hint = field === '$' || field === '$.leaks' ? ' (is this a leak report? expected the JSON of `heapscope leaks --json`, `check --json` or a heapscope-leaks.json)' : '';
  throw new ReportFormatError(file, `not a leak report: ${field}: ${message}${hint}`, { field });
}
