/**
 * natlab as another team installs it: `npm pack` of a fresh build, then apps laid out by
 * `cdk init app --language typescript` and `--language javascript` (natlab's own aws-cdk CLI,
 * `--generate-only`), with natlab's tarball and cdk-nag added to their package.json. The
 * TypeScript app runs on the newest aws-cdk-lib 2.x that `cdk init` asks for and then on
 * natlab's peer floor; each time its own `tsc` and an offline `cdk synth --no-notices` (no env,
 * no credentials, telemetry off) must pass, one aws-cdk-lib copy must be installed, and
 * cdk-nag's AwsSolutions pack must really evaluate natlab's resources. The apps' bin files are
 * README.md's examples (the ```ts and ```js blocks of "Use natlab in your own CDK app").
 *
 * Network: only the npm registry (installs go through npm's shared cache, ~/.npm by default).
 * natlab is built in a copy of its sources, so the repository's dist/ (which other tests read)
 * is never rebuilt under them.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(__dirname, '../..');
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  peerDependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};
/** The oldest versions natlab declares it works with ("^2.257.0" -> "2.257.0"). */
const FLOOR = {
  'aws-cdk-lib': manifest.peerDependencies['aws-cdk-lib'].replace(/^\^/, ''),
  constructs: manifest.peerDependencies.constructs.replace(/^\^/, ''),
};
const CDK_CLI = join(root, 'node_modules', 'aws-cdk', 'bin', 'cdk');
const MINUTES = 60_000;
// Installs, tsc and synth of whole apps: minutes each on a busy two-core machine.
jest.setTimeout(10 * MINUTES);

/** Child processes see no AWS credentials or region, and the CDK CLI sends no telemetry. */
function env(): NodeJS.ProcessEnv {
  const e: NodeJS.ProcessEnv = { ...process.env, CDK_DISABLE_CLI_TELEMETRY: 'true', CI: 'true' };
  for (const key of Object.keys(e)) if (key.startsWith('AWS_') || key.startsWith('CDK_DEFAULT_') || key.startsWith('npm_')) delete e[key];
  return e;
}

/** Runs a command; fails the test with its output when it exits non-zero. */
function run(cwd: string, command: string, args: string[], timeout = 5 * MINUTES): string {
  const result = spawnSync(command, args, { cwd, env: env(), encoding: 'utf8', timeout });
  const output = `${result.stdout ?? ''}${result.stderr ?? ''}`;
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} (in ${cwd}) exited ${result.status ?? result.signal}:\n${output.slice(-4000)}`);
  return output;
}

/** The fenced blocks of one language in README.md's section on using natlab in a CDK app. */
function readmeBlocks(language: 'ts' | 'js'): string[] {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const start = readme.indexOf('### Use natlab in your own CDK app');
  if (start < 0) throw new Error('README.md has no section "Use natlab in your own CDK app"');
  // Up to the next heading (a `#!` line inside a code block is not one).
  const next = /\n#{1,3} /.exec(readme.slice(start + 10));
  const section = readme.slice(start, next ? start + 10 + next.index : undefined);
  return [...section.matchAll(new RegExp('```' + language + '\\n([\\s\\S]*?)```', 'g'))].map((m) => m[1]);
}

/** Every installed aws-cdk-lib under an app's node_modules (nested copies included). */
function awsCdkLibCopies(app: string): string[] {
  const found: string[] = [];
  const visit = (modules: string, depth: number): void => {
    if (depth > 6 || !existsSync(modules)) return;
    for (const name of readdirSync(modules)) {
      if (name.startsWith('.')) continue;
      const packages = name.startsWith('@') ? readdirSync(join(modules, name)).map((n) => join(name, n)) : [name];
      for (const pkg of packages) {
        const dir = join(modules, pkg);
        if (pkg === 'aws-cdk-lib') found.push(dir);
        // aws-cdk-lib bundles its own dependencies; they cannot hold another aws-cdk-lib.
        else visit(join(dir, 'node_modules'), depth + 1);
      }
    }
  };
  visit(join(app, 'node_modules'), 0);
  return found;
}

