/**
 * Leak report files the user picked or dropped, read in the page for `reports.compare`: parsed (a
 * syntax error names the file and byte offset, as the CLI does), picked out of a folder by name or
 * shape as `heapscope compare` does, and trimmed of what the comparison never reads so that a
 * run's reports fit the host's message limit. The shape itself is validated on the host.
 */
import { LEAK_REPORT_FILE, looksLikeLeakReport, parseJsonText, slimReport } from '../../src/shared/report-json.js';

/** What the page needs of a File (a real File fits; tests can pass plain objects). */
export interface ReportFileLike {
  /** For files from a folder: the path inside it (`test-results/app-x/heapscope-leaks.json`). */
  name: string;
  size: number;
  text(): Promise<string>;
}

export interface ReadReports {
  reports: { name: string; document: unknown }[];
  /** Files of a folder that are not leak reports (other JSON, or not JSON). */
  skipped: number;
}

/** Other JSON in a folder is read only to see whether it is a report: past this size it is not worth the memory. */
const MAX_OTHER_JSON_BYTES = 64 * 1024 * 1024;

/**
 * Picked files are each a report (a bad one is an error naming it). From a folder, only
 * heapscope-leaks.json files and JSON files shaped as a leak report count; other files are skipped.
 */
export async function readReportFiles(files: readonly ReportFileLike[], fromFolder: boolean): Promise<ReadReports> {
  const reports: ReadReports['reports'] = [];
  let skipped = 0;
  const sorted = [...files].sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0));
  for (const file of sorted) {
    const named = baseName(file.name) === LEAK_REPORT_FILE;
    if (!fromFolder || named) {
      reports.push({ name: file.name, document: slimReport(parseJsonText(await file.text(), file.name)) });
      continue;
    }
    if (!/\.json$/i.test(file.name) || file.size > MAX_OTHER_JSON_BYTES) {
      skipped++;
      continue;
    }
    let doc: unknown;
    try {
      doc = JSON.parse(await file.text());
    } catch {
      skipped++;
      continue;
    }
    if (looksLikeLeakReport(doc)) reports.push({ name: file.name, document: slimReport(doc) });
    else skipped++;
  }
  return { reports, skipped };
}

/** How a run is called: the file's name, the folder's, or a count. */
export function runLabel(files: readonly ReportFileLike[], fromFolder: boolean): string {
  if (files.length === 1 && !fromFolder) return files[0]!.name;
  if (fromFolder) {
    const tops = new Set(files.map((f) => f.name.replace(/^\/+/, '').split('/')[0] ?? ''));
    if (tops.size === 1) return `${[...tops][0]}/`;
  }
  return `${files.length} files`;
}

function baseName(name: string): string {
  return name.slice(name.lastIndexOf('/') + 1);
}
