/**
 * Run-time validation of every dashboard request (zod 4): the SessionApi channels here, the engine
 * channels through schemas.ts. Each schema is typed against contract.ts, so a contract change the
 * schema does not follow fails to compile. The renderer never imports this file.
 */
import { z } from 'zod';
import type { CompareRunRequest, SessionApi, UiChannel } from './contract.js';
import { isChannel, parseRequest, RequestError } from './schemas.js';

/** The host's own opaque ids (snapshots, targets, captures): 22 base64url characters, never a path. */
const opaqueId = z.string().regex(/^[A-Za-z0-9_-]{22}$/, 'not an id');

/** Display names: 1..200 characters, no line breaks (they go into lists and file names). */
export const snapshotName = z.string().min(1, 'must not be empty').max(200, 'at most 200 characters')
  .refine((s) => !/[\r\n\0]/.test(s), 'must not contain line breaks or NUL')
  .refine((s) => s.trim().length > 0, 'must not be blank');

type SessionChannel = keyof SessionApi;

/** Reports in one run of `reports.compare`: a Playwright run with --repeat-each 20 over 100 tests is 2,000. */
export const MAX_COMPARE_REPORTS = 10_000;

const compareRun = z.strictObject({
  label: z.string().min(1, 'must not be empty').max(1000),
  reports: z.array(z.strictObject({ name: z.string().min(1, 'must not be empty').max(4096), document: z.unknown() }))
    .min(1, 'a run needs at least one report').max(MAX_COMPARE_REPORTS),
}) as z.ZodType<CompareRunRequest>;

const schemas: { [C in SessionChannel]: z.ZodType<SessionApi[C]['request']> } = {
  'session.state': z.strictObject({}) as z.ZodType<Record<string, never>>,
  // The sidebar's "attach" box: an inspector address. pid: is the CLI's alone (it sends a signal),
  // and so is chromium:DIR (it reads a file named by the request: the dashboard never names files).
  'target.attach': z.strictObject({
    address: z.string().min(1).max(300)
      .refine((s) => !/^\s*pid:/i.test(s), 'pid: targets can be attached from the command line only (--attach pid:PID)')
      .refine((s) => !/^\s*chromium:/i.test(s) && !/DevToolsActivePort\s*$/.test(s), 'chromium:DIR targets can be attached from the command line only (--attach chromium:DIR); here, give the port it lists'),
  }),
  'target.detach': z.strictObject({ targetId: opaqueId }),
  'target.memory': z.strictObject({ targetId: opaqueId }),
  'capture.start': z.strictObject({ targetId: opaqueId, gc: z.boolean().optional(), name: snapshotName.optional() }),
  'capture.cancel': z.strictObject({ captureId: opaqueId }),
  'snapshot.open': z.strictObject({ snapshotId: opaqueId }),
  'snapshot.rename': z.strictObject({ snapshotId: opaqueId, name: snapshotName }),
  'snapshot.delete': z.strictObject({ snapshotId: opaqueId }),
  // Each document is checked as a leak report by the handler (report-schema.ts), which names the file.
  'reports.compare': z.strictObject({ a: compareRun, b: compareRun }),
};

export function isSessionChannel(channel: unknown): channel is SessionChannel {
  return typeof channel === 'string' && Object.hasOwn(schemas, channel);
}

/** Engine channels the dashboard may call; loading and closing by path stay the host's. */
export function isEngineUiChannel(channel: unknown): boolean {
  return isChannel(channel) && channel !== 'snapshot.load' && channel !== 'snapshot.close';
}

export function isUiChannel(channel: unknown): channel is UiChannel {
  return isSessionChannel(channel) || isEngineUiChannel(channel);
}

/**
 * The request, checked against its channel's schema; throws RequestError naming the channel
 * (`field: 'channel'`) or the first bad field.
 */
export function parseUiRequest(channel: unknown, request: unknown): unknown {
  if (isSessionChannel(channel)) {
    const result = schemas[channel].safeParse(request);
    if (result.success) return result.data;
    const issue = result.error.issues[0]!;
    const field = issue.path.map(String).join('.') || (issue.code === 'unrecognized_keys' ? issue.keys.join(',') : '');
    throw new RequestError(`${channel}: ${field ? `${field}: ` : ''}${issue.message}`, field || undefined);
  }
  if (!isEngineUiChannel(channel)) throw new RequestError(`unknown channel ${JSON.stringify(String(channel)).slice(0, 80)}`, 'channel');
  return parseRequest(channel, request);
}
