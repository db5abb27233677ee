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

/**
 * Peak simultaneous connections per (NAT address, destination IP, port, protocol): a sweep
 * over each group's outside legs, open from their first to their last second inclusive.
 */
export function computeHeadroom(outsides: readonly Leg[], protocolName: (n: number) => string, rows = DEFAULT_HEADROOM_ROWS): FlowLogHeadroom {
  const groups = new Map<string, Leg[]>();
  let untimed = 0;
  for (const l of outsides) {
    if (Number.isNaN(l.ep.first)) {
      untimed++;
      continue;
    }
    const key = `${l.flow.src}|${l.flow.dst}|${l.flow.dstPort}|${l.flow.protocol}`;
    const g = groups.get(key);
    if (g) g.push(l);
    else groups.set(key, [l]);
  }
  const all: FlowLogHeadroomRow[] = [];
  for (const legs of groups.values()) {
    const { peak, at } = sweep(legs);
    const f = legs[0].flow;
    all.push({
      natIp: f.src,
      destination: { ip: f.dst, port: f.dstPort },
      protocol: protocolName(f.protocol),
      peak,
      peakAt: new Date(at * 1000).toISOString(),
      utilisation: Math.round((peak / PER_DESTINATION_LIMIT) * 1e6) / 1e6,
      connections: legs.length,
    });
  }
  all.sort((a, b) => b.peak - a.peak || a.peakAt.localeCompare(b.peakAt) || a.destination.ip.localeCompare(b.destination.ip));
  return {
    limit: PER_DESTINATION_LIMIT,
    closest: all.slice(0, rows),
    destinations: all.length,
    untimed,
    method: 'connections open at once per NAT address and destination (IP, port, protocol), each from its first to its last packet as the outside-leg records show (aggregation windows round to the second)',
  };
}

/** Most legs open at once (each open over [first, last] inclusive) and the first second it happened. */
function sweep(legs: readonly Leg[]): { peak: number; at: number } {
  if (legs.length === 1) return { peak: 1, at: legs[0].ep.first };
  const starts = legs.map((l) => l.ep.first).sort((a, b) => a - b);
  const ends = legs.map((l) => l.ep.last + 1).sort((a, b) => a - b);
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
