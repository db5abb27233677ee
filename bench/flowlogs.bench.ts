/**
 * `natlab flowlogs` on a busy NAT's day: a generated flow log file (lab format, header line,
 * time-ordered; 300,000 lines by default, NATLAB_FLOWLOGS_BENCH_LINES=10000000 for a full
 * day), read, classified and paired in time batches with the lists streamed to a counting
 * sink as `--json` streams them (`flowlogs.records`, records per second) beside a bare
 * node:readline line split of the same file (`flowlogs.linesplit`), each in its own child
 * process so that its peak RSS is its own. Goals: within 3x of the line split, under 256 MB.
 *
 * Run as a child (NATLAB_FLOWLOGS_CHILD=records|linesplit), this file measures one side and
 * prints one JSON line.
 */
import { spawnSync } from 'node:child_process';
import { createReadStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import type { Benchmark, BenchmarkResult } from './index';

const LINES = Number(process.env.NATLAB_FLOWLOGS_BENCH_LINES ?? 300_000);

interface ChildFigures {
  readonly lines: number;
  readonly wallMs: number;
  readonly cpuMs: number;
  readonly peakRssMb: number;
  readonly confidence?: Record<string, number>;
  readonly unsolicited?: number;
  readonly unmatched?: number;
}

async function measure(mode: string, file: string): Promise<ChildFigures> {
  // Load the module before the clock starts: tsx compiling TypeScript is no part of the figure.
  const { analyzeFlowLogFile } = await import('../lib/observe/flowlogs');
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  let lines = 0;
  let extra: Partial<ChildFigures> = {};
  if (mode === 'linesplit') {
    const rl = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
    rl.on('line', () => lines++);
    await new Promise((done) => rl.on('close', done));
  } else {
    // The lists go where --json sends them (out of memory); here they are only counted.
    const sink = { onTranslation: (): void => undefined, onUnsolicited: (): void => undefined, onUnmatched: (): void => undefined };
    const result = await analyzeFlowLogFile(file, { sink });
    lines = result.records;
    const t = result.totals;
    extra = { confidence: { certain: t.certain, likely: t.likely, ambiguous: t.ambiguous }, unsolicited: t.unsolicited, unmatched: t.unmatched };
  }
  const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
  const cpu = process.cpuUsage(cpu0);
  return { lines, wallMs, cpuMs: (cpu.user + cpu.system) / 1000, peakRssMb: process.resourceUsage().maxRSS / 1024, ...extra };
}

function child(mode: 'records' | 'linesplit', file: string): ChildFigures {
  const root = resolve(__dirname, '..');
  const r = spawnSync(process.execPath, ['--import', 'tsx', __filename], {
    cwd: root,
    env: { ...process.env, NATLAB_FLOWLOGS_CHILD: mode, NATLAB_FLOWLOGS_FILE: file },
    encoding: 'utf8',
    maxBuffer: 1 << 20,
  });
  if (r.status !== 0) throw new Error(`flowlogs bench child (${mode}) failed: ${r.stderr.trim().split('\n').pop()}`);
  return JSON.parse(r.stdout.trim().split('\n').pop() as string) as ChildFigures;
}

const perSecond = (f: ChildFigures): number => Math.round(f.lines / (f.wallMs / 1000));

export const benchmarks: Benchmark[] = [
  {
    title: `flowlogs: a busy NAT's day (${LINES.toLocaleString('en')} lines)`,
    run: async (): Promise<BenchmarkResult[]> => {
      const { writeBusyNatDay } = await import('../test/fixtures/flowlogs/generate');
      const dir = mkdtempSync(join(tmpdir(), 'natlab-flowlogs-bench-'));
      try {
        const file = join(dir, 'nat-day.log');
        const day = await writeBusyNatDay(file, LINES);
        const split = child('linesplit', file);
        const records = child('records', file);
        const c = records.confidence ?? {};
        return [
          {
            name: 'flowlogs.records',
            value: perSecond(records),
            unit: 'records/s',
            note: `${(records.wallMs / 1000).toFixed(1)} s wall, ${(records.cpuMs / 1000).toFixed(1)} s CPU for ${records.lines} records (${day.connections} connections, ${day.scans} scans): ${c.certain} certain, ${c.likely} likely, ${c.ambiguous} ambiguous, ${records.unsolicited} unsolicited, ${records.unmatched} unmatched`,
          },
          {
            name: 'flowlogs.linesplit',
            value: perSecond(split),
            unit: 'lines/s',
            note: `bare node:readline split of the same file: ${(split.wallMs / 1000).toFixed(1)} s wall, ${(split.cpuMs / 1000).toFixed(1)} s CPU`,
          },
          { name: 'flowlogs.records.cpuRatio', value: Math.round((records.cpuMs / split.cpuMs) * 10) / 10, unit: 'x', note: 'CPU time of flowlogs.records over flowlogs.linesplit (goal: 3 or less)' },
          { name: 'flowlogs.records.peakRss', value: Math.round(records.peakRssMb), unit: 'MB', note: 'child process: read + classify + pair in time batches (goal: under 256)' },
          { name: 'flowlogs.linesplit.peakRss', value: Math.round(split.peakRssMb), unit: 'MB', note: 'child process: line split only' },
        ];
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  },
];

if (process.env.NATLAB_FLOWLOGS_CHILD) {
  measure(process.env.NATLAB_FLOWLOGS_CHILD, process.env.NATLAB_FLOWLOGS_FILE as string).then(
    (f) => process.stdout.write(JSON.stringify(f) + '\n'),
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
