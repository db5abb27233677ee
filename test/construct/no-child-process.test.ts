/**
 * A consumer's synth of natlab's constructs starts no child process: the Lambda code and the
 * echo server were bundled when natlab was built (no esbuild, Docker or npx at synth). Every
 * child_process entry point is spied on before aws-cdk-lib or natlab load, and a NodejsFunction
 * (which does bundle at synth) shows that the spies see what they are meant to.
 */
import type * as ChildProcess from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const SPAWNERS = ['spawn', 'spawnSync', 'exec', 'execSync', 'execFile', 'execFileSync', 'fork'] as const;

// Spies first: aws-cdk-lib and natlab are required below, so even a destructured import sees them.
const childProcess = require('node:child_process') as typeof ChildProcess;
const calls: string[] = [];
for (const name of SPAWNERS) {
  const original = childProcess[name] as (...args: unknown[]) => unknown;
  jest.spyOn(childProcess, name).mockImplementation(((...args: unknown[]) => {
    calls.push(`${name} ${String(args[0])}`);
    return original.apply(childProcess, args);
  }) as never);
}

const cdk = require('aws-cdk-lib') as typeof import('aws-cdk-lib');
const ec2 = require('aws-cdk-lib/aws-ec2') as typeof import('aws-cdk-lib/aws-ec2');
const { NatGatewayLab } = require('../../lib/construct/nat-gateway-lab') as typeof import('../../lib/construct/nat-gateway-lab');
const { NatProbe } = require('../../lib/construct/nat-probe') as typeof import('../../lib/construct/nat-probe');

afterAll(() => jest.restoreAllMocks());

test('synthesizing a lab and a probe beside a team VPC spawns no child process', () => {
  calls.length = 0;
  const app = new cdk.App({ outdir: mkdtempSync(join(tmpdir(), 'natlab-nochild-')) });
  const stack = new cdk.Stack(app, 'Team');
  new NatGatewayLab(stack, 'Lab');
  const vpc = new ec2.Vpc(stack, 'TeamVpc', { maxAzs: 1, natGateways: 1 });
  new NatProbe(stack, 'Probe', { vpc, allowedSourceIps: ['198.51.100.7'] });
  const template = app.synth().getStackByName('Team').template;
  expect(Object.values(template.Resources as Record<string, { Type: string }>).filter((r) => r.Type === 'AWS::Lambda::Function')).toHaveLength(3);
  expect(calls).toEqual([]);
});

test('the spies see a NodejsFunction bundling at synth (the control)', () => {
  calls.length = 0;
  const { NodejsFunction } = require('aws-cdk-lib/aws-lambda-nodejs') as typeof import('aws-cdk-lib/aws-lambda-nodejs');
  const root = join(__dirname, '../..');
  const app = new cdk.App({ outdir: mkdtempSync(join(tmpdir(), 'natlab-nochild-')) });
  const stack = new cdk.Stack(app, 'Bundling');
  new NodejsFunction(stack, 'Fn', { entry: join(root, 'lambda/probe/index.ts'), projectRoot: root, depsLockFilePath: join(root, 'package-lock.json') });
  app.synth();
  expect(calls.length).toBeGreaterThan(0);
});