/**
 * cdk-nag over natlab's constructs with every acknowledgment set aside, run in the app: findings
 * on natlab's own resources prove the pack's rules recognise them (with a second aws-cdk-lib
 * copy they would be N/A, unchecked). natlab's acknowledgments are read under the metadata key
 * at check time, so moving the key after the tree is built hides them from cdk-nag.
 */
const NAG_EVIDENCE = `
const { App, Stack, Validations } = require('aws-cdk-lib');
const ec2 = require('aws-cdk-lib/aws-ec2');
const { AwsSolutionsChecks } = require('cdk-nag');
const { NatGatewayLab, NatProbe } = require('natlab/constructs');
const app = new App();
const stack = new Stack(app, 'Evidence');
new NatGatewayLab(stack, 'Lab');
const vpc = new ec2.Vpc(stack, 'TeamVpc', { maxAzs: 1, natGateways: 1 });
new NatProbe(stack, 'Probe', { vpc, allowedSourceIps: ['198.51.100.7'] });
Validations.ACKNOWLEDGED_RULES_METADATA_KEY = 'nag-evidence:acknowledgments-set-aside';
const report = new AwsSolutionsChecks().validateScope(app);
console.log(JSON.stringify(report.violations.flatMap((v) => v.violatingResources.map((r) => v.ruleName + ' ' + r.constructPath))));
`;

/**
 * `cdk init` for `language` into work/name, then natlab's tarball and cdk-nag as the team adds
 * them, and (for the floor) aws-cdk-lib and constructs at the given versions.
 */
function initApp(work: string, name: string, language: 'typescript' | 'javascript', tarball: string, versions?: Record<string, string>): string {
  const app = join(work, name);
  mkdirSync(app);
  run(app, process.execPath, [CDK_CLI, 'init', 'app', '--language', language, '--generate-only']);
  const pkg = JSON.parse(readFileSync(join(app, 'package.json'), 'utf8'));
  pkg.dependencies.natlab = `file:${tarball}`;
  pkg.devDependencies['cdk-nag'] = manifest.devDependencies['cdk-nag'];
  Object.assign(pkg.dependencies, versions ?? {});
  writeFileSync(join(app, 'package.json'), JSON.stringify(pkg, null, 2) + '\n');
  writeFileSync(join(app, 'nag-evidence.js'), NAG_EVIDENCE);
  return app;
}

function npmInstall(app: string): void {
  run(app, 'npm', ['install', '--no-audit', '--no-fund', '--prefer-offline'], 10 * MINUTES);
}

type Template = { Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>; Outputs?: Record<string, unknown> };

function template(app: string, stack: string): Template {
  return JSON.parse(readFileSync(join(app, 'cdk.out', `${stack}.template.json`), 'utf8')) as Template;
}

function ofType(t: Template, type: string): Array<Record<string, unknown>> {
  return Object.values(t.Resources)
    .filter((r) => r.Type === type)
    .map((r) => r.Properties);
}

/** `cdk synth` the way the app's cdk.json says (TypeScript: `npx tsc && npx tsx bin/...`), offline. */
function synth(app: string): void {
  rmSync(join(app, 'cdk.out'), { recursive: true, force: true });
  run(app, 'npx', ['cdk', 'synth', '--no-notices', '--quiet']);
  const report = join(app, 'cdk.out', 'policy-validation-report.json');
  if (existsSync(report)) expect(JSON.parse(readFileSync(report, 'utf8')).pluginReports).toEqual([]);
}

