import { mkdtempSync, rmSync, writeFileSync, chmodSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { InputError } from '../../lib/errors';
import { LogEventsScanner, analyzeFlowLogFile, analyzeFlowLogStream, type FlowLogsResult, type LogEvent } from '../../lib/observe/flowlogs';
import {
  LAB_FIELDS,
  NAT_ENI,
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
  toGetLogEventsJson,
  toText,
} from '../fixtures/flowlogs/generate';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'natlab-flowlogs-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const records = byTime([
  ...articleConnections().flatMap(connectionRecords),
  ...ntpConnections().flatMap(connectionRecords),
  ...scanRecords('198.51.100.77', [22, 23], T0 + 30),
]);

function table(r: FlowLogsResult): string[] {
  return r.translations.map((t) => `${t.inside?.ip}:${t.inside?.port} -> ${t.outside.ip}:${t.outside.port} -> ${t.destination.ip}:${t.destination.port} ${t.confidence}`);
}

const ARTICLE_TABLE = [
  '10.0.1.32:32222 -> 10.0.0.226:27318 -> 44.198.164.163:8080 certain',
  '10.0.1.32:123 -> 10.0.0.226:51123 -> 198.51.100.123:123 certain',
  '10.0.1.123:32222 -> 10.0.0.226:10722 -> 44.198.164.163:8080 certain',
  '10.0.1.123:123 -> 10.0.0.226:40999 -> 198.51.100.124:123 certain',
];

