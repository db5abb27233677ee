/**
 * The shell line verify sends through SSM, run for real by sh (POSIX, as AWS-RunShellScript runs it) against a stand-in `curl` on
 * PATH (no network): the echo body and curl's exit code come back in the form readEcho parses.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { curlCommand, readEcho } from '../../lib/aws/observe';
import { labStackFromOutputs } from '../../lib/aws/stack';
import * as fx from '../fixtures/aws/lab';

const outputs = Object.fromEntries((fx.describeStacks().Stacks?.[0].Outputs ?? []).map((o) => [o.OutputKey as string, o.OutputValue as string]));
const stack = labStackFromOutputs(fx.STACK, outputs);
const client = stack.clients[0];

function runWithFakeCurl(script: string): { stdout: string; stderr: string; args: string } {
  const dir = mkdtempSync(join(tmpdir(), 'natlab-curl-'));
  try {
    writeFileSync(join(dir, 'curl'), `#!/bin/sh\necho "$@" > ${dir}/args\n${script}\n`);
    chmodSync(join(dir, 'curl'), 0o755);
    const run = spawnSync('sh', ['-c', curlCommand(stack)], { env: { PATH: `${dir}:/usr/bin:/bin` }, encoding: 'utf8' });
    const args = spawnSync('cat', [join(dir, 'args')], { encoding: 'utf8' }).stdout.trim();
    return { stdout: run.stdout, stderr: run.stderr, args };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('an answer from the server comes back as the echo', () => {
  const r = runWithFakeCurl(`printf '%s' '${fx.echoJson(fx.EIP, 27318)}'`);
  expect(r.args).toBe(`-s -S --max-time 15 --local-port 32222 http://${fx.SERVER_IP}:8080/`);
  expect(readEcho(client, r.stdout, r.stderr)).toMatchObject({ serverSaw: { srcIp: fx.EIP, srcPort: 27318 }, error: null });
});

test('a connection that fails is an observation with curl\'s exit code and message', () => {
  const r = runWithFakeCurl(`echo 'curl: (28) Connection timed out after 15001 milliseconds' >&2; exit 28`);
  expect(readEcho(client, r.stdout, r.stderr)).toMatchObject({ serverSaw: null, error: 'curl exit 28: curl: (28) Connection timed out after 15001 milliseconds' });
});

test('a source port that stays unavailable is an error, not a failed check', () => {
  expect(() => readEcho(client, 'natlab-curl-exit=45\n', 'curl: (45) bind failed: Address already in use')).toThrow(
    /client-a \(i-0a1a2a3a4a5a6a7a8\) could not bind its source port for 60 s \(curl exit 45\)/,
  );
});

test('output that is not from the verify command is an error naming the client', () => {
  expect(() => readEcho(client, '', 'sh: 1: out=: not found')).toThrow('client-a (i-0a1a2a3a4a5a6a7a8) did not run curl: "sh: 1: out=: not found"');
});
