/**
 * Turns lines of text into records: blank lines are ignored, header lines (the field names
 * S3 delivery writes) set the format when none was given, anything else is a record of the
 * format or a skipped line with its reason.
 */
import { InputError } from '../../errors';
import { isHeaderLine, parseFlowLogFormat, sameFormat, type FlowLogFormat } from './format';
import { parseRecordTokens, splitRecord, type FlowLogRecord, type RecordContext } from './record';

/** What one line turned out to be. */
export type LineResult = { readonly record: FlowLogRecord } | { readonly skip: string } | null;

/** Parses lines in one format, following header lines when the format was not given. */
export class FlowLogLineParser {
  private formatInUse: FlowLogFormat;
  private readonly explicitFormat: boolean;
  /** Things a reader should know (a format taken from a header line). */
  readonly notes: string[] = [];

  /**
   * @param format the format as written in AWS or parsed; absent: the default (version 2)
   * @param source what the input is called in messages
   */
  constructor(format: string | FlowLogFormat | undefined, private readonly source = 'input') {
    this.explicitFormat = format !== undefined;
    this.formatInUse = typeof format === 'object' ? format : parseFlowLogFormat(format);
  }

  /** The format records are parsed with now. */
  get format(): FlowLogFormat {
    return this.formatInUse;
  }

  /** Parses one line; null for a blank or header line. Throws InputError for a header that contradicts --format. */
  parse(text: string, line: number, ctx?: RecordContext): LineResult {
    const tokens = splitRecord(text);
    if (tokens.length === 1 && tokens[0] === '') return null;
    if (isHeaderLine(tokens)) {
      this.header(tokens, line);
      return null;
    }
    const rec = parseRecordTokens(tokens, line, this.formatInUse, ctx);
    return typeof rec === 'string' ? { skip: rec } : { record: rec };
  }

  private header(tokens: string[], line: number): void {
    const format = parseFlowLogFormat(tokens.join(' '), `${this.source}: header line ${line}`);
    if (sameFormat(format, this.formatInUse)) return;
    if (this.explicitFormat) {
      throw new InputError(`${this.source}: header line ${line} names the fields "${tokens.join(' ')}", which differ from --format "${this.formatInUse.text}"`);
    }
    this.formatInUse = format;
    this.notes.push(`Format read from the header line ${line}: ${format.text}.`);
  }
}
