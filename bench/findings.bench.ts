/**
 * `natlab findings` at scale: a generated VPC of 3 AZs x 4 subnets x 10 hosts (120 instances,
 * security groups referencing each other, a network ACL, a NAT gateway per AZ; 28,860 flows
 * with their replies). The goal is the whole command, as a user runs it, under a second; the
 * model alone and the walk of every flow (no host classes) are the figures behind it.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Benchmark, BenchmarkResult } from './index';
import { findings } from '../lib/model/findings';
import { renderFindings } from '../lib/report/findings';
import { topologyFromTemplates } from '../lib/sources/template';
import { largeVpcTemplate } from '../test/fixtures/templates/large-vpc';

const SHAPE = { azs: 3, hostsPerSubnet: 10 };
const CLI = join(__dirname, '..', 'dist', 'natlab.js');
const ROUNDS = 5;

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function ms(t0: bigint): number {
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

/** The model in this process, cold first (as one CLI run sees it), then warm. */
function inProcess(): BenchmarkResult[] {
  const topology = topologyFromTemplates([{ file: 'large.json', stack: 'large', template: largeVpcTemplate(SHAPE) as never }]);
  let t0 = process.hrtime.bigint();
  const first = findings(topology, { reasons: 'first-per-cause' });
  renderFindings(first);
  const cold = ms(t0);
  const warm: number[] = [];
  const json: number[] = [];
  const exhaustive: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    t0 = process.hrtime.bigint();
    renderFindings(findings(topology, { reasons: 'first-per-cause' }));
    warm.push(ms(t0));
    t0 = process.hrtime.bigint();
    JSON.stringify(findings(topology).flows);
    json.push(ms(t0));
  }
  for (let r = 0; r < 3; r++) {
    t0 = process.hrtime.bigint();
    findings(topology, { exhaustive: true });
    exhaustive.push(ms(t0));
  }
  const flows = first.flows.length;
  return [
    { name: 'findings.model.cold', value: Math.round(cold), unit: 'ms', note: `${topology.hosts.length} hosts, ${flows} flows, ${first.causes.length} causes; first run in this process, text report` },
    { name: 'findings.model.warm', value: Math.round(median(warm)), unit: 'ms', note: `median of ${ROUNDS}, text report (reasons of the first flow per cause only)` },
    { name: 'findings.model.json', value: Math.round(median(json)), unit: 'ms', note: `median of ${ROUNDS}, every flow's reason (each derived flow walked for it)` },
    { name: 'findings.model.exhaustive', value: Math.round(median(exhaustive)), unit: 'ms', note: 'median of 3, every flow walked (no host classes): the baseline' },
  ];
}

/** The command as a user runs it, on the template written to a file. */
function command(): BenchmarkResult[] {
  const dir = mkdtempSync(join(tmpdir(), 'natlab-bench-findings-'));
  try {
    const file = join(dir, 'large-vpc.template.json');
    writeFileSync(file, JSON.stringify(largeVpcTemplate(SHAPE)));
    const run = (extra: string[]): number => {
      const t0 = process.hrtime.bigint();
      const r = spawnSync(process.execPath, [CLI, 'findings', '--template', file, ...extra], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
      const took = ms(t0);
      if (r.status !== 1 || !r.stdout) throw new Error(`natlab findings exited ${r.status}: ${r.stderr}`);
      return took;
    };
    const text: number[] = [];
    const json: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      text.push(run([]));
      json.push(run(['--json']));
    }
    return [
      { name: 'findings.cli', value: Math.round(median(text)), unit: 'ms', note: `natlab findings --template (3 AZs x 4 subnets x 10 hosts), median of ${ROUNDS}; goal: under 1000 ms` },
      { name: 'findings.cli.json', value: Math.round(median(json)), unit: 'ms', note: `the same with --json (every flow with its reason), median of ${ROUNDS}` },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export const benchmarks: Benchmark[] = [
  { title: 'findings (model, 3 AZs x 4 subnets x 10 hosts)', run: inProcess },
  { title: 'findings (command)', run: command, skipReason: () => (existsSync(CLI) ? undefined : 'dist/natlab.js is not built (npm run build)') },
];
