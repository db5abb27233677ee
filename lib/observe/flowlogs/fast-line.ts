/**
 * The common case of a record line, read without the general parser's allocations: fields
 * found by index between single spaces, numbers read from char codes, only the fields the
 * analysis uses cut out, all into one reused record. Anything out of the ordinary (a `-`
 * where a value is needed, IPv6, NODATA, odd spacing, a bad value) is declined, and the
 * general parser (record.ts) reads the line and gives its exact reason.
 */
import type { FlowLogFormat } from './format';
import { eniFromLogStream, MAX_UNIX_SECONDS, type FlowLogRecord, type RecordContext } from './record';

const enum Kind {
  Ignored,
  Version,
  Count,
  Port,
  Protocol,
  Address,
  Action,
  LogStatus,
  FlowDirection,
  InterfaceId,
  InstanceId,
  TrafficPath,
}

/** Which field writes where; fields the analysis ignores are only checked. */
const KINDS: Readonly<Record<string, Kind>> = {
  version: Kind.Version,
  packets: Kind.Count,
  bytes: Kind.Count,
  start: Kind.Count,
  end: Kind.Count,
  'tcp-flags': Kind.Version,
  'traffic-path': Kind.TrafficPath,
  'instance-id': Kind.InstanceId,
  srcport: Kind.Port,
  dstport: Kind.Port,
  protocol: Kind.Protocol,
  srcaddr: Kind.Address,
  dstaddr: Kind.Address,
  'pkt-srcaddr': Kind.Address,
  'pkt-dstaddr': Kind.Address,
  action: Kind.Action,
  'log-status': Kind.LogStatus,
  'flow-direction': Kind.FlowDirection,
  'interface-id': Kind.InterfaceId,
};

/** The reused record: every field FlowLogAnalyzer.addRecord and FlowTable.add read, one shape. */
class ScratchRecord implements FlowLogRecord {
  line = 0;
  interfaceId: string | undefined = undefined;
  srcaddr: string | undefined = undefined;
  dstaddr: string | undefined = undefined;
  pktSrcaddr: string | undefined = undefined;
  pktDstaddr: string | undefined = undefined;
  srcport: number | undefined = undefined;
  dstport: number | undefined = undefined;
  protocol: number | undefined = undefined;
  packets: number | undefined = undefined;
  bytes: number | undefined = undefined;
  start: number | undefined = undefined;
  end: number | undefined = undefined;
  action: 'ACCEPT' | 'REJECT' | undefined = undefined;
  logStatus: 'OK' | undefined = undefined;
  timestamp: number | undefined = undefined;
  instanceId: string | undefined = undefined;
  flowDirection: 'ingress' | 'egress' | undefined = undefined;
  trafficPath: number | undefined = undefined;
}

/** Distinct addresses kept by value before the cache starts over. */
const MAX_INTERNED_ADDRESSES = 1 << 16;

/** Reads common record lines of one format into a reused record. */
export class FastLineReader {
  private readonly kinds: Kind[];
  /** Field names, to know which record field a value goes to. */
  private readonly names: readonly string[];
  private readonly rec = new ScratchRecord();
  private lastStream: string | undefined = undefined;
  private lastInterface: string | undefined = undefined;
  private lastEni: string | undefined = undefined;
  /** Addresses seen, by their 32-bit value (the text of a canonical dotted quad is one per value). */
  private readonly addresses = new Map<number, string>();

  constructor(readonly format: FlowLogFormat) {
    this.names = format.fields;
    this.kinds = format.fields.map((f) => KINDS[f] ?? Kind.Ignored);
  }

