/**
 * The streaming core: lines or records go in one at a time and are aggregated per flow;
 * `finish()` classifies the flows, pairs the legs and returns the `flowlogs` result.
 */
import type { Protocol } from '../../model/types';
import { FlowTable, type Flow } from './aggregate';
import { FastLineReader } from './fast-line';
import { classifyFlows, nat64Target, type Leg } from './classify';
import { TRANSLATION_FIELDS, type FlowLogFormat } from './format';
import { DEFAULT_HEADROOM_ROWS, HeadroomTracker } from './headroom';
import { InterfaceCollector } from './interfaces';
import { DEFAULT_PRICE_PER_GB, DEFAULT_USAGE_ROWS, UsageTally } from './usage';
import { FlowLogLineParser } from './lines';
import { evidenceOf, pairLegs, type Pairing } from './pair';
import type { FlowLogRecord, RecordContext } from './record';
import type { FlowLogEndpoint, FlowLogSkipped, FlowLogsResult, FlowLogTranslation, FlowLogUnmatched, FlowLogUnsolicited } from './types';

/** How many skipped lines the result lists; the rest are only counted. */
export const MAX_LISTED_SKIPPED = 1000;

/**
 * Seconds behind the newest record after which flows are settled: the 350 s idle timeout,
 * a 10-minute aggregation window and slack for records delivered out of order.
 */
export const BATCH_HORIZON_SECONDS = 1200;
/** Unpaired legs that ended this close to a batch's cut wait for the next batch. */
const CARRY_MARGIN_SECONDS = 120;
/** Batches settled per horizon of new records. */
const BATCHES_PER_HORIZON = 4;
/** The slack pair.ts allows between legs' times (records carry whole seconds). */
const OPEN_OVERLAP_SLACK = 2;
/** How often (in records) to look whether a batch is due. */
const FLUSH_CHECK_RECORDS = 16384;

/** Receives the result's lists item by item as batches settle (so `--json` can stream). */
export interface FlowLogSink {
  onTranslation(t: FlowLogTranslation): void;
  onUnsolicited(u: FlowLogUnsolicited): void;
  onUnmatched(u: FlowLogUnmatched): void;
}

/** Keeps every item: the result's lists. */
class CollectingSink implements FlowLogSink {
  readonly translations: FlowLogTranslation[] = [];
  readonly unsolicited: FlowLogUnsolicited[] = [];
  readonly unmatched: FlowLogUnmatched[] = [];
  onTranslation(t: FlowLogTranslation): void {
    this.translations.push(t);
  }
  onUnsolicited(u: FlowLogUnsolicited): void {
    this.unsolicited.push(u);
  }
  onUnmatched(u: FlowLogUnmatched): void {
    this.unmatched.push(u);
  }
}

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
  /**
   * Seconds behind the newest record after which flows are settled in a batch (Infinity:
   * one batch at the end, memory grows with the file).
   * @default 1200
   */
  readonly batchHorizonSeconds?: number;
  /**
   * Receives translations, unsolicited and unmatched items as they settle; the result's
   * lists are then empty (its `totals` count them).
   * @default - the result lists every item
   */
  readonly sink?: FlowLogSink;
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

/**
 * Earlier first sighting first (no time first). ISO times of years 0000-9999 all have one
 * shape, so comparing code units orders them as localeCompare did, without its collation cost.
 */
