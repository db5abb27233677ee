/**
 * What every command shares: the topology-source options of DESIGN.md section 4, JSON output,
 * and the error handling that turns a user's mistake into one line and an exit code.
 */
import { Command, Option } from 'commander';
import { InputError } from '../errors';
import { OutputClosedError } from '../files';
import type { Topology } from '../model/types';
import { flushStdout, isStdoutClosed, markStdoutClosed } from './output';
import type { TopologySourceOptions } from '../sources/options';

export type { TopologySourceOptions } from '../sources/options';

/** Adds --scenario, --template (repeatable), --aws-dump and --aws to a command. */
export function addTopologyOptions(cmd: Command): Command {
  return cmd
    .option('--scenario <file>', 'a scenario file (JSON or YAML)')
    .option('--template <file>', 'a CloudFormation template, JSON or YAML (repeatable)', collect, [])
    .option('--aws-dump <dir>', 'a folder of `aws ec2 describe-*` JSON outputs')
    .option('--aws', 'read the topology live from an AWS account')
    .addOption(new Option('--region <region>', 'AWS region (with --aws)'))
    .addOption(new Option('--profile <profile>', 'AWS profile (with --aws)'))
    .addOption(new Option('--vpc <id>', 'only this VPC (with --aws or --aws-dump)'))
    .option('--parameter <key=value>', 'a template parameter value, as `aws cloudformation deploy --parameter-overrides` (repeatable)', collect, [])
    .option('--parameters <file>', 'template parameter values: the JSON `aws cloudformation create-stack --parameters` takes');
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** Loads the topology the options name: at most one source, the built-in seed by default. */
export async function loadTopologyFrom(opts: TopologySourceOptions): Promise<Topology> {
  const { loadTopology } = await import('../sources');
  return loadTopology({ note: (message) => process.stderr.write(`natlab: note: ${message}\n`), ...opts });
}

export { printJson, writeStdout } from './output';

/** Runs a command action; turns errors into one line on stderr and the right exit code. */
export function action<A extends unknown[]>(fn: (...args: A) => Promise<number | void>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      const code = await fn(...args);
      await flushStdout();
      // A reader that went away (`| head`) ends the command quietly, whatever it found.
      process.exitCode = isStdoutClosed() ? 0 : (code ?? 0);
    } catch (err) {
      process.exitCode = reportError(err);
    }
  };
}

/** Writes an error as one line (a stack only with NATLAB_DEBUG=1) and returns the exit code. */
export function reportError(err: unknown): number {
  if (err instanceof OutputClosedError) {
    markStdoutClosed();
    return 0;
  }
  if (err instanceof InputError) {
    // One line, whatever a message quotes from the input (a JSON excerpt with its newlines).
    process.stderr.write(`natlab: ${err.message.replace(/\s*[\r\n]+\s*/g, ' ')}\n`);
    return err.exitCode;
  }
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(`natlab: internal error: ${message}\n`);
  if (process.env.NATLAB_DEBUG) process.stderr.write(`${(err as Error)?.stack ?? ''}\n`);
  else process.stderr.write('natlab: run again with NATLAB_DEBUG=1 for details\n');
  return 70;
}
