/**
 * One flow log record, parsed from one line of text in a given format. A field AWS could
 * not compute is written `-` and parsed as absent; NODATA and SKIPDATA records carry `-` in
 * almost every field and are valid records.
 */
import { DEFAULT_FLOW_LOG_FORMAT, type FlowLogFormat } from './format';

/** A flow log record. Field names follow AWS's (`pkt-srcaddr` -> `pktSrcaddr`). */
export interface FlowLogRecord {
  /** 1-based line of the record in its file (for JSON: the line of the event's message). */
  readonly line: number;
  readonly version?: number;
  readonly accountId?: string;
  /** The ENI the record was logged on (`interface-id`, or the CloudWatch log stream's ENI). */
  readonly interfaceId?: string;
  readonly srcaddr?: string;
  readonly dstaddr?: string;
  readonly srcport?: number;
  readonly dstport?: number;
  /** IANA protocol number (6 tcp, 17 udp, 1 icmp). */
  readonly protocol?: number;
  readonly packets?: number;
  readonly bytes?: number;
  /** Unix seconds of the first packet in the aggregation interval. */
  readonly start?: number;
  /** Unix seconds of the last packet in the aggregation interval. */
  readonly end?: number;
  readonly action?: 'ACCEPT' | 'REJECT';
  readonly logStatus?: 'OK' | 'NODATA' | 'SKIPDATA';
  /** The packet's original source (differs from srcaddr on a NAT Gateway's ENI). */
  readonly pktSrcaddr?: string;
  /** The packet's original destination (differs from dstaddr on a NAT Gateway's ENI). */
  readonly pktDstaddr?: string;
  readonly tcpFlags?: number;
  readonly flowDirection?: 'ingress' | 'egress';
  readonly trafficPath?: number;
  readonly vpcId?: string;
  readonly subnetId?: string;
  readonly instanceId?: string;
  /** Traffic type: IPv4, IPv6 or EFA. */
  readonly type?: string;
  readonly pktSrcAwsService?: string;
  readonly pktDstAwsService?: string;
  /** CloudWatch Logs event time in milliseconds, when the record came from an event. */
  readonly timestamp?: number;
}

