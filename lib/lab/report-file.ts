/**
 * Writes the HTML report of a twin run next to where natlab runs, once the report renderer
 * exists (`lib/report/html.ts`); until then the text result is all there is.
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { RunResult } from '../model/types';

/** Writes `natlab-lab-report.html` in the working directory; returns its path, or null. */
export async function writeLabReport(result: RunResult, dir = process.cwd()): Promise<string | null> {
  const render = await loadHtmlRenderer();
  if (!render) return null;
  const path = resolve(dir, 'natlab-lab-report.html');
  writeFileSync(path, render(result));
  return path;
}

async function loadHtmlRenderer(): Promise<((result: RunResult) => string) | null> {
  return null;
}
