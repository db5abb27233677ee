import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSync } from 'esbuild';
import { startEchoServer, type EchoServer } from '../../lib/server/echo-server';
import { parseCli, runProbes, sourcePortFor, type IndexedProbeResult } from '../../lambda/probe/cli';

/** Runs a command without blocking this process (the echo server lives in it). */
function run(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

async function freePortBlock(size: number): Promise<number> {
  // Find `size` consecutive free ports by trying bases in the unprivileged range.
  for (let base = 40000 + Math.floor(Math.random() * 20000); ; base += size) {
    const servers = [];
    let ok = true;
    for (let i = 0; i < size; i++) {
      const s = createServer();
      try {
        await new Promise<void>((resolve, reject) => {
          s.once('error', reject);
          s.listen(base + i, '127.0.0.1', resolve);
        });
        servers.push(s);
      } catch {
        ok = false;
        break;
      }
    }
    await Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
    if (ok) return base;
  }
}

describe('probe CLI flags', () => {
  it('parses the documented flags', () => {
    expect(parseCli(['--host', 'h', '--port', '8080', '--source-port', '32222', '--count', '3', '--hold', '--timeout', '900', '--json'])).toEqual({
      host: 'h',
      port: 8080,
      sourcePort: 32222,
      sourceAddress: undefined,
      count: 3,
      parallel: true,
      hold: true,
      sameSourcePort: false,
      timeoutMs: 900,
      path: '/',
      json: true,
    });
  });

  it.each([
    [['--port', '8080'], '--host is required.'],
    [['--host', 'h'], '--port is required.'],
    [['--host', 'h', '--port', '99999'], '--port 99999 must be an integer from 1 to 65535.'],
    [['--host', 'h', '--port', '80', '--source-port', '65535', '--count', '2'], '--source-port 65535 with --count 2 would go past port 65535.'],
    [['--host', 'h', '--port', '80', '--same-source-port'], '--same-source-port needs --source-port.'],
  ])('rejects %j', (argv, message) => {
    expect(() => parseCli(argv)).toThrow(message);
  });

  it('gives connection i the port N+i, all N with --same-source-port, or an ephemeral one', () => {
    expect([0, 1, 2].map((i) => sourcePortFor({ sourcePort: 32222, sameSourcePort: false }, i))).toEqual([32222, 32223, 32224]);
    expect([0, 1].map((i) => sourcePortFor({ sourcePort: 32222, sameSourcePort: true }, i))).toEqual([32222, 32222]);
    expect(sourcePortFor({ sourcePort: undefined, sameSourcePort: false }, 5)).toBeUndefined();
  });
});

describe('probe CLI against the echo server', () => {
  let echo: EchoServer;
  beforeAll(async () => {
    echo = await startEchoServer({ host: '127.0.0.1', port: 0 });
  });
  afterAll(() => echo.close());

  it('--count 4 from --source-port N: four connections from N..N+3, each observed exactly', async () => {
    const base = await freePortBlock(4);
    const options = parseCli(['--host', '127.0.0.1', '--port', String(echo.port), '--source-port', String(base), '--count', '4']);
    const seen: IndexedProbeResult[] = [];
    const results = await runProbes(options, (r) => seen.push(r));
    expect(results.map((r) => r.serverSaw?.srcPort)).toEqual([base, base + 1, base + 2, base + 3]);
    expect(results.every((r) => r.sourcePortKept === true)).toBe(true);
    expect(seen.map((r) => r.index)).toEqual([0, 1, 2, 3]);
  });

  it('--hold sends no request before every connection is established', async () => {
    const held = await runProbes(parseCli(['--host', '127.0.0.1', '--port', String(echo.port), '--count', '6', '--hold']), () => undefined);
    expect(held.every((r) => r.ok)).toBe(true);
    const lastConnected = Math.max(...held.map((r) => r.connectedAt as number));
    const firstRequest = Math.min(...held.map((r) => r.requestSentAt as number));
    expect(firstRequest).toBeGreaterThanOrEqual(lastConnected);
  });

  it('--parallel without --hold sends each request as soon as its own connection is up', async () => {
    const loose = await runProbes(parseCli(['--host', '127.0.0.1', '--port', String(echo.port), '--count', '6', '--parallel']), () => undefined);
    expect(loose.every((r) => r.ok && r.requestSentAt !== null && r.connectedAt !== null)).toBe(true);
    const lastConnected = Math.max(...loose.map((r) => r.connectedAt as number));
    const firstRequest = Math.min(...loose.map((r) => r.requestSentAt as number));
    // The first request leaves in the same tick its connection comes up, before the last one.
    expect(firstRequest).toBeLessThan(lastConnected);
  });

  it('the bundled CLI prints one JSON line per connection and exits 1 when one fails', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'natlab-probe-cli-'));
    try {
      const out = join(dir, 'probe.js');
      buildSync({ entryPoints: [join(__dirname, '../../lambda/probe/cli.ts')], outfile: out, bundle: true, platform: 'node', target: 'node20', format: 'cjs', logLevel: 'silent' });
      const good = await run([out, '--host', '127.0.0.1', '--port', String(echo.port), '--count', '2', '--json']);
      expect(good.status).toBe(0);
      const lines = good.stdout.trim().split('\n').map((l) => JSON.parse(l));
      expect(lines).toHaveLength(2);
      expect(lines.map((l) => l.ok)).toEqual([true, true]);
      const bad = await run([out, '--host', 'nonexistent.invalid', '--port', '8080', '--json']);
      expect(bad.status).toBe(1);
      expect(JSON.parse(bad.stdout).error.kind).toBe('dns');
      const usage = await run([out, '--port', '8080']);
      expect(usage.status).toBe(2);
      expect(usage.stderr).toBe('probe: --host is required.\n');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