/** Context a line carries besides its text (from a CloudWatch Logs event). */
export interface RecordContext {
  /** CloudWatch event timestamp, milliseconds. */
  readonly timestamp?: number;
  /** CloudWatch log stream name: flow logs name it after the ENI (`eni-0abc-all`). */
  readonly logStreamName?: string;
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const IPV6 = /^[0-9a-fA-F:.]+$/;

function isAddress(s: string): boolean {
  return IPV4.test(s) || (s.includes(':') && IPV6.test(s));
}

/** An ENI id from a flow log stream name (`eni-0abc123-all` -> `eni-0abc123`). */
export function eniFromLogStream(name: string | undefined): string | undefined {
  if (!name) return undefined;
  const m = /^(eni-[0-9a-f]+)/.exec(name);
  return m ? m[1] : undefined;
}

/** 9999-12-31T23:59:59Z: the last second a record's start/end can be (and a Date can show). */
export const MAX_UNIX_SECONDS = 253_402_300_799;

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * Parses one record line in the given format. Returns the record, or a reason (one short
 * sentence) why the line is not a record of that format.
 */
export function parseRecordLine(text: string, line: number, format: FlowLogFormat, ctx?: RecordContext): FlowLogRecord | string {
  return parseRecordTokens(splitRecord(text), line, format, ctx);
}

/** Splits a record line into its space-separated fields. */
export function splitRecord(text: string): string[] {
  // Records are written with single spaces; only odd input needs the regular expression.
  const n = text.length;
  if (n > 0 && text.charCodeAt(0) !== 32 && text.charCodeAt(n - 1) > 32 && !text.includes('  ') && !text.includes('\t')) return text.split(' ');
  return text.trim().split(/\s+/);
}

/** As parseRecordLine, for a line already split into fields. */
export function parseRecordTokens(tokens: readonly string[], line: number, format: FlowLogFormat, ctx?: RecordContext): FlowLogRecord | string {
  if (tokens.length !== format.fields.length) {
    const hint = format.text === DEFAULT_FLOW_LOG_FORMAT ? ' (the default format; pass --format for a custom one)' : '';
    return `expected ${format.fields.length} fields, found ${tokens.length}${hint}`;
  }
  const rec: Mutable<FlowLogRecord> = { line };
  const fields = format.fields;
  for (let i = 0; i < fields.length; i++) {
    const v = tokens[i];
    if (v === '-') continue;
    const name = fields[i];
    switch (name) {
      case 'srcaddr':
      case 'dstaddr':
      case 'pkt-srcaddr':
      case 'pkt-dstaddr': {
        if (!isAddress(v)) return `${name} "${v}" is not an IP address`;
        if (name === 'srcaddr') rec.srcaddr = v;
        else if (name === 'dstaddr') rec.dstaddr = v;
        else if (name === 'pkt-srcaddr') rec.pktSrcaddr = v;
        else rec.pktDstaddr = v;
        break;
      }
      case 'srcport':
      case 'dstport': {
        const n = toCount(v);
        if (n === undefined || n > 65535) return `${name} "${v}" is not a port`;
        if (name === 'srcport') rec.srcport = n;
        else rec.dstport = n;
        break;
      }
      case 'protocol': {
        const n = toCount(v);
        if (n === undefined || n > 255) return `protocol "${v}" is not an IANA protocol number`;
        rec.protocol = n;
        break;
      }
      case 'version':
      case 'packets':
      case 'bytes':
      case 'start':
      case 'end':
      case 'tcp-flags':
      case 'traffic-path': {
        const n = toCount(v);
        if (n === undefined) return `${name} "${v}" is not a number`;
        if ((name === 'start' || name === 'end') && n > MAX_UNIX_SECONDS) return `${name} "${v}" is not a time in seconds since 1970 (past the year 9999)`;
        if (name === 'version') rec.version = n;
        else if (name === 'packets') rec.packets = n;
        else if (name === 'bytes') rec.bytes = n;
        else if (name === 'start') rec.start = n;
        else if (name === 'end') rec.end = n;
        else if (name === 'tcp-flags') rec.tcpFlags = n;
        else rec.trafficPath = n;
        break;
      }
      case 'action':
        if (v !== 'ACCEPT' && v !== 'REJECT') return `action "${v}" is neither ACCEPT nor REJECT`;
        rec.action = v;
        break;
      case 'log-status':
        if (v !== 'OK' && v !== 'NODATA' && v !== 'SKIPDATA') return `log-status "${v}" is not OK, NODATA or SKIPDATA`;
        rec.logStatus = v;
        break;
      case 'flow-direction':
        if (v !== 'ingress' && v !== 'egress') return `flow-direction "${v}" is neither ingress nor egress`;
        rec.flowDirection = v;
        break;
      case 'interface-id':
        rec.interfaceId = v;
        break;
      case 'account-id':
        rec.accountId = v;
        break;
      case 'vpc-id':
        rec.vpcId = v;
        break;
      case 'subnet-id':
        rec.subnetId = v;
        break;
      case 'instance-id':
        rec.instanceId = v;
        break;
      case 'type':
        rec.type = v;
        break;
      case 'pkt-src-aws-service':
        rec.pktSrcAwsService = v;
        break;
      case 'pkt-dst-aws-service':
        rec.pktDstAwsService = v;
        break;
      default:
        // Other fields (region, az-id, ECS metadata...) are valid but play no part in NAT.
        break;
    }
  }
  if (ctx) {
    if (ctx.timestamp !== undefined) rec.timestamp = ctx.timestamp;
    if (rec.interfaceId === undefined) {
      const eni = eniFromLogStream(ctx.logStreamName);
      if (eni) rec.interfaceId = eni;
    }
  }
  if (rec.start !== undefined && rec.end !== undefined && rec.end < rec.start) {
    return `end ${rec.end} is before start ${rec.start}`;
  }
  if (rec.logStatus === undefined || rec.logStatus === 'OK') {
    for (const f of format.index.protocol === undefined ? (['srcaddr', 'dstaddr'] as const) : (['srcaddr', 'dstaddr', 'protocol'] as const)) {
      if (rec[f] === undefined) return `${f} is missing ("-") in a record whose log-status is not NODATA or SKIPDATA`;
    }
  }
  return rec;
}

/** A non-negative integer, or undefined. */
function toCount(v: string): number | undefined {
  const n = Number(v);
  return Number.isInteger(n) && n >= 0 && v.length > 0 ? n : undefined;
}
