/**
 * Generated command lines, run as a user runs them (a child process): whatever the arguments,
 * natlab exits 0, 1 or 2, never prints a stack trace, and a bad input (exit 2) is one line.
 * Spawning costs a second or two each, so this property tries a bounded sample: 10 by
 * default, FUZZ_RUNS / 50 (at most FUZZ_RUNS) under `npm run fuzz`. Commands that would build
 * the twin or reach AWS (lab, start) are left out; verify runs with no credentials, no
 * instance metadata service and a HOME of its own, so it cannot reach AWS either.
 */
import fc from 'fast-check';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { FUZZ_RUNS, fuzzParams } from './harness';

const ROOT = join(__dirname, '..', '..');
const TSX = pathToFileURL(join(ROOT, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;
const CLI_RUNS = Math.min(FUZZ_RUNS, Math.max(10, Math.ceil(FUZZ_RUNS / 50)));

let home: string;
beforeAll(() => {
  home = mkdtempSync(join(tmpdir(), 'natlab-fuzz-cli-'));
  mkdirSync(join(home, 'adir'));
  writeFileSync(join(home, 'flows.log'), 'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status\n2 123456789012 eni-0a1b2c3d4e5f60718 10.0.1.32 44.198.164.163 32222 8080 6 5 420 1700000000 1700000060 ACCEPT OK\n');
  writeFileSync(join(home, 'bad.json'), '{"vpcs": [}');
});
afterAll(() => rmSync(home, { recursive: true, force: true }));

const value = fc.oneof(
  fc.constantFrom('', '-', '0', '-1', '1', '65536', '3000000000', 'nope', '10.0.1.32', '10.0.1.32:32222', '44.198.164.163:8080', 'client-a', 'server:8080', '::1', 'adir', 'bad.json', 'flows.log', 'missing.yaml', '/dev/full', '/dev/null/x', 'us-east-1', '${srcaddr}', 'tcp', 'icmp', 'udp', 'x'.repeat(300), '\u00e9\u00e8', '--json'),
  fc.string({ maxLength: 10 }),
);
const flag = fc.constantFrom(
  '--json', '--from', '--to', '--protocol', '--scenario', '--template', '--aws-dump', '--region', '--profile', '--vpc', '--port', '--internet', '--strict', '--format', '--nat-ip', '--nat-eni', '--limit', '--html', '--markdown', '--stack', '--timeout-ssm', '--skip-flow-logs', '--help', '--bogus',
);
const NO_VALUE = new Set(['--json', '--strict', '--skip-flow-logs', '--help', '--bogus']);
const argv = fc.tuple(
  fc.constantFrom('walk', 'predict', 'findings', 'flowlogs', 'report', 'verify', 'nonsense'),
  fc.array(fc.oneof(fc.tuple(flag, value), value.map((v) => [v] as [string])), { maxLength: 5 }),
).map(([command, parts]) => [command, ...parts.flatMap((p) => (p.length === 2 && NO_VALUE.has(p[0]) ? [p[0]] : p))]);

function natlab(args: string[]) {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: home, AWS_EC2_METADATA_DISABLED: 'true', NATLAB_DEBUG: '' };
  return spawnSync(process.execPath, ['--import', TSX, join(ROOT, 'bin', 'natlab.ts'), ...args], { cwd: home, env, encoding: 'utf8', timeout: 60_000, maxBuffer: 64 * 1024 * 1024 });
}

describe('fuzz: command lines', () => {
  it('exit 0, 1 or 2; no stack trace; a bad input is one line', () => {
    fc.assert(
      fc.property(argv, (args) => {
        const r = natlab(args);
        const shown = JSON.stringify(args);
        if (r.error) throw new Error(`${shown}: ${r.error.message} (a hang past 60 s?)`);
        expect({ args: shown, exitedWell: [0, 1, 2].includes(r.status ?? -1), code: r.status }).toMatchObject({ args: shown, exitedWell: true });
        expect(r.stderr).not.toMatch(/\n\s+at .+:\d+:\d+\)?\n|internal error/);
        if (r.status === 2) {
          // Progress lines say "natlab <command>: ..."; the error is the one "natlab: ..." line.
          const errors = r.stderr.split('\n').filter((l) => l.trim() !== '' && !/^natlab [a-z]+: /.test(l));
          expect({ args: shown, errors }).toEqual({ args: shown, errors: [expect.stringMatching(/^natlab: \S/)] });
        }
      }),
      fuzzParams({ numRuns: CLI_RUNS }),
    );
  }, 30 * 60_000);
});
