/**
 * Aggregation as records are read: one entry per distinct flow (ENI, 5-tuple, packet-level
 * addresses, action), split into episodes at idle gaps longer than the NAT Gateway's idle
 * timeout. Memory grows with the number of distinct flows, never with the number of records.
 */
import { NAT_DEFAULTS } from '../../model/nat-table';
import type { FlowLogRecord } from './record';

/** A NAT Gateway forgets an idle connection after 350 s: a longer gap starts a new one. */
export const NAT_IDLE_TIMEOUT_SECONDS: number = NAT_DEFAULTS.idleTimeoutSeconds;

/** How many of a flow's newest episodes a record may join; older ones are closed. */
const RECENT_EPISODES = 8;

/** A run of records of one flow with no gap longer than the idle timeout. */
export interface Episode {
  /** Unix seconds; NaN when the records carry no time. */
  first: number;
  last: number;
  /** True when times come from the records' start/end, false from CloudWatch event times. */
  precise: boolean;
  packets: number;
  bytes: number;
  records: number;
  /** Line of the first record, to point a reader at the file. */
  line: number;
}

/**
 * One distinct flow as seen on one ENI. The flow is its own first episode (most flows have
 * only one), so a busy day's hundreds of thousands of flows cost one object each, not three.
 */
export class Flow implements Episode {
  first = NaN;
  last = NaN;
  precise = false;
  packets = 0;
  bytes = 0;
  records = 1;
  line = 0;
  /** Episodes after the first, when the flow went idle longer than the timeout and came back. */
  more: Episode[] | undefined = undefined;
  /** Its key in the flow table, to put it back when a batch carries it over. */
  key = '';
  /** The analyzer's key for it while it is open across batches (undefined: not worked out yet). */
  openLegKey: string | null | undefined = undefined;

  constructor(
    readonly iface: string | undefined,
    readonly protocol: number,
    readonly src: string,
    readonly srcPort: number,
    readonly dst: string,
    readonly dstPort: number,
    readonly pktSrc: string | undefined,
    readonly pktDst: string | undefined,
    readonly action: 'ACCEPT' | 'REJECT' | undefined,
    /** Numbers of iface, src and dst in their table (0: absent), for short lookup keys. */
    readonly ifaceId: number,
    readonly srcId: number,
    readonly dstId: number,
    rec: FlowLogRecord,
  ) {
    startEpisode(this, rec);
  }

  /** The last second of its newest episode (NaN without times). */
  get latestLast(): number {
    return this.more ? this.more[this.more.length - 1].last : this.last;
  }

  /** All episodes, oldest first. */
  get episodes(): Episode[] {
    return this.more ? [this, ...this.more] : [this];
  }
}

/** Distinct flows keyed by everything that identifies them. */
export class FlowTable {
  /**
   * Keyed by a short string of char codes (address and ENI ids, ports, protocol, action):
   * a few dozen bytes per flow instead of the flow written out in text.
   */
  private readonly flows = new Map<string, Flow>();
  /**
   * One copy of each address and ENI id, numbered: a field cut from a line would keep the
   * whole line alive, and the numbers make the flow keys short.
   */
  private readonly ids = new Map<string, number>();
  private readonly names: string[] = [];
  private lastIface: string | undefined = undefined;
  private lastIfaceId = 0;

  /** The number of an address or ENI id (0 for absent), interning it on first sight. */
  private id(s: string | undefined): number {
    if (s === undefined) return 0;
    let v = this.ids.get(s);
    if (v === undefined) {
      const copy = (' ' + s).slice(1);
      this.names.push(copy);
      v = this.names.length;
      this.ids.set(copy, v);
    }
    return v;
  }

  private name(id: number): string | undefined {
    return id === 0 ? undefined : this.names[id - 1];
  }

  /**
   * Hands over the flows and forgets them (their keys are a third of the memory, and
   * classification no longer needs them).
   */
  takeFlows(): Flow[] {
    const flows = [...this.flows.values()];
    this.flows.clear();
    this.ids.clear();
    this.names.length = 0;
    this.lastIface = undefined;
    this.lastIfaceId = 0;
    return flows;
  }

  /** Flows held now. */
  get size(): number {
    return this.flows.size;
  }

