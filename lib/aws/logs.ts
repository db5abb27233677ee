/**
 * The NAT ENI's VPC Flow Log records from CloudWatch Logs. Flow logs are aggregated for up to
 * a minute and delivered minutes later, so the harness polls with a bounded, visible wait until
 * the records it needs are in (or the time is up, which it then reports as what was missing).
 */
import { FilterLogEventsCommand, type CloudWatchLogsClient, type FilteredLogEvent } from '@aws-sdk/client-cloudwatch-logs';
import { formatDuration } from './clock';
import { awsCall } from './errors';
import type { WaitOptions } from './ssm';

/** One CloudWatch Logs event, as `aws logs filter-log-events` prints it. */
export interface LogEvent {
  readonly timestamp: number;
  readonly message: string;
  readonly logStreamName?: string;
  readonly eventId?: string;
}

/** Which events to read. */
export interface LogQuery {
  readonly logGroupName: string;
  /** Only streams whose name starts with this (flow log streams are named by ENI id). */
  readonly logStreamNamePrefix?: string;
  /** Milliseconds since the epoch, inclusive. */
  readonly startTime: number;
  readonly endTime?: number;
}

/** A page bound, so a log group flooded with records cannot keep the harness forever. */
export const MAX_LOG_PAGES = 1000;

/** The events read, and whether reading stopped at the page bound with more pages left. */
export interface LogEventPages {
  readonly events: LogEvent[];
  /** Pages read. */
  readonly pages: number;
  /** True when nextToken still pointed at more pages after `MAX_LOG_PAGES`: the events are incomplete. */
  readonly truncated: boolean;
}

/** Every event of the query, following nextToken through all pages. */
export async function fetchLogEvents(logs: CloudWatchLogsClient, query: LogQuery): Promise<LogEvent[]> {
  return (await fetchLogEventPages(logs, query)).events;
}

/** Every event of the query up to `maxPages` pages, saying whether more were left unread. */
export async function fetchLogEventPages(logs: CloudWatchLogsClient, query: LogQuery, maxPages = MAX_LOG_PAGES): Promise<LogEventPages> {
  const events: LogEvent[] = [];
  let pages = 0;
  for await (const page of filterLogEventPages(logs, query)) {
    for (const e of page.events) {
      if (e.message === undefined || e.timestamp === undefined) continue;
      events.push({ timestamp: e.timestamp, message: e.message.trimEnd(), logStreamName: e.logStreamName, eventId: e.eventId });
    }
    if (++pages >= maxPages) return { events, pages, truncated: page.more };
  }
  return { events, pages, truncated: false };
}

/** FilterLogEvents page by page, following nextToken to the end: the one loop both readers use. */
async function* filterLogEventPages(
  logs: CloudWatchLogsClient,
  query: LogStreamQuery,
): AsyncGenerator<{ readonly events: readonly FilteredLogEvent[]; readonly more: boolean }> {
  let nextToken: string | undefined;
  do {
    const page = await awsCall(`CloudWatch Logs FilterLogEvents ${query.logGroupName}`, (abortSignal) =>
      logs.send(
        new FilterLogEventsCommand({
          logGroupName: query.logGroupName,
          logStreamNamePrefix: query.logStreamNamePrefix,
          logStreamNames: query.logStreamNames?.length ? [...query.logStreamNames] : undefined,
          startTime: query.startTime,
          endTime: query.endTime,
          nextToken,
        }),
        { abortSignal },
      ),
    );
    nextToken = page.nextToken;
    yield { events: page.events ?? [], more: nextToken !== undefined };
  } while (nextToken);
}

/** What a look at the events so far says: enough, or what is still missing. */
export interface LogsProgress<T> {
  readonly done: boolean;
  /** "client-a seen, client-b not yet". */
  readonly status: string;
  readonly value: T;
}

/** The outcome of the wait: the last look, and whether the time ran out first. */
export interface LogsWaitResult<T> {
  readonly events: LogEvent[];
  readonly value: T;
  readonly timedOut: boolean;
  readonly status: string;
  readonly waitedMs: number;
  /** Pages read in the last look when it stopped at the page bound with more left (the events are incomplete); else undefined. */
  readonly truncatedAtPages?: number;
}

/**
 * Polls until `inspect` says the events are enough or `timeoutMs` has passed. Never throws
 * for lateness: the caller turns a timeout into failed checks that say what was missing.
 */
export async function waitForLogEvents<T>(
  logs: CloudWatchLogsClient,
  query: LogQuery,
  inspect: (events: LogEvent[]) => LogsProgress<T>,
  opts: WaitOptions,
  maxPages = MAX_LOG_PAGES,
): Promise<LogsWaitResult<T>> {
  const start = opts.clock.now();
  opts.progress(`waiting for flow log records in ${query.logGroupName} (flow logs arrive minutes late; up to ${formatDuration(opts.timeoutMs)})`);
  for (;;) {
    const read = await fetchLogEventPages(logs, query, maxPages);
    const events = read.events;
    if (read.truncated) opts.progress(`flow logs: stopped reading at ${read.pages} pages (${events.length} record(s)); later records were not read`);
    const look = inspect(events);
    const waitedMs = opts.clock.now() - start;
    const truncatedAtPages = read.truncated ? read.pages : undefined;
    if (look.done) {
      opts.progress(`flow logs: ${events.length} record(s), ${look.status} after ${formatDuration(waitedMs)}`);
      return { events, value: look.value, timedOut: false, status: look.status, waitedMs, truncatedAtPages };
    }
    if (waitedMs + opts.pollMs > opts.timeoutMs) {
      opts.progress(`flow logs: gave up after ${formatDuration(waitedMs)}: ${events.length} record(s), ${look.status}`);
      return { events, value: look.value, timedOut: true, status: look.status, waitedMs, truncatedAtPages };
    }
    opts.progress(`flow logs: ${events.length} record(s) so far, ${look.status} (${formatDuration(waitedMs)} of ${formatDuration(opts.timeoutMs)})`);
    await opts.clock.sleep(opts.pollMs);
  }
}

/** Which events `forEachLogEvent` streams. */
export interface LogStreamQuery extends LogQuery {
  /** Only these log streams (flow logs name each after its ENI: `eni-0abc-all`). */
  readonly logStreamNames?: readonly string[];
}

/** How far a streamed read got. */
export interface LogReadCount {
  readonly events: number;
  readonly pages: number;
}

/**
 * Every event of the query handed to `onEvent` page by page (FilterLogEvents, following
 * nextToken to the end), never all held at once: a day of a busy NAT is millions of events.
 * Progress says how many were read after each page.
 */
export async function forEachLogEvent(
  logs: CloudWatchLogsClient,
  query: LogStreamQuery,
  onEvent: (event: LogEvent, index: number) => void,
  progress: (line: string) => void = () => undefined,
): Promise<LogReadCount> {
  let pages = 0;
  let events = 0;
  for await (const page of filterLogEventPages(logs, query)) {
    for (const e of page.events) {
      if (e.message === undefined) continue;
      onEvent({ timestamp: e.timestamp ?? NaN, message: e.message.trimEnd(), logStreamName: e.logStreamName, eventId: e.eventId }, ++events);
    }
    pages++;
    progress(`${query.logGroupName}: ${events.toLocaleString('en')} events, ${pages} page${pages === 1 ? '' : 's'}${page.more ? ', reading on' : ', done'}`);
  }
  return { events, pages };
}
