/**
 * `--region` and `--profile` of `verify` and `--aws`, and the AWS SDK's Node-version notice:
 * bad values are one line and exit 2 before any AWS client exists, and nothing of the SDK's
 * own is printed before natlab's line. The CLI runs as a user runs it, with a HOME of its own
 * and the instance metadata service switched off, so nothing can reach AWS.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { profilesIn } from '../../lib/sources/private/aws-settings';

const ROOT = join(__dirname, '..', '..');
const TSX = pathToFileURL(join(ROOT, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;

let home: string;
beforeAll(() => {
  home = mkdtempSync(join(tmpdir(), 'natlab-aws-flags-'));
  mkdirSync(join(home, '.aws'));
  // A shared config as `aws configure` writes it: a default and one named profile.
  writeFileSync(join(home, '.aws', 'config'), '[default]\nregion = us-east-1\n\n[profile lab-admin]\nregion = eu-west-1\noutput = json\n');
  writeFileSync(join(home, '.aws', 'credentials'), '[ci]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n');
});
afterAll(() => rmSync(home, { recursive: true, force: true }));

function natlab(...args: string[]) {
  const env: NodeJS.ProcessEnv = {};
  // Only what a shell needs: no AWS_* variable of the machine leaks in.
  for (const key of ['PATH', 'LANG', 'TERM']) if (process.env[key] !== undefined) env[key] = process.env[key];
  Object.assign(env, { HOME: home, AWS_EC2_METADATA_DISABLED: 'true', NATLAB_DEBUG: '' });
  const r = spawnSync(process.execPath, ['--import', TSX, join(ROOT, 'bin', 'natlab.ts'), ...args], { encoding: 'utf8', env, cwd: home });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function expectOneLine(stderr: string, what: RegExp): void {
  expect(stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(stderr.trimEnd()).toMatch(what);
}

describe('--region and --profile', () => {
  it("verify --region '' is bad input, not an internal error", () => {
    const r = natlab('verify', '--region', '');
    expect(r.code).toBe(2);
    expectOneLine(r.stderr, /^natlab: --region is empty: give a region such as us-east-1/);
  }, 60_000);

  it('a region that is no region name is bad input, for verify and for the sources', () => {
    expectOneLine(natlab('verify', '--region', 'us east 1').stderr, /--region "us east 1" is not an AWS region name/);
    const r = natlab('predict', '--aws', '--region', 'Virginia');
    expect(r.code).toBe(2);
    expectOneLine(r.stderr, /^natlab: --region "Virginia" is not an AWS region name \(such as us-east-1\)$/);
    expect(natlab('predict', '--template', 'x.yaml', '--region', '').stderr).toMatch(/^natlab: --region is empty/);
  }, 90_000);

  it('verify --profile nope says there is no such profile, and lists the ones there are', () => {
    const r = natlab('verify', '--profile', 'nope', '--region', 'us-east-1');
    expect(r.code).toBe(2);
    expectOneLine(r.stderr, new RegExp(`^natlab: --profile nope: no such profile in ${join(home, '.aws', 'config')} or ${join(home, '.aws', 'credentials')} \\(profiles there: ci, default, lab-admin\\)$`));
    expect(natlab('predict', '--aws', '--profile', 'nope', '--region', 'us-east-1').stderr).toMatch(/^natlab: --profile nope: no such profile/);
  }, 90_000);

  it("--aws without credentials: natlab's one line and nothing of the SDK's before it", () => {
    const r = natlab('predict', '--aws', '--region', 'us-east-1');
    expect(r.code).toBe(2);
    expect(r.stderr).not.toMatch(/NodeVersionSupportWarning|Warning/);
    expectOneLine(r.stderr, /^natlab: --aws: no AWS credentials found/);
  }, 60_000);
});

describe('profilesIn', () => {
  it('reads profile names as the SDK does: [profile x] and [default] in config, [x] in credentials', () => {
    const config = '# mine\n[default]\nregion=us-east-1\n[profile  dev ]\n[sso-session corp]\nsso_region = us-east-1\n[profile prod] ; the real one\n';
    expect(profilesIn(config, true)).toEqual(['default', 'dev', 'prod']);
    expect(profilesIn('[default]\n[ci]\r\naws_access_key_id = x\n', false)).toEqual(['default', 'ci']);
  });
});