  /**
   * Hands over the flows whose newest episode ended before `cut` (seconds) and forgets them;
   * flows without times stay to the end. Interned names stay: later flows share them.
   */
  takeFlowsBefore(cut: number): Flow[] {
    const out: Flow[] = [];
    for (const [key, flow] of this.flows) {
      if (flow.latestLast < cut) {
        out.push(flow);
        this.flows.delete(key);
      }
    }
    return out;
  }

  /** The flows held now (still open at a batch's cut). */
  openFlows(): IterableIterator<Flow> {
    return this.flows.values();
  }

  /** Puts a handed-over flow back (its partner may come with the next batch). */
  putBack(flow: Flow): void {
    const had = this.flows.get(flow.key);
    // A new record of the same flow may have arrived meanwhile: fold the two together.
    if (had) {
      for (const ep of flow.episodes) mergeEpisode(had, ep);
    } else {
      this.flows.set(flow.key, flow);
    }
  }

  /** Adds one OK record (srcaddr, dstaddr and protocol present). */
  add(rec: FlowLogRecord): void {
    const protocol = rec.protocol as number;
    const srcPort = rec.srcport ?? 0;
    const dstPort = rec.dstport ?? 0;
    // One ENI logs most records, and packet-level addresses mostly equal the ENI-level ones:
    // compare before looking up.
    let iface = this.lastIfaceId;
    if (rec.interfaceId !== this.lastIface) {
      iface = this.lastIfaceId = this.id(rec.interfaceId);
      this.lastIface = rec.interfaceId;
    }
    const src = this.id(rec.srcaddr);
    const dst = this.id(rec.dstaddr);
    const pktSrc = rec.pktSrcaddr === rec.srcaddr ? src : rec.pktSrcaddr === rec.dstaddr ? dst : this.id(rec.pktSrcaddr);
    const pktDst = rec.pktDstaddr === rec.dstaddr ? dst : rec.pktDstaddr === rec.srcaddr ? src : this.id(rec.pktDstaddr);
    const action = rec.action === undefined ? 0 : rec.action === 'ACCEPT' ? 1 : 2;
    const key =
      isCode(protocol, 0xff) && isCode(srcPort, 0xffff) && isCode(dstPort, 0xffff)
        ? compactKey(iface, protocol, src, srcPort, dst, dstPort, pktSrc, pktDst, action)
        : // Records handed in by callers may carry numbers no parsed line can: spell those out.
          ['\u0002', iface, protocol, src, srcPort, dst, dstPort, pktSrc, pktDst, action].join('|');
    const flow = this.flows.get(key);
    if (flow) {
      addToEpisodes(flow, rec);
      return;
    }
    const created = new Flow(
        this.name(iface),
        protocol,
        this.name(src) as string,
        srcPort,
        this.name(dst) as string,
        dstPort,
        this.name(pktSrc),
        this.name(pktDst),
        rec.action,
        iface,
        src,
        dst,
        rec,
    );
    created.key = key;
    this.flows.set(key, created);
  }
}

/** Folds an episode into a flow as a record would be (times widened, counts added). */
function mergeEpisode(flow: Flow, ep: Episode): void {
  const n = flow.more ? flow.more.length : 0;
  for (let i = n; i >= 0; i--) {
    const e: Episode = i === 0 ? flow : (flow.more as Episode[])[i - 1];
    if (ep.first <= e.last + NAT_IDLE_TIMEOUT_SECONDS && ep.last >= e.first - NAT_IDLE_TIMEOUT_SECONDS) {
      e.first = Math.min(e.first, ep.first);
      e.last = Math.max(e.last, ep.last);
      e.precise = e.precise && ep.precise;
      e.packets += ep.packets;
      e.bytes += ep.bytes;
      e.records += ep.records;
      e.line = Math.min(e.line, ep.line);
      return;
    }
  }
  (flow.more ??= []).push({ ...ep });
  flow.more.sort((a, b) => a.first - b.first);
}

/**
 * A flow's connection (ENI and 5-tuple) as a short string, or its reverse (the flow that
 * answers it), for matching replies to legs.
 */
