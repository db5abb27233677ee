/**
 * VPC Flow Logs on a NAT Gateway ENI -> the NAT translation table (`natlab flowlogs`).
 *
 * For records already in memory (CloudWatch Logs events fetched by the harness):
 *
 *   const parsed = parseFlowLogRecords(events, { format });      // events: {message, timestamp?, logStreamName?}[]
 *   const result = analyzeNatFlowLogs(parsed, { natPrivateIps: ['10.0.0.226'] });
 *
 * For files and streams, in bounded memory: `analyzeFlowLogFile(path, options)`.
 */
import { FlowLogAnalyzer, type AnalyzeOptions } from './analyzer';
import type { FlowLogFormat } from './format';
import { FlowLogLineParser } from './lines';
import type { FlowLogRecord } from './record';
import type { FlowLogSkipped, FlowLogsResult } from './types';

export { BATCH_HORIZON_SECONDS, FlowLogAnalyzer, MAX_LISTED_SKIPPED, protocolName, type AnalyzeOptions, type FlowLogSink } from './analyzer';
export { DEFAULT_FLOW_LOG_FORMAT, FLOW_LOG_FIELDS, parseFlowLogFormat, type FlowLogFormat } from './format';
export { FlowLogLineParser } from './lines';
export { LogEventsScanner, LogEventsSyntaxError, type LogEvent } from './log-events-json';
export { analyzeFlowLogFile, analyzeFlowLogStream } from './read';
export { eniFromLogStream, parseRecordLine, type FlowLogRecord, type RecordContext } from './record';
export { renderFlowLogs } from './render';
export type * from './types';

/** A CloudWatch Logs event as the SDK (`FilteredLogEvent`, `OutputLogEvent`) or the CLI gives it. */
export interface FlowLogEventLike {
  readonly message?: string;
  /** Milliseconds since the epoch. */
  readonly timestamp?: number;
  /** Flow logs name each stream after its ENI (`eni-0abc-all`); used when records have no interface-id. */
  readonly logStreamName?: string;
  readonly eventId?: string;
}

/** Records parsed from lines or events, with the lines that were not records. */
export interface ParsedFlowLogs {
  readonly records: FlowLogRecord[];
  readonly skipped: FlowLogSkipped[];
  /** The format the records were parsed with (a header line may have set it). */
  readonly format: FlowLogFormat;
  /** Notes from parsing (a format read from a header line). */
  readonly notes: string[];
}

/** Options of parseFlowLogRecords. */
export interface ParseFlowLogOptions {
  /**
   * The format as written in AWS (`${srcaddr} ${dstport} ...`).
   * @default - the default version 2 format, or a header line's
   */
  readonly format?: string | FlowLogFormat;
  /**
   * What the input is called in messages.
   * @default "input"
   */
  readonly source?: string;
}

/**
 * Parses flow log lines (strings, numbered from 1) or CloudWatch Logs events (numbered by
 * position). Bad lines are returned in `skipped`, never thrown; a bad format string or a
 * header that contradicts `format` throws InputError.
 */
export function parseFlowLogRecords(input: Iterable<string | FlowLogEventLike>, options: ParseFlowLogOptions = {}): ParsedFlowLogs {
  const parser = new FlowLogLineParser(options.format, options.source);
  const records: FlowLogRecord[] = [];
  const skipped: FlowLogSkipped[] = [];
  let n = 0;
  for (const item of input) {
    n++;
    const text = typeof item === 'string' ? item : item.message;
    if (text === undefined) {
      skipped.push({ line: n, reason: `event ${n}: no message` });
      continue;
    }
    const ctx = typeof item === 'string' ? undefined : { timestamp: item.timestamp, logStreamName: item.logStreamName };
    const r = parser.parse(text, n, ctx);
    if (r === null) continue;
    if ('skip' in r) skipped.push({ line: n, reason: typeof item === 'string' ? r.skip : `event ${n}${item.eventId ? ` (${item.eventId})` : ''}: ${r.skip}` });
    else records.push(r.record);
  }
  return { records, skipped, format: parser.format, notes: parser.notes };
}

/**
 * Rebuilds the NAT translation table from parsed records (or a bare record list): classifies
 * inside legs, outside legs, replies and unsolicited traffic against the NAT's private IPs
 * (inferred when not given) and pairs the legs with a stated confidence.
 */
export function analyzeNatFlowLogs(input: ParsedFlowLogs | Iterable<FlowLogRecord>, options: AnalyzeOptions = {}): FlowLogsResult {
  const parsed = isParsed(input) ? input : undefined;
  // The result names the format the records were parsed with (only reported, not re-applied).
  const analyzer = new FlowLogAnalyzer({ ...options, format: parsed?.format ?? options.format });
  if (parsed) {
    for (const s of parsed.skipped) analyzer.skip(s.line, s.reason);
    for (const n of parsed.notes) analyzer.note(n);
  }
  for (const rec of parsed ? parsed.records : (input as Iterable<FlowLogRecord>)) analyzer.addRecord(rec);
  return analyzer.finish();
}

function isParsed(x: unknown): x is ParsedFlowLogs {
  return typeof x === 'object' && x !== null && Array.isArray((x as ParsedFlowLogs).records) && Array.isArray((x as ParsedFlowLogs).skipped);
}