function byFirstSeen(a: { readonly firstSeen: string | null }, b: { readonly firstSeen: string | null }): number {
  const x = a.firstSeen ?? '';
  const y = b.firstSeen ?? '';
  return x < y ? -1 : x > y ? 1 : 0;
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
  private sawFlows = false;
  /** Newest record time seen (seconds), and where the last batch was cut. */
  private watermark = -Infinity;
  private lastCut = -Infinity;
  private sinceCheck = 0;
  private batches = 0;
  private nat: { ips: string[]; inferred: boolean } | undefined = undefined;
  /** Legs of the previous batch that ended within a horizon of its cut, by destination. */
  private recent = new Map<string, Array<[number, number]>>();
  private readonly usage: UsageTally;
  private readonly headroom = new HeadroomTracker(protocolName);
  private readonly sink: FlowLogSink;
  /** The lists, when no sink was given. */
  private readonly collector: CollectingSink | undefined;
  private translationCount = 0;
  private unsolicitedCount = 0;
  private unmatchedCount = 0;
  private otherFlowRecords = 0;
  private readonly confidence = { certain: 0, likely: 0, ambiguous: 0 };

  constructor(private readonly options: AnalyzeOptions = {}) {
    this.source = options.source ?? 'input';
    this.lines = new FlowLogLineParser(options.format, this.source);
    this.enis = options.natEniIds?.length ? new Set(options.natEniIds) : undefined;
    this.usage = new UsageTally(options.pricePerGb ?? DEFAULT_PRICE_PER_GB, options.usageRows ?? DEFAULT_USAGE_ROWS);
    this.collector = options.sink ? undefined : new CollectingSink();
    this.sink = options.sink ?? (this.collector as CollectingSink);
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
    if (rec.protocol === undefined) return;
    this.table.add(rec);
    this.sawFlows = true;
    const t = rec.end ?? rec.start ?? (rec.timestamp !== undefined ? Math.floor(rec.timestamp / 1000) : undefined);
    if (t !== undefined && t > this.watermark) this.watermark = t;
    if (++this.sinceCheck >= FLUSH_CHECK_RECORDS) {
      this.sinceCheck = 0;
      this.flushIfDue();
    }
  }

  /** Records a line that is not a record, with the reason. */
  skip(line: number, reason: string): void {
    this.skippedTotal++;
    if (this.skipped.length < MAX_LISTED_SKIPPED) this.skipped.push({ line, reason });
  }

  /** The NAT addresses, fixed at the first batch (given, or inferred from the ENIs seen so far). */
  private natResolved(): { ips: string[]; inferred: boolean } {
    if (this.nat) return this.nat;
    const given = this.options.natPrivateIps?.length ? [...this.options.natPrivateIps] : undefined;
    if (given) return (this.nat = { ips: given, inferred: false });
    const nats = this.interfaces.interfaces().filter((i) => i.kind === 'nat-gateway');
    const ips = [...new Set(nats.flatMap((i) => i.addresses))];
    if (ips.length) {
      this.notes.push(`NAT private IP ${ips.join(', ')} inferred from the records of ${nats.map((i) => i.interface ?? 'the ENI').join(', ')} (the address that receives records whose pkt-dstaddr is another address); pass --nat-ip to set it.`);
    }
    return (this.nat = { ips, inferred: true });
  }

  /** True when the format can rebuild translations (ports, protocol and pkt-* fields). */
  private canPair(): boolean {
    const format = this.lines.format;
    const missing = TRANSLATION_FIELDS.filter((f) => format.index[f] === undefined);
    return missing.length === 0 || (this.sawPkt && !missing.some((f) => !f.startsWith('pkt-')));
  }

  /**
   * Records arrive in time order (give or take a capture window): once the newest time has
   * moved on by twice the horizon, the flows that ended a horizon ago are classified, paired
   * and handed out, so memory holds only the flows of the last horizon or two.
   */
  private flushIfDue(): void {
    const horizon = this.options.batchHorizonSeconds ?? BATCH_HORIZON_SECONDS;
    if (!Number.isFinite(this.watermark) || !Number.isFinite(horizon)) return;
    const cut = this.watermark - horizon;
    // Settle often (every quarter horizon) so that a batch, and the heap it churns, stays small.
    if (cut - this.lastCut < horizon / BATCHES_PER_HORIZON) return;
    this.lastCut = cut;
    this.processBatch(this.table.takeFlowsBefore(cut), cut);
  }

  /** Classifies and pairs one batch of flows; legs near the cut with no partner wait for the next batch. */
  private processBatch(flows: Flow[], cut: number): void {
    this.batches++;
    const nat = this.natResolved();
    const classified = classifyFlows(flows, new Set(nat.ips));
    this.otherFlowRecords += classified.otherRecords;
    const canPair = this.canPair();
    const paired = canPair ? pairLegs(classified.insides, classified.outsides) : { pairs: [], unmatchedInsides: [], unmatchedOutsides: [] };
    // A leg near the cut whose partner is not here yet goes back to the table with its replies.
    const final = !Number.isFinite(cut);
    const carried = new Set<Leg>();
    const carry = (l: Leg): boolean => {
      if (final || !(l.ep.last >= cut - CARRY_MARGIN_SECONDS) || l.flow.more || l.replies?.some((r) => r.more)) return false;
      this.table.putBack(l.flow);
      for (const r of l.replies ?? []) this.table.putBack(r);
      carried.add(l);
      return true;
    };
    const unmatchedInsides = paired.unmatchedInsides.filter((l) => !carry(l));
    const unmatchedOutsides = paired.unmatchedOutsides.filter((l) => !carry(l));
    const unsolicitedLegs = classified.unsolicited.filter((l) => !carry(l));
    this.usage.add(
      classified.insides.filter((l) => !carried.has(l)),
      classified.outsides.filter((l) => !carried.has(l)),
    );
    this.headroom.add(
      classified.outsides.filter((l) => !carried.has(l)),
      cut,
      this.options.batchHorizonSeconds ?? BATCH_HORIZON_SECONDS,
    );

    if (this.batches > 1 || !final) this.temperCertainty(paired.pairs, new Set(nat.ips));
    this.recent = recentLegs(classified.insides, classified.outsides, cut - (this.options.batchHorizonSeconds ?? BATCH_HORIZON_SECONDS), carried, this.recent);
    const translations = paired.pairs.map(translationOf);
    translations.sort((a, b) => byFirstSeen(a, b) || a.outside.port - b.outside.port);
    for (const t of translations) this.sink.onTranslation(t);
    this.translationCount += translations.length;
    for (const t of translations) this.confidence[t.confidence]++;
    if (canPair) {
      const unmatched: FlowLogUnmatched[] = [
        ...unmatchedInsides.map((l) => unmatchedOf(l, `no outside leg from the NAT to ${l.destIp ?? '*'}:${l.destPort} in this time window (a record not delivered, a port allocation failure, or a NAT that refused it)`)),
        ...unmatchedOutsides.map((l) => unmatchedOf(l, `no inside leg to ${l.destIp}:${l.flow.dstPort} in this time window (the client's record may be missing, or the log started after the connection did)`)),
        ...classified.unmatched.map((l) => unmatchedOf(l, l.note ?? 'not part of a translation')),
      ];
      unmatched.sort(byFirstSeen);
      for (const u of unmatched) this.sink.onUnmatched(u);
      this.unmatchedCount += unmatched.length;
    }
    const unsolicited = unsolicitedLegs.map(unsolicitedOf);
    unsolicited.sort(byFirstSeen);
    for (const u of unsolicited) this.sink.onUnsolicited(u);
    this.unsolicitedCount += unsolicited.length;
  }

  /**
   * A pairing is certain only when no other leg to that destination overlaps it; a leg still
   * open at the cut (a long connection) is not in the batch, but one pass over the file would
   * have counted it: look for such legs among the open flows and say "likely" instead.
   */
  private temperCertainty(pairs: Pairing[], natIps: ReadonlySet<string>): void {
    const certain = pairs.filter((p) => p.confidence === 'certain' && p.inside);
    if (!certain.length) return;
    // Legs still open, and legs of the previous batch that ended near its cut.
    const open = new Map<string, Array<[number, number]>>(this.recent);
    // The previous batch's lists are shared with this.recent: copy one on its first addition only
    // (copying on every addition is quadratic in a busy destination's open legs).
    const copied = new Set<string>();
    const note = (key: string, f: Flow): void => {
      const list = open.get(key);
      if (!list) {
        open.set(key, [[f.first, f.latestLast]]);
        copied.add(key);
      } else if (copied.has(key)) {
        list.push([f.first, f.latestLast]);
      } else {
        open.set(key, [...list, [f.first, f.latestLast]]);
        copied.add(key);
      }
    };
    // An open flow stays open for several batches: its leg key is worked out once (the NAT
    // addresses are fixed from the first batch on).
    for (const f of this.table.openFlows()) {
      let key = f.openLegKey;
      if (key === undefined) key = f.openLegKey = openLegKey(f, natIps);
      if (key !== null) note(key, f);
    }
    if (!open.size) return;
    const overlaps = (list: Array<[number, number]> | undefined, first: number, last: number): boolean =>
      !!list?.some(([a, b]) => a <= last + OPEN_OVERLAP_SLACK && first <= b + OPEN_OVERLAP_SLACK);
    for (let i = 0; i < pairs.length; i++) {
      const p = pairs[i];
      if (p.confidence !== 'certain' || !p.inside) continue;
      const o = p.outside;
      const key = `${o.flow.protocol}|${o.destIp}|${o.flow.dstPort}`;
      const others = (k: string, self: Leg): Array<[number, number]> | undefined => open.get(k)?.filter(([a, b]) => a !== self.ep.first || b !== self.ep.last);
      if (overlaps(others(`i|${key}`, p.inside), o.ep.first, o.ep.last) || overlaps(others(`o|${key}`, o), p.inside.ep.first, p.inside.ep.last)) {
        pairs[i] = { ...p, confidence: 'likely', basis: `${p.basis.replace(' in this time window', '')} settled before it ended; another leg to ${o.destIp}:${o.flow.dstPort} still open overlaps it, so not certain` };
      }
    }
  }

  /** Classifies and pairs what is left, and returns the result (lists empty when a sink took them). */
  finish(): FlowLogsResult {
    this.processBatch(this.table.takeFlows(), Infinity);
    const interfaces = this.interfaces.interfaces();
    const format = this.lines.format;
    const nat = this.natResolved();
    const natIps = nat.ips;
    if (!natIps.length && this.records) {
      if (interfaces.some((i) => i.kind === 'unknown')) {
        this.notes.push('No NAT Gateway address can be inferred: the format has no pkt-srcaddr/pkt-dstaddr, so a translation cannot be seen; pass --nat-ip to read legs by address.');
      } else if (interfaces.some((i) => i.kind === 'nat-gateway')) {
        this.notes.push('A NAT Gateway ENI showed its translations only after the first batch of records was read; pass --nat-ip to read them all.');
      } else {
        this.notes.push("No ENI in the records translates addresses: none of them is a NAT Gateway's (see interfaces).");
      }
    }
    if (!this.canPair() && this.records) {
      const missing = TRANSLATION_FIELDS.filter((f) => format.index[f] === undefined);
      this.notes.push(
        `Translations cannot be rebuilt from this format: it lacks ${missing.map((f) => `\${${f}}`).join(' ')}. ` +
          "What the records still show: each ENI's traffic and kind (interfaces)" +
          (natIps.length ? ', and with the NAT address known, traffic and port headroom per destination and NAT address (usage, headroom).' : '.'),
      );
    }
    const notes = [...this.lines.notes, ...this.notes];
    const otherRecords = this.otherFlowRecords + this.otherEniRecords;
    if (this.enis && !this.sawInterface && this.records) notes.push('--nat-eni could not filter: the records carry no interface-id.');
    if (this.otherEniRecords) notes.push(`${this.otherEniRecords} records on other ENIs than ${[...this.enis ?? []].join(', ')} were left out.`);
    if (this.otherFlowRecords) notes.push(`${this.otherFlowRecords} records involve none of the NAT's addresses (${natIps.join(', ') || 'none known'}): other ENIs in the same log, or a wrong --nat-ip.`);
    if (this.records && !this.sawTime && this.sawFlows) notes.push('The records carry no time (no start/end, no event timestamp): pairing cannot use time, so more pairings are ambiguous.');
    if (this.noData) notes.push(`${this.noData} NODATA records (no traffic in their capture window).`);
    if (this.skipData) notes.push(`${this.skipData} SKIPDATA records: AWS skipped records during some capture windows, so some legs may be missing.`);
    if (this.skippedTotal > this.skipped.length) notes.push(`${this.skippedTotal} lines were skipped; the first ${this.skipped.length} are listed.`);
    if (this.batches > 1) notes.push(`Read in ${this.batches} time batches (records ${this.options.batchHorizonSeconds ?? BATCH_HORIZON_SECONDS} s behind the newest are settled), so memory holds only recent flows.`);

    const collected = this.collector;
    return {
      records: this.records,
      skipped: this.skipped,
      skippedTotal: this.skippedTotal,
      translations: collected?.translations ?? [],
      unsolicited: collected?.unsolicited ?? [],
      unmatched: collected?.unmatched ?? [],
      natPrivateIps: natIps,
      natIpsInferred: nat.inferred,
      otherRecords,
      format: format.text,
      notes,
      interfaces,
      usage: this.usage.result(),
      headroom: this.headroom.result(this.options.headroomRows ?? DEFAULT_HEADROOM_ROWS),
      totals: {
        translations: this.translationCount,
        certain: this.confidence.certain,
        likely: this.confidence.likely,
        ambiguous: this.confidence.ambiguous,
        unsolicited: this.unsolicitedCount,
        unmatched: this.unmatchedCount,
      },
    };
  }
}

