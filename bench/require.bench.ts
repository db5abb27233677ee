/**
 * Require time of `natlab/constructs` (the compiled dist/lib/constructs.js, as a consumer loads
 * it) against `aws-cdk-lib/aws-ec2`, measured in one fresh Node process per run: first
 * aws-cdk-lib/aws-ec2, then the entry, then the first read of NatGatewayLab and NatProbe (which
 * loads the construct code and the parts of aws-cdk-lib it uses). Median of 7 runs.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Benchmark } from './index';

const root = join(__dirname, '..');
const ENTRY = join(root, 'dist/lib/constructs.js');
const RUNS = 7;

const SCRIPT = `
  const ms = (t) => Number(process.hrtime.bigint() - t) / 1e6;
  let t = process.hrtime.bigint(); require('aws-cdk-lib/aws-ec2'); const ec2 = ms(t);
  t = process.hrtime.bigint(); const entry = require(${JSON.stringify(ENTRY)}); const constructs = ms(t);
  t = process.hrtime.bigint(); void entry.NatGatewayLab; void entry.NatProbe; const firstUse = ms(t);
  console.log(JSON.stringify({ ec2, constructs, firstUse }));`;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

export const benchmarks: Benchmark[] = [
  {
    title: 'require: natlab/constructs vs aws-cdk-lib/aws-ec2',
    skipReason: () => (existsSync(ENTRY) ? undefined : 'dist/lib/constructs.js is not built (npm run build)'),
    run: () => {
      const runs = Array.from({ length: RUNS }, () => JSON.parse(execFileSync(process.execPath, ['-e', SCRIPT], { cwd: root, encoding: 'utf8' })) as Record<string, number>);
      const ec2 = median(runs.map((r) => r.ec2));
      const constructs = median(runs.map((r) => r.constructs));
      const firstUse = median(runs.map((r) => r.firstUse));
      return [
        { name: 'require.ec2', value: Number(ec2.toFixed(1)), unit: 'ms', note: "require('aws-cdk-lib/aws-ec2'), first in a fresh process" },
        { name: 'require.constructs', value: Number(constructs.toFixed(1)), unit: 'ms', note: `require('natlab/constructs') next, ${(constructs / ec2).toFixed(2)}x require.ec2 (goal: at most 3x)` },
        {
          name: 'require.constructs.first-use',
          value: Number(firstUse.toFixed(1)),
          unit: 'ms',
          note: `first read of NatGatewayLab and NatProbe: their code and the aws-cdk-lib parts they use; ${((constructs + firstUse) / ec2).toFixed(2)}x require.ec2 with the require`,
        },
      ];
    },
  },
];
