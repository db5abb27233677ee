/**
 * A streaming scanner for the JSON that `aws logs filter-log-events` and `get-log-events`
 * print (`{"events":[{"timestamp","message",...}], ...}`), a bare array of such events, or
 * one event object per line. It walks the text once, chunk by chunk, and hands over each
 * object that has a string `message` as soon as the object closes, so a 1 GB file is never
 * held as one string: memory is one chunk plus the object being read.
 *
 * Hand-written rather than a streaming JSON library: only the events' `message`,
 * `timestamp`, `logStreamName` and `eventId` matter, string bodies are skipped with
 * `indexOf` (no per-character work inside strings), and it reports the line of each message
 * so that a bad record points at its place in the file.
 */

/** One CloudWatch Logs event. */
export interface LogEvent {
  readonly message: string;
  /** Milliseconds since the epoch. */
  readonly timestamp?: number;
  readonly logStreamName?: string;
  readonly eventId?: string;
  /** 1-based line of the message string in the file. */
  readonly line: number;
  /** 1-based position of the event among all events read. */
  readonly index: number;
}

/** The text is not JSON; `line` says where. */
export class LogEventsSyntaxError extends Error {
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(message);
    this.name = 'LogEventsSyntaxError';
  }
}

interface Frame {
  readonly isObject: boolean;
  expectKey: boolean;
  key: string | undefined;
  message?: string;
  messageLine?: number;
  timestamp?: number;
  logStreamName?: string;
  eventId?: string;
}

const ATOM = /^(-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?|true|false|null)$/;

function isAtomChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 45 || c === 43 || c === 46;
}

/** Feed it text chunks with `write`, then call `end`. */
export class LogEventsScanner {
  private readonly stack: Frame[] = [];
  private inString = false;
  private str = '';
  private strLine = 1;
  private inAtom = false;
  private atom = '';
  private line = 1;
  private events = 0;

  constructor(private readonly onEvent: (event: LogEvent) => void) {}

  /** Scans one chunk of text. Throws LogEventsSyntaxError when the text is not JSON. */
  write(chunk: string): void {
    const n = chunk.length;
    let i = 0;
    while (i < n) {
      if (this.inString) {
        const q = chunk.indexOf('"', i);
        if (q < 0) {
          this.str += chunk.slice(i);
          return;
        }
        this.str += chunk.slice(i, q);
        i = q + 1;
        let backslashes = 0;
        for (let k = this.str.length - 1; k >= 0 && this.str.charCodeAt(k) === 92; k--) backslashes++;
        if (backslashes % 2 === 1) {
          this.str += '"';
          continue;
        }
        this.inString = false;
        this.stringDone(this.str);
        this.str = '';
        continue;
      }
      if (this.inAtom) {
        let j = i;
        while (j < n && isAtomChar(chunk.charCodeAt(j))) j++;
        this.atom += chunk.slice(i, j);
        i = j;
        if (j === n) return;
        this.inAtom = false;
        this.atomDone();
        continue;
      }
      const c = chunk.charCodeAt(i++);
      switch (c) {
        case 10:
          this.line++;
          break;
        case 32:
        case 9:
        case 13:
          break;
        case 34:
          if (this.stack.length === 1) this.checkEventsValue();
          this.inString = true;
          this.strLine = this.line;
          break;
        case 123:
          if (this.stack.length === 1) this.checkEventsValue();
          this.stack.push({ isObject: true, expectKey: true, key: undefined });
          break;
        case 91:
          this.stack.push({ isObject: false, expectKey: false, key: undefined });
          break;
        case 125: {
          const frame = this.stack.pop();
          if (!frame?.isObject) throw this.error('"}" without a matching "{"');
          if (frame.message !== undefined) {
            this.onEvent({
              message: frame.message,
              timestamp: frame.timestamp,
              logStreamName: frame.logStreamName,
              eventId: frame.eventId,
              line: frame.messageLine ?? this.line,
              index: ++this.events,
            });
          }
          break;
        }
        case 93: {
          const frame = this.stack.pop();
          if (!frame || frame.isObject) throw this.error('"]" without a matching "["');
          break;
        }
        case 58: {
          const top = this.stack[this.stack.length - 1];
          if (!top?.isObject || !top.expectKey || top.key === undefined) throw this.error('":" out of place');
          top.expectKey = false;
          break;
        }
        case 44: {
          const top = this.stack[this.stack.length - 1];
          if (!top) throw this.error('"," outside an object or array');
          if (top.isObject) {
            top.expectKey = true;
            top.key = undefined;
          }
          break;
        }
        default:
          if (!isAtomChar(c)) throw this.error(`unexpected character "${String.fromCharCode(c)}"`);
          if (this.stack.length === 1) this.checkEventsValue();
          this.inAtom = true;
          this.atom = String.fromCharCode(c);
      }
    }
  }

  /** Finishes the scan; returns the line where the text stops inside a value, if it does. */
  end(): { readonly truncatedAt?: number; readonly events: number } {
    if (this.inAtom) {
      this.inAtom = false;
      this.atomDone();
    }
    const truncated = this.inString || this.stack.length > 0;
    return truncated ? { truncatedAt: this.line, events: this.events } : { events: this.events };
  }

  private error(what: string): LogEventsSyntaxError {
    return new LogEventsSyntaxError(`not valid JSON at line ${this.line}: ${what}`, this.line);
  }

  /** Called when a value other than an array starts at depth 1: a top-level `events` must be an array. */
  private checkEventsValue(): void {
    const top = this.stack[0];
    if (!top.isObject || top.expectKey || top.key !== 'events') return;
    throw new LogEventsSyntaxError(`"events" at line ${this.line} is not an array of log events, as aws logs filter-log-events and get-log-events print it`, this.line);
  }

  private stringDone(raw: string): void {
    const top = this.stack[this.stack.length - 1];
    if (!top || !top.isObject) return;
    let value = raw;
    if (raw.includes('\\')) {
      try {
        value = JSON.parse(`"${raw}"`) as string;
      } catch {
        throw this.error('a string with a bad escape sequence');
      }
    }
    if (top.expectKey) {
      if (top.key !== undefined) throw this.error('two keys without ":" between them');
      top.key = value;
      return;
    }
    switch (top.key) {
      case 'message':
        top.message = value;
        top.messageLine = this.strLine;
        break;
      case 'logStreamName':
        top.logStreamName = value;
        break;
      case 'eventId':
        top.eventId = value;
        break;
      default:
        break;
    }
  }

  private atomDone(): void {
    const atom = this.atom;
    this.atom = '';
    if (!ATOM.test(atom)) throw this.error(`"${atom}" is not a JSON value`);
    const top = this.stack[this.stack.length - 1];
    if (top?.isObject && !top.expectKey && top.key === 'timestamp') top.timestamp = Number(atom);
  }
}
