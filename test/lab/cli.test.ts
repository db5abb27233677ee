/**
 * `natlab lab` and `natlab start` as a user runs them (the bundled CLI in dist/): JSON output
 * and exit codes, Ctrl-C mid-run, the scale run with a port range small enough to run out, and
 * the fallback without root. Needs root (see root.ts) and `npm run build`.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { OWNER_DIR } from '../../lib/lab/apply';
import { newRunPrefix } from '../../lib/lab/names';
import type { RunResult } from '../../lib/model/types';
import { describeRoot, namespacesWith, processesWith, requireTwinPrerequisites } from './root';

jest.setTimeout(120_000);

const root = resolve(__dirname, '..', '..');
const cli = resolve(root, 'dist', 'natlab.js');

function natlab(args: string[], opts: { uid?: number } = {}): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [cli, ...args], { cwd: root, encoding: 'utf8', uid: opts.uid, timeout: 110_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describeRoot('natlab lab (CLI)', () => {
  requireTwinPrerequisites();
  beforeAll(() => {
    if (!existsSync(cli)) throw new Error('dist/natlab.js is missing: run `npm run build` first');
  });

  it('--json prints one RunResult with the real addresses and exits 0 when every check passes', () => {
    const r = natlab(['lab', '--json']);
    expect(r.code).toBe(0);
    const result = JSON.parse(r.stdout) as RunResult;
    expect(result.kind).toBe('lab');
    expect(result.compare.ok).toBe(true);
    const server = result.observations.filter((o) => o.source === 'server');
    expect(server.map((o) => o.srcIp).sort()).toEqual(['203.0.113.10', '3.224.9.52', '3.224.9.52']);
    expect(server.every((o) => o.dstIp === '44.198.164.163')).toBe(true);
    // Stand-ins appear only in the printed map; every result carries the real addresses.
    const { standIns, notes, ...rest } = result;
    expect(notes.join(' ')).toContain('3.224.9.52 -> 192.0.2.10');
    expect(standIns?.length).toBe(3);
    expect(JSON.stringify(rest)).not.toMatch(/192\.0\.2\.10|198\.51\.100\.10/);
    expect(result.standIns?.find((s) => s.real === '3.224.9.52')?.standIn).toBe('192.0.2.10');
  });

  it('prints the eight steps side by side and the verdict table', () => {
    const r = natlab(['lab']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/client-a: the eight steps/);
    expect(r.stdout).toMatch(/3 +NAT-GW translate +10\.0\.0\.226:1024-65535 -> 44\.198\.164\.163:8080 +10\.0\.0\.226:\d+ -> 44\.198\.164\.163:8080 +ok/);
    expect(r.stdout).toMatch(/client-a +3\.224\.9\.52:1024-65535 \(not client-b's\) +3\.224\.9\.52:\d+ +\d+\/\d+ ok/);
    expect(r.stdout).toMatch(/direct +203\.0\.113\.10:32222 +203\.0\.113\.10:32222 +\d+\/\d+ ok/);
    expect(r.stdout).toContain('All checks pass');
  });

  it('tears everything down on SIGINT mid-run and exits 130', async () => {
    // The reply dies silently in this scenario, so the probes wait: time to interrupt.
    const child = spawn(process.execPath, [cli, 'lab', '--scenario', 'scenarios/nacl-no-ephemeral.yaml', '--timeout', '30000'], { cwd: root });
    let stderr = '';
    const sending = new Promise<void>((ok) =>
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
        if (stderr.includes('sending')) ok();
      }),
    );
    const exited = new Promise<number | null>((ok) => child.on('exit', (code) => ok(code)));
    await sending;
    const prefix = /prefix (nl[0-9a-f]{6}-)/.exec(stderr)?.[1];
    expect(prefix).toBeDefined();
    expect(namespacesWith(prefix!).length).toBeGreaterThan(0);
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(namespacesWith(prefix!)).toEqual([]);
    expect(processesWith(prefix!)).toEqual([]);
    expect(stderr).toContain('natlab: interrupted; the twin was torn down\n');
    expect(stderr).not.toContain('internal error');
  });

  it('SIGINT the moment the build starts: exit 130, one line, nothing left (namespaces, processes, owner file)', async () => {
    const child = spawn(process.execPath, [cli, 'lab'], { cwd: root });
    let stderr = '';
    const building = new Promise<void>((ok) =>
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
        if (stderr.includes('building')) ok();
      }),
    );
    const exited = new Promise<number | null>((ok) => child.on('exit', (code) => ok(code)));
    await building;
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    const prefix = /prefix (nl[0-9a-f]{6}-)/.exec(stderr)?.[1];
    expect(prefix).toBeDefined();
    // Whatever the build had started is gone, also what it was adding when the signal came.
    await new Promise((r) => setTimeout(r, 500));
    expect(namespacesWith(prefix!)).toEqual([]);
    expect(processesWith(prefix!)).toEqual([]);
    expect(existsSync(join(OWNER_DIR, `${prefix}pid`))).toBe(false);
    expect(stderr.trim().split('\n').slice(-1)).toEqual(['natlab: interrupted; the twin was torn down']);
    expect(stderr).not.toContain('internal error');
  });

  it.each([
    ['SIGHUP', 129],
    ['SIGQUIT', 131],
  ] as const)('tears everything down on %s and exits %i', async (signal, code) => {
    const child = spawn(process.execPath, [cli, 'lab', '--scenario', 'scenarios/nacl-no-ephemeral.yaml', '--timeout', '30000'], { cwd: root });
    let stderr = '';
    const sending = new Promise<void>((ok) =>
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
        if (stderr.includes('sending')) ok();
      }),
    );
    const exited = new Promise<number | null>((ok) => child.on('exit', (c) => ok(c)));
    await sending;
    const prefix = /prefix (nl[0-9a-f]{6}-)/.exec(stderr)?.[1];
    expect(namespacesWith(prefix!).length).toBeGreaterThan(0);
    child.kill(signal);
    expect(await exited).toBe(code);
    expect(namespacesWith(prefix!)).toEqual([]);
    expect(processesWith(prefix!)).toEqual([]);
    expect(stderr.trim().split('\n').slice(-1)).toEqual(['natlab: interrupted; the twin was torn down']);
  });

  it("a flow the server's own security group drops is not delivered, though its SYN is on the server's segment", () => {
    // The seed with sg-server ingress []: the model drops every flow at the server's group.
    const seed = JSON.parse(readFileSync(join(root, 'scenarios', 'seed.json'), 'utf8'));
    seed.securityGroups.find((g: { id: string }) => g.id === 'sg-server').ingress = [];
    const dir = mkdtempSync(join(tmpdir(), 'natlab-sg-closed-'));
    try {
      writeFileSync(join(dir, 'sg-closed.json'), JSON.stringify(seed));
      const r = natlab(['lab', '--scenario', join(dir, 'sg-closed.json'), '--timeout', '1500', '--json']);
      const result = JSON.parse(r.stdout) as RunResult;
      expect(result.walks.every((w) => w.verdict === 'dropped' && w.dropped?.component === 'sg-server')).toBe(true);
      for (const f of result.compare.flows) {
        expect(f.observed).toBeNull();
        expect(f.checks.filter((c) => !c.ok)).toEqual([]);
      }
      expect(result.observations.filter((o) => o.source === 'server')).toEqual([]);
      // The SYNs did reach the server's segment: the capture alone would have said delivered.
      expect(result.observations.some((o) => o.source === 'capture' && o.dstIp === '44.198.164.163')).toBe(true);
      expect(r.code).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('--nat-port-range without --clients: the model predicts the same range the twin uses, and every check holds', () => {
    const r = natlab(['lab', '--nat-port-range', '100-200', '--json']);
    const result = JSON.parse(r.stdout) as RunResult;
    expect(result.compare.flows.flatMap((f) => f.checks.filter((c) => !c.ok))).toEqual([]);
    expect(r.code).toBe(0);
    const viaNat = result.compare.flows.filter((f) => f.name !== 'direct');
    for (const f of viaNat) {
      expect(f.predicted?.srcPort).toMatchObject({ min: 100, max: 200 });
      expect((f.observed?.srcPort as number) >= 100 && (f.observed?.srcPort as number) <= 200).toBe(true);
    }
  });

  it('--timeout past the longest probe deadline is bad input (Node timers overflow past 2^31-1 ms)', () => {
    const r = natlab(['lab', '--timeout', '3000000000']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('natlab: --timeout 3000000000 is more than 600000 ms (10 minutes), the longest probe deadline\n');
  });

  it('scale: a deliberately small NAT port range runs out exactly where the model says', () => {
    const r = natlab(['lab', '--clients', '3', '--connections', '30', '--nat-port-range', '30000-30063', '--json']);
    const result = JSON.parse(r.stdout) as RunResult;
    const checks = result.compare.flows[0].checks;
    expect(checks.filter((c) => !c.ok)).toEqual([]);
    expect(r.code).toBe(0);
    expect(checks.find((c) => c.name.startsWith('connections placed'))).toMatchObject({ expected: 64, observed: 64 });
    expect(checks.find((c) => c.name.startsWith('connections refused'))).toMatchObject({ expected: 26, observed: 26 });
    expect(checks.find((c) => c.name === 'exhaustion point')?.expected).toBe('connection 65 is the first without a port');
    expect(new Set(result.observations.map((o) => o.srcPort)).size).toBe(64);
    // The table size was sampled while connections opened (more than the one final reading).
    const table = checks.find((c) => c.name.startsWith('translation table at most its limit while connections open'))!;
    expect(Number(/largest of (\d+) conntrack -C samples/.exec(table.name)?.[1])).toBeGreaterThan(1);
    expect(table).toMatchObject({ expected: '<= 64', observed: 64, ok: true });
  });

  it('--cleanup removes what a crashed run left behind, and never a run whose natlab is alive', () => {
    const crashed = newRunPrefix();
    const alive = newRunPrefix();
    execFileSync('ip', ['netns', 'add', `${crashed}client-a`]);
    execFileSync('ip', ['netns', 'add', `${alive}client-a`]);
    mkdirSync(OWNER_DIR, { recursive: true });
    writeFileSync(join(OWNER_DIR, `${alive}pid`), `${process.pid}\n`);
    // A process the crashed run left running inside its namespace.
    const sleeper = spawn('ip', ['netns', 'exec', `${crashed}client-a`, 'sleep', '300'], { stdio: 'ignore' });
    try {
      const r = natlab(['lab', '--cleanup', '--json']);
      expect(r.code).toBe(0);
      const out = JSON.parse(r.stdout) as { removed: string[]; live: string[] };
      expect(out.removed).toContain(`${crashed}client-a`);
      expect(out.live).toContain(alive);
      expect(namespacesWith(crashed)).toEqual([]);
      expect(namespacesWith(alive)).toEqual([`${alive}client-a`]);
      expect(processesWith(crashed)).toEqual([]);
    } finally {
      sleeper.kill('SIGKILL');
      spawnSync('ip', ['netns', 'delete', `${alive}client-a`]);
      rmSync(join(OWNER_DIR, `${alive}pid`), { force: true });
    }
  });

  it('rejects bad input with exit 2 and one line naming it', () => {
    const r = natlab(['lab', '--nat-port-range', '5000-100']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe('natlab: --nat-port-range "5000-100" must be two ports 1-65535 written A-B with A <= B, like 1024-65535');
    expect(natlab(['lab', '--clients', 'many']).code).toBe(2);
  });

  it('--html naming a directory is refused before the twin is built (exit 2), leaving no file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'natlab-html-'));
    try {
      const target = join(dir, 'adir');
      mkdirSync(target);
      const r = natlab(['lab', '--html', target]);
      expect(r.code).toBe(2);
      expect(r.stderr.trim()).toBe(`natlab: --html ${target}: it is a directory; give a file name`);
      expect(readdirSync(dir)).toEqual(['adir']);
      expect(readdirSync(target)).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('`natlab start` (npm start) runs the seed on the twin and writes the HTML report', () => {
    const dir = mkdtempSync(join(tmpdir(), 'natlab-start-'));
    try {
      const r = spawnSync(process.execPath, [cli, 'start'], { cwd: dir, encoding: 'utf8', timeout: 110_000 });
      expect(r.status).toBe(0);
      expect(r.stdout).toContain('All checks pass');
      const html = readFileSync(join(dir, 'natlab-lab-report.html'), 'utf8');
      expect(r.stdout).toContain(`HTML report: ${join(dir, 'natlab-lab-report.html')}`);
      expect(html).toMatch(/<html/i);
      expect(html).toContain('3.224.9.52');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('`natlab start --json` prints only the RunResult and still writes the HTML report (its path on stderr)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'natlab-start-json-'));
    try {
      const r = spawnSync(process.execPath, [cli, 'start', '--json'], { cwd: dir, encoding: 'utf8', timeout: 110_000 });
      expect(r.status).toBe(0);
      expect((JSON.parse(r.stdout) as RunResult).kind).toBe('lab');
      expect(r.stderr).toContain(`natlab start: HTML report: ${join(dir, 'natlab-lab-report.html')}`);
      expect(readFileSync(join(dir, 'natlab-lab-report.html'), 'utf8')).toContain('3.224.9.52');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('without root: `natlab lab` says what is missing (exit 2); `natlab start` falls back to the model', () => {
    const lab = natlab(['lab'], { uid: 65534 });
    expect(lab.code).toBe(2);
    expect(lab.stderr).toMatch(/needs root/);
    const start = natlab(['start'], { uid: 65534 });
    expect(start.code).toBe(0);
    expect(start.stderr).toMatch(/cannot run here; it needs root/);
    expect(start.stderr).toMatch(/model-only prediction/);
    expect(start.stdout).toContain('3.224.9.52');
  });
});
