/** `natlab report` as a user runs it: the CLI in a child process, files in a fresh folder. */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { walk } from '../../lib/model/walk';
import { seedLab, seedPredict, seedTopologyFixture } from '../fixtures/report/build';

const ROOT = join(__dirname, '..', '..');
// tsx runs the CLI from source, so this test never races another test's `npm run build`.
const TSX = pathToFileURL(join(ROOT, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;

function natlab(cwd: string, ...args: string[]) {
  const r = spawnSync(process.execPath, ['--import', TSX, join(ROOT, 'bin', 'natlab.ts'), ...args], { cwd, encoding: 'utf8', env: { ...process.env, NATLAB_DEBUG: '' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'natlab-report-cli-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('natlab report', () => {
  it('renders the seed prediction when given no file, and prints the paths it wrote', () => {
    const r = natlab(dir, 'report', '--html', 'seed.html', '--markdown', 'seed.md');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`HTML report: ${join(dir, 'seed.html')}\nMarkdown report: ${join(dir, 'seed.md')}\n`);
    expect(readdirSync(dir).sort()).toEqual(['seed.html', 'seed.md']);
    const html = readFileSync(join(dir, 'seed.html'), 'utf8');
    expect(html).toContain('<title>natlab predict: seed</title>');
    expect(html).toContain('3.224.9.52:1024-65535');
    expect(readFileSync(join(dir, 'seed.md'), 'utf8')).toContain('```mermaid\nsequenceDiagram');
  }, 60_000);

  it('renders a lab result file with its observed ports, and says what it wrote with --json', () => {
    writeFileSync(join(dir, 'lab.json'), JSON.stringify(seedLab()));
    const r = natlab(dir, 'report', 'lab.json', '--html', 'lab.html', '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ kind: 'report', input: 'lab', topology: 'seed', files: [{ format: 'html', path: join(dir, 'lab.html') }] });
    const html = readFileSync(join(dir, 'lab.html'), 'utf8');
    expect(html).toContain('27318');
    expect(html).toContain('10722');
    expect(html).toContain('all checks pass');
  }, 60_000);

  it('draws a lone walk on the topology the options name (the seed by default)', () => {
    const w = walk(seedTopologyFixture(), seedTopologyFixture().flows[1]);
    writeFileSync(join(dir, 'walk.json'), JSON.stringify(w));
    const r = natlab(dir, 'report', 'walk.json');
    expect(r.code).toBe(0);
    // Without --html or --markdown the Markdown goes to stdout.
    expect(r.stdout).toContain('# natlab walk: seed');
    expect(r.stdout).toContain('| client-b | client-b | TCP | 10.0.1.123 | 32222 | 44.198.164.163 | 8080 | delivered |');
  }, 60_000);

  it('renders another topology source: both NAT Gateways of the multi-AZ scenario', () => {
    const r = natlab(dir, 'report', '--scenario', join(ROOT, 'scenarios', 'multi-az.yaml'), '--html', 'm.html');
    expect(r.code).toBe(0);
    const html = readFileSync(join(dir, 'm.html'), 'utf8');
    expect(html).toContain('data-id="nat-a"');
    expect(html).toContain('data-id="nat-b"');
    expect(html).toContain('Availability Zone us-east-1b');
  }, 60_000);

  it.each([
    ['a missing file', [], 'missing.json', /^natlab: cannot read missing\.json: no such file or directory\n$/],
    ['a file that is not JSON', ['{ nope'], 'broken.json', /^natlab: broken\.json is not JSON \(.+\); give the output of a natlab command run with --json\n$/],
    ['JSON of an unknown shape', ['{"kind":"flowlogs"}'], 'other.json', /^natlab: other\.json is not a natlab result: expected "kind" to be predict, lab or verify, or a walk with "flow" and "hops" \(found "flowlogs"\)\n$/],
    ['a predict result missing its walks', ['{"kind":"predict","topology":{}}'], 'half.json', /^natlab: half\.json looks like a predict result but topology\.name: .+\n$/],
    [
      'a predict result whose observedAtDestination has a number for srcIp',
      [JSON.stringify({ ...seedPredict(), walks: seedPredict().walks.map((w, i) => (i === 0 ? { ...w, observedAtDestination: { srcIp: 1 } } : w)) })],
      'odd.json',
      /^natlab: odd\.json looks like a predict result but walks\[0\]\.observedAtDestination\.srcIp: .+\n$/,
    ],
  ])('rejects %s with one line naming it, exit 2, and writes nothing', (_what, content, file, message) => {
    if (content.length) writeFileSync(join(dir, file), content[0]);
    const r = natlab(dir, 'report', file, '--html', 'out.html');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(readdirSync(dir)).toEqual(content.length ? [file] : []);
  }, 60_000);

  it('leaves no partial or temporary file when the output cannot be written', () => {
    const r = natlab(dir, 'report', '--html', join(dir, 'no-such-folder', 'out.html'));
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`natlab: --html ${join(dir, 'no-such-folder', 'out.html')}: cannot write into ${join(dir, 'no-such-folder')}: no such file or directory\n`);
    expect(readdirSync(dir)).toEqual([]);
  }, 60_000);

  it('refuses a directory as the target before writing anything', () => {
    mkdirSync(join(dir, 'taken.html'));
    const r = natlab(dir, 'report', '--html', 'taken.html');
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('natlab: --html taken.html: it is a directory; give a file name\n');
    expect(readdirSync(dir)).toEqual(['taken.html']);
    expect(readdirSync(join(dir, 'taken.html'))).toEqual([]);
  }, 60_000);

  it('writes neither report when one of two targets cannot be written', () => {
    const r = natlab(dir, 'report', '--html', 'ok.html', '--markdown', join(dir, 'no-such-folder', 'x.md'));
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`natlab: --markdown ${join(dir, 'no-such-folder', 'x.md')}: cannot write into ${join(dir, 'no-such-folder')}: no such file or directory\n`);
    expect(readdirSync(dir)).toEqual([]);
  }, 60_000);

  it('writes neither report when the second target is a directory', () => {
    mkdirSync(join(dir, 'taken.md'));
    const r = natlab(dir, 'report', '--html', 'ok.html', '--markdown', 'taken.md');
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('natlab: --markdown taken.md: it is a directory; give a file name\n');
    expect(readdirSync(dir)).toEqual(['taken.md']);
    expect(readdirSync(join(dir, 'taken.md'))).toEqual([]);
  }, 60_000);

  it('refuses a result file together with --lab', () => {
    writeFileSync(join(dir, 'lab.json'), JSON.stringify(seedLab()));
    const r = natlab(dir, 'report', 'lab.json', '--lab');
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('natlab: give either a result file or --lab, not both\n');
  }, 60_000);
});
