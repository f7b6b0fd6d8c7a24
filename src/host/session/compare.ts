import { compareRuns, type CompareDocument, type RunInput } from '../../analysis/compare-runs.js';
import type { CompareRunRequest, SessionApi } from '../../shared/contract.js';
import { validateLeakReport } from '../../shared/report-schema.js';

/**
 * `reports.compare`: the dashboard's two runs, each document validated as the CLI validates a
 * file (a bad one is a ReportFormatError naming the file the user picked and the JSON path), then
 * the one comparison the CLI runs too.
 */
export function compareReports(request: SessionApi['reports.compare']['request']): CompareDocument {
  return compareRuns(run(request.a), run(request.b));
}

function run(r: CompareRunRequest): RunInput {
  return { label: r.label, reports: r.reports.map((d) => validateLeakReport(d.document, d.name)) };
}
