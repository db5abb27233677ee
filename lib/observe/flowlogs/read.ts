/**
 * Reads flow log records from a file or stdin, streaming: plain text (one record per line,
 * header lines allowed) through node:readline, or the JSON that `aws logs filter-log-events`
 * / `get-log-events` print through the event scanner; gzip is recognised by its magic bytes.
 */
import { createReadStream, promises as fsp } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { createGunzip } from 'node:zlib';
import { InputError } from '../../errors';
import { FlowLogAnalyzer, type AnalyzeOptions } from './analyzer';
import { LogEventsScanner, LogEventsSyntaxError } from './log-events-json';
import { looksLikeParquet, readParquetInto } from './parquet';
import type { FlowLogsResult } from './types';

/** Which of the accepted shapes the input had. */
export type FlowLogInputKind = 'text' | 'cloudwatch-json';

/**
 * Reads and analyses a flow log file (`-`: stdin). A missing or unreadable file, broken
 * gzip, or text that starts like JSON but is not, throws InputError naming the file.
 */
export async function analyzeFlowLogFile(path: string, options: AnalyzeOptions = {}, stdin: Readable = process.stdin): Promise<FlowLogsResult> {
  const source = options.source ?? (path === '-' ? 'stdin' : path);
  let stream: Readable;
  if (path === '-') {
    stream = stdin;
  } else {
    try {
      const st = await fsp.stat(path);
      if (st.isDirectory()) throw new InputError(`${path}: is a directory, not a flow log file`);
      await fsp.access(path, fsp.constants.R_OK);
    } catch (err) {
      if (err instanceof InputError) throw err;
      throw new InputError(`${path}: cannot read the flow log file (${describe(err)})`);
    }
    stream = createReadStream(path);
  }
  return analyzeFlowLogStream(stream, { ...options, source });
}

/** Reads and analyses flow log records from a byte stream (text, JSON, Parquet, or gzip'd text or JSON). */
export async function analyzeFlowLogStream(input: Readable, options: AnalyzeOptions = {}): Promise<FlowLogsResult> {
  const source = options.source ?? 'input';
  const analyzer = new FlowLogAnalyzer({ ...options, source });
  await readFlowLogStreamInto(analyzer, input, source);
  return analyzer.finish();
}

/** A Parquet object is read whole (its index is at the end): bounded so a wrong file cannot fill memory. */
export const MAX_PARQUET_BYTES = 1024 * 1024 * 1024;

/**
 * Feeds one byte stream's records into an analyzer (several streams can feed one: the
 * objects under an S3 prefix). Throws InputError naming `source` for unreadable input.
 */
export async function readFlowLogStreamInto(analyzer: FlowLogAnalyzer, input: Readable, source: string, where = ''): Promise<FlowLogInputKind | 'parquet' | 'empty'> {
  let stream = input;
  const head = await peek(stream, source);
  if (head === null) return 'empty';
  if (looksLikeParquet(head)) {
    await readParquetInto(analyzer, await readAll(stream, source), source);
    return 'parquet';
  }
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) {
    const gunzip = createGunzip();
    input.on('error', (err) => gunzip.destroy(err));
    stream = input.pipe(gunzip);
  }
  const first = stream === input ? head : await peek(stream, source);
  if (first === null) return 'empty';
  const kind = first && /^\s*[[{]/.test(first.subarray(0, 256).toString('utf8').replace(/^\uFEFF/, '')) ? 'cloudwatch-json' : 'text';
  try {
    if (kind === 'text') await readText(stream, analyzer, where);
    else await readJson(stream, analyzer, source);
  } catch (err) {
    if (err instanceof InputError) throw err;
    throw new InputError(`${source}: ${describe(err)}`);
  }
  return kind;
}

async function readAll(stream: Readable, source: string): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of stream) {
      size += (chunk as Buffer).length;
      if (size > MAX_PARQUET_BYTES) throw new InputError(`${source}: a Parquet object larger than ${MAX_PARQUET_BYTES / 1024 ** 3} GiB is not read (S3 delivery writes 5-minute objects)`);
      chunks.push(chunk as Buffer);
    }
  } catch (err) {
    if (err instanceof InputError) throw err;
    throw new InputError(`${source}: cannot read the flow log input (${describe(err)})`);
  }
  return Buffer.concat(chunks);
}

/** The first chunk of a stream, put back so that reading starts from it. */
function peek(stream: Readable, source: string): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const done = (): void => {
      stream.off('readable', onReadable);
      stream.off('end', onEnd);
      stream.off('error', onError);
    };
    const onReadable = (): void => {
      done();
      const chunk = stream.read() as Buffer | null;
      if (chunk) stream.unshift(chunk);
      resolve(chunk);
    };
    const onEnd = (): void => {
      done();
      resolve(null);
    };
    const onError = (err: Error): void => {
      done();
      reject(new InputError(`${source}: cannot read the flow log input (${describe(err)})`));
    };
    stream.once('readable', onReadable);
    stream.once('end', onEnd);
    stream.once('error', onError);
  });
}

function readText(stream: Readable, analyzer: FlowLogAnalyzer, where = ''): Promise<void> {
  return new Promise((resolve, reject) => {
    const rl = createInterface({ input: stream, crlfDelay: Infinity });
    let line = 0;
    let failed = false;
    const fail = (err: unknown): void => {
      if (failed) return;
      failed = true;
      rl.close();
      stream.destroy();
      reject(err);
    };
    stream.on('error', fail);
    rl.on('error', fail);
    rl.on('line', (text) => {
      if (failed) return;
      line++;
      try {
        analyzer.addLine(line === 1 ? text.replace(/^\uFEFF/, '') : text, line, undefined, where);
      } catch (err) {
        fail(err);
      }
    });
    rl.on('close', () => {
      if (!failed) resolve();
    });
  });
}

async function readJson(stream: Readable, analyzer: FlowLogAnalyzer, source: string): Promise<void> {
  const scanner = new LogEventsScanner((event) => {
    const where = `event ${event.index}${event.eventId ? ` (${event.eventId})` : ''}: `;
    analyzer.addLine(event.message, event.line, { timestamp: event.timestamp, logStreamName: event.logStreamName }, where);
  });
  const decoder = new StringDecoder('utf8');
  let firstChunk = true;
  try {
    for await (const chunk of stream) {
      let text = decoder.write(chunk as Buffer);
      if (firstChunk) {
        text = text.replace(/^\uFEFF/, '');
        firstChunk = false;
      }
      scanner.write(text);
    }
    scanner.write(decoder.end());
  } catch (err) {
    if (err instanceof LogEventsSyntaxError) throw new InputError(`${source}: ${err.message}`);
    throw err;
  }
  const end = scanner.end();
  if (end.truncatedAt !== undefined) analyzer.skip(end.truncatedAt, `the JSON ends inside an unfinished value after ${end.events} events (a truncated file?)`);
}

function describe(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  if (e?.code === 'ENOENT') return 'no such file';
  if (e?.code === 'EACCES') return 'permission denied';
  if (e?.code === 'Z_DATA_ERROR' || e?.code === 'Z_BUF_ERROR') return `not a valid gzip file: ${e.message}`;
  return e instanceof Error ? e.message : String(err);
}
