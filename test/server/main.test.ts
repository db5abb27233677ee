import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSync } from 'esbuild';
import { probe } from '../../lambda/probe/probe';

/** Bundles the CLI entry exactly as scripts/build.mjs does, into a temporary folder. */
function bundle(entry: string, outfile: string): void {
  buildSync({ entryPoints: [entry], outfile, bundle: true, platform: 'node', target: 'node20', format: 'cjs', logLevel: 'silent' });
}

function firstLine(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (c: Buffer) => {
      out += c.toString();
      const nl = out.indexOf('\n');
      if (nl >= 0) resolve(out.slice(0, nl));
    });
    child.once('exit', (code) => reject(new Error(`exited with ${code} before printing a line`)));
  });
}

describe('echo server CLI (bundled, as on EC2)', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'natlab-echo-cli-'));
    bundle(join(__dirname, '../../lib/server/main.ts'), join(dir, 'echo-server.js'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('prints one listening line, serves, logs, and exits 0 on SIGTERM', async () => {
    const log = join(dir, 'echo.jsonl');
    const child = spawn(process.execPath, [join(dir, 'echo-server.js'), '--host', '127.0.0.1', '--port', '0', '--log', log]);
    const line = await firstLine(child);
    expect(line).toMatch(/^listening \{.*\}$/);
    const { address, port } = JSON.parse(line.slice('listening '.length));
    expect(address).toBe('127.0.0.1');
    const result = await probe({ host: '127.0.0.1', port });
    expect(result.ok).toBe(true);
    const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exit).toBe(0);
    const logged = JSON.parse(readFileSync(log, 'utf8').trim());
    expect(logged).toMatchObject({ srcIp: '127.0.0.1', srcPort: result.local?.port, dstPort: port });
  });

  it('rejects a --log file that cannot be opened with one line and exit code 2, before listening', async () => {
    const log = join(dir, 'no-such-folder', 'echo.jsonl');
    const child = spawn(process.execPath, [join(dir, 'echo-server.js'), '--host', '127.0.0.1', '--port', '0', '--log', log]);
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(2);
    expect(out).toBe('');
    expect(err).toMatch(new RegExp(`^echo-server: --log ${log.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} cannot be opened for appending: ENOENT[^\n]*\n$`));
  });

  it('rejects a bad port with one line and exit code 2', async () => {
    const child = spawn(process.execPath, [join(dir, 'echo-server.js'), '--port', '70000']);
    let err = '';
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(2);
    expect(err).toBe('echo-server: --port 70000 is not a TCP port (0-65535).\n');
  });
});
