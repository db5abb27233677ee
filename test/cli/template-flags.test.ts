/** The template flags as a user runs them: the built CLI, exit codes and one-line errors. */
import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const CLI = join(ROOT, 'dist', 'natlab.js');
const DIR = 'test/fixtures/templates/published';

function natlab(...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NATLAB_DEBUG: '' }, timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('natlab with --template, --parameter, --parameters and --aws-dump', () => {
  beforeAll(() => {
    execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'ignore' });
  }, 120_000);

  it('a condition on a parameter without default: one line naming it, exit 2; with --parameter the walk runs', () => {
    const bad = natlab('walk', '--template', `${DIR}/env-conditions.yaml`, '--from', 'app', '--to', '198.51.100.20:443');
    expect(bad.code).toBe(2);
    expect(bad.stdout).toBe('');
    expect(bad.stderr).toBe(`natlab: ${DIR}/env-conditions.yaml: Conditions.IsProduction: depends on parameter EnvironmentType, which has no default: pass --parameter EnvironmentType=VALUE (one of dev, prod)\n`);
    const good = natlab('walk', '--json', '--template', `${DIR}/env-conditions.yaml`, '--parameter', 'EnvironmentType=prod', '--from', 'app', '--to', '198.51.100.20:443');
    expect(good.code).toBe(0);
    expect(JSON.parse(good.stdout).verdict).toBe('delivered');
  });

  it('a host-bits rule CIDR: a note on stderr, the walk on stdout', () => {
    const r = natlab('walk', '--template', `${DIR}/training/a4l-vpc.yaml`, '--template', `${DIR}/training/a4l-app.yaml`, '--from', 'A4L-Bastion', '--to', '198.51.100.20:443');
    expect(r.code).toBe(0);
    expect(r.stderr).toBe(`natlab: note: ${DIR}/training/a4l-app.yaml: Resources.AppFromWebTier.Properties.CidrIp: "10.16.112.0/16" has host bits set; EC2 stores it as 10.16.0.0/16, and so does natlab\n`);
    expect(r.stdout).toContain('[delivered]');
  });

  it('an app template into the seed dump, parameters from a file', () => {
    const r = natlab('walk', '--json', '--template', `${DIR}/app-into-vpc.yaml`, '--aws-dump', 'test/fixtures/aws-dump/seed-lab', '--parameters', `${DIR}/app-into-vpc.parameters.json`, '--from', 'worker', '--to', '198.51.100.20:443');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).observedAtDestination.srcIp).toBe('3.224.9.52');
  });

  it.each([
    [['--scenario', 'scenarios/seed.json', '--parameter', 'A=b'], 'natlab: --parameter applies only to --template\n'],
    [['--template', `${DIR}/env-conditions.yaml`, '--parameters', 'nope.json'], 'natlab: nope.json: cannot read the parameters file (no such file)\n'],
    [['--template', '/dev/zero'], 'natlab: /dev/zero: cannot read the template (not a regular file)\n'],
  ])('%j: one line, exit 2', (args, stderr) => {
    const r = natlab('predict', ...args);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(stderr);
  });
});
