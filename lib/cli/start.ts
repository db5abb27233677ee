/**
 * `natlab start` (behind `npm start`): the article on this machine. With root and the twin's
 * tools it runs the local twin on the seed, prints the result and writes it as an HTML page; without them it says exactly what is missing and shows the model's prediction.
 */
import type { Command } from 'commander';
import { action, printJson, writeStdout } from './common';

interface StartCliOptions {
  json?: boolean;
}

/** Registers `natlab start`. */
export function registerStart(program: Command): void {
  program
    .command('start')
    .description('run the seed scenario on the local twin (needs root; otherwise shows the model-only prediction and what is missing)')
    .option('--json', 'print the RunResult (or, without the twin, the PredictResult) as one JSON document')
    .action(
      action(async (opts: StartCliOptions) => {
        const { seedTopology } = await import('../sources');
        const { missingPrerequisites } = await import('../lab/prereq');
        const topology = seedTopology();
        const missing = missingPrerequisites();
        if (missing.length) {
          process.stderr.write(`natlab start: the local twin cannot run here; it needs ${missing.join('; and ')}.\n`);
          process.stderr.write('natlab start: showing the model-only prediction instead.\n');
          const { printPrediction } = await import('./predict');
          await printPrediction(topology, opts.json);
          return 0;
        }
        const { runLab } = await import('../lab/run');
        const { START_REPORT_FILE, writeLabReport } = await import('../lab/report-file');
        (await import('../files')).assertWritableTarget(START_REPORT_FILE, 'the HTML report');
        const { runLabInterruptibly } = await import('../lab/interrupt');
        const outcome = await runLabInterruptibly((controls) => runLab(topology, { progress: (m) => process.stderr.write(`natlab start: ${m}\n`), ...controls }));
        if (opts.json) printJson(outcome.result);
        else {
          const { renderLabText } = await import('../lab/render');
          writeStdout(renderLabText(outcome.result, outcome.comparisons, outcome.plan.prefix));
        }
        // The page is always written; with --json stdout holds only the document.
        const written = await writeLabReport(outcome.result);
        if (opts.json) process.stderr.write(`natlab start: HTML report: ${written}\n`);
        else writeStdout(`HTML report: ${written}\n`);
        return outcome.result.compare.ok ? 0 : 1;
      }),
    );
}