function expectNagEvaluatesNatlab(app: string): void {
  const findings = JSON.parse(run(app, process.execPath, ['nag-evidence.js'])) as string[];
  // The lab's client instance, the probe's role and the echo server's security group: natlab's own L1 resources.
  expect(findings).toContain('AwsSolutions-EC28 Evidence/Lab/Client1/Resource');
  expect(findings).toContainEqual(expect.stringMatching(/^AwsSolutions-IAM4\[Policy::.*AWSLambdaVPCAccessExecutionRole\] Evidence\/Probe\/Probe\/ServiceRole\/Resource$/));
  expect(findings).toContainEqual(expect.stringMatching(/^AwsSolutions-IAM4\[Policy::.*AmazonSSMManagedInstanceCore\] Evidence\/Probe\/ServerRole\/Resource$/));
}

function installedVersion(app: string, pkg: string): string {
  return (JSON.parse(readFileSync(join(app, 'node_modules', pkg, 'package.json'), 'utf8')) as { version: string }).version;
}

let work: string;
let tarball: string;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'natlab-consumer-'));
  // natlab's sources copied, node_modules linked: the build and the pack happen there.
  const src = join(work, 'natlab');
  for (const entry of ['package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json', 'README.md', 'LICENSE', 'scripts', 'lib', 'lambda', 'bin', 'scenarios']) {
    cpSync(join(root, entry), join(src, entry), { recursive: true });
  }
  symlinkSync(join(root, 'node_modules'), join(src, 'node_modules'));
  run(src, process.execPath, ['scripts/build.mjs']);
  run(src, 'npm', ['pack', '--ignore-scripts', '--pack-destination', work]);
  tarball = join(work, readdirSync(work).find((f) => f.endsWith('.tgz'))!);
}, 15 * MINUTES);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('the package', () => {
  it('holds compiled JavaScript, declarations and the prebuilt assets, and no sources, tests, benches or maps', () => {
    const files = run(work, 'tar', ['-tzf', tarball]).trim().split('\n').map((f) => f.replace(/^package\//, ''));
    expect(files).toEqual(
      expect.arrayContaining([
        'package.json',
        'README.md',
        'LICENSE',
        'dist/natlab.js',
        'dist/lib/constructs.js',
        'dist/lib/construct/index.d.ts',
        'dist/lib/construct/nat-gateway-lab.js',
        'dist/lib/index.js',
        'dist/lib/index.d.ts',
        'dist/assets/probe/index.js',
        'dist/assets/verify/index.js',
        'dist/assets/echo-server.js',
        'dist/scenarios/seed.json',
      ]),
    );
    expect(files.filter((f) => /(^|\/)(test|tests|bench|fixtures|__snapshots__)\//.test(f) || f.endsWith('.map') || (f.endsWith('.ts') && !f.endsWith('.d.ts')))).toEqual([]);
    expect(files.filter((f) => f.startsWith('dist/meta/'))).toEqual([]);
    const packed = JSON.parse(run(work, 'tar', ['-xzOf', tarball, 'package/package.json'])) as Record<string, Record<string, string>>;
    for (const pkg of ['aws-cdk-lib', 'constructs', 'cdk-nag', 'esbuild']) expect(packed.dependencies[pkg]).toBeUndefined();
    expect(packed.peerDependencies).toEqual({ 'aws-cdk-lib': `^${FLOOR['aws-cdk-lib']}`, constructs: `^${FLOOR.constructs}` });
    // For the README's figures.
    process.stdout.write(`natlab tarball: ${statSync(tarball).size} bytes, ${files.length} files\n`);
  });
});

describe.each([
  ['the newest aws-cdk-lib 2.x', 'team-app', undefined],
  [`the peer floor, aws-cdk-lib ${FLOOR['aws-cdk-lib']} and constructs ${FLOOR.constructs}`, 'team-app-floor', FLOOR],
])('a TypeScript app from `cdk init app --language typescript` with %s', (_what, name, versions) => {
  let app: string;
  beforeAll(() => {
    // A fresh app per version: npm does not reliably swap aws-cdk-lib's bundled dependencies in place.
    app = initApp(work, name, 'typescript', tarball, versions);
    const [example] = readmeBlocks('ts');
    if (!example) throw new Error('README.md has no ```ts block in "Use natlab in your own CDK app"');
    writeFileSync(join(app, 'bin', `${name}.ts`), example);
    npmInstall(app);
  }, 15 * MINUTES);

  it('installs exactly one aws-cdk-lib, the app\'s own', () => {
    expect(awsCdkLibCopies(app)).toEqual([join(app, 'node_modules', 'aws-cdk-lib')]);
    const version = installedVersion(app, 'aws-cdk-lib');
    if (versions) expect(version).toBe(versions['aws-cdk-lib']);
    else expect(version.localeCompare(FLOOR['aws-cdk-lib'], undefined, { numeric: true })).toBe(1);
  });

  it("compiles with the app's own tsc and tsconfig", () => {
    run(app, 'npx', ['tsc']);
  });

  it('synthesizes offline: the lab stack, the probe beside the team VPC, both in one stack; cdk-nag passes', () => {
    synth(app);
    const lab = template(app, 'NatLab');
    expect(Object.keys(lab.Outputs ?? {})).toEqual(expect.arrayContaining(['NatlabLab', 'ProbeFunctionName', 'VerifierFunctionName']));
    const functions = ofType(lab, 'AWS::Lambda::Function');
    expect(functions).toHaveLength(2);
    for (const fn of functions) expect(fn).toMatchObject({ Handler: 'index.handler', Runtime: 'nodejs24.x', Code: { S3Key: expect.stringMatching(/^[0-9a-f]{64}\.zip$/) } });

    const team = template(app, 'TeamNetwork');
    const [probe] = ofType(team, 'AWS::Lambda::Function') as Array<{ VpcConfig: { SubnetIds: Array<{ Ref: string }> } }>;
    const privateSubnets = Object.entries(team.Resources)
      .filter(([id, r]) => r.Type === 'AWS::EC2::Subnet' && id.includes('Private'))
      .map(([id]) => ({ Ref: id }));
    expect(privateSubnets).toHaveLength(2);
    expect(probe.VpcConfig.SubnetIds).toEqual(privateSubnets);

    const sandbox = template(app, 'Sandbox');
    expect(Object.keys(sandbox.Outputs ?? {})).toEqual(expect.arrayContaining([expect.stringMatching(/^LabOutputNatlabLab[0-9A-F]{8}$/), expect.stringMatching(/^ProbeOutputProbeFunctionName[0-9A-F]{8}$/)]));
  });

  it("has cdk-nag's AwsSolutions rules evaluate natlab's resources", () => {
    expectNagEvaluatesNatlab(app);
  });
});

describe('a plain JavaScript app from `cdk init app --language javascript`', () => {
  let app: string;
  beforeAll(() => {
    app = initApp(work, 'team-js', 'javascript', tarball);
    const [example] = readmeBlocks('js');
    if (!example) throw new Error('README.md has no ```js block in "Use natlab in your own CDK app"');
    writeFileSync(join(app, 'bin', 'team-js.js'), example);
    npmInstall(app);
  }, 15 * MINUTES);

  it('installs one aws-cdk-lib and synthesizes the probe beside its VPC offline', () => {
    expect(awsCdkLibCopies(app)).toEqual([join(app, 'node_modules', 'aws-cdk-lib')]);
    synth(app);
    // The probe, beside the CDK's own handler that restricts the VPC's default security group.
    const probes = ofType(template(app, 'TeamNetwork'), 'AWS::Lambda::Function').filter((fn) => fn.Handler === 'index.handler');
    expect(probes).toEqual([expect.objectContaining({ Runtime: 'nodejs24.x', VpcConfig: expect.anything() })]);
  });

  it("has cdk-nag's AwsSolutions rules evaluate natlab's resources", () => {
    expectNagEvaluatesNatlab(app);
  });
});
