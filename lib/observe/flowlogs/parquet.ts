/**
 * Flow log objects that S3 delivery writes as Apache Parquet (`...log.parquet`, GZIP column
 * compression): read with hyparquet (pure JavaScript) and hyparquet-compressors, one row group
 * at a time, each row handed to the analyzer as the text record it stands for. Columns are
 * the flow log fields with `_` for `-` (`log_status`, `pkt_srcaddr`), integers as INT_32 or
 * INT_64, absent values null.
 */
import { InputError } from '../../errors';
import type { FlowLogAnalyzer } from './analyzer';
import { FLOW_LOG_FIELDS } from './format';

/** Parquet files start and end with these four bytes. */
const MAGIC = 'PAR1';

/** True when the bytes start like a Parquet file. */
export function looksLikeParquet(head: Uint8Array): boolean {
  return head.length >= 4 && head[0] === 0x50 && head[1] === 0x41 && head[2] === 0x52 && head[3] === 0x31;
}

/** Loads the ES-module reader once (natlab itself is CommonJS). */
async function hyparquet(): Promise<{ read: typeof import('hyparquet'); compressors: typeof import('hyparquet-compressors').compressors }> {
  const [read, extra] = await Promise.all([import('hyparquet'), import('hyparquet-compressors')]);
  return { read, compressors: extra.compressors };
}

/**
 * Reads one Parquet object into the analyzer. Rows are numbered from 1 in skip reasons; a
 * file that is not Parquet, or a column that is no flow log field, is an InputError naming
 * the source.
 */
export async function readParquetInto(analyzer: FlowLogAnalyzer, bytes: Uint8Array, source: string): Promise<void> {
  const tail = Buffer.from(bytes.subarray(bytes.length - 4)).toString('latin1');
  if (!looksLikeParquet(bytes) || tail !== MAGIC || bytes.length < 12) {
    throw new InputError(`${source}: not a complete Parquet file (it must start and end with "PAR1"; a truncated download?)`);
  }
  const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  const { read, compressors } = await hyparquet();
  let metadata;
  try {
    metadata = read.parquetMetadata(file);
  } catch (err) {
    throw new InputError(`${source}: not a readable Parquet file (${err instanceof Error ? err.message : String(err)})`);
  }
  const columns = metadata.schema.slice(1).map((s) => s.name);
  const fields = columns.map((c) => {
    const f = c.replace(/_/g, '-');
    if (!(f in FLOW_LOG_FIELDS)) throw new InputError(`${source}: Parquet column "${c}" is not a flow log field (known: ${Object.keys(FLOW_LOG_FIELDS).map((k) => k.replace(/-/g, '_')).join(', ')})`);
    return f;
  });
  // The columns are the format: hand it over as a header line, as a text object would.
  analyzer.addLine(fields.join(' '), 0);
  let rowStart = 0;
  for (const group of metadata.row_groups) {
    const rowEnd = rowStart + Number(group.num_rows);
    let rows: unknown[][] = [];
    try {
      await read.parquetRead({ file, metadata, compressors, columns, rowStart, rowEnd, onComplete: (r: unknown[][]) => (rows = r) });
    } catch (err) {
      throw new InputError(`${source}: rows ${rowStart + 1}-${rowEnd}: ${err instanceof Error ? err.message : String(err)}`);
    }
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i];
      const text = row.map((v) => (v === null || v === undefined || v === '' ? '-' : String(v))).join(' ');
      analyzer.addLine(text, rowStart + i + 1, undefined, `row ${rowStart + i + 1}: `);
    }
    rowStart = rowEnd;
  }
}
