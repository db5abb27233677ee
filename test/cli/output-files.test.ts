/**
 * Output files as Unix tools write them, and a stdout whose reader goes away: the CLI in a
 * child process, as a user runs it (`report --html /dev/full`, `| head`, a FIFO, a symlink).
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { connectionRecords, LAB_FIELDS, NAT_IP, SERVER, T0, toText } from '../fixtures/flowlogs/generate';

const ROOT = join(__dirname, '..', '..');
const TSX = pathToFileURL(join(ROOT, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;
const CLI = [process.execPath, '--import', TSX, join(ROOT, 'bin', 'natlab.ts')];
const ENV = { ...process.env, NATLAB_DEBUG: '' };

function natlab(cwd: string, ...args: string[]) {
  const r = spawnSync(CLI[0], [...CLI.slice(1), ...args], { cwd, encoding: 'utf8', env: ENV, maxBuffer: 64 * 1024 * 1024 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Runs `natlab ARGS | head -c BYTES` in a shell; returns natlab's exit code, its stderr and what head printed. */
function natlabIntoHead(cwd: string, bytes: number, ...args: string[]) {
  const quoted = [...CLI, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  const script = `${quoted} 2>natlab.err | head -c ${bytes}; echo " exit=\${PIPESTATUS[0]}"`;
  const out = execFileSync('bash', ['-c', script], { cwd, encoding: 'utf8', env: ENV });
  const m = / exit=(\d+)\n$/.exec(out)!;
  return { code: Number(m[1]), headSaw: out.slice(0, m.index), stderr: readFileSync(join(cwd, 'natlab.err'), 'utf8') };
}

/** One line, naming `what`, no stack trace. */
function expectOneLine(stderr: string, what: RegExp): void {
  expect(stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(stderr).toMatch(what);
  expect(stderr).not.toMatch(/\n\s+at /);
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'natlab-output-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('output files', () => {
  it('writes through a device and leaves it a device: /dev/full is a full disk, exit 2, no temporary file', () => {
    const before = readdirSync('/dev').filter((n) => n.endsWith('.tmp'));
    const r = natlab(dir, 'report', '--html', '/dev/full');
    expect(r.code).toBe(2);
    expectOneLine(r.stderr, /^natlab: cannot write \/dev\/full: no space left on the device$/m);
    expect(statSync('/dev/full').isCharacterDevice()).toBe(true);
    expect(readdirSync('/dev').filter((n) => n.endsWith('.tmp'))).toEqual(before);
  }, 60_000);

  it('writes /dev/stdout through a pipe and leaves the link alone', () => {
    const link = readlinkSync('/dev/stdout');
    const r = natlabIntoHead(dir, 200_000, 'report', '--markdown', '/dev/stdout');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.headSaw).toMatch(/^# natlab predict: seed\n/);
    expect(r.headSaw).toContain('```mermaid');
    expect(lstatSync('/dev/stdout').isSymbolicLink()).toBe(true);
    expect(readlinkSync('/dev/stdout')).toBe(link);
  }, 60_000);

  it('writes a FIFO through (its reader gets the page) and keeps it a FIFO', async () => {
    const fifo = join(dir, 'page.fifo');
    execFileSync('mkfifo', [fifo]);
    const reader = spawn('cat', [fifo]);
    let got = '';
    reader.stdout.on('data', (d: Buffer) => (got += d.toString()));
    const closed = new Promise((r) => reader.on('close', r));
    const r = natlab(dir, 'report', '--html', fifo);
    await closed;
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(got).toMatch(/^<!doctype html>/i);
    expect(got).toContain('</html>');
    expect(lstatSync(fifo).isFIFO()).toBe(true);
    expect(readdirSync(dir)).toEqual(['page.fifo']);
  }, 60_000);

  it('keeps a symlink and replaces the file it points to', () => {
    mkdirSync(join(dir, 'reports'));
    writeFileSync(join(dir, 'reports', 'seed.md'), 'an older report\n', { mode: 0o640 });
    symlinkSync(join('reports', 'seed.md'), join(dir, 'latest.md'));
    const r = natlab(dir, 'report', '--markdown', 'latest.md');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(lstatSync(join(dir, 'latest.md')).isSymbolicLink()).toBe(true);
    expect(readlinkSync(join(dir, 'latest.md'))).toBe(join('reports', 'seed.md'));
    expect(readFileSync(join(dir, 'reports', 'seed.md'), 'utf8')).toMatch(/^# natlab predict: seed\n/);
    expect(readdirSync(join(dir, 'reports'))).toEqual(['seed.md']);
    // Replaced, not rewritten in place, yet with the permissions it had.
    expect(statSync(join(dir, 'reports', 'seed.md')).mode & 0o777).toBe(0o640);
  }, 60_000);

  it('takes - as stdout, and refuses two reports on stdout or one beside --json', () => {
    const r = natlab(dir, 'report', '--html', '-');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^<!doctype html>/i);
    expect(readdirSync(dir)).toEqual([]);
    const both = natlab(dir, 'report', '--html', '-', '--markdown', '-');
    expect(both.code).toBe(2);
    expectOneLine(both.stderr, /--html and --markdown both name - \(stdout\)/);
    const json = natlab(dir, 'report', '--markdown', '-', '--json');
    expect(json.code).toBe(2);
    expectOneLine(json.stderr, /--markdown - and --json both want stdout/);
  }, 60_000);

  it('refuses an empty file name as bad input before any work', () => {
    const r = natlab(dir, 'report', '--html', '');
    expect(r.code).toBe(2);
    expectOneLine(r.stderr, /^natlab: --html "": an empty file name; give a file name, or - for stdout$/m);
    const lab = natlab(dir, 'lab', '--html', '');
    expect(lab.code).toBe(2);
    expectOneLine(lab.stderr, /^natlab: --html "": an empty file name/);
  }, 60_000);

  it('a write that fills the disk removes its temporary file and leaves the old report', () => {
    // A 16 KiB tmpfs is a disk the 60 KiB page cannot fit on.
    const small = join(dir, 'small');
    mkdirSync(small);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=16k', 'natlab-test', small]);
    try {
      writeFileSync(join(small, 'seed.html'), 'the previous page\n');
      const r = natlab(dir, 'report', '--html', join(small, 'seed.html'));
      expect(r.code).toBe(2);
      expectOneLine(r.stderr, /cannot write .*small\/seed\.html: no space left on the device/);
      expect(readdirSync(small)).toEqual(['seed.html']);
      expect(readFileSync(join(small, 'seed.html'), 'utf8')).toBe('the previous page\n');
    } finally {
      execFileSync('umount', [small]);
    }
  }, 60_000);
});

describe('a stdout whose reader goes away', () => {
  it('predict --json | head -c 10 ends quietly with exit 0', () => {
    const r = natlabIntoHead(dir, 10, 'predict', '--json');
    expect(r.headSaw).toBe('{\n  "kind"');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  }, 60_000);

  it('flowlogs ... | head: a thousand connections of NAT ENI records, the reader gone after ten lines', () => {
    const records = Array.from({ length: 1000 }, (_, i) => connectionRecords({ client: { ip: `10.0.1.${10 + (i % 200)}`, port: 32000 + i }, nat: { ip: NAT_IP, port: 1024 + i }, destination: SERVER, start: T0 + i, end: T0 + i + 1 })).flat();
    writeFileSync(join(dir, 'nat-eni.log'), toText(records, LAB_FIELDS, { header: true }));
    const r = natlabIntoHead(dir, 1, 'flowlogs', 'nat-eni.log', '--json');
    expect(r.headSaw).toBe('{');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const text = natlabIntoHead(dir, 10, 'flowlogs', 'nat-eni.log', '--limit', '1000');
    expect(text.stderr).toBe('');
    expect(text.code).toBe(0);
  }, 90_000);

  it('ends quietly at any size: megabytes of JSON into head -c 1, and a failing prediction still exits 0', () => {
    // The seed with 20 copies of its flows: several megabytes of walks, and one flow expected
    // dropped that is delivered (exit 1 when the whole output is read).
    const seed = JSON.parse(readFileSync(join(ROOT, 'scenarios', 'seed.json'), 'utf8'));
    const flows = [];
    for (let i = 0; i < 20; i++) for (const f of seed.flows) flows.push({ ...f, name: `${f.name}-${i}`, group: undefined });
    flows[0] = { ...flows[0], expect: 'dropped' };
    writeFileSync(join(dir, 'many.json'), JSON.stringify({ ...seed, flows }));
    const whole = natlab(dir, 'predict', '--scenario', 'many.json', '--json');
    expect(whole.code).toBe(1);
    expect(whole.stdout.length).toBeGreaterThan(1_000_000);
    const r = natlabIntoHead(dir, 1, 'predict', '--scenario', 'many.json', '--json');
    expect(r.headSaw).toBe('{');
    expect(r.stderr).not.toMatch(/EPIPE|\n\s+at /);
    expect(r.code).toBe(0);
  }, 90_000);
});
