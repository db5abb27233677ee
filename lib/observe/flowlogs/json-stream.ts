/**
 * `natlab flowlogs --json` for a day of a busy NAT: translations, unsolicited and unmatched
 * items are spooled to temporary files as each time batch settles, and the document is
 * streamed out from them once the input was read to its end (bad input found halfway leaves
 * no half document on stdout). Memory holds one batch, never a whole list; the document is
 * the same JSON as the collected result.
 */
import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FlowLogSink } from './analyzer';
import type { FlowLogsResult, FlowLogTranslation, FlowLogUnmatched, FlowLogUnsolicited } from './types';

/** Where the document goes: a function that takes text (process.stdout.write on Linux is synchronous for files and pipes). */
export type TextOut = (text: string) => void;

const FLUSH_AT = 1 << 16;

/** An item of an array, indented as JSON.stringify(.., null, 2) indents it at depth 2. */
function item(value: unknown): string {
  return '    ' + JSON.stringify(value, null, 2).replace(/\n/g, '\n    ');
}

/** A spool file of array items, joined by ",\n". */
class Spool {
  private fd: number;
  private buf = '';
  count = 0;

  constructor(readonly path: string) {
    this.fd = openSync(path, 'w+');
  }

  add(value: unknown): void {
    this.buf += (this.count++ ? ',\n' : '') + item(value);
    if (this.buf.length >= FLUSH_AT) this.flush();
  }

  private flush(): void {
    if (this.buf) writeSync(this.fd, this.buf);
    this.buf = '';
  }

  /** Copies the spooled items to out, in chunks. */
  copyTo(out: TextOut): void {
    this.flush();
    const chunk = Buffer.alloc(FLUSH_AT);
    let pos = 0;
    for (;;) {
      const n = readSync(this.fd, chunk, 0, chunk.length, pos);
      if (n <= 0) break;
      out(chunk.toString('utf8', 0, n));
      pos += n;
    }
  }

  close(): void {
    closeSync(this.fd);
  }
}

/** A sink that writes the document as it goes; call `end(result)` once the analysis finished, and `dispose()` always. */
export class JsonStreamSink implements FlowLogSink {
  private readonly dir: string;
  private readonly translations: Spool;
  private readonly unsolicited: Spool;
  private readonly unmatched: Spool;

  constructor(private readonly out: TextOut) {
    this.dir = mkdtempSync(join(tmpdir(), 'natlab-flowlogs-'));
    this.translations = new Spool(join(this.dir, 'translations.json'));
    this.unsolicited = new Spool(join(this.dir, 'unsolicited.json'));
    this.unmatched = new Spool(join(this.dir, 'unmatched.json'));
  }

  onTranslation(t: FlowLogTranslation): void {
    this.translations.add(t);
  }

  onUnsolicited(u: FlowLogUnsolicited): void {
    this.unsolicited.add(u);
  }

  onUnmatched(u: FlowLogUnmatched): void {
    this.unmatched.add(u);
  }

  /** Writes the document: the spooled arrays, then every other field of the result. */
  end(result: FlowLogsResult): void {
    const array = (name: string, spool: Spool, first: boolean): void => {
      this.out(`${first ? '{\n' : ',\n'}  "${name}": [`);
      if (spool.count) {
        this.out('\n');
        spool.copyTo(this.out);
        this.out('\n  ');
      }
      this.out(']');
    };
    array('translations', this.translations, true);
    array('unsolicited', this.unsolicited, false);
    array('unmatched', this.unmatched, false);
    const rest: Record<string, unknown> = { ...result };
    delete rest.translations;
    delete rest.unsolicited;
    delete rest.unmatched;
    const tail = JSON.stringify(rest, null, 2);
    this.out(tail.length > 2 ? `,\n${tail.slice(2)}\n` : '\n}\n');
  }

  /** Removes the spool files (also after a failure). */
  dispose(): void {
    this.translations.close();
    this.unsolicited.close();
    this.unmatched.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A sink for the text output: the first rows of each list (and enough unsolicited items to group scanners). */
export class SampleSink implements FlowLogSink {
  readonly translations: FlowLogTranslation[] = [];
  readonly ambiguous: FlowLogTranslation[] = [];
  readonly unsolicited: FlowLogUnsolicited[] = [];
  readonly unmatched: FlowLogUnmatched[] = [];

  constructor(
    private readonly limit: number,
    private readonly unsolicitedSample = 100_000,
  ) {}

  onTranslation(t: FlowLogTranslation): void {
    if (this.translations.length < this.limit) this.translations.push(t);
    else if (t.confidence === 'ambiguous' && this.ambiguous.length < this.limit) this.ambiguous.push(t);
  }

  onUnsolicited(u: FlowLogUnsolicited): void {
    if (this.unsolicited.length < this.unsolicitedSample) this.unsolicited.push(u);
  }

  onUnmatched(u: FlowLogUnmatched): void {
    if (this.unmatched.length < this.limit) this.unmatched.push(u);
  }

  /** The result with the sampled lists in place of the empty ones. */
  fill(result: FlowLogsResult): FlowLogsResult {
    return { ...result, translations: [...this.translations, ...this.ambiguous], unsolicited: this.unsolicited, unmatched: this.unmatched };
  }
}
