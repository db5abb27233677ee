/**
 * The streaming core: lines or records go in one at a time and are aggregated per flow;
 * `finish()` classifies the flows, pairs the legs and returns the `flowlogs` result.
 */
import type { Protocol } from '../../model/types';
import { FlowTable, type Flow } from './aggregate';
import { FastLineReader } from './fast-line';
import { classifyFlows, type Leg } from './classify';
import { TRANSLATION_FIELDS, type FlowLogFormat } from './format';
import { computeHeadroom, DEFAULT_HEADROOM_ROWS } from './headroom';
import { InterfaceCollector } from './interfaces';
import { computeUsage, DEFAULT_PRICE_PER_GB, DEFAULT_USAGE_ROWS } from './usage';
import { FlowLogLineParser } from './lines';
import { evidenceOf, pairLegs } from './pair';
import type { FlowLogRecord, RecordContext } from './record';
import type { FlowLogEndpoint, FlowLogSkipped, FlowLogsResult, FlowLogTranslation, FlowLogUnmatched, FlowLogUnsolicited } from './types';

/** How many skipped lines the result lists; the rest are only counted. */
export const MAX_LISTED_SKIPPED = 1000;

/** Options of the analysis. */
export interface AnalyzeOptions {
  /**
   * The NAT Gateway's private IP(s) (primary and secondary).
   * @default - inferred from the records, and the result says so
   */
  readonly natPrivateIps?: readonly string[];
  /**
   * Only records logged on these ENIs (when the records carry interface-id or come from a
   * CloudWatch log stream named after the ENI).
   * @default - every ENI in the records
   */
  readonly natEniIds?: readonly string[];
  /**
   * The record format as written in AWS (`${srcaddr} ${dstport} ...`), or one parsed with
   * `parseFlowLogFormat`.
   * @default - the default version 2 format, or the header line's when the file has one
   */
  readonly format?: string | FlowLogFormat;
  /**
   * What the input is called in messages (a file name).
   * @default "input"
   */
  readonly source?: string;
  /**
   * NAT Gateway data processing price, USD per GB, for the usage figures.
   * @default 0.045 (us-east-1)
   */
  readonly pricePerGb?: number;
  /**
   * Rows per usage table (by source, destination, NAT address); the rest are summed.
   * @default 100
   */
  readonly usageRows?: number;
  /**
   * Destinations listed in the port headroom, closest to the limit first.
   * @default 10
   */
  readonly headroomRows?: number;
}

const PROTOCOL_NAMES: Record<number, Protocol> = { 6: 'tcp', 17: 'udp', 1: 'icmp' };

/** IANA number -> `tcp`/`udp`/`icmp`, or the number as text. */
export function protocolName(n: number): string {
  return PROTOCOL_NAMES[n] ?? String(n);
}

/** Records of a busy minute share their seconds: format each second once. */
const isoCache = new Map<number, string>();

function iso(seconds: number): string | null {
  if (Number.isNaN(seconds)) return null;
  let text = isoCache.get(seconds);
  if (text === undefined) {
    if (isoCache.size >= 100_000) isoCache.clear();
    text = new Date(seconds * 1000).toISOString();
    isoCache.set(seconds, text);
  }
  return text;
}

/** Aggregates flow log records as they stream in; `finish()` rebuilds the NAT table. */
export class FlowLogAnalyzer {
  private readonly lines: FlowLogLineParser;
  /** Reads the common lines; the line parser takes the rest (and gives the reasons). */
  private fast: FastLineReader | undefined = undefined;
  private readonly table = new FlowTable();
  private readonly interfaces = new InterfaceCollector();
  private readonly enis: ReadonlySet<string> | undefined;
  private readonly source: string;
  private readonly notes: string[] = [];
  private records = 0;
  private readonly skipped: FlowLogSkipped[] = [];
  private skippedTotal = 0;
  private noData = 0;
  private skipData = 0;
  private otherEniRecords = 0;
  private sawInterface = false;
  private sawTime = false;
  private sawPkt = false;

  constructor(private readonly options: AnalyzeOptions = {}) {
    this.source = options.source ?? 'input';
    this.lines = new FlowLogLineParser(options.format, this.source);
    this.enis = options.natEniIds?.length ? new Set(options.natEniIds) : undefined;
  }

  /** The format records are parsed with (changes when a header line names another). */
  get currentFormat(): FlowLogFormat {
    return this.lines.format;
  }

  /**
   * Adds one line of text (a record, a header line or a blank line). `where` prefixes the
   * reason when the line is skipped ("event 12: ").
   */
  addLine(text: string, line: number, ctx?: RecordContext, where = ''): void {
    const format = this.lines.format;
    if (this.fast?.format !== format) this.fast = new FastLineReader(format);
    const rec = this.fast.read(text, line, ctx);
    if (rec !== undefined) {
      this.addRecord(rec);
      return;
    }
    const r = this.lines.parse(text, line, ctx);
    if (r === null) return;
    if ('skip' in r) this.skip(line, where + r.skip);
    else this.addRecord(r.record);
  }

