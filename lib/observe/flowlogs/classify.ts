/**
 * Classifies aggregated flows seen on a NAT Gateway ENI (DESIGN.md section 2). The ENI logs
 * ENI-level addresses in srcaddr/dstaddr and the original ones in pkt-srcaddr/pkt-dstaddr,
 * and always its private IP, never the Elastic IP:
 *
 *   inside leg          client:c  -> NAT:d        pkt-dstaddr = destination
 *   outside leg         NAT:P     -> dest:d
 *   reply from outside  dest:d    -> NAT:P
 *   reply to client     NAT:d     -> client:c     pkt-srcaddr = destination
 *
 * Anything from outside to the NAT's address that is no reply of an outside leg is
 * unsolicited: the NAT has no entry for it and drops it.
 */
import { connectionKey, NAT_IDLE_TIMEOUT_SECONDS, type Episode, type Flow } from './aggregate';
import type { Edge, Pairing } from './pair';

/** TCP, UDP and ICMP: the protocols a NAT Gateway translates. */
const TRANSLATED_PROTOCOLS: ReadonlySet<number> = new Set([1, 6, 17]);

/** What part of a translated connection an episode of a flow is. */
export type LegRole = 'inside' | 'outside' | 'reply-to-client' | 'reply-from-outside' | 'unsolicited' | 'other';

/**
 * One episode of a flow in its role on the NAT. A class with every field set in the
 * constructor, so that the hundreds of thousands of legs of a busy day share one shape.
 */
export class Leg {
  /** Packets/bytes of the replies attached to this leg. */
  replyPackets = 0;
  replyBytes = 0;
  /** Records of the replies attached to this leg (0: no reply seen). */
  replyRecords = 0;
  /** Earliest and latest time of the attached replies (NaN: none, or no time). */
  replyFirst = NaN;
  replyLast = NaN;
  /** True when all attached replies carry the records' own start/end. */
  replyPrecise = true;
  /**
   * An inside leg rebuilt from a reply-to-client record (NAT:d -> client:c, pkt-srcaddr the
   * destination) whose request record is missing: it stands for the client's endpoint.
   */
  standIn = false;
  /** The reply flows credited to it, so that a batch can carry the leg over with them. */
  replies: Flow[] | undefined = undefined;
  /** Earliest and latest time of the leg and its replies. */
  spanFirst: number;
  spanLast: number;
  /** Why a leg is unsolicited, rejected or otherwise not part of a translation. */
  note: string | undefined = undefined;
  /** Pairing state (pair.ts), kept on the leg rather than in maps keyed by it. */
  edges: Edge[] | undefined = undefined;
  /** Inside legs: the outside legs this one was given to. */
  feeds: Leg[] | undefined = undefined;
  /** Outside legs: the pairing decided. */
  pairing: Pairing | undefined = undefined;
  pending = false;
  used = false;

  constructor(
    public role: LegRole,
    readonly flow: Flow,
    readonly ep: Episode,
    /** The real destination: pkt-dstaddr for an inside leg (undefined when not logged), dstaddr for an outside leg. */
    readonly destIp: string | undefined,
  ) {
    this.spanFirst = ep.first;
    this.spanLast = ep.last;
  }

  /** The client's address (inside legs): the sender, or a stand-in's receiver. */
  get clientIp(): string {
    return this.standIn ? this.flow.dst : this.flow.src;
  }

  get clientPort(): number {
    return this.standIn ? this.flow.dstPort : this.flow.srcPort;
  }

  /** The destination port the leg is about (a stand-in's is its source port). */
  get destPort(): number {
    return this.standIn ? this.flow.srcPort : this.flow.dstPort;
  }

  /** Sets role and note (for legs that turn out unsolicited or unmatched). */
  as(role: LegRole, note: string): this {
    this.role = role;
    this.note = note;
    return this;
  }
}

