/**
 * Records read where AWS delivers them: a CloudWatch Logs group (FilterLogEvents pages) and
 * an S3 prefix (ListObjectsV2 pages, gzip'd text objects with their header line, Parquet),
 * against aws-sdk-client-mock only.
 */
import { CloudWatchLogsClient, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { analyzeLogGroupFlowLogs, analyzeS3FlowLogs, parseS3Url, parseTimeOption } from '../../lib/aws/flowlog-sources';
import { InputError } from '../../lib/errors';
import { LAB_FIELDS, NAT_ENI, T0, articleConnections, byTime, connectionRecords, formatString, ntpConnections, toEvents, toParquet, toText } from '../fixtures/flowlogs/generate';

const records = byTime([...articleConnections().flatMap(connectionRecords), ...ntpConnections().flatMap(connectionRecords)]);

function table(r: { translations: Array<{ inside: { ip: string; port: number } | null; outside: { port: number } }> }): string[] {
  return r.translations.map((t) => `${t.inside?.ip}:${t.inside?.port} ${t.outside.port}`);
}

const ARTICLE = ['10.0.1.32:32222 27318', '10.0.1.32:123 51123', '10.0.1.123:32222 10722', '10.0.1.123:123 40999'];

describe('--log-group', () => {
  test('follows nextToken through every page, streams the events in and reports progress per page', async () => {
    const logs = mockClient(CloudWatchLogsClient);
    const events = toEvents(records, LAB_FIELDS);
    logs
      .on(FilterLogEventsCommand)
      .resolvesOnce({ events: events.slice(0, 6), nextToken: 'page-2' })
      .resolvesOnce({ events: [], nextToken: 'page-3' })
      .resolvesOnce({ events: events.slice(6) });
    const lines: string[] = [];
    const r = await analyzeLogGroupFlowLogs(
      logs as unknown as CloudWatchLogsClient,
      { logGroupName: '/natlab/nat-flow-logs', since: T0 * 1000 - 60_000, until: T0 * 1000 + 3_600_000, eniIds: [NAT_ENI] },
      { format: formatString(LAB_FIELDS) },
      (l) => lines.push(l),
    );
    expect(table(r)).toEqual(ARTICLE);
    const calls = logs.commandCalls(FilterLogEventsCommand).map((c) => c.args[0].input);
    expect(calls.map((c) => c.nextToken)).toEqual([undefined, 'page-2', 'page-3']);
    expect(calls[0]).toMatchObject({ logGroupName: '/natlab/nat-flow-logs', startTime: T0 * 1000 - 60_000, endTime: T0 * 1000 + 3_600_000, logStreamNamePrefix: NAT_ENI });
    expect(lines).toEqual(['/natlab/nat-flow-logs: 6 events, 1 page, reading on', '/natlab/nat-flow-logs: 6 events, 2 pages, reading on', '/natlab/nat-flow-logs: 16 events, 3 pages, done']);
    logs.restore();
  });

  test('an access error is one sentence naming the call', async () => {
    const logs = mockClient(CloudWatchLogsClient);
    logs.on(FilterLogEventsCommand).rejects(Object.assign(new Error('User is not authorized to perform: logs:FilterLogEvents'), { name: 'AccessDeniedException' }));
    await expect(analyzeLogGroupFlowLogs(logs as unknown as CloudWatchLogsClient, { logGroupName: '/x', since: 0, until: 1 }, {}, () => undefined)).rejects.toThrow(/FilterLogEvents/);
    logs.restore();
  });
});

describe('--s3', () => {
  const prefix = 'AWSLogs/111122223333/vpcflowlogs/us-east-1/2026/11/23/';
  const key = (hhmm: string, ext: string): string => `${prefix}111122223333_vpcflowlogs_us-east-1_fl-0a1b2c3d4e5f67890_20261123T${hhmm}Z_5e1f3a2b.${ext}`;

  test('lists every page, reads gzip text and Parquet objects in key (time) order into one analysis', async () => {
    const s3 = mockClient(S3Client);
    const early = records.filter((r) => Number(r.start) < T0 + 15);
    const late = records.filter((r) => Number(r.start) >= T0 + 15);
    const objects: Record<string, Buffer> = {
      [key('1000', 'log.gz')]: gzipSync(toText(early, LAB_FIELDS, { header: true })),
      [key('1005', 'log.parquet')]: await toParquet(late, LAB_FIELDS),
    };
    s3.on(ListObjectsV2Command)
      .resolvesOnce({ Contents: [{ Key: prefix, Size: 0 }, { Key: key('1005', 'log.parquet'), Size: objects[key('1005', 'log.parquet')].length }], IsTruncated: true, NextContinuationToken: 'more' })
      .resolvesOnce({ Contents: [{ Key: key('1000', 'log.gz'), Size: objects[key('1000', 'log.gz')].length }], IsTruncated: false });
    for (const [k, body] of Object.entries(objects)) s3.on(GetObjectCommand, { Key: k }).callsFake(() => ({ Body: Readable.from([body]) }));
    const lines: string[] = [];
    const r = await analyzeS3FlowLogs(s3 as unknown as S3Client, parseS3Url(`s3://natlab-flow-logs/${prefix}`), {}, (l) => lines.push(l));
    expect(r.records).toBe(records.length);
    expect(table(r)).toEqual(ARTICLE);
    expect(s3.commandCalls(ListObjectsV2Command).map((c) => c.args[0].input.ContinuationToken)).toEqual([undefined, 'more']);
    expect(s3.commandCalls(GetObjectCommand).map((c) => c.args[0].input.Key)).toEqual([key('1000', 'log.gz'), key('1005', 'log.parquet')]);
    expect(lines[0]).toMatch(/^s3:\/\/natlab-flow-logs\/AWSLogs\/.*: 2 objects, 0\.0 MiB$/);
    expect(lines[2]).toMatch(/2 of 2 objects read \(100%\)$/);
    s3.restore();
  });

  test('a bad line in one object names the object and the line', async () => {
    const s3 = mockClient(S3Client);
    const text = toText(records.slice(0, 4), LAB_FIELDS, { header: true }).replace(/ACCEPT/, 'ACCPT');
    s3.on(ListObjectsV2Command).resolves({ Contents: [{ Key: key('1000', 'log.gz'), Size: 10 }] });
    s3.on(GetObjectCommand).callsFake(() => ({ Body: Readable.from([gzipSync(text)]) }));
    const r = await analyzeS3FlowLogs(s3 as unknown as S3Client, parseS3Url(`s3://natlab-flow-logs/${prefix}`), {}, () => undefined);
    expect(r.skipped).toEqual([{ line: 2, reason: `${key('1000', 'log.gz')}: action "ACCPT" is neither ACCEPT nor REJECT` }]);
    s3.restore();
  });

  test('an empty prefix is an InputError naming it', async () => {
    const s3 = mockClient(S3Client);
    s3.on(ListObjectsV2Command).resolves({ KeyCount: 0 });
    await expect(analyzeS3FlowLogs(s3 as unknown as S3Client, parseS3Url('s3://natlab-flow-logs/nothing/'), {}, () => undefined)).rejects.toThrow(new InputError('s3://natlab-flow-logs/nothing/: no objects under this prefix'));
    s3.restore();
  });
});

describe('options', () => {
  test('s3 URLs and times', () => {
    expect(parseS3Url('s3://my-flow-logs')).toEqual({ bucket: 'my-flow-logs', prefix: '' });
    expect(parseS3Url('s3://my-flow-logs/AWSLogs/1/')).toEqual({ bucket: 'my-flow-logs', prefix: 'AWSLogs/1/' });
    expect(() => parseS3Url('s3:/my-flow-logs')).toThrow(/not an S3 location/);
    const now = Date.UTC(2026, 10, 23, 12);
    expect(parseTimeOption('90m', '--since', now)).toBe(now - 90 * 60_000);
    expect(parseTimeOption('7d', '--since', now)).toBe(now - 7 * 86_400_000);
    expect(parseTimeOption('2026-11-23T10:00:00Z', '--since', now)).toBe(Date.UTC(2026, 10, 23, 10));
    expect(() => parseTimeOption('2026-13-45', '--until', now)).toThrow(/--until "2026-13-45" is not a time/);
  });
});