  /**
   * The line as a record, or undefined when the line needs the general parser. The record
   * is overwritten by the next call: use it before reading another line.
   */
  read(text: string, line: number, ctx?: RecordContext): FlowLogRecord | undefined {
    const n = text.length;
    if (n === 0 || text.charCodeAt(0) <= 32 || text.charCodeAt(n - 1) <= 32 || text.indexOf('\t') !== -1) return undefined;
    const rec = this.rec;
    rec.line = line;
    rec.interfaceId = rec.srcaddr = rec.dstaddr = rec.pktSrcaddr = rec.pktDstaddr = undefined;
    rec.srcport = rec.dstport = rec.protocol = rec.packets = rec.bytes = rec.start = rec.end = undefined;
    rec.action = rec.logStatus = undefined;
    rec.timestamp = rec.instanceId = rec.flowDirection = rec.trafficPath = undefined;
    const kinds = this.kinds;
    const last = kinds.length - 1;
    let pos = 0;
    for (let i = 0; i <= last; i++) {
      let stop = text.indexOf(' ', pos);
      if (i === last) {
        if (stop !== -1) return undefined;
        stop = n;
      } else if (stop === -1) return undefined;
      if (stop === pos) return undefined;
      const kind = kinds[i];
      if (stop === pos + 1 && text.charCodeAt(pos) === 45 /* - */) {
        // Absent: fine for fields the analysis may do without; the rest need the general rules.
        if (kind === Kind.Protocol || kind === Kind.LogStatus) return undefined;
        if (kind === Kind.Address && (this.names[i] === 'srcaddr' || this.names[i] === 'dstaddr')) return undefined;
        pos = stop + 1;
        continue;
      }
      switch (kind) {
        case Kind.Ignored:
          break;
        case Kind.Version:
          if (digits(text, pos, stop) < 0) return undefined;
          break;
        case Kind.Count: {
          const v = digits(text, pos, stop);
          if (v < 0) return undefined;
          const name = this.names[i];
          if (name === 'packets') rec.packets = v;
          else if (name === 'bytes') rec.bytes = v;
          else if (v > MAX_UNIX_SECONDS) return undefined;
          else if (name === 'start') rec.start = v;
          else rec.end = v;
          break;
        }
        case Kind.Port: {
          const v = digits(text, pos, stop);
          if (v < 0 || v > 65535) return undefined;
          if (this.names[i] === 'srcport') rec.srcport = v;
          else rec.dstport = v;
          break;
        }
        case Kind.Protocol: {
          const v = digits(text, pos, stop);
          if (v < 0 || v > 255) return undefined;
          rec.protocol = v;
          break;
        }
        case Kind.Address: {
          const v = this.address(text, pos, stop);
          if (v === undefined) return undefined;
          const name = this.names[i];
          if (name === 'srcaddr') rec.srcaddr = v;
          else if (name === 'dstaddr') rec.dstaddr = v;
          else if (name === 'pkt-srcaddr') rec.pktSrcaddr = v;
          else rec.pktDstaddr = v;
          break;
        }
        case Kind.Action:
          if (is(text, pos, stop, 'ACCEPT')) rec.action = 'ACCEPT';
          else if (is(text, pos, stop, 'REJECT')) rec.action = 'REJECT';
          else return undefined;
          break;
        case Kind.LogStatus:
          if (!is(text, pos, stop, 'OK')) return undefined;
          rec.logStatus = 'OK';
          break;
        case Kind.FlowDirection:
          if (is(text, pos, stop, 'ingress')) rec.flowDirection = 'ingress';
          else if (is(text, pos, stop, 'egress')) rec.flowDirection = 'egress';
          else return undefined;
          break;
        case Kind.TrafficPath: {
          const v = digits(text, pos, stop);
          if (v < 0) return undefined;
          rec.trafficPath = v;
          break;
        }
        case Kind.InstanceId:
          rec.instanceId = text.slice(pos, stop);
          break;
        case Kind.InterfaceId: {
          // Most lines name the same ENI: keep the string rather than cut a new one.
          const last = this.lastInterface;
          if (last !== undefined && is(text, pos, stop, last)) rec.interfaceId = last;
          else rec.interfaceId = this.lastInterface = text.slice(pos, stop);
          break;
        }
      }
      pos = stop + 1;
    }
    if (ctx) {
      if (ctx.timestamp !== undefined) rec.timestamp = ctx.timestamp;
      if (rec.interfaceId === undefined) rec.interfaceId = this.eniOf(ctx.logStreamName);
    }
    if (rec.start !== undefined && rec.end !== undefined && rec.end < rec.start) return undefined;
    return rec;
  }

  /**
   * The IPv4 address in text[from, to) as one shared string per address, or undefined when it
   * is not a dotted quad as record.ts accepts it. A busy day repeats a few thousand addresses
   * millions of times: looking the address up by its value cuts no string per field.
   */
  private address(text: string, from: number, to: number): string | undefined {
    const value = ipv4Value(text, from, to);
    if (value < 0) return undefined;
    let s = this.addresses.get(value);
    if (s === undefined) {
      // Bounded: a scan of the whole address space must not fill memory.
      if (this.addresses.size >= MAX_INTERNED_ADDRESSES) this.addresses.clear();
      // A copy, not a slice: a slice of 13+ characters would keep its whole line alive.
      s = (' ' + text.slice(from, to)).slice(1);
      this.addresses.set(value, s);
    }
    return s;
  }

  /** Events of one stream come together: remember the last stream's ENI. */
  private eniOf(stream: string | undefined): string | undefined {
    if (stream !== this.lastStream) {
      this.lastStream = stream;
      this.lastEni = eniFromLogStream(stream);
    }
    return this.lastEni;
  }
}

/** The decimal number in text[from, to), or -1 when it is not only digits (or too long to be exact). */
function digits(text: string, from: number, to: number): number {
  if (to - from > 15) return -1;
  let v = 0;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

/** True when text[from, to) is word. */
function is(text: string, from: number, to: number, word: string): boolean {
  return to - from === word.length && text.startsWith(word, from);
}

/**
 * Dotted-quad IPv4 as record.ts accepts it (four numbers 0-255, no leading zeros) as its
 * 32-bit value, or -1. Without leading zeros each value has exactly one such text.
 */
function ipv4Value(text: string, from: number, to: number): number {
  let octets = 0;
  let value = 0;
  let i = from;
  while (true) {
    const begin = i;
    let v = 0;
    while (i < to) {
      const c = text.charCodeAt(i) - 48;
      if (c < 0 || c > 9) break;
      v = v * 10 + c;
      i++;
    }
    const len = i - begin;
    if (len === 0 || len > 3 || v > 255 || (len > 1 && text.charCodeAt(begin) === 48)) return -1;
    octets++;
    value = value * 256 + v;
    if (i === to) return octets === 4 ? value : -1;
    if (octets === 4 || text.charCodeAt(i) !== 46 /* . */) return -1;
    i++;
  }
}
