/**
 * `natlab report`: the article's picture and tables for a walk, prediction or run, as a
 * self-contained HTML page and/or Markdown. Reads a `--json` file, or runs the prediction
 * (default) or the local twin (`--lab`) itself.
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { InputError } from '../errors';
import type { Topology } from '../model/types';
import type { ReportInput } from '../report/view';
import { type TopologySourceOptions, action, addTopologyOptions, loadTopologyFrom, printJson, writeStdout } from './common';
import { assertWritableTarget, fileErrorReason as reason, STDOUT_PATH, writeFileAtomic } from '../files';

interface ReportCliOptions extends TopologySourceOptions {
  html?: string;
  markdown?: string;
  lab?: boolean;
  json?: boolean;
}

/** One file the command wrote. */
export interface WrittenFile {
  /** html or markdown. */
  readonly format: 'html' | 'markdown';
  /** Absolute path. */
  readonly path: string;
}

export { writeFileAtomic };

/** Reads and recognises a `--json` result file. */
export async function readResultFile(file: string, topologyForWalk: () => Promise<Topology>): Promise<ReportInput> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new InputError(`cannot read ${file}: ${reason(err)}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (err) {
    throw new InputError(`${file} is not JSON (${(err as Error).message}); give the output of a natlab command run with --json`);
  }
  const { parseReportInput } = await import('../report/input');
  const isWalk = value !== null && typeof value === 'object' && !('kind' in value) && 'hops' in value;
  return parseReportInput(value, file, isWalk ? await topologyForWalk() : undefined);
}

async function runTwin(topology: Topology): Promise<ReportInput> {
  const { runLabInterruptibly } = await import('../lab/interrupt');
  const { runLab } = await import('../lab/run');
  const outcome = await runLabInterruptibly((controls) => runLab(topology, { progress: (m) => process.stderr.write(`natlab report: ${m}\n`), ...controls }));
  return outcome.result;
}

/** Refuses bad output targets before any work: empty names, a directory, two reports on stdout or stdout beside --json. */
function checkOutputTargets(opts: ReportCliOptions): void {
  const targets = [
    ['--html', opts.html],
    ['--markdown', opts.markdown],
  ] as const;
  for (const [flag, path] of targets) if (path !== undefined) assertWritableTarget(path, flag);
  const onStdout = targets.filter(([, path]) => path === STDOUT_PATH).map(([flag]) => flag);
  if (onStdout.length > 1) throw new InputError(`${onStdout.join(' and ')} both name - (stdout); write one of them to a file`);
  if (onStdout.length && opts.json) throw new InputError(`${onStdout[0]} - and --json both want stdout; write the report to a file`);
}

/**
 * A `natlab flowlogs --json` file gets its own report (who uses the NAT, port headroom,
 * translations); false for any other file.
 */
async function writeFlowLogsReport(file: string, opts: ReportCliOptions): Promise<boolean> {
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return false; // readResultFile says what is wrong with it
  }
  const fl = await import('../report/flowlogs');
  if (!fl.isFlowLogsResult(value)) return false;
  const parsed = fl.parseFlowLogsReport(value, file);
  const wanted: { format: WrittenFile['format']; path: string; content: string }[] = [];
  if (opts.html) wanted.push({ format: 'html', path: opts.html, content: fl.renderFlowLogsHtml(parsed) });
  const markdown = fl.renderFlowLogsMarkdown(parsed);
  if (opts.markdown) wanted.push({ format: 'markdown', path: opts.markdown, content: markdown });
  const { writeFilesAtomic } = await import('../files');
  const paths = writeFilesAtomic(wanted);
  const files: WrittenFile[] = wanted.map((w, i) => ({ format: w.format, path: paths[i] }));
  if (opts.json) printJson({ kind: 'report', input: 'flowlogs', files, ...(files.length === 0 ? { markdown } : {}) });
  else if (files.length === 0) writeStdout(markdown);
  else for (const f of files) if (f.path !== STDOUT_PATH) writeStdout(`${f.format === 'html' ? 'HTML' : 'Markdown'} report: ${f.path}\n`);
  return true;
}

/** Registers `natlab report`. */
export function registerReport(program: Command): void {
  const cmd = program
    .command('report')
    .description('draw the article\'s diagram and tables for a walk, prediction or run: a self-contained HTML page and/or Markdown with a Mermaid sequence diagram')
    .argument('[result]', 'a file holding the --json output of natlab walk, predict, lab or verify')
    .option('--html <file>', 'write the HTML page (inline SVG and CSS, no network at view time); - for stdout')
    .option('--markdown <file>', 'write Markdown (tables and a Mermaid sequenceDiagram per walk); - for stdout')
    .option('--lab', 'run the local twin on the topology first (needs root) and report its result')
    .option('--json', 'print what was written as one JSON document');
  addTopologyOptions(cmd).action(
    action(async (result: string | undefined, opts: ReportCliOptions) => {
      if (result && opts.lab) throw new InputError('give either a result file or --lab, not both');
      checkOutputTargets(opts);
      if (result && (await writeFlowLogsReport(result, opts))) return 0;
      let input: ReportInput;
      if (result) input = await readResultFile(result, () => loadTopologyFrom(opts));
      else {
        const topology = await loadTopologyFrom(opts);
        if (opts.lab) input = await runTwin(topology);
        else {
          const { predict } = await import('../model/predict');
          input = predict(topology);
        }
      }
      // Render everything before writing anything: a rendering error leaves no files.
      const { renderHtml, renderMarkdown } = await import('../report');
      const html = opts.html !== undefined ? renderHtml(input) : undefined;
      const markdown = opts.markdown !== undefined || opts.html === undefined ? renderMarkdown(input) : undefined;
      // All targets are checked and written to temporary files before any is renamed into place:
      // one bad path leaves none of the reports behind.
      const wanted: { format: WrittenFile['format']; path: string; content: string; flag: string }[] = [];
      if (opts.html !== undefined && html !== undefined) wanted.push({ format: 'html', path: opts.html, content: html, flag: '--html' });
      if (opts.markdown !== undefined && markdown !== undefined) wanted.push({ format: 'markdown', path: opts.markdown, content: markdown, flag: '--markdown' });
      const { writeFilesAtomic } = await import('../files');
      const paths = writeFilesAtomic(wanted);
      const files: WrittenFile[] = wanted.map((w, i) => ({ format: w.format, path: paths[i] }));
      if (opts.json) printJson({ kind: 'report', input: input.kind, topology: input.topology.name, files, ...(files.length === 0 ? { markdown } : {}) });
      else if (files.length === 0) writeStdout(markdown ?? '');
      // A report written to stdout (`-`) is the output itself: no line about it.
      else for (const f of files) if (f.path !== STDOUT_PATH) writeStdout(`${f.format === 'html' ? 'HTML' : 'Markdown'} report: ${f.path}\n`);
      return 0;
    }),
  );
}
