/**
 * What `natlab flowlogs` produces (DESIGN.md section 4, `flowlogs`): the NAT translation
 * table rebuilt from a NAT Gateway ENI's flow log records, with how sure each pairing is.
 */
import type { Protocol } from '../../model/types';
import type { FlowLogHeadroom } from './headroom';
import type { FlowLogInterface } from './interfaces';
import type { FlowLogUsage } from './usage';

export type { FlowLogHeadroom, FlowLogHeadroomRow } from './headroom';
export type { FlowLogInterface, FlowLogInterfaceKind } from './interfaces';
export type { FlowLogUsage, FlowLogUsageRow, FlowLogUsageTable, UsageGrouping } from './usage';

/** An address and port as seen in a flow log record. */
export interface FlowLogEndpoint {
  readonly ip: string;
  readonly port: number;
}

/**
 * How sure a pairing of inside and outside legs is:
 * - `certain`: the only inside leg and the only outside leg for that protocol and
 *   destination in the time window;
 * - `likely`: other candidates exist, but times (and packet/byte counts) single this one out;
 * - `ambiguous`: several inside legs fit equally well; they are listed, none is chosen.
 */
export type PairingConfidence = 'certain' | 'likely' | 'ambiguous';

/** One rebuilt NAT translation: client -> NAT private IP:port -> destination. */
export interface FlowLogTranslation {
  readonly protocol: Protocol;
  /** The client's address and port (inside leg); null when the pairing is ambiguous. */
  readonly inside: FlowLogEndpoint | null;
  /** The NAT's private IP and the port it chose (outside leg). */
  readonly outside: FlowLogEndpoint;
  readonly destination: FlowLogEndpoint;
  /** The NAT ENI the records were logged on; null when the format has no interface-id. */
  readonly interface: string | null;
  /** ISO 8601, earliest record of either leg or their replies; null when records carry no time. */
  readonly firstSeen: string | null;
  /** ISO 8601, latest record of either leg or their replies; null when records carry no time. */
  readonly lastSeen: string | null;
  readonly confidence: PairingConfidence;
  /** Ambiguous pairings: every inside leg that fits equally well. */
  readonly candidates?: FlowLogEndpoint[];
  /** One sentence: the evidence behind the confidence. */
  readonly basis: string;
  /** Which records back the pairing and what in them agreed with the outside leg. */
  readonly evidence: FlowLogEvidence;
}

/** The records a pairing used, and what in them agreed. */
export interface FlowLogEvidence {
  /**
   * The legs present: `inside` (the client's request), `outside`, `reply-from-outside`,
   * `reply-to-client` (which stands for the client when its request record is missing).
   */
  readonly legs: ReadonlyArray<'inside' | 'outside' | 'reply-from-outside' | 'reply-to-client'>;
  /** What agreed between the chosen inside leg and the outside leg ("reply times", ...). */
  readonly matched: readonly string[];
}

/** Traffic from outside to the NAT's address with no translation behind it (the NAT drops it). */
export interface FlowLogUnsolicited {
  /** `tcp`, `udp`, `icmp`, or the IANA protocol number for anything else. */
  readonly protocol: string;
  readonly source: FlowLogEndpoint;
  readonly destination: FlowLogEndpoint;
  readonly interface: string | null;
  readonly firstSeen: string | null;
  readonly lastSeen: string | null;
  readonly packets: number;
  readonly bytes: number;
  readonly action: 'ACCEPT' | 'REJECT' | null;
  readonly reason: string;
}

/** Which part of a translated connection a record is. */
export type FlowLogLeg = 'inside' | 'outside' | 'reply-to-client' | 'reply-from-outside' | 'other';

/** A NAT record that is part of no rebuilt translation, and why. */
export interface FlowLogUnmatched {
  readonly leg: FlowLogLeg;
  readonly protocol: string;
  readonly source: FlowLogEndpoint;
  readonly destination: FlowLogEndpoint;
  /** pkt-srcaddr / pkt-dstaddr when the format has them and they differ from the ENI-level ones. */
  readonly packetSource?: string;
  readonly packetDestination?: string;
  readonly interface: string | null;
  readonly firstSeen: string | null;
  readonly lastSeen: string | null;
  readonly packets: number;
  readonly bytes: number;
  readonly action: 'ACCEPT' | 'REJECT' | null;
  readonly reason: string;
}

/** A line that is not a record of the format, with its 1-based line number. */
export interface FlowLogSkipped {
  readonly line: number;
  readonly reason: string;
}

/** `natlab flowlogs --json`. */
export interface FlowLogsResult {
  /** Records read (including NODATA/SKIPDATA ones; header and skipped lines excluded). */
  readonly records: number;
  /** Lines that are not records, each with its line number (the first 1000; see skippedTotal). */
  readonly skipped: FlowLogSkipped[];
  /** All skipped lines, when more than the listed ones. */
  readonly skippedTotal: number;
  readonly translations: FlowLogTranslation[];
  readonly unsolicited: FlowLogUnsolicited[];
  readonly unmatched: FlowLogUnmatched[];
  /** The NAT Gateway's private IP(s) the records were classified against. */
  readonly natPrivateIps: string[];
  /** True when natPrivateIps were inferred from the records rather than given. */
  readonly natIpsInferred: boolean;
  /** Records that do not involve the NAT (other ENIs in the same log, or not these ENIs). */
  readonly otherRecords: number;
  /** The record format used, as AWS writes it. */
  readonly format: string;
  /** Things a reader should know: inferred addresses, missing fields, SKIPDATA windows. */
  readonly notes: string[];
  /** Each ENI in the records: what its records show it to be (NAT Gateway or not) and its traffic. */
  readonly interfaces: FlowLogInterface[];
  /** Who uses the NAT: traffic each way per source, destination and NAT address, and the processing charge. */
  readonly usage: FlowLogUsage;
  /** Peak simultaneous connections per destination per NAT address against the 55,000 limit. */
  readonly headroom: FlowLogHeadroom;
  /** How many items each list has (also when a streaming sink took them and the lists are empty). */
  readonly totals: FlowLogTotals;
}

/** Counts of the result's lists. */
export interface FlowLogTotals {
  readonly translations: number;
  readonly certain: number;
  readonly likely: number;
  readonly ambiguous: number;
  readonly unsolicited: number;
  readonly unmatched: number;
}