export function connectionKey(f: Flow, reverse: boolean): string {
  return reverse ? key6(f.ifaceId, f.protocol, f.dstId, f.dstPort, f.srcId, f.srcPort) : key6(f.ifaceId, f.protocol, f.srcId, f.srcPort, f.dstId, f.dstPort);
}

function key6(iface: number, protocol: number, a: number, aPort: number, b: number, bPort: number): string {
  if (!isCode(protocol, 0xff) || !isCode(aPort, 0xffff) || !isCode(bPort, 0xffff)) return ['\u0002', iface, protocol, a, aPort, b, bPort].join('|');
  return String.fromCharCode(1, iface & 0xffff, iface >>> 16, protocol, a & 0xffff, a >>> 16, aPort, b & 0xffff, b >>> 16, bPort);
}

function isCode(n: number, max: number): boolean {
  return Number.isInteger(n) && n >= 0 && n <= max;
}

/** Eleven UTF-16 code units plus a marker; ids take two (up to 2^32 distinct names). */
function compactKey(iface: number, protocol: number, src: number, srcPort: number, dst: number, dstPort: number, pktSrc: number, pktDst: number, action: number): string {
  return String.fromCharCode(
    1,
    iface & 0xffff,
    iface >>> 16,
    protocol | (action << 8),
    src & 0xffff,
    src >>> 16,
    srcPort,
    dst & 0xffff,
    dst >>> 16,
    dstPort,
    pktSrc & 0xffff,
    pktSrc >>> 16,
    pktDst & 0xffff,
    pktDst >>> 16,
  );
}

/**
 * Fills an episode from its first record: times from the record's start/end when the format
 * has them, else from the CloudWatch event's timestamp. Writes in place, so a new flow (its own
 * first episode) costs no extra object.
 */
function startEpisode(episode: Episode, rec: FlowLogRecord): void {
  if (rec.start !== undefined || rec.end !== undefined) {
    episode.first = rec.start ?? (rec.end as number);
    episode.last = rec.end ?? episode.first;
    episode.precise = true;
  } else {
    episode.first = episode.last = rec.timestamp !== undefined ? Math.floor(rec.timestamp / 1000) : NaN;
    episode.precise = false;
  }
  episode.packets = rec.packets ?? 0;
  episode.bytes = rec.bytes ?? 0;
  episode.records = 1;
  episode.line = rec.line;
}

function newEpisode(rec: FlowLogRecord): Episode {
  const episode: Episode = { first: NaN, last: NaN, precise: false, packets: 0, bytes: 0, records: 1, line: 0 };
  startEpisode(episode, rec);
  return episode;
}

function addToEpisodes(flow: Flow, rec: FlowLogRecord): void {
  // The record's episode fields, read without building an Episode (one per record is the
  // biggest garbage source on a busy day): only a record that starts a new episode makes one.
  let first: number;
  let last: number;
  let precise: boolean;
  if (rec.start !== undefined || rec.end !== undefined) {
    first = rec.start ?? (rec.end as number);
    last = rec.end ?? first;
    precise = true;
  } else {
    first = last = rec.timestamp !== undefined ? Math.floor(rec.timestamp / 1000) : NaN;
    precise = false;
  }
  const n = flow.more ? flow.more.length : 0;
  // Records arrive in time order, give or take a capture window: only the newest few
  // episodes can take a record (a flow seen all day may have thousands).
  for (let i = n; i >= 0 && i > n - RECENT_EPISODES; i--) {
    const ep: Episode = i === 0 ? flow : (flow.more as Episode[])[i - 1];
    const timeless = Number.isNaN(first) || Number.isNaN(ep.first);
    if (timeless || (first <= ep.last + NAT_IDLE_TIMEOUT_SECONDS && last >= ep.first - NAT_IDLE_TIMEOUT_SECONDS)) {
      if (!timeless) {
        if (first < ep.first) ep.first = first;
        if (last > ep.last) ep.last = last;
      } else if (Number.isNaN(ep.first) && !Number.isNaN(first)) {
        ep.first = first;
        ep.last = last;
      }
      ep.precise = ep.precise && precise;
      ep.packets += rec.packets ?? 0;
      ep.bytes += rec.bytes ?? 0;
      ep.records++;
      if (rec.line < ep.line) ep.line = rec.line;
      return;
    }
  }
  (flow.more ??= []).push(newEpisode(rec));
}