function file(name: string, content: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

describe('analyzeFlowLogFile', () => {
  test('a default-format (v2) text export is read; translations cannot be rebuilt and the result says what it still shows', async () => {
    const r = await analyzeFlowLogFile(file('v2.log', toText(records, V2_FIELDS)));
    expect(r.records).toBe(records.length);
    expect(r.skipped).toEqual([]);
    expect(r.translations).toEqual([]);
    expect(r.notes.join(' ')).toMatch(/Translations cannot be rebuilt from this format: it lacks \$\{pkt-srcaddr\} \$\{pkt-dstaddr\}/);
    expect(r.interfaces).toEqual([expect.objectContaining({ interface: NAT_ENI, kind: 'unknown', records: records.length })]);
  });

  test('an S3 object with its header line: the header sets the format', async () => {
    const r = await analyzeFlowLogFile(file('s3.log', toText(records, LAB_FIELDS, { header: true })));
    expect(table(r)).toEqual(ARTICLE_TABLE);
    expect(r.format).toBe(formatString(LAB_FIELDS));
    expect(r.notes.join(' ')).toMatch(/header line 1/);
  });

  test('a gzip\'d S3 object (recognised by its magic bytes, whatever its name)', async () => {
    const r = await analyzeFlowLogFile(file('object.log.gz', gzipSync(toText(records, LAB_FIELDS, { header: true }))));
    expect(table(r)).toEqual(ARTICLE_TABLE);
  });

  test('CRLF line endings and a UTF-8 byte order mark', async () => {
    const r = await analyzeFlowLogFile(file('crlf.log', '\uFEFF' + toText(records, LAB_FIELDS, { header: true }).replace(/\n/g, '\r\n')));
    expect(table(r)).toEqual(ARTICLE_TABLE);
    expect(r.skipped).toEqual([]);
  });

  test('filter-log-events JSON', async () => {
    const r = await analyzeFlowLogFile(file('filter.json', toFilterLogEventsJson(records, LAB_FIELDS)), { format: formatString(LAB_FIELDS) });
    expect(table(r)).toEqual(ARTICLE_TABLE);
    expect(r.records).toBe(records.length);
  });

  test('get-log-events JSON, without interface-id in the format: no interface is invented', async () => {
    const fields = LAB_FIELDS.filter((f) => f !== 'interface-id');
    const r = await analyzeFlowLogFile(file('get.json', toGetLogEventsJson(records, fields)), { format: formatString(fields) });
    expect(table(r)).toEqual(ARTICLE_TABLE);
    expect(r.translations.every((t) => t.interface === null)).toBe(true);
  });

  test('filter-log-events JSON without interface-id takes the ENI from the log stream name', async () => {
    const fields = LAB_FIELDS.filter((f) => f !== 'interface-id');
    const r = await analyzeFlowLogFile(file('filter-noeni.json', toFilterLogEventsJson(records, fields)), { format: formatString(fields) });
    expect(r.translations.every((t) => t.interface === NAT_ENI)).toBe(true);
  });

  test('gzip\'d JSON', async () => {
    const r = await analyzeFlowLogFile(file('filter.json.gz', gzipSync(toFilterLogEventsJson(records, LAB_FIELDS))), { format: formatString(LAB_FIELDS) });
    expect(table(r)).toEqual(ARTICLE_TABLE);
  });

  test('bad lines in a text file are skipped with their line numbers; the rest is analysed', async () => {
    const lines = toText(records, V2_FIELDS).split('\n');
    lines.splice(2, 0, 'this is not a record');
    lines.splice(5, 0, '2 123456789012 eni-1 10.0.1.32 10.0.0.226 32222 8080 6 x 1 2 3 ACCEPT OK');
    const r = await analyzeFlowLogFile(file('bad.log', lines.join('\n')));
    expect(r.skipped).toEqual([
      { line: 3, reason: 'expected 14 fields, found 5 (the default format; pass --format for a custom one)' },
      { line: 6, reason: 'packets "x" is not a number' },
    ]);
    expect(r.records).toBe(records.length);
  });

  test('bad events in JSON are skipped with their line and event number', async () => {
    const json = toFilterLogEventsJson(records, LAB_FIELDS).replace('ACCEPT', 'ACCPT');
    const r = await analyzeFlowLogFile(file('bad.json', json), { format: formatString(LAB_FIELDS) });
    expect(r.skipped).toHaveLength(1);
    const lineOfBad = json.split('\n').findIndex((l) => l.includes('ACCPT')) + 1;
    expect(r.skipped[0].line).toBe(lineOfBad);
    expect(r.skipped[0].reason).toMatch(/^event 1 \(\d+\): action "ACCPT" is neither ACCEPT nor REJECT$/);
  });

  test('a truncated JSON download keeps the events before the cut and says so', async () => {
    const json = toFilterLogEventsJson(records, LAB_FIELDS);
    const cut = json.slice(0, json.indexOf('"message"', json.length / 2));
    const r = await analyzeFlowLogFile(file('cut.json', cut), { format: formatString(LAB_FIELDS) });
    expect(r.records).toBeGreaterThan(0);
    expect(r.records).toBeLessThan(records.length);
    expect(r.skipped[r.skipped.length - 1].reason).toMatch(/truncated/);
  });

  test('stdin via "-"', async () => {
    const r = await analyzeFlowLogFile('-', {}, Readable.from([Buffer.from(toText(records, LAB_FIELDS, { header: true }))]));
    expect(table(r)).toEqual(ARTICLE_TABLE);
  });

  test('an empty file: no records, no error', async () => {
    const r = await analyzeFlowLogFile(file('empty.log', ''));
    expect(r).toMatchObject({ records: 0, translations: [], unsolicited: [], unmatched: [], skipped: [] });
  });

  test('a missing file, a directory and broken gzip are InputErrors naming the file', async () => {
    await expect(analyzeFlowLogFile(join(dir, 'nope.log'))).rejects.toThrow(new InputError(`${join(dir, 'nope.log')}: cannot read the flow log file (no such file)`));
    mkdirSync(join(dir, 'adir'), { recursive: true });
    await expect(analyzeFlowLogFile(join(dir, 'adir'))).rejects.toThrow(/adir: is a directory/);
    const broken = file('broken.gz', Buffer.concat([gzipSync('x'.repeat(1000)).subarray(0, 12), Buffer.from('garbage-garbage')]));
    await expect(analyzeFlowLogFile(broken)).rejects.toThrow(/broken\.gz: .*(gzip|unexpected end|incorrect header)/i);
  });

  test('an unreadable file is an InputError', async () => {
    if (process.getuid?.() === 0) return expect(true).toBe(true); // root reads everything; the missing-file case covers the path
    const p = file('secret.log', 'x');
    chmodSync(p, 0o000);
    await expect(analyzeFlowLogFile(p)).rejects.toThrow(/cannot read the flow log file \(permission denied\)/);
  });

  test('text that starts like JSON but is not is an InputError with the line', async () => {
    await expect(analyzeFlowLogFile(file('notjson.json', '{"events": [\n  {"message": "x"} oops ]}'))).rejects.toThrow(/notjson\.json: not valid JSON at line 2: "oops" is not a JSON value/);
  });

  test('a header contradicting --format is an InputError', async () => {
    await expect(analyzeFlowLogFile(file('hdr.log', toText(records, LAB_FIELDS, { header: true })), { format: formatString(V2_FIELDS) })).rejects.toThrow(/hdr\.log: header line 1 names the fields/);
  });

  test('streams larger than one chunk with records split across chunks', async () => {
    const many = Array.from({ length: 3000 }, (_, i) => articleConnections().map((c, k) => ({ ...c, start: T0 + i * 1000 + k * 20, end: T0 + i * 1000 + k * 20 + 1 }))).flat();
    const text = toText(many.flatMap(connectionRecords), LAB_FIELDS);
    const chunks: Buffer[] = [];
    for (let i = 0; i < text.length; i += 777) chunks.push(Buffer.from(text.slice(i, i + 777)));
    const r = await analyzeFlowLogStream(Readable.from(chunks), { natPrivateIps: [NAT_IP], format: formatString(LAB_FIELDS) });
    expect(r.records).toBe(24000);
    expect(r.translations).toHaveLength(6000);
    expect(r.translations.every((t) => t.confidence === 'certain')).toBe(true);
  });
});

describe('LogEventsScanner', () => {
  function scan(text: string, chunk = text.length): LogEvent[] {
    const events: LogEvent[] = [];
    const s = new LogEventsScanner((e) => events.push(e));
    for (let i = 0; i < text.length; i += chunk) s.write(text.slice(i, i + chunk));
    expect(s.end().truncatedAt).toBeUndefined();
    return events;
  }

  const doc = JSON.stringify(
    {
      events: [
        { logStreamName: 'eni-0abc-all', timestamp: 1795428000000, message: '2 a "quoted" \\ back\\slash \u00e9', ingestionTime: 1, eventId: '1' },
        { timestamp: 1795428001000, message: 'second', nested: { message: 'inner', list: [1, true, null, -2.5e3] } },
      ],
      searchedLogStreams: [{ logStreamName: 'eni-0abc-all', searchedCompletely: true }],
      nextToken: 'tok"en',
    },
    null,
    4,
  );

  test('finds each event\'s message, timestamp, stream and line; decodes escapes', () => {
    const events = scan(doc);
    expect(events.map((e) => e.message)).toEqual(['2 a "quoted" \\ back\\slash \u00e9', 'inner', 'second']);
    expect(events[0]).toMatchObject({ timestamp: 1795428000000, logStreamName: 'eni-0abc-all', eventId: '1', index: 1 });
    expect(events[0].line).toBe(doc.split('\n').findIndex((l) => l.includes('quoted')) + 1);
    expect(events[2]).toMatchObject({ timestamp: 1795428001000, index: 3 });
  });

  test('gives the same events whatever the chunk size (1, 2, 7 characters)', () => {
    const whole = scan(doc);
    for (const size of [1, 2, 7]) expect(scan(doc, size)).toEqual(whole);
  });

  test('a bare array and one event per line (JSON Lines) work too', () => {
    expect(scan('[{"message":"a"},{"message":"b"}]').map((e) => e.message)).toEqual(['a', 'b']);
    expect(scan('{"message":"a","timestamp":5}\n{"message":"b"}\n').map((e) => [e.message, e.line, e.timestamp])).toEqual([
      ['a', 1, 5],
      ['b', 2, undefined],
    ]);
  });

  test('rejects what is not JSON and reports a cut', () => {
    const s = new LogEventsScanner(() => undefined);
    expect(() => s.write('{"a" "b"}')).toThrow(/two keys without ":"/);
    const t = new LogEventsScanner(() => undefined);
    expect(() => t.write('{"a": tru e}')).toThrow(/"e" is not a JSON value|"tru" is not a JSON value/);
    const u = new LogEventsScanner(() => undefined);
    u.write('{"events": [{"message": "abc');
    expect(u.end()).toEqual({ truncatedAt: 1, events: 0 });
  });
});
