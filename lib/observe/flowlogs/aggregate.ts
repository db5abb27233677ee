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

/** One distinct flow as seen on one ENI. */
export interface Flow {
  readonly iface: string | undefined;
  readonly protocol: number;
  readonly src: string;
  readonly srcPort: number;
  readonly dst: string;
  readonly dstPort: number;
  readonly pktSrc: string | undefined;
  readonly pktDst: string | undefined;
  readonly action: 'ACCEPT' | 'REJECT' | undefined;
  readonly episodes: Episode[];
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
    let flow = this.flows.get(key);
    if (!flow) {
      flow = {
        iface: this.intern(rec.interfaceId),
        protocol,
        src: this.intern(src),
        srcPort,
        dst: this.intern(dst),
        dstPort,
        pktSrc: this.intern(rec.pktSrcaddr),
        pktDst: this.intern(rec.pktDstaddr),
        action: rec.action,
        // A literal of one: most flows have one episode, and push() on [] reserves 17 slots.
        episodes: [newEpisode(rec)],
      };
      this.flows.set(key, flow);
      return;
    }
    addToEpisodes(flow.episodes, rec);
  }
}

function recordTimes(rec: FlowLogRecord): { first: number; last: number; precise: boolean } {
  if (rec.start !== undefined || rec.end !== undefined) {
    const first = rec.start ?? (rec.end as number);
    return { first, last: rec.end ?? first, precise: true };
  }
  if (rec.timestamp !== undefined) {
    const t = Math.floor(rec.timestamp / 1000);
    return { first: t, last: t, precise: false };
  }
  return { first: NaN, last: NaN, precise: false };
}

function addToEpisodes(episodes: Episode[], rec: FlowLogRecord): void {
  const { first, last, precise } = recordTimes(rec);
  const packets = rec.packets ?? 0;
  const bytes = rec.bytes ?? 0;
  // Records arrive in time order, give or take a capture window: only the newest few
  // episodes can take a record (a flow seen all day may have thousands).
  for (let i = episodes.length - 1; i >= 0 && i >= episodes.length - RECENT_EPISODES; i--) {
    const ep = episodes[i];
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
      ep.packets += packets;
      ep.bytes += bytes;
      ep.records++;
      if (rec.line < ep.line) ep.line = rec.line;
      return;
    }
  }
  episodes.push(newEpisode(rec));
}

function newEpisode(rec: FlowLogRecord): Episode {
  const { first, last, precise } = recordTimes(rec);
  return { first, last, precise, packets: rec.packets ?? 0, bytes: rec.bytes ?? 0, records: 1, line: rec.line };
}
