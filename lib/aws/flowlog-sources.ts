/**
 * Flow log records read where AWS delivers them, with the same credentials chain as
 * `natlab verify`: a CloudWatch Logs group (FilterLogEvents, paginated, between --since and
 * --until) or an S3 prefix (ListObjectsV2 + GetObject, paginated; gzip'd text objects with
 * their header line, or Parquet). Records stream into one analyzer; nothing holds the whole
 * log. Progress goes to stderr.
 */
import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { Readable } from 'node:stream';
import { InputError } from '../errors';
import { FlowLogAnalyzer, type AnalyzeOptions } from '../observe/flowlogs/analyzer';
import { readFlowLogStreamInto } from '../observe/flowlogs/read';
import type { FlowLogsResult } from '../observe/flowlogs/types';
import { awsCall } from './errors';
import { forEachLogEvent } from './logs';
import type { Progress } from './progress';

/** A bucket and key prefix from `s3://bucket/prefix`. */
export interface S3Location {
  readonly bucket: string;
  readonly prefix: string;
}

/** Parses `s3://bucket/prefix` (prefix may be empty); InputError naming --s3 otherwise. */
export function parseS3Url(url: string): S3Location {
  const m = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/.exec(url);
  if (!m) throw new InputError(`--s3 "${url}" is not an S3 location; write s3://bucket/prefix (for example s3://my-flow-logs/AWSLogs/111122223333/vpcflowlogs/us-east-1/2026/11/23/)`);
  return { bucket: m[1], prefix: m[2] ?? '' };
}

/** A bound on the objects read under one prefix, so a prefix at the bucket's root cannot run for days. */
export const MAX_S3_OBJECTS = 100_000;

/** Reads every object under the prefix (key order: S3 delivery names objects by time) into one analysis. */
export async function analyzeS3FlowLogs(s3: S3Client, location: S3Location, options: AnalyzeOptions, progress: Progress): Promise<FlowLogsResult> {
  const where = `s3://${location.bucket}/${location.prefix}`;
  const analyzer = new FlowLogAnalyzer({ ...options, source: options.source ?? where });
  const keys: Array<{ key: string; size: number }> = [];
  let token: string | undefined;
  do {
    const page = await awsCall(`S3 ListObjectsV2 ${where}`, (abortSignal) =>
      s3.send(new ListObjectsV2Command({ Bucket: location.bucket, Prefix: location.prefix || undefined, ContinuationToken: token }), { abortSignal }),
    );
    for (const o of page.Contents ?? []) {
      // "Folders" made in the console are zero-byte keys ending in "/".
      if (o.Key === undefined || o.Key.endsWith('/') || (o.Size ?? 0) === 0) continue;
      keys.push({ key: o.Key, size: o.Size ?? 0 });
      if (keys.length > MAX_S3_OBJECTS) throw new InputError(`${where}: more than ${MAX_S3_OBJECTS.toLocaleString('en')} objects; give a narrower prefix (a day: .../vpcflowlogs/REGION/YYYY/MM/DD/)`);
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  if (!keys.length) throw new InputError(`${where}: no objects under this prefix`);
  keys.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const total = keys.reduce((n, k) => n + k.size, 0);
  progress(`${where}: ${keys.length} object${keys.length === 1 ? '' : 's'}, ${(total / 1024 ** 2).toFixed(1)} MiB`);
  let done = 0;
  let objects = 0;
  for (const { key, size } of keys) {
    const name = `s3://${location.bucket}/${key}`;
    const object = await awsCall(`S3 GetObject ${name}`, (abortSignal) => s3.send(new GetObjectCommand({ Bucket: location.bucket, Key: key }), { abortSignal }));
    const body = object.Body;
    if (!(body instanceof Readable)) throw new InputError(`${name}: the object has no readable body`);
    await readFlowLogStreamInto(analyzer, body, name, `${key}: `);
    done += size;
    progress(`${where}: ${++objects} of ${keys.length} objects read (${Math.round((done / Math.max(total, 1)) * 100)}%)`);
  }
  return analyzer.finish();
}

/** Which events to read from a log group. */
export interface LogGroupRead {
  readonly logGroupName: string;
  /** Milliseconds since the epoch, inclusive. */
  readonly since: number;
  /** Milliseconds since the epoch, inclusive. */
  readonly until: number;
  /** Only the streams of these ENIs (flow logs name each stream `ENI-all`). */
  readonly eniIds?: readonly string[];
}

/** Reads a log group's events between since and until into one analysis. */
export async function analyzeLogGroupFlowLogs(logs: CloudWatchLogsClient, read: LogGroupRead, options: AnalyzeOptions, progress: Progress): Promise<FlowLogsResult> {
  const analyzer = new FlowLogAnalyzer({ ...options, source: options.source ?? read.logGroupName });
  // One ENI: its stream prefix narrows the read on the server side.
  const prefix = read.eniIds?.length === 1 ? read.eniIds[0] : undefined;
  await forEachLogEvent(
    logs,
    { logGroupName: read.logGroupName, startTime: read.since, endTime: read.until, logStreamNamePrefix: prefix },
    (event, index) => {
      const at = `event ${index}${event.eventId ? ` (${event.eventId})` : ''}: `;
      analyzer.addLine(event.message, index, { timestamp: Number.isNaN(event.timestamp) ? undefined : event.timestamp, logStreamName: event.logStreamName }, at);
    },
    progress,
  );
  return analyzer.finish();
}

/**
 * A time for --since/--until: ISO 8601 (`2026-11-23T10:00:00Z`, `2026-11-23`), or a span
 * back from now (`90m`, `24h`, `7d`). InputError naming the option otherwise.
 */
export function parseTimeOption(value: string, option: string, now: number): number {
  const rel = /^(\d+)\s*(s|m|h|d)$/.exec(value.trim());
  if (rel) return now - Number(rel[1]) * { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }[rel[2] as 's' | 'm' | 'h' | 'd'];
  if (/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(value.trim())) {
    const t = Date.parse(value.trim());
    if (!Number.isNaN(t)) return t;
  }
  throw new InputError(`${option} "${value}" is not a time: write ISO 8601 (2026-11-23T10:00:00Z) or a span back from now (90m, 24h, 7d)`);
}
