/**
 * `node dist/probe.js --host H --port P [--source-port N] [--count M] [--parallel] [--hold]
 * [--same-source-port] [--timeout MS] [--path P] [--source-address IP] [--json]`
 *
 * Prints one line per connection (a ProbeResult as JSON with `--json`, else a sentence).
 * Exit code 0 when every connection got the server's answer, 1 otherwise, 2 on bad flags.
 *
 * Source ports with `--count M` (M > 1): two live connections from the same local address and
 * port to the same destination cannot coexist (the 4-tuple would repeat), so by default
 * connection i binds `--source-port + i` (N, N+1, ...), or an ephemeral port when no
 * `--source-port` is given. `--same-source-port` makes every connection bind N exactly; that
 * only works sequentially (the server closes first, so the client keeps no TIME_WAIT), and in
 * `--parallel` the extra connections fail with a structured `bind` error.
 *
 * `--hold` opens all M connections at once and sends no request until every one is
 * established (or has failed), so all M translations sit in the NAT table together.
 */
import { parseArgs } from 'node:util';
import { probe, type ProbeResult } from './probe';

interface CliOptions {
  host: string;
  port: number;
  sourcePort?: number;
  sourceAddress?: string;
  count: number;
  parallel: boolean;
  hold: boolean;
  sameSourcePort: boolean;
  timeoutMs: number;
  path: string;
  json: boolean;
}

class UsageError extends Error {}

function integer(name: string, value: string | undefined, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < min || n > max) throw new UsageError(`--${name} ${value} must be an integer from ${min} to ${max}.`);
  return n;
}

export function parseCli(argv: string[]): CliOptions {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        host: { type: 'string' },
        port: { type: 'string' },
        'source-port': { type: 'string' },
        'source-address': { type: 'string' },
        count: { type: 'string' },
        parallel: { type: 'boolean' },
        hold: { type: 'boolean' },
        'same-source-port': { type: 'boolean' },
        timeout: { type: 'string' },
        path: { type: 'string' },
        json: { type: 'boolean' },
      },
      strict: true,
    }));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const host = values.host as string | undefined;
  if (!host) throw new UsageError('--host is required.');
  const port = integer('port', values.port as string | undefined, 1, 65535);
  if (port === undefined) throw new UsageError('--port is required.');
  const count = integer('count', values.count as string | undefined, 1, 1_000_000) ?? 1;
  const sourcePort = integer('source-port', values['source-port'] as string | undefined, 1, 65535);
  const sameSourcePort = values['same-source-port'] === true;
  if (sourcePort !== undefined && !sameSourcePort && sourcePort + count - 1 > 65535) {
    throw new UsageError(`--source-port ${sourcePort} with --count ${count} would go past port 65535.`);
  }
  if (sameSourcePort && sourcePort === undefined) throw new UsageError('--same-source-port needs --source-port.');
  return {
    host,
    port,
    sourcePort,
    sourceAddress: values['source-address'] as string | undefined,
    count,
    parallel: values.parallel === true || values.hold === true,
    hold: values.hold === true,
    sameSourcePort,
    timeoutMs: integer('timeout', values.timeout as string | undefined, 1, 3_600_000) ?? 5000,
    path: (values.path as string | undefined) ?? '/',
    json: values.json === true,
  };
}

/** The source port connection `index` binds, or undefined for an ephemeral one. */
export function sourcePortFor(options: Pick<CliOptions, 'sourcePort' | 'sameSourcePort'>, index: number): number | undefined {
  if (options.sourcePort === undefined) return undefined;
  return options.sameSourcePort ? options.sourcePort : options.sourcePort + index;
}

/** Resolves every waiter once `total` parties have either arrived or left. */
class Barrier {
  private settled = 0;
  private readonly waiters: Array<() => void> = [];
  constructor(private readonly total: number) {}
  arrive(): Promise<void> {
    const wait = new Promise<void>((resolve) => this.waiters.push(resolve));
    this.count();
    return wait;
  }
  leave(): void {
    this.count();
  }
  private count(): void {
    this.settled += 1;
    if (this.settled >= this.total) for (const wake of this.waiters.splice(0)) wake();
  }
}

export interface IndexedProbeResult extends ProbeResult {
  /** 0-based connection number within this run. */
  readonly index: number;
}

export async function runProbes(options: CliOptions, onResult: (r: IndexedProbeResult) => void): Promise<IndexedProbeResult[]> {
  const barrier = options.hold ? new Barrier(options.count) : undefined;
  const one = async (index: number): Promise<IndexedProbeResult> => {
    let arrived = false;
    const result = await probe({
      host: options.host,
      port: options.port,
      sourcePort: sourcePortFor(options, index),
      sourceAddress: options.sourceAddress,
      timeoutMs: options.timeoutMs,
      path: options.path,
      beforeRequest: barrier
        ? () => {
            arrived = true;
            return barrier.arrive();
          }
        : undefined,
    });
    if (barrier && !arrived) barrier.leave();
    const indexed = { index, ...result };
    onResult(indexed);
    return indexed;
  };
  if (options.parallel) return Promise.all(Array.from({ length: options.count }, (_, i) => one(i)));
  const results: IndexedProbeResult[] = [];
  for (let i = 0; i < options.count; i++) results.push(await one(i));
  return results;
}

export function describeResult(r: IndexedProbeResult): string {
  const from = r.local ? `${r.local.ip}:${r.local.port}` : '(not connected)';
  if (!r.ok || !r.serverSaw) return `#${r.index} ${from} -> ${r.target}: ${r.error?.kind ?? 'error'}: ${r.error?.message ?? ''}`;
  const kept = r.sourcePortKept === null ? '' : r.sourcePortKept ? ' (source port kept)' : ' (source port translated)';
  return `#${r.index} ${from} -> ${r.target}: server saw ${r.serverSaw.srcIp}:${r.serverSaw.srcPort}${kept} in ${r.durationMs} ms`;
}

async function main(): Promise<void> {
  let options: CliOptions;
  try {
    options = parseCli(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`probe: ${(err as Error).message}\n`);
    process.exit(2);
  }
  const results = await runProbes(options, (r) => {
    process.stdout.write((options.json ? JSON.stringify(r) : describeResult(r)) + '\n');
  });
  process.exitCode = results.every((r) => r.ok) ? 0 : 1;
}

if (require.main === module) void main();
