import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';
import junitModule, { type Builder } from 'junit-report-builder';
import type { LeakAnalysis } from '../analysis/leaks.js';
import { formatPath } from '../analysis/paths.js';
import { FileIoError } from '../shared/errors.js';
import { formatBytes } from './format.js';

// The package is CommonJS (`module.exports = builder`) with a d.ts that says `export default`: under
// NodeNext the default import is module.exports itself, which the types call `.default`.
const junit = ((junitModule as unknown as { default?: Builder }).default ?? junitModule) as Builder;

export interface JunitInput {
  analysis: LeakAnalysis;
  pass: boolean;
  budgets: { maxLeakedBytes: number; maxLeakedObjects: number; ignoreClass: string[] };
  files: { baseline: string; target: string; final: string };
  seconds: number;
}

/**
 * Heap strings are attacker-controlled and may hold characters XML 1.0 cannot carry at all (control
 * characters, lone surrogates, U+FFFE/U+FFFF): those become U+FFFD before the builder escapes the
 * rest (&, <, >, quotes).
 */
export function xmlSafe(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\uFFFD');
}

/**
 * Text for a CDATA section: xmlbuilder 15 splits only the first `]]>` of a CDATA text
 * (XMLStringifier.cdata uses String.replace with a string), so a heap string with two would end
 * the section early. Every `]]>` becomes `]] >`.
 */
function cdataSafe(s: string): string {
  return xmlSafe(s).replace(/]]>/g, ']] >');
}

/**
 * A JUnit XML report (junit-report-builder) that CI systems display: one test suite, one test case
 * per leak cluster. When the check fails every cluster is a failure (together they are over
 * budget) whose message is the count, class, size and path; when it passes they are passing cases
 * with the same text on standard output, so a report still shows what was tolerated.
 */
export function junitXml(input: JunitInput): string {
  const { analysis: a, pass, budgets, files } = input;
  const builder = junit.newBuilder();
  const suite = builder.testSuite()
    .name(xmlSafe(`heapscope check: ${path.basename(files.final)}`))
    .time(input.seconds)
    .property('baseline', xmlSafe(files.baseline))
    .property('target', xmlSafe(files.target))
    .property('final', xmlSafe(files.final))
    .property('max-leaked-bytes', String(budgets.maxLeakedBytes))
    .property('max-leaked-objects', String(budgets.maxLeakedObjects))
    .property('leaked-objects', String(a.totalCount))
    .property('leaked-bytes', String(a.totalRetainedSize))
    .property('pass', String(pass));
  for (const re of budgets.ignoreClass) suite.property('ignore-class', xmlSafe(re));
  for (const c of a.leaks) {
    const summary = `${c.count} × ${c.name} (${formatBytes(c.retainedSize)} retained): ${c.path}`;
    const details = [
      summary,
      `example: ${formatPath(c.retainerPath)}`,
      `ids: ${c.ids.join(', ')}${c.count > c.ids.length ? `, … (${c.count - c.ids.length} more)` : ''}`,
    ].join('\n');
    const tc = suite.testCase().className('heapscope.leaks').name(xmlSafe(`${c.count} × ${c.name}: ${c.path}`));
    if (pass) tc.standardOutput(cdataSafe(details));
    else tc.failure(xmlSafe(summary), 'leak').stacktrace(cdataSafe(details));
  }
  return builder.build();
}

/** Writes `text` to `file` atomically: a temp file in the same folder, fsync, rename. Errors exit 5. */
export function writeFileAtomic(file: string, text: string): void {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  let fd: number | undefined;
  try {
    fd = openSync(tmp, 'w', 0o644);
    writeSync(fd, text);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(tmp, file);
  } catch (err) {
    if (fd !== undefined) try { closeSync(fd); } catch { /* already failing */ }
    rmSync(tmp, { force: true });
    throw new FileIoError(file, 'write', err);
  }
}
