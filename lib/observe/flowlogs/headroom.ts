/**
 * Port headroom: how close each destination (IP, port, protocol) came to the NAT Gateway's
 * limit of simultaneous connections per NAT address (55,000), from the outside legs' first
 * and last packet times. Past the limit new connections fail and CloudWatch counts
 * ErrorPortAllocation; this answers that question from the logs.
 */
import { NAT_DEFAULTS } from '../../model/nat-table';
import type { Leg } from './classify';

/** Simultaneous connections per destination per NAT address (DESIGN.md section 2). */
export const PER_DESTINATION_LIMIT: number = NAT_DEFAULTS.perDestinationLimit;

/** How many destinations the result lists, closest to the limit first. */
export const DEFAULT_HEADROOM_ROWS = 10;

/** One destination through one NAT address at its busiest. */
export interface FlowLogHeadroomRow {
  /** The NAT's private IP the connections used. */
  readonly natIp: string;
  readonly destination: { readonly ip: string; readonly port: number };
  /** `tcp`, `udp`, `icmp`, or the IANA number. */
  readonly protocol: string;
  /** Most connections open at the same second. */
  readonly peak: number;
  /** ISO 8601: the first second the peak was reached. */
  readonly peakAt: string;
  /** peak / limit, 0 to 1. */
  readonly utilisation: number;
  /** Connections (outside legs) to it in the records. */
  readonly connections: number;
}

/** `headroom` in the flowlogs result. */
export interface FlowLogHeadroom {
  readonly limit: number;
  /** Destinations closest to the limit, most used first. */
  readonly closest: FlowLogHeadroomRow[];
  /** Distinct (NAT address, destination, port, protocol) seen. */
  readonly destinations: number;
  /** Outside legs without times, which could not be placed in time. */
  readonly untimed: number;
  /** One sentence: how the figures were made. */
  readonly method: string;
}

interface Group {
  natIp: string;
  destIp: string;
  destPort: number;
  protocol: number;
  peak: number;
  at: number;
  connections: number;
  /** Intervals of earlier batches that end within the horizon of the last cut (they may overlap the next batch's). */
  carried: Array<[number, number]>;
}

/**
 * Peak simultaneous connections per (NAT address, destination IP, port, protocol), batch by
 * batch: a sweep over each group's outside legs, open from their first to their last second
 * inclusive, with the previous batch's legs that end within `horizon` seconds of its cut
 * carried into the next sweep (legs longer than that across a cut are counted in their own
 * batch only). Memory: one entry per group plus the legs near the last cut.
 */
export class HeadroomTracker {
  private readonly groups = new Map<string, Group>();
  private untimed = 0;

  constructor(private readonly protocolName: (n: number) => string) {}

  /** Adds one batch of outside legs; `cut` is the batch's time bound (legs ended before it). */
  add(outsides: readonly Leg[], cut: number, horizon: number): void {
    const batch = new Map<Group, Array<[number, number]>>();
    for (const l of outsides) {
      if (Number.isNaN(l.ep.first)) {
        this.untimed++;
        continue;
      }
      const f = l.flow;
      const key = `${f.src}|${f.dst}|${f.dstPort}|${f.protocol}`;
      let g = this.groups.get(key);
      if (!g) this.groups.set(key, (g = { natIp: f.src, destIp: f.dst, destPort: f.dstPort, protocol: f.protocol, peak: 0, at: NaN, connections: 0, carried: [] }));
      g.connections++;
      const list = batch.get(g);
      if (list) list.push([l.ep.first, l.ep.last]);
      else batch.set(g, [[l.ep.first, l.ep.last]]);
    }
    for (const [g, intervals] of batch) {
      const all = g.carried.length ? [...g.carried, ...intervals] : intervals;
      const { peak, at } = sweep(all);
      if (peak > g.peak) {
        g.peak = peak;
        g.at = at;
      }
      g.carried = Number.isFinite(cut) ? all.filter(([, last]) => last >= cut - horizon) : [];
    }
  }

  /** The destinations closest to the limit. */
  result(rows = DEFAULT_HEADROOM_ROWS): FlowLogHeadroom {
    const all: FlowLogHeadroomRow[] = [...this.groups.values()].map((g) => ({
      natIp: g.natIp,
      destination: { ip: g.destIp, port: g.destPort },
      protocol: this.protocolName(g.protocol),
      peak: g.peak,
      peakAt: new Date(g.at * 1000).toISOString(),
      utilisation: Math.round((g.peak / PER_DESTINATION_LIMIT) * 1e6) / 1e6,
      connections: g.connections,
    }));
    all.sort((a, b) => b.peak - a.peak || a.peakAt.localeCompare(b.peakAt) || a.destination.ip.localeCompare(b.destination.ip));
    return {
      limit: PER_DESTINATION_LIMIT,
      closest: all.slice(0, rows),
      destinations: all.length,
      untimed: this.untimed,
      method: 'connections open at once per NAT address and destination (IP, port, protocol), each from its first to its last packet as the outside-leg records show (aggregation windows round to the second)',
    };
  }
}

/** Peak simultaneous connections of one set of outside legs. */
export function computeHeadroom(outsides: readonly Leg[], protocolName: (n: number) => string, rows = DEFAULT_HEADROOM_ROWS): FlowLogHeadroom {
  const t = new HeadroomTracker(protocolName);
  t.add(outsides, Infinity, 0);
  return t.result(rows);
}

/** Most intervals open at once (each [first, last] inclusive) and the first second it happened. */
function sweep(intervals: ReadonlyArray<readonly [number, number]>): { peak: number; at: number } {
  if (intervals.length === 1) return { peak: 1, at: intervals[0][0] };
  const starts = intervals.map((i) => i[0]).sort((a, b) => a - b);
  const ends = intervals.map((i) => i[1] + 1).sort((a, b) => a - b);
  let open = 0;
  let peak = 0;
  let at = starts[0];
  let j = 0;
  for (const s of starts) {
    while (j < ends.length && ends[j] <= s) {
      open--;
      j++;
    }
    open++;
    if (open > peak) {
      peak = open;
      at = s;
    }
  }
  return { peak, at };
}