  /** Adds a note for the reader (for input parsed elsewhere). */
  note(text: string): void {
    this.notes.push(text);
  }

  /** Adds one parsed record. */
  addRecord(rec: FlowLogRecord): void {
    this.records++;
    if (rec.logStatus === 'NODATA') {
      this.noData++;
      return;
    }
    if (rec.logStatus === 'SKIPDATA') {
      this.skipData++;
      return;
    }
    this.interfaces.add(rec);
    if (rec.interfaceId !== undefined) {
      this.sawInterface = true;
      if (this.enis && !this.enis.has(rec.interfaceId)) {
        this.otherEniRecords++;
        return;
      }
    }
    if (rec.start !== undefined || rec.end !== undefined || rec.timestamp !== undefined) this.sawTime = true;
    if (rec.pktDstaddr !== undefined || rec.pktSrcaddr !== undefined) this.sawPkt = true;
    // Records without a protocol (AWS's short example formats) show traffic, not connections.
    if (rec.protocol !== undefined) this.table.add(rec);
  }

  /** Records a line that is not a record, with the reason. */
  skip(line: number, reason: string): void {
    this.skippedTotal++;
    if (this.skipped.length < MAX_LISTED_SKIPPED) this.skipped.push({ line, reason });
  }

  /** Classifies and pairs everything read so far. */
  finish(): FlowLogsResult {
    const flows = this.table.takeFlows();
    const interfaces = this.interfaces.interfaces();
    const format = this.lines.format;
    const missing = TRANSLATION_FIELDS.filter((f) => format.index[f] === undefined);
    // Translations need the packet-level addresses: without them an inside leg does not say
    // where it was going, and any pairing would be a guess.
    const canPair = missing.length === 0 || (this.sawPkt && !missing.some((f) => !f.startsWith('pkt-')));
    let natIps = this.options.natPrivateIps?.length ? [...this.options.natPrivateIps] : [];
    let inferred = false;
    if (!natIps.length && this.records) {
      const nats = interfaces.filter((i) => i.kind === 'nat-gateway');
      natIps = [...new Set(nats.flatMap((i) => i.addresses))];
      inferred = true;
      if (natIps.length) {
        this.notes.push(`NAT private IP ${natIps.join(', ')} inferred from the records of ${nats.map((i) => i.interface ?? 'the ENI').join(', ')} (the address that receives records whose pkt-dstaddr is another address); pass --nat-ip to set it.`);
      } else if (interfaces.some((i) => i.kind === 'unknown')) {
        this.notes.push('No NAT Gateway address can be inferred: the format has no pkt-srcaddr/pkt-dstaddr, so a translation cannot be seen; pass --nat-ip to read legs by address.');
      } else {
        this.notes.push('No ENI in the records translates addresses: none of them is a NAT Gateway\'s (see interfaces).');
      }
    }
    const natSet = new Set(natIps);
    const classified = classifyFlows(flows, natSet);
    const usage = computeUsage(classified.insides, classified.outsides, this.options.pricePerGb ?? DEFAULT_PRICE_PER_GB, this.options.usageRows ?? DEFAULT_USAGE_ROWS);
    const headroom = computeHeadroom(classified.outsides, protocolName, this.options.headroomRows ?? DEFAULT_HEADROOM_ROWS);
    if (!canPair && this.records) {
      this.notes.push(
        `Translations cannot be rebuilt from this format: it lacks ${missing.map((f) => `\${${f}}`).join(' ')}. ` +
          'What the records still show: each ENI\'s traffic and kind (interfaces)' +
          (natIps.length ? ', and with the NAT address known, traffic and port headroom per destination and NAT address (usage, headroom).' : '.'),
      );
    }
    const paired = canPair ? pairLegs(classified.insides, classified.outsides) : { pairs: [], unmatchedInsides: [], unmatchedOutsides: [] };

    const translations: FlowLogTranslation[] = paired.pairs.map((p) => {
      const o = p.outside;
      const first = p.inside ? Math.min(o.spanFirst, p.inside.spanFirst) : o.spanFirst;
      const last = p.inside ? Math.max(o.spanLast, p.inside.spanLast) : o.spanLast;
      const protocol = (PROTOCOL_NAMES[o.flow.protocol] ?? 'tcp') as Protocol;
      const inside = p.inside ? endpoint(p.inside.clientIp, p.inside.clientPort) : null;
      const outside = endpoint(o.flow.src, o.flow.srcPort);
      const destination = endpoint(o.flow.dst, o.flow.dstPort);
      const iface = o.flow.iface ?? p.inside?.flow.iface ?? null;
      const evidence = evidenceOf(p);
      // An IPv6 client reaches an IPv4 destination through NAT64: the destination is matched
      // through the 64:ff9b::/96 prefix, so the pairing is never more than likely.
      let confidence = p.confidence;
      let basis = p.basis;
      if (confidence === 'certain' && inside && inside.ip.includes(':') && !outside.ip.includes(':')) {
        confidence = 'likely';
        basis = `${basis}; an IPv6 client behind NAT64 (destination matched through 64:ff9b::/96), so never certain`;
      }
      // Two literals rather than a spread: the key order (and so the JSON) stays the same.
      if (confidence === 'ambiguous') {
        const candidates = p.candidates.map((c) => endpoint(c.clientIp, c.clientPort));
        return { protocol, inside, outside, destination, interface: iface, firstSeen: iso(first), lastSeen: iso(last), confidence, candidates, basis, evidence };
      }
      const t: FlowLogTranslation = { protocol, inside, outside, destination, interface: iface, firstSeen: iso(first), lastSeen: iso(last), confidence, basis, evidence };
      return t;
    });
    translations.sort((a, b) => (a.firstSeen ?? '').localeCompare(b.firstSeen ?? '') || a.outside.port - b.outside.port);

    const unmatched: FlowLogUnmatched[] = !canPair ? [] : [
      ...paired.unmatchedInsides.map((l) => unmatchedOf(l, `no outside leg from the NAT to ${l.destIp ?? '*'}:${l.destPort} in this time window (a record not delivered, a port allocation failure, or a NAT that refused it)`)),
      ...paired.unmatchedOutsides.map((l) => unmatchedOf(l, `no inside leg to ${l.destIp}:${l.flow.dstPort} in this time window (the client's record may be missing, or the log started after the connection did)`)),
      ...classified.unmatched.map((l) => unmatchedOf(l, l.note ?? 'not part of a translation')),
    ];
    unmatched.sort((a, b) => (a.firstSeen ?? '').localeCompare(b.firstSeen ?? ''));
    const unsolicited = classified.unsolicited.map(unsolicitedOf);
    unsolicited.sort((a, b) => (a.firstSeen ?? '').localeCompare(b.firstSeen ?? ''));

    const notes = [...this.lines.notes, ...this.notes];
    const otherRecords = classified.otherRecords + this.otherEniRecords;
    if (this.enis && !this.sawInterface && this.records) notes.push('--nat-eni could not filter: the records carry no interface-id.');
    if (this.otherEniRecords) notes.push(`${this.otherEniRecords} records on other ENIs than ${[...this.enis ?? []].join(', ')} were left out.`);
    if (classified.otherRecords) notes.push(`${classified.otherRecords} records involve none of the NAT's addresses (${natIps.join(', ') || 'none known'}): other ENIs in the same log, or a wrong --nat-ip.`);
    if (this.records && !this.sawTime && flows.length) notes.push('The records carry no time (no start/end, no event timestamp): pairing cannot use time, so more pairings are ambiguous.');
    if (this.noData) notes.push(`${this.noData} NODATA records (no traffic in their capture window).`);
    if (this.skipData) notes.push(`${this.skipData} SKIPDATA records: AWS skipped records during some capture windows, so some legs may be missing.`);
    if (this.skippedTotal > this.skipped.length) notes.push(`${this.skippedTotal} lines were skipped; the first ${this.skipped.length} are listed.`);

    return {
      records: this.records,
      skipped: this.skipped,
      skippedTotal: this.skippedTotal,
      translations,
      unsolicited,
      unmatched,
      natPrivateIps: natIps,
      natIpsInferred: inferred,
      otherRecords,
      format: this.lines.format.text,
      notes,
      interfaces,
      usage,
      headroom,
    };
  }
}

