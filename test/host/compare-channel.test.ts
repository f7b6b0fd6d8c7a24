/**
 * `reports.compare` on a real dashboard host: the web host's WebSocket and the desktop app's IPC
 * handlers on one HostSession, with real reports (`check --json` on the listener-leak snapshots).
 * Both answer what `heapscope compare` answers; a bad document is refused as the CLI refuses the
 * file; and the size limit the dashboard checks before sending is the one both transports enforce.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareRuns } from '../../src/analysis/compare-runs.js';
import { createIpcHandlers, type IpcSender } from '../../src/host/electron/ipc.js';
import type { BridgeResult } from '../../src/shared/bridge.js';
import type { UiRequest } from '../../src/shared/contract.js';
import { MAX_COMPARE_REQUEST_BYTES, slimReport } from '../../src/shared/report-json.js';
import { validateLeakReport } from '../../src/shared/report-schema.js';
import { asFixtureReport, listenerLeakReport, type LeakReportJson } from '../helpers/leak-reports.js';
import { startHost, type Client, type Host } from './harness.js';

let host: Host;
let client: Client;
let leaky: LeakReportJson;
let fixed: LeakReportJson;

const WINDOW = 3;
const sender: IpcSender = { webContentsId: WINDOW, frameUrl: 'heapscope://app/index.html', topFrame: true };

beforeAll(async () => {
  [host, leaky, fixed] = await Promise.all([startHost(), listenerLeakReport(), listenerLeakReport(['^Widget$'])]);
  client = await host.connect();
});

afterAll(async () => {
  await host?.close();
});

function request(a: unknown[], b: unknown[]): UiRequest<'reports.compare'> {
  return {
    a: { label: 'before', reports: a.map((document, i) => ({ name: `before/${i}/heapscope-leaks.json`, document })) },
    b: { label: 'after', reports: b.map((document, i) => ({ name: `after/${i}/heapscope-leaks.json`, document })) },
  };
}

const ipc = () => createIpcHandlers({
  session: host.session,
  windowId: () => WINDOW,
  dialogs: { chooseSnapshots: async () => [], chooseExportPath: async () => undefined },
});

function answered<T>(r: BridgeResult<T>): T {
  if (!r.ok) throw new Error(`${r.error.name}: ${r.error.message}`);
  return r.response;
}

describe('reports.compare', () => {
  it('over the WebSocket and over IPC: the answer `heapscope compare` gives for the same reports', async () => {
    const t = (title: string, repeatEachIndex = 0) => ({ titlePath: ['app.spec.ts', title], repeatEachIndex });
    const a = [asFixtureReport(leaky, t('dialog')), asFixtureReport(leaky, t('menu'))];
    const b = [asFixtureReport(fixed, t('dialog')), asFixtureReport(leaky, t('dialog', 1))];
    const expected = compareRuns(
      { label: 'before', reports: a.map((d) => validateLeakReport(d, 'a')) },
      { label: 'after', reports: b.map((d) => validateLeakReport(d, 'b')) },
    );
    expect(expected.counts).toEqual({ fixed: 0, new: 0, persists: 4 }); // repeat 1 of B still leaks the Widgets
    expect(expected.tests.onlyInA.map((x) => x.test)).toEqual(['chromium › app.spec.ts › menu']);

    // What the dashboard sends: the documents trimmed of what compare does not read.
    const req = request(a.map(slimReport), b.map(slimReport));
    expect(await client.call('reports.compare', req)).toEqual(expected);
    expect(answered(await ipc().call(sender, 'reports.compare', req))).toEqual(expected);
  });

  it('a bad document is refused naming the file and the JSON path, as the CLI refuses it', async () => {
    const bad = structuredClone(leaky);
    (bad.leaks[1] as unknown as Record<string, unknown>).count = 'many';
    const r = await client.raw('reports.compare', request([leaky], [bad]));
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error).toEqual({
      name: 'ReportFormatError',
      message: 'after/0/heapscope-leaks.json: not a leak report: $.leaks[1].count: expected number, received string',
      exitCode: 5,
      file: 'after/0/heapscope-leaks.json',
      field: '$.leaks[1].count',
    });
    const viaIpc = await ipc().call(sender, 'reports.compare', request([leaky], [bad]));
    expect(viaIpc).toEqual({ ok: false, error: r.error });
  });

  it('the request itself is checked first: strict keys, a run needs a report', async () => {
    const cases: Array<[unknown, string]> = [
      [{ a: request([leaky], []).a }, 'b'],
      [{ ...request([leaky], [leaky]), c: 1 }, 'c'],
      [request([leaky], []), 'b.reports'],
      [{ a: { label: '', reports: [{ name: 'x', document: leaky }] }, b: request([], [leaky]).b }, 'a.label'],
    ];
    for (const [req, field] of cases) {
      const r = await client.raw('reports.compare', req);
      expect(r.ok, field).toBe(false);
      if (!r.ok) expect(r.error).toMatchObject({ name: 'RequestError', field });
    }
  });

  it(`a request over ${MAX_COMPARE_REQUEST_BYTES} bytes: IPC refuses it by name, the WebSocket closes (1009)`, async () => {
    // Many copies of the full report (ids and retainer paths kept): well over the limit.
    const copies = Math.ceil(MAX_COMPARE_REQUEST_BYTES / JSON.stringify(leaky).length) + 1;
    const big = request(Array.from({ length: copies }, () => leaky), [leaky]);
    expect(JSON.stringify(big).length).toBeGreaterThan(MAX_COMPARE_REQUEST_BYTES);

    const r = await ipc().call(sender, 'reports.compare', big);
    expect(r).toMatchObject({ ok: false, error: { name: 'RequestError', message: `request: larger than ${MAX_COMPARE_REQUEST_BYTES} bytes` } });

    const ws = await host.connect();
    ws.ws.send(JSON.stringify({ type: 'call', callId: 1, channel: 'reports.compare', request: big }));
    expect(await ws.closed).toBe(1009);
    // The same reports trimmed as the dashboard trims them fit.
    const slim = request(Array.from({ length: copies }, () => slimReport(leaky)), [slimReport(leaky)]);
    expect(JSON.stringify(slim).length).toBeLessThan(MAX_COMPARE_REQUEST_BYTES);
    expect((await client.call('reports.compare', slim)).counts.persists).toBe(leaky.leaks.length);
  });
});
