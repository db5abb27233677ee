/**
 * Aggregation as records are read: one entry per distinct flow (ENI, 5-tuple, packet-level
 * addresses, action), split into episodes at idle gaps longer than the NAT Gateway's idle
 * timeout. Memory grows with the number of distinct flows, never with the number of records.
 */
import type { FlowLogRecord } from './record';

/** A NAT Gateway forgets an idle connection after 350 s: a longer gap starts a new one. */
export const NAT_IDLE_TIMEOUT_SECONDS = 350;

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
  first: number;
  last: number;
  precise: boolean;
  packets: number;
  bytes: number;
  records = 1;
  line: number;
  /** Episodes after the first, when the flow went idle longer than the timeout and came back. */
  more: Episode[] | undefined = undefined;

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
    rec: FlowLogRecord,
  ) {
    const ep = newEpisode(rec);
    this.first = ep.first;
    this.last = ep.last;
    this.precise = ep.precise;
    this.packets = ep.packets;
    this.bytes = ep.bytes;
    this.line = ep.line;
  }

  /** All episodes, oldest first. */
  get episodes(): Episode[] {
    return this.more ? [this, ...this.more] : [this];
  }
}

/** Distinct flows keyed by everything that identifies them. */
export class FlowTable {
  readonly flows = new Map<string, Flow>();
  /** One copy of each address and ENI id: a field cut from a line would keep the whole line alive. */
  private readonly names = new Map<string, string>();

  private intern(s: string): string;
  private intern(s: string | undefined): string | undefined;
  private intern(s: string | undefined): string | undefined {
    if (s === undefined) return undefined;
    let v = this.names.get(s);
    if (v === undefined) {
      v = (' ' + s).slice(1);
      this.names.set(v, v);
    }
    return v;
  }

  /**
   * Hands over the flows and forgets them (their keys are a third of the memory, and
   * classification no longer needs them).
   */
  takeFlows(): Flow[] {
    const flows = [...this.flows.values()];
    this.flows.clear();
    this.names.clear();
    return flows;
  }

  /** Adds one OK record (srcaddr, dstaddr and protocol present). */
  add(rec: FlowLogRecord): void {
    const protocol = rec.protocol as number;
    const src = rec.srcaddr as string;
    const dst = rec.dstaddr as string;
    const srcPort = rec.srcport ?? 0;
    const dstPort = rec.dstport ?? 0;
    // join() makes one flat string; a template literal would keep a tree of pieces (and the
    // line they were cut from) alive as the map key.
    const key = [rec.interfaceId, protocol, src, srcPort, dst, dstPort, rec.pktSrcaddr, rec.pktDstaddr, rec.action].join('|');
    const flow = this.flows.get(key);
    if (flow) {
      addToEpisodes(flow, rec);
      return;
    }
    const srcName = this.intern(src);
    const dstName = this.intern(dst);
    this.flows.set(
      key,
      new Flow(
        this.intern(rec.interfaceId),
        protocol,
        srcName,
        srcPort,
        dstName,
        dstPort,
        rec.pktSrcaddr === src ? srcName : this.intern(rec.pktSrcaddr),
        rec.pktDstaddr === dst ? dstName : this.intern(rec.pktDstaddr),
        rec.action,
        rec,
      ),
    );
  }
}

function newEpisode(rec: FlowLogRecord): Episode {
  let first = NaN;
  let last = NaN;
  let precise = false;
  if (rec.start !== undefined || rec.end !== undefined) {
    first = rec.start ?? (rec.end as number);
    last = rec.end ?? first;
    precise = true;
  } else if (rec.timestamp !== undefined) {
    first = last = Math.floor(rec.timestamp / 1000);
  }
  return { first, last, precise, packets: rec.packets ?? 0, bytes: rec.bytes ?? 0, records: 1, line: rec.line };
}

function addToEpisodes(flow: Flow, rec: FlowLogRecord): void {
  const add = newEpisode(rec);
  const { first, last } = add;
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
      ep.precise = ep.precise && add.precise;
      ep.packets += add.packets;
      ep.bytes += add.bytes;
      ep.records++;
      if (add.line < ep.line) ep.line = add.line;
      return;
    }
  }
  (flow.more ??= []).push(add);
}