function endpoint(ip: string, port: number): FlowLogEndpoint {
  return { ip, port };
}

function unsolicitedOf(l: Leg): FlowLogUnsolicited {
  const f: Flow = l.flow;
  return {
    protocol: protocolName(f.protocol),
    source: endpoint(f.src, f.srcPort),
    destination: endpoint(f.dst, f.dstPort),
    interface: f.iface ?? null,
    firstSeen: iso(l.ep.first),
    lastSeen: iso(l.ep.last),
    packets: l.ep.packets,
    bytes: l.ep.bytes,
    action: f.action ?? null,
    reason: l.note ?? 'no translation for it: the NAT drops it',
  };
}

function unmatchedOf(l: Leg, reason: string): FlowLogUnmatched {
  const f = l.flow;
  return {
    leg: l.role === 'unsolicited' ? 'other' : l.role,
    protocol: protocolName(f.protocol),
    source: endpoint(f.src, f.srcPort),
    destination: endpoint(f.dst, f.dstPort),
    ...(f.pktSrc !== undefined && f.pktSrc !== f.src ? { packetSource: f.pktSrc } : {}),
    ...(f.pktDst !== undefined && f.pktDst !== f.dst ? { packetDestination: f.pktDst } : {}),
    interface: f.iface ?? null,
    firstSeen: iso(l.ep.first),
    lastSeen: iso(l.ep.last),
    packets: l.ep.packets,
    bytes: l.ep.bytes,
    action: f.action ?? null,
    reason,
  };
}
