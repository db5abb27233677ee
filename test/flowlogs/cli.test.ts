/**
 * `natlab flowlogs` end to end: the bundled CLI (built here, as `npm run build` does) run on
 * generated record files; exit codes, the JSON shape of DESIGN.md section 4, and the text table.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import {
  LAB_FIELDS,
  NAT_IP,
  T0,
  V2_FIELDS,
  articleConnections,
  byTime,
  connectionRecords,
  formatString,
  ntpConnections,
  scanRecords,
  toFilterLogEventsJson,
  toText,
} from '../fixtures/flowlogs/generate';

const root = resolve(__dirname, '../..');
const cli = join(root, 'dist/natlab.js');
let dir: string;

beforeAll(() => {
  execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: root, stdio: 'pipe' });
  dir = mkdtempSync(join(tmpdir(), 'natlab-flowlogs-cli-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(args: string[], input?: string): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [cli, 'flowlogs', ...args], { cwd: root, input, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function file(name: string, content: string | Buffer): string {
  const p = join(dir, name);
  writeFileSync(p, content);
  return p;
}

const records = byTime([...articleConnections().flatMap(connectionRecords), ...ntpConnections().flatMap(connectionRecords), ...scanRecords('198.51.100.77', [22, 3389], T0 + 30)]);

test('--json prints one document in the DESIGN.md section 4 shape and exits 0', () => {
  const r = run([file('lab.log', toText(records, LAB_FIELDS, { header: true })), '--json']);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  const doc = JSON.parse(r.stdout);
  expect(Object.keys(doc)).toEqual(expect.arrayContaining(['records', 'skipped', 'translations', 'unsolicited', 'unmatched']));
  expect(doc.records).toBe(records.length);
  expect(doc.skipped).toEqual([]);
  expect(doc.translations[0]).toEqual({
    protocol: 'tcp',
    inside: { ip: '10.0.1.32', port: 32222 },
    outside: { ip: NAT_IP, port: 27318 },
    destination: { ip: '44.198.164.163', port: 8080 },
    interface: 'eni-0a1b2c3d4e5f60718',
    firstSeen: '2026-11-23T10:00:00.000Z',
    lastSeen: '2026-11-23T10:00:01.000Z',
    confidence: 'certain',
    basis: expect.any(String),
    evidence: { legs: ['inside', 'outside', 'reply-from-outside', 'reply-to-client'], matched: ['start/end times', 'packet and byte counts', 'reply times', 'reply packet and byte counts'] },
  });
  expect(doc.translations.map((t: { outside: { port: number } }) => t.outside.port)).toEqual([27318, 51123, 10722, 40999]);
  expect(doc.unsolicited.map((u: { destination: { port: number } }) => u.destination.port)).toEqual([22, 3389]);
  expect(doc.unmatched).toEqual([]);
});

test('the text output is the article\'s table with confidence, then unsolicited and unmatched summaries', () => {
  const r = run([file('lab-text.log', toText(records, LAB_FIELDS, { header: true })), '--nat-ip', NAT_IP]);
  expect(r.code).toBe(0);
  const lines = r.stdout.split('\n');
  expect(lines.find((l) => l.includes('10.0.1.32:32222'))).toMatch(/tcp\s+10\.0\.1\.32:32222\s+->\s+10\.0\.0\.226:27318\s+->\s+44\.198\.164\.163:8080\s+certain/);
  expect(lines.find((l) => l.includes('10.0.1.123:32222'))).toMatch(/10\.0\.1\.123:32222\s+->\s+10\.0\.0\.226:10722\s+->\s+44\.198\.164\.163:8080\s+certain/);
  expect(r.stdout).toMatch(/4 translations: 4 certain, 0 likely, 0 ambiguous/);
  expect(r.stdout).toMatch(/Unsolicited inbound .*: 2 flows from 1 source\n/);
  expect(r.stdout).toMatch(/198\.51\.100\.77\s+->\s+10\.0\.0\.226\s+22, 3389/);
  expect(r.stdout).toMatch(/Unmatched NAT records: none/);
  expect(r.stdout).not.toMatch(/inferred/);
});

test('reads stdin with "-", CloudWatch JSON with --format, and .gz files', () => {
  const fromStdin = run(['-', '--json'], toText(records, LAB_FIELDS, { header: true }));
  expect(fromStdin.code).toBe(0);
  expect(JSON.parse(fromStdin.stdout).translations).toHaveLength(4);
  const json = run([file('events.json', toFilterLogEventsJson(records, LAB_FIELDS)), '--format', formatString(LAB_FIELDS), '--json']);
  expect(json.code).toBe(0);
  expect(JSON.parse(json.stdout).translations).toHaveLength(4);
  const gz = run([file('object.log.gz', gzipSync(toText(records, LAB_FIELDS, { header: true }))), '--json']);
  expect(JSON.parse(gz.stdout).translations).toHaveLength(4);
});

test('ambiguous pairings are shown with their candidates', () => {
  const [a, b] = articleConnections();
  const same = [{ ...a, start: T0, end: T0 + 59 }, { ...b, start: T0, end: T0 + 59 }].flatMap(connectionRecords);
  const r = run([file('ambiguous.log', toText(same, LAB_FIELDS, { header: true }))]);
  expect(r.code).toBe(0);
  expect(r.stdout).toMatch(/tcp\s+\?\s+->\s+10\.0\.0\.226:27318 .*ambiguous/);
  expect(r.stdout).toMatch(/\? 10\.0\.0\.226:27318 -> 44\.198\.164\.163:8080: one of (10\.0\.1\.32:32222, 10\.0\.1\.123:32222|10\.0\.1\.123:32222, 10\.0\.1\.32:32222)/);
});

test('bad lines are listed with line numbers and do not fail the command', () => {
  const text = toText(records, V2_FIELDS).split('\n');
  text.splice(1, 0, 'not a record at all');
  const r = run([file('bad.log', text.join('\n')), '--json']);
  expect(r.code).toBe(0);
  expect(JSON.parse(r.stdout).skipped).toEqual([{ line: 2, reason: 'expected 14 fields, found 5 (the default format; pass --format for a custom one)' }]);
  const t = run([file('bad.log', text.join('\n'))]);
  expect(t.stdout).toMatch(/Skipped lines: 1\n {2}line 2: expected 14 fields, found 5/);
});

test.each([
  [['/nonexistent/flow.log'], /natlab: \/nonexistent\/flow\.log: cannot read the flow log file \(no such file\)/],
  [['FILE', '--format', '${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} ${bogus}'], /natlab: --format: unknown flow log field "bogus"/],
  [['FILE', '--format', '${srcport} ${dstport}'], /natlab: --format: lacks \$\{srcaddr\} \$\{dstaddr\}, needed to read any traffic/],
  [['FILE', '--by', 'instance'], /natlab: --by "instance" must be one of source, destination, nat/],
  [['FILE', '--price-per-gb', 'free'], /natlab: --price-per-gb "free" must be a price in USD/],
  [['FILE', '--s3', 's3://bucket/prefix'], /natlab: give exactly one source of records/],
  [['--s3', 'https://bucket/prefix'], /natlab: --s3 "https:\/\/bucket\/prefix" is not an S3 location/],
  [['--log-group', '/natlab/flow', '--since', 'yesterday'], /natlab: --since "yesterday" is not a time/],
  [['FILE', '--since', '24h'], /natlab: --since and --until go with --log-group/],
  [['FILE', '--nat-ip', '10.0.0.300'], /natlab: --nat-ip "10\.0\.0\.300" is not an IP address/],
  [['FILE', '--nat-eni', 'nat-123'], /natlab: --nat-eni "nat-123" is not an ENI id/],
  [[], /natlab: give exactly one source of records: a FILE \(or - for stdin\), --log-group NAME or --s3/],
  [['FILE', '--format', ''], /^natlab: --format is empty: give the flow log format as written in AWS .+\n$/],
  [['FILE', '--format', '  '], /^natlab: --format is empty/],
  [['EVENTS5'], /^natlab: .+events5\.json: "events" at line 1 is not an array of log events, as aws logs filter-log-events and get-log-events print it\n$/],
  [['EVENTSOBJ'], /^natlab: .+events-object\.json: "events" at line 2 is not an array of log events/],
])('bad input %j exits 2 with one line', (args, message) => {
  const real = args.map((a) =>
    a === 'FILE'
      ? file('ok.log', toText(records, V2_FIELDS))
      : a === 'EVENTS5'
        ? file('events5.json', '{"events": 5}')
        : a === 'EVENTSOBJ'
          ? file('events-object.json', '{"nextToken": "x",\n "events": {"message": "2 123 eni-1 10.0.0.226 44.198.164.163 1 8080 6 1 40 0 1 ACCEPT OK"}}')
          : a,
  );
  const r = run(real);
  expect(r.code).toBe(2);
  expect(r.stdout).toBe('');
  expect(r.stderr).toMatch(message);
  expect(r.stderr).not.toMatch(/\n\s+at /);
});

test('records with no NAT in them and no --nat-ip: read, and the result says no ENI translates (no refusal)', () => {
  const clientOnly = connectionRecords(articleConnections()[0]).map((rec) => ({ ...rec, dstaddr: '44.198.164.163', srcaddr: '10.0.1.32', 'pkt-dstaddr': '44.198.164.163' }));
  const r = run([file('client.log', toText(clientOnly.slice(0, 1), LAB_FIELDS, { header: true }))]);
  expect(r.code).toBe(0);
  expect(r.stdout).toMatch(/No ENI in the records translates addresses/);
  expect(r.stdout).toMatch(/eni-0a1b2c3d4e5f60718: no-translation/);
});

test('who uses the NAT: --by destination with a price, and the port headroom, in text and JSON', () => {
  const path = file('usage.log', toText(records, LAB_FIELDS, { header: true }));
  const text = run([path, '--by', 'destination', '--price-per-gb', '0.052']);
  expect(text.code).toBe(0);
  expect(text.stdout).toMatch(/Who uses the NAT, by destination: .* processed .* at \$0\.0520\/GB data processing/);
  expect(text.stdout).toMatch(/44\.198\.164\.163\s+840 B\s+2\.3 KiB\s+3\.2 KiB\s+\d+\.\d%\s+#+\.+/);
  expect(text.stdout).toMatch(/Port headroom: at most 1 simultaneous connection to one destination per NAT address \(limit 55,000\)/);
  const json = JSON.parse(run([path, '--json', '--price-per-gb', '0.052']).stdout);
  expect(json.usage.pricePerGb).toBe(0.052);
  expect(json.usage.bySource.rows.map((r: { key: string }) => r.key)).toEqual(['10.0.1.123', '10.0.1.32']);
  expect(json.headroom).toMatchObject({ limit: 55000, destinations: 3 });
});

test.each([
  ['an empty file', 'empty.log', ''],
  ['CloudWatch JSON with no events', 'none.json', '{"events": [], "searchedLogStreams": []}'],
  ['only a header line', 'header.log', `${V2_FIELDS.join(' ')}\n`],
])('%s: exit 0, and stderr says no records were read', (_what, name, content) => {
  const path = file(name, content);
  const r = run([path, '--json']);
  expect(r.code).toBe(0);
  expect(r.stderr).toBe(`natlab flowlogs: no flow log records in ${path}\n`);
  expect(JSON.parse(r.stdout).records).toBe(0);
});

test('records read: nothing on stderr about an empty log', () => {
  const r = run([file('some.log', toText(records, V2_FIELDS))]);
  expect(r.code).toBe(0);
  expect(r.stderr).toBe('');
});
