/**
 * CDK figures: seconds to synthesize the lab stack against a stack holding only a bare
 * `ec2.Vpc` with one NAT Gateway (same process, after one warm-up of each, median of a few
 * alternating runs), and the sizes of the Lambda assets (probe, verifier) scripts/build.mjs ships.
 */
import { App, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Benchmark } from './index';
import { NatGatewayLabStack } from '../lib/construct/lab-stack';

const REPETITIONS = 3;

/** Seconds to build the construct tree and to emit the assembly (the prebuilt Lambda assets are copied and hashed). */
function timeSynth(build: (app: App) => void): { total: number; construct: number } {
  const outdir = mkdtempSync(join(tmpdir(), 'natlab-bench-'));
  try {
    const started = process.hrtime.bigint();
    const app = new App({ outdir });
    build(app);
    const built = process.hrtime.bigint();
    app.synth();
    const done = process.hrtime.bigint();
    return { total: Number(done - started) / 1e9, construct: Number(built - started) / 1e9 };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

const lab = (app: App): void => {
  new NatGatewayLabStack(app, 'NatGatewayLab');
};
const baseline = (app: App): void => {
  const stack = new Stack(app, 'Baseline');
  new ec2.Vpc(stack, 'Vpc', { maxAzs: 1, natGateways: 1 });
};

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

export const benchmarks: Benchmark[] = [
  {
    title: 'synth: lab stack vs a bare Vpc with one NAT Gateway',
    run: () => {
      timeSynth(lab);
      timeSynth(baseline);
      const labTimes: Array<{ total: number; construct: number }> = [];
      const baseTimes: number[] = [];
      for (let i = 0; i < REPETITIONS; i++) {
        labTimes.push(timeSynth(lab));
        baseTimes.push(timeSynth(baseline).total);
      }
      const labSeconds = median(labTimes.map((t) => t.total));
      const labConstruct = median(labTimes.map((t) => t.construct));
      const baseSeconds = median(baseTimes);
      return [
        { name: 'synth.lab', value: labSeconds, unit: 's', note: `goal: within 5x of synth.baseline; measured ${(labSeconds / baseSeconds).toFixed(2)}x` },
        { name: 'synth.lab.construct', value: labConstruct, unit: 's', note: 'building the tree (no bundling: the Lambda code is prebuilt)' },
        { name: 'synth.baseline', value: baseSeconds, unit: 's', note: 'ec2.Vpc, one AZ, one NAT Gateway' },
      ];
    },
  },
  {
    title: 'Lambda bundle sizes (probe, verifier)',
    skipReason: () => (existsSync(join(__dirname, '..', 'dist', 'assets', 'probe', 'index.js')) ? undefined : 'dist/assets is not built (npm run build)'),
    run: () => {
      // What scripts/build.mjs bundled (minified, Node 24, CommonJS, the AWS SDK v3 left out).
      const size = (name: string): number => statSync(join(__dirname, '..', 'dist', 'assets', name, 'index.js')).size;
      return [
        { name: 'probe.bundle', value: size('probe'), unit: 'bytes', note: 'goal: under 100 kB (the probe only; verify runs in the verifier)' },
        { name: 'verifier.bundle', value: size('verify'), unit: 'bytes', note: 'the model, the live-topology importer, the flow log analyzer; test ceiling 123,000' },
      ];
    },
  },
];