/** Flows sorted into the legs of translated connections. */
export interface Classified {
  readonly insides: Leg[];
  readonly outsides: Leg[];
  readonly unsolicited: Leg[];
  /** Replies with no leg, rejected legs and flows that involve the NAT in no known role. */
  readonly unmatched: Leg[];
  /** Records (not flows) that involve none of the NAT's addresses. */
  readonly otherRecords: number;
}

/** RFC 1918, shared address space (100.64/10), link-local and IPv6 ULA: addresses a VPC uses inside. */
export function isPrivateAddress(ip: string): boolean {
  if (ip.includes(':')) return /^f[cd]/i.test(ip);
  const dot1 = ip.indexOf('.');
  const a = Number(ip.slice(0, dot1));
  const b = Number(ip.slice(dot1 + 1, ip.indexOf('.', dot1 + 1)));
  return a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 100 && b >= 64 && b <= 127) || (a === 169 && b === 254);
}

/**
 * The IPv4 destination behind a NAT64 address (64:ff9b::/96, RFC 6052: the last 32 bits),
 * so that an IPv6 client's inside leg meets the NAT's IPv4 outside leg; any other address as is.
 */
export function nat64Target(ip: string): string {
  if (!/^64:ff9b::/i.test(ip)) return ip;
  const tail = ip.slice(9);
  if (/^\d+\.\d+\.\d+\.\d+$/.test(tail)) return tail;
  const m = /^([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(tail);
  if (!m) return ip;
  const hi = parseInt(m[1], 16);
  const lo = parseInt(m[2], 16);
  return `${hi >> 8}.${hi & 0xff}.${lo >> 8}.${lo & 0xff}`;
}

function leg(role: LegRole, flow: Flow, ep: Episode, destIp: string | undefined): Leg {
  return new Leg(role, flow, ep, destIp);
}

/** Sorts flows into legs against the NAT's private IPs and attaches replies to their legs. */
export function classifyFlows(flows: Iterable<Flow>, natIps: ReadonlySet<string>): Classified {
  const insides: Leg[] = [];
  const outsides: Leg[] = [];
  const unsolicited: Leg[] = [];
  const unmatched: Leg[] = [];
  // Replies are only looked up, and made legs when they answer nothing (most do answer).
  const repliesToClient: Flow[] = [];
  const inbound: Flow[] = [];
  const fromNatUnknown: Flow[] = [];
  const toNatPrivateUnknown: Flow[] = [];
  let otherRecords = 0;

  for (const f of flows) {
    const fromNat = natIps.has(f.src);
    const toNat = natIps.has(f.dst);
    if ((fromNat || toNat) && !TRANSLATED_PROTOCOLS.has(f.protocol)) {
      for (const ep of f.episodes) unmatched.push(leg('other', f, ep, f.dst).as('other', `protocol ${f.protocol}: a NAT Gateway translates only TCP, UDP and ICMP`));
    } else if (fromNat && toNat) {
      for (const ep of f.episodes) unmatched.push(leg('other', f, ep, f.dst).as('other', 'both addresses are the NAT\'s own'));
    } else if (toNat) {
      if (f.pktDst !== undefined && f.pktDst !== f.dst) for (const ep of f.episodes) insides.push(leg('inside', f, ep, nat64Target(f.pktDst)));
      else if (f.pktDst === undefined && isPrivateAddress(f.src)) toNatPrivateUnknown.push(f);
      else inbound.push(f);
    } else if (fromNat) {
      if (f.pktSrc !== undefined && f.pktSrc !== f.src) repliesToClient.push(f);
      else if (f.pktSrc === undefined) fromNatUnknown.push(f);
      else for (const ep of f.episodes) outsides.push(leg('outside', f, ep, f.dst));
    } else {
      for (const ep of f.episodes) otherRecords += ep.records;
    }
  }

  // Formats without pkt-* fields: a flow from the NAT is a reply to a client when it reverses
  // an inside leg (tentatively, every private sender to the NAT), otherwise an outside leg.
  if (fromNatUnknown.length) {
    const insideKeys = new Set<string>();
    for (const l of insides) insideKeys.add(reverseKey(l.flow));
    for (const f of toNatPrivateUnknown) insideKeys.add(reverseKey(f));
    for (const f of fromNatUnknown) {
      const role = insideKeys.has(forwardKey(f)) ? 'reply-to-client' : 'outside';
      // A reply's real source is its pkt-srcaddr, which these formats lack.
      if (role === 'outside') for (const ep of f.episodes) outsides.push(leg(role, f, ep, f.dst));
      else repliesToClient.push(f);
    }
  }

  // Replies from outside reverse an outside leg; match them by key and time.
  const outsideIndex = new LegIndex(outsides);
  for (const f of toNatPrivateUnknown) {
    if (outsideIndex.has(forwardKey(f))) inbound.push(f);
    else for (const ep of f.episodes) insides.push(leg('inside', f, ep, undefined));
  }
  for (const f of inbound) {
    const key = forwardKey(f);
    for (const ep of f.episodes) {
      if (f.action === 'REJECT') {
        unsolicited.push(leg('reply-from-outside', f, ep, f.src).as('unsolicited', 'REJECT: a network ACL of the NAT Gateway\'s subnet denied it'));
      } else if (!outsideIndex.attach(key, ep, f.src, f)) {
        unsolicited.push(
          leg('reply-from-outside', f, ep, f.src).as(
            'unsolicited',
            outsideIndex.has(key)
              ? `arrived more than ${NAT_IDLE_TIMEOUT_SECONDS} s after the NAT's outside leg to this address and port went idle; the NAT drops it`
              : 'no outside leg from the NAT to this address and port: no translation, the NAT drops it',
          ),
        );
      }
    }
  }

  // A reply to a client whose request record is missing still names the client, its port
  // and the destination: it stands in for the inside leg (every leg is evidence).
  const insideIndex = new LegIndex(insides);
  const standIns: Leg[] = [];
  for (const f of repliesToClient) {
    const key = forwardKey(f);
    const dest = f.pktSrc === undefined ? undefined : nat64Target(f.pktSrc);
    for (const ep of f.episodes) {
      if (insideIndex.attach(key, ep, dest, f)) continue;
      if (dest === undefined || f.action === 'REJECT') {
        unmatched.push(leg('reply-to-client', f, ep, dest).as('reply-to-client', 'a reply to a client with no inside leg from that client in the records'));
        continue;
      }
      const stand = leg('inside', f, ep, dest);
      stand.standIn = true;
      credit(stand, ep, Number.isNaN(ep.first), undefined);
      standIns.push(stand);
    }
  }
  insides.push(...standIns);

  // Rejected legs translate nothing: report them rather than pair them.
  const keep = (legs: Leg[]): Leg[] =>
    legs.filter((l) => {
      if (l.flow.action !== 'REJECT') return true;
      unmatched.push(l.as(l.role, 'REJECT: a network ACL of the NAT Gateway\'s subnet denied it'));
      return false;
    });
  return { insides: keep(insides), outsides: keep(outsides), unsolicited, unmatched, otherRecords };
}

/**
 * Legs by the key of the flow that answers them (their reversed 5-tuple), sorted by time, so
 * that a reply finds its leg by binary search even when one 5-tuple recurs all day.
 */
class LegIndex {
  /** Most keys have one leg: it is stored as is; several get a group sorted for a search. */
  private readonly groups = new Map<string, Leg | LegGroup>();

  constructor(legs: Leg[]) {
    for (const l of legs) {
      const key = reverseKey(l.flow);
      const g = this.groups.get(key);
      if (g === undefined) this.groups.set(key, l);
      else if (g instanceof Leg) this.groups.set(key, { legs: [g, l], maxLast: [] });
      else g.legs.push(l);
    }
    for (const g of this.groups.values()) {
      if (g instanceof Leg) continue;
      g.legs.sort((a, b) => timeOrder(a.ep.first) - timeOrder(b.ep.first));
      let max = -Infinity;
      for (const l of g.legs) g.maxLast.push((max = Math.max(max, lastOrder(l.ep.last))));
    }
  }

  has(key: string): boolean {
    return this.groups.has(key);
  }

  /**
   * Attaches a reply to the leg it answers: same reversed key, same real destination/source
   * when both are known, and a time no earlier than the leg's start and no later than the
   * idle timeout after its end. False when there is none.
   */
  attach(key: string, ep: Episode, destIp: string | undefined, flow: Flow): boolean {
    const g = this.groups.get(key);
    if (g === undefined) return false;
    const timeless = Number.isNaN(ep.first);
    // Legs that start after the reply ends (plus slack) cannot be answered by it.
    const limit = timeless ? Infinity : ep.last + 60;
    const floor = timeless ? -Infinity : ep.first - NAT_IDLE_TIMEOUT_SECONDS;
    if (g instanceof Leg) {
      if (timeOrder(g.ep.first) > limit || lastOrder(g.ep.last) < floor || !answers(g, ep, destIp, timeless)) return false;
      credit(g, ep, timeless, flow);
      return true;
    }
    let lo = 0;
    let hi = g.legs.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (timeOrder(g.legs[mid].ep.first) <= limit) lo = mid + 1;
      else hi = mid;
    }
    for (let j = lo - 1; j >= 0 && g.maxLast[j] >= floor; j--) {
      const l = g.legs[j];
      if (!answers(l, ep, destIp, timeless)) continue;
      credit(l, ep, timeless, flow);
      return true;
    }
    // Timeless legs sort first and are reached above; a timeless reply may answer any.
    return false;
  }
}

interface LegGroup {
  readonly legs: Leg[];
  /** Latest end among legs[0..i] (timeless: Infinity). */
  readonly maxLast: number[];
}

/** True when the reply can answer leg l (destination and time). */
function answers(l: Leg, ep: Episode, destIp: string | undefined, timeless: boolean): boolean {
  if (l.destIp !== undefined && destIp !== undefined && l.destIp !== destIp) return false;
  if (!timeless && !Number.isNaN(l.ep.first)) {
    const slack = l.ep.precise && ep.precise ? 2 : 60;
    if (ep.first > l.ep.last + NAT_IDLE_TIMEOUT_SECONDS || ep.last < l.ep.first - slack) return false;
  }
  return true;
}

/** Adds a reply's counts and times to the leg it answers. */
function credit(l: Leg, ep: Episode, timeless: boolean, flow: Flow | undefined): void {
  if (flow) (l.replies ??= []).push(flow);
  l.replyPackets += ep.packets;
  l.replyBytes += ep.bytes;
  l.replyRecords += ep.records;
  l.replyPrecise = l.replyPrecise && ep.precise;
  if (!timeless) {
    if (!(ep.first >= l.replyFirst)) l.replyFirst = ep.first;
    if (!(ep.last <= l.replyLast)) l.replyLast = ep.last;
  }
  if (!timeless && !Number.isNaN(l.ep.first)) {
    if (ep.first < l.spanFirst) l.spanFirst = ep.first;
    if (ep.last > l.spanLast) l.spanLast = ep.last;
  }
}

/** A leg's end for the running maximum: timeless counts as reaching every reply. */
function lastOrder(t: number): number {
  return Number.isNaN(t) ? Infinity : t;
}

/** Timeless (NaN) sorts first. */
function timeOrder(t: number): number {
  return Number.isNaN(t) ? -Infinity : t;
}

function forwardKey(f: Flow): string {
  return connectionKey(f, false);
}

function reverseKey(f: Flow): string {
  return connectionKey(f, true);
}
