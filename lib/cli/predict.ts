/** `natlab predict`: walk every flow the topology defines and say what each destination sees. */
import type { Command } from 'commander';
import type { PredictResult, Topology } from '../model/types';
import { type TopologySourceOptions, action, addTopologyOptions, loadTopologyFrom, printJson, writeStdout } from './common';

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
      const result = await printPrediction(await loadTopologyFrom(opts), opts.json);
      const surprises = unexpectedOutcomes(result);
      for (const line of surprises) process.stderr.write(`natlab: ${line}\n`);
      return surprises.length ? 1 : 0;
    }),
  );
}

/** Predicts every flow of `topology` and prints it: one JSON document, or the text for people. */
export async function printPrediction(topology: Topology, json: boolean | undefined): Promise<PredictResult> {
  const { predict } = await import('../model/predict');
  const result = predict(topology);
  if (json) printJson(result);
  else {
    const { renderPrediction } = await import('../report/text');
    writeStdout(renderPrediction(result) + '\n');
  }
  return result;
}

/**
 * One sentence per flow whose walk ended otherwise than its `expect` (default delivered); a
 * dropped reply counts as dropped: the client never hears back.
 */
export function unexpectedOutcomes(result: PredictResult): string[] {
  return result.walks.flatMap((w, i) => {
    const expected = result.topology.flows[i]?.expect ?? 'delivered';
    const end = w.verdict === 'dropped' ? w.dropped : w.reply?.verdict === 'dropped' ? w.reply.dropped : null;
    const outcome = end ? 'dropped' : 'delivered';
    if (outcome === expected) return [];
    const reason = end && (end.reason.startsWith(end.component) ? end.reason : `${end.component}: ${end.reason}`);
    const where = end ? ` (${w.verdict === 'dropped' ? 'the request' : 'the reply'}: ${reason})` : '';
    return [`flow ${w.flow.name} was expected ${expected} but was ${outcome}${where}`];
  });
}
