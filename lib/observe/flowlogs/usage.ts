/**
 * Who uses the NAT and what it costs: bytes and packets each way per inside source, per
 * destination and per NAT address, from the legs on the NAT ENI, with the NAT Gateway's data
 * processing charge (every byte that crosses the NAT, either way, is processed once).
 */
import type { Leg } from './classify';

/** The us-east-1 NAT Gateway data processing rate, USD per GB. */
export const DEFAULT_PRICE_PER_GB = 0.045;

/** AWS bills data in GB of 2^30 bytes. */
export const BYTES_PER_GB = 1024 ** 3;

/** How many rows each usage table keeps; the rest are summed into `others`. */
export const DEFAULT_USAGE_ROWS = 100;

/** What `--by` groups the traffic by. */
export type UsageGrouping = 'source' | 'destination' | 'nat';

/** Traffic of one source, destination or NAT address. */
export interface FlowLogUsageRow {
  /** The inside source's address, the destination's address, or the NAT's private IP. */
  readonly key: string;
  /** Packets/bytes from inside to outside (the requests). */
  readonly packetsOut: number;
  readonly bytesOut: number;
  /** Packets/bytes from outside back in (the replies). */
  readonly packetsIn: number;
  readonly bytesIn: number;
  /** bytesOut + bytesIn: what the NAT processed for it. */
  readonly bytes: number;
  /** Share of all processed bytes, 0 to 1. */
  readonly share: number;
  /** bytes / 2^30 x the price per GB, USD. */
  readonly charge: number;
  /** Connections (outside legs, or inside legs for sources). */
  readonly connections: number;
}

/** One usage table: the top rows and the rest summed. */
export interface FlowLogUsageTable {
  readonly rows: FlowLogUsageRow[];
  /** All rows past the listed ones, summed (key "others"); null when every row is listed. */
  readonly others: FlowLogUsageRow | null;
  /** How many distinct keys there were. */
  readonly distinct: number;
}

/** `usage` in the flowlogs result. */
export interface FlowLogUsage {
  readonly pricePerGb: number;
  /** Bytes the NAT processed, both ways (outside legs and their replies). */
  readonly bytes: number;
  readonly packets: number;
  /** USD at pricePerGb. */
  readonly charge: number;
  readonly bySource: FlowLogUsageTable;
  readonly byDestination: FlowLogUsageTable;
  readonly byNat: FlowLogUsageTable;
}

class Tally {
  packetsOut = 0;
  bytesOut = 0;
  packetsIn = 0;
  bytesIn = 0;
  connections = 0;
}

function bump(map: Map<string, Tally>, key: string, l: Leg, standIn: boolean): void {
  let t = map.get(key);
  if (!t) map.set(key, (t = new Tally()));
  if (!standIn) {
    t.packetsOut += l.ep.packets;
    t.bytesOut += l.ep.bytes;
  }
  t.packetsIn += l.replyPackets;
  t.bytesIn += l.replyBytes;
  t.connections++;
}

/**
 * Usage from the classified legs, batch by batch. Destinations and NAT addresses come from
 * outside legs and the replies attached to them; sources from inside legs (and stand-ins: a
 * reply to a client whose request record is missing counts its reply bytes only). Memory:
 * one tally per distinct source, destination and NAT address.
 */
export class UsageTally {
  private readonly sources = new Map<string, Tally>();
  private readonly destinations = new Map<string, Tally>();
  private readonly nats = new Map<string, Tally>();
  private bytes = 0;
  private packets = 0;
  private sawOutside = false;

  constructor(
    private readonly pricePerGb = DEFAULT_PRICE_PER_GB,
    private readonly rows = DEFAULT_USAGE_ROWS,
  ) {}

  /** Adds one batch of legs. */
  add(insides: readonly Leg[], outsides: readonly Leg[]): void {
    for (const l of insides) bump(this.sources, l.clientIp, l, l.standIn);
    for (const l of outsides) {
      this.sawOutside = true;
      bump(this.destinations, l.flow.dst, l, false);
      bump(this.nats, l.flow.src, l, false);
      this.bytes += l.ep.bytes + l.replyBytes;
      this.packets += l.ep.packets + l.replyPackets;
    }
  }

  /** The tables so far. */
  result(): FlowLogUsage {
    let bytes = this.bytes;
    // With no outside legs (a log of inside traffic only) the sources are all there is.
    if (!this.sawOutside) for (const t of this.sources.values()) bytes += t.bytesOut + t.bytesIn;
    const table = (m: Map<string, Tally>): FlowLogUsageTable => toTable(m, bytes, this.pricePerGb, this.rows);
    return {
      pricePerGb: this.pricePerGb,
      bytes,
      packets: this.packets,
      charge: chargeOf(bytes, this.pricePerGb),
      bySource: table(this.sources),
      byDestination: table(this.destinations),
      byNat: table(this.nats),
    };
  }
}

/** Usage of one set of legs. */
export function computeUsage(insides: readonly Leg[], outsides: readonly Leg[], pricePerGb = DEFAULT_PRICE_PER_GB, rows = DEFAULT_USAGE_ROWS): FlowLogUsage {
  const tally = new UsageTally(pricePerGb, rows);
  tally.add(insides, outsides);
  return tally.result();
}

function chargeOf(bytes: number, pricePerGb: number): number {
  return Math.round((bytes / BYTES_PER_GB) * pricePerGb * 1e6) / 1e6;
}

function toTable(m: Map<string, Tally>, total: number, pricePerGb: number, rows: number): FlowLogUsageTable {
  const all = [...m].map(([key, t]) => row(key, t, total, pricePerGb));
  all.sort((a, b) => b.bytes - a.bytes || a.key.localeCompare(b.key));
  if (all.length <= rows) return { rows: all, others: null, distinct: all.length };
  const rest = new Tally();
  for (const r of all.slice(rows)) {
    rest.packetsOut += r.packetsOut;
    rest.bytesOut += r.bytesOut;
    rest.packetsIn += r.packetsIn;
    rest.bytesIn += r.bytesIn;
    rest.connections += r.connections;
  }
  return { rows: all.slice(0, rows), others: row('others', rest, total, pricePerGb), distinct: all.length };
}

function row(key: string, t: Tally, total: number, pricePerGb: number): FlowLogUsageRow {
  const bytes = t.bytesOut + t.bytesIn;
  return {
    key,
    packetsOut: t.packetsOut,
    bytesOut: t.bytesOut,
    packetsIn: t.packetsIn,
    bytesIn: t.bytesIn,
    bytes,
    share: total > 0 ? Math.round((bytes / total) * 1e6) / 1e6 : 0,
    charge: chargeOf(bytes, pricePerGb),
    connections: t.connections,
  };
}
