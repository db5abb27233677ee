/** Writes the HTML report of a twin run (lib/report's renderer), atomically. */
import { renameSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { RunResult } from '../model/types';

/** The file `natlab start` writes in the working directory. */
export const START_REPORT_FILE = 'natlab-lab-report.html';

/** Renders the run as one self-contained HTML page at `path`; returns the absolute path. */
export async function writeLabReport(result: RunResult, path = START_REPORT_FILE): Promise<string> {
  const { renderHtml } = await import('../report/html');
  const target = resolve(path);
  const temp = `${target}.${process.pid}.tmp`;
  writeFileSync(temp, renderHtml(result));
  renameSync(temp, target);
  return target;
}
