/**
 * `natlab lab`: build the local twin (network namespaces, the kernel's NAT), send the
 * scenario's flows for real, compare with the model, tear down. `--clients/--connections`
 * run the scale scenario instead; `--cleanup` removes what crashed runs left behind.
 */
import { Command, Option } from 'commander';
import { InputError } from '../errors';
import type { RunResult } from '../model/types';
import { type TopologySourceOptions, action, addTopologyOptions, loadTopologyFrom, printJson, writeStdout } from './common';

interface LabCliOptions extends TopologySourceOptions {
  json?: boolean;
  clients?: string;
  connections?: string;
  natPortRange?: string;
  timeout?: string;
  cleanup?: boolean;
  html?: string;
}

/** Parses "A-B" into a port range. */
export function parsePortRange(text: string): [number, number] {
  const m = /^(\d{1,5})-(\d{1,5})$/.exec(text);
  const range: [number, number] | undefined = m ? [Number(m[1]), Number(m[2])] : undefined;
  if (!range || range[0] < 1 || range[1] > 65535 || range[0] > range[1]) {
    throw new InputError(`--nat-port-range "${text}" must be two ports 1-65535 written A-B with A <= B, like 1024-65535`);
  }
  return range;
}

function positive(flag: string, text: string | undefined, max = Number.MAX_SAFE_INTEGER, unit = ''): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text) || Number(text) < 1) throw new InputError(`${flag} "${text}" must be a whole number of at least 1`);
  if (Number(text) > max) throw new InputError(`${flag} ${text} is more than ${max}${unit}`);
  return Number(text);
}

/**
 * The longest probe deadline: ten minutes per connection. Node's timers hold at most
 * 2^31-1 ms (about 24.8 days) and fire at once past that, so an unbounded value would not wait.
 */
export const MAX_TIMEOUT_MS = 600_000;

async function writeHtml(path: string | undefined, result: RunResult, say: boolean): Promise<void> {
  if (path === undefined) return;
  const { writeLabReport } = await import('../lab/report-file');
  const written = await writeLabReport(result, path);
  if (written === '-') return;
  if (say) writeStdout(`HTML report: ${written}\n`);
  else process.stderr.write(`natlab lab: HTML report: ${written}\n`);
}

/** Registers `natlab lab`. */
export function registerLab(program: Command): void {
  const cmd = program
    .command('lab')
    .description('build the local twin (Linux namespaces + nftables), send the flows for real, compare hop by hop with the model, tear down (needs root)')
    .option('--json', 'print the RunResult as one JSON document')
    .option('--clients <n>', 'scale run: this many clients beside the first NAT flow')
    .option('--connections <m>', 'scale run: connections per client, all open at once (source ports P..P+M-1 on every client)')
    .option('--nat-port-range <a-b>', "the twin NAT's source port range (the model uses the same)", '1024-65535')
    .option('--timeout <ms>', `probe deadline per connection, 1-${MAX_TIMEOUT_MS} (flows that die wait this long)`)
    .option('--html <file>', 'also write the result as a self-contained HTML page')
    .addOption(new Option('--cleanup', 'remove namespaces and processes left behind by crashed runs (never a run whose natlab is alive), then exit'));
  addTopologyOptions(cmd).action(
    action(async (opts: LabCliOptions) => {
      const { assertTwinPrerequisites } = await import('../lab/prereq');
      if (opts.cleanup) {
        assertTwinPrerequisites();
        const { cleanupLeftovers } = await import('../lab/apply');
        const { removed, live } = await cleanupLeftovers();
        if (opts.json) printJson({ removed, live });
        else {
          writeStdout(removed.length ? `removed ${removed.length} namespace(s): ${removed.join(', ')}\n` : 'nothing to clean up\n');
          if (live.length) writeStdout(`left alone (their natlab is still running): ${live.join(', ')}\n`);
        }
        return 0;
      }
      const natPortRange = parsePortRange(opts.natPortRange ?? '1024-65535');
      const clients = positive('--clients', opts.clients);
      const connections = positive('--connections', opts.connections);
      const timeoutMs = positive('--timeout', opts.timeout, MAX_TIMEOUT_MS, ' ms (10 minutes), the longest probe deadline');
      if (opts.html !== undefined) {
        (await import('../files')).assertWritableTarget(opts.html, '--html');
        if (opts.html === '-') throw new InputError('--html -: stdout holds the run\'s result; write the HTML page to a file');
      }
      const topology = await loadTopologyFrom(opts);
      assertTwinPrerequisites();
      const { runLabInterruptibly } = await import('../lab/interrupt');
      const progress = (m: string): void => {
        process.stderr.write(`natlab lab: ${m}\n`);
      };
      if (clients !== undefined || connections !== undefined) {
        const { runScale } = await import('../lab/scale');
        const outcome = await runLabInterruptibly((controls) => runScale(topology, { clients: clients ?? 1, connections: connections ?? 1, natPortRange, timeoutMs, progress, ...controls }));
        if (opts.json) printJson(outcome.result);
        else {
          const { renderScaleText } = await import('../lab/render');
          writeStdout(renderScaleText(outcome.result));
        }
        await writeHtml(opts.html, outcome.result, !opts.json);
        return outcome.result.compare.ok ? 0 : 1;
      }
      const { runLab } = await import('../lab/run');
      const outcome = await runLabInterruptibly((controls) => runLab(topology, { natPortRange, timeoutMs, progress, ...controls }));
      if (opts.json) printJson(outcome.result);
      else {
        const { renderLabText } = await import('../lab/render');
        writeStdout(renderLabText(outcome.result, outcome.comparisons, outcome.plan.prefix));
      }
      await writeHtml(opts.html, outcome.result, !opts.json);
      return outcome.result.compare.ok ? 0 : 1;
    }),
  );
}