/** The key temperCertainty files an open flow under: an inside or outside leg's destination, or null. */
function openLegKey(f: Flow, natIps: ReadonlySet<string>): string | null {
  if (natIps.has(f.dst) && f.pktDst !== undefined && f.pktDst !== f.dst) return `i|${f.protocol}|${nat64Target(f.pktDst)}|${f.dstPort}`;
  if (natIps.has(f.src) && !natIps.has(f.dst) && (f.pktSrc === undefined || f.pktSrc === f.src)) return `o|${f.protocol}|${f.dst}|${f.dstPort}`;
  return null;
}

/** Inside and outside legs that ended at or after `from`, by kind and destination, as [first, last]. */
function recentLegs(insides: readonly Leg[], outsides: readonly Leg[], from: number, skip: ReadonlySet<Leg>, before: ReadonlyMap<string, Array<[number, number]>>): Map<string, Array<[number, number]>> {
  const out = new Map<string, Array<[number, number]>>();
  // Earlier batches' legs stay while they end within the horizon.
  for (const [key, list] of before) {
    const kept = list.filter(([, last]) => last >= from);
    if (kept.length) out.set(key, kept);
  }
  const add = (key: string, l: Leg): void => {
    if (!(l.ep.last >= from) || skip.has(l)) return;
    const list = out.get(key);
    if (list) list.push([l.ep.first, l.ep.last]);
    else out.set(key, [[l.ep.first, l.ep.last]]);
  };
  for (const l of insides) if (!l.standIn && l.destIp !== undefined) add(`i|${l.flow.protocol}|${l.destIp}|${l.destPort}`, l);
  for (const l of outsides) add(`o|${l.flow.protocol}|${l.destIp}|${l.flow.dstPort}`, l);
  return out;
}

/** One pairing as the result states it. */
function translationOf(p: Pairing): FlowLogTranslation {
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
  // Candidates sit between confidence and basis, so the key order (and the JSON) is one shape.
  const candidates = confidence === 'ambiguous' ? { candidates: p.candidates.map((c) => endpoint(c.clientIp, c.clientPort)) } : undefined;
  return { protocol, inside, outside, destination, interface: iface, firstSeen: iso(first), lastSeen: iso(last), confidence, ...candidates, basis, evidence };
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
