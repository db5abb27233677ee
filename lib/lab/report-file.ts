/** Writes the HTML report of a twin run (lib/report's renderer), atomically. */
import { writeFileAtomic } from '../files';
import type { RunResult } from '../model/types';

/** The file `natlab start` writes in the working directory. */
export const START_REPORT_FILE = 'natlab-lab-report.html';

/** Renders the run as one self-contained HTML page at `path` (`-`: stdout); returns the absolute path. */
export async function writeLabReport(result: RunResult, path = START_REPORT_FILE): Promise<string> {
  const { renderHtml } = await import('../report/html');
  return writeFileAtomic(path, renderHtml(result));
}
