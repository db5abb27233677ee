/** `natlab predict`: walk every flow the topology defines and say what each destination sees. */
import type { Command } from 'commander';
import { type TopologySourceOptions, action, addTopologyOptions, loadTopologyFrom, printJson } from './common';

interface PredictCliOptions extends TopologySourceOptions {
  json?: boolean;
}

/** Registers `natlab predict`. */
export function registerPredict(program: Command): void {
  const cmd = program
    .command('predict')
    .description('walk every flow of the topology (seed: both private clients and the direct client) and predict what the server sees')
    .option('--json', 'print the prediction as one JSON document');
  addTopologyOptions(cmd).action(
    action(async (opts: PredictCliOptions) => {
      const topology = await loadTopologyFrom(opts);
      const { predict } = await import('../model/predict');
      const result = predict(topology);
      if (opts.json) printJson(result);
      else {
        const { renderPrediction } = await import('../report/text');
        process.stdout.write(renderPrediction(result) + '\n');
      }
      const failed = result.walks.some((w) => w.verdict === 'dropped' || w.reply?.verdict === 'dropped');
      return failed ? 1 : 0;
    }),
  );
}
