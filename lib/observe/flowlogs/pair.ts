/**
 * Pairs inside legs (client -> NAT) with outside legs (NAT:P -> destination) into
 * translations. Candidates share protocol, destination (ip, port), ENI and overlapping time;
 * among several, start/end alignment and identical packet/byte counts (a NAT rewrites
 * addresses, never lengths) single one out. When they cannot, the pairing is `ambiguous` and
 * every equally good candidate is listed: no guessing.
 */
import type { Leg } from './classify';

/** Seconds two legs of one connection may differ by: records carry whole seconds. */
const PRECISE_SLACK = 2;
/** CloudWatch event times only say roughly when a record's window was captured. */
const EVENT_TIME_SLACK = 60;

export interface Pairing {
  readonly outside: Leg;
  /** The chosen inside leg; null when ambiguous. */
  readonly inside: Leg | null;
  readonly confidence: 'certain' | 'likely' | 'ambiguous';
  /** Ambiguous: the inside legs that fit equally well. */
  readonly candidates: Leg[];
  readonly basis: string;
}

export interface PairingResult {
  readonly pairs: Pairing[];
  readonly unmatchedInsides: Leg[];
  readonly unmatchedOutsides: Leg[];
}

export interface Edge {
  readonly inside: Leg;
  readonly outside: Leg;
  /**
   * Lower is better: each piece of evidence both legs carry and that disagrees costs (times
   * 2, counts 1, times 4); each that agrees earns 1. Evidence one side lacks counts neither way.
   */
  readonly rank: number;
  readonly aligned: boolean;
  readonly sameVolume: boolean;
  /** What agreed, in words ("start/end times", "reply packets and bytes", ...). */
  readonly matched: readonly string[];
}

function slackOf(a: Leg, b: Leg): number {
  return a.ep.precise && b.ep.precise ? PRECISE_SLACK : EVENT_TIME_SLACK;
}

function overlaps(a: Leg, b: Leg): boolean {
  if (Number.isNaN(a.ep.first) || Number.isNaN(b.ep.first)) return true;
  const s = slackOf(a, b);
  return a.ep.first <= b.ep.last + s && b.ep.first <= a.ep.last + s;
}

/** Both spans known and their ends within slack of each other; undefined when one is unknown. */
function alignedSpans(aFirst: number, aLast: number, bFirst: number, bLast: number, slack: number): boolean | undefined {
  if (Number.isNaN(aFirst) || Number.isNaN(bFirst)) return undefined;
  return Math.abs(aFirst - bFirst) <= slack && Math.abs(aLast - bLast) <= slack;
}

function edge(inside: Leg, outside: Leg): Edge {
  const s = slackOf(inside, outside);
  // A stand-in (a reply to the client) has no request counts or times of its own to compare.
  const fwdTimes = inside.standIn ? undefined : alignedSpans(inside.ep.first, inside.ep.last, outside.ep.first, outside.ep.last, s);
  const fwdVolume = inside.standIn ? undefined : inside.ep.packets === outside.ep.packets && inside.ep.bytes === outside.ep.bytes;
  const bothReplies = inside.replyRecords > 0 && outside.replyRecords > 0;
  // A reply crosses the NAT within the second: the two reply records share their seconds.
  const replySlack = inside.replyPrecise && outside.replyPrecise ? 0 : EVENT_TIME_SLACK;
  const replyTimes = bothReplies ? alignedSpans(inside.replyFirst, inside.replyLast, outside.replyFirst, outside.replyLast, replySlack) : undefined;
  const replyVolume = bothReplies ? inside.replyPackets === outside.replyPackets && inside.replyBytes === outside.replyBytes : undefined;
  const evidence: Array<[boolean | undefined, number, string]> = [
    [fwdTimes, 8, 'start/end times'],
    [fwdVolume, 4, 'packet and byte counts'],
    [replyTimes, 8, 'reply times'],
    [replyVolume, 4, 'reply packet and byte counts'],
  ];
  let rank = 0;
  const matched: string[] = [];
  for (const [ok, cost, what] of evidence) {
    if (ok === undefined) continue;
    if (ok) {
      rank -= 1;
      matched.push(what);
    } else rank += cost;
  }
  const aligned = (fwdTimes ?? replyTimes) === true;
  const sameVolume = fwdVolume !== false && replyVolume !== false && (fwdVolume === true || replyVolume === true);
  return { inside, outside, aligned, sameVolume, rank, matched };
}

/** Inside legs grouped by protocol, destination and port, sorted by start, for a sweep. */
class InsideIndex {
  private readonly groups = new Map<string, { legs: Leg[]; maxLast: number[]; timeless: Leg[] }>();
  /** True when some inside leg's destination is unknown (no pkt-dstaddr): match those by port. */
  private wildcards = false;

  constructor(insides: Leg[]) {
    for (const l of insides) {
      if (l.destIp === undefined) this.wildcards = true;
      const key = `${l.flow.protocol}|${l.destIp ?? '*'}|${l.destPort}`;
      let g = this.groups.get(key);
      if (!g) this.groups.set(key, (g = { legs: [], maxLast: [], timeless: [] }));
      if (Number.isNaN(l.ep.first)) g.timeless.push(l);
      else g.legs.push(l);
    }
    for (const g of this.groups.values()) {
      g.legs.sort((a, b) => a.ep.first - b.ep.first);
      let max = -Infinity;
      for (const l of g.legs) g.maxLast.push((max = Math.max(max, l.ep.last)));
    }
  }

  /** Inside legs that could have produced this outside leg. */
  candidates(o: Leg): Leg[] {
    const out: Leg[] = [];
    this.collect(this.groups.get(`${o.flow.protocol}|${o.destIp}|${o.flow.dstPort}`), o, out);
    if (this.wildcards) this.collect(this.groups.get(`${o.flow.protocol}|*|${o.flow.dstPort}`), o, out);
    return out;
  }

  private collect(g: { legs: Leg[]; maxLast: number[]; timeless: Leg[] } | undefined, o: Leg, out: Leg[]): void {
    if (!g) return;
    for (const l of g.timeless) if (fits(l, o)) out.push(l);
    if (Number.isNaN(o.ep.first)) {
      for (const l of g.legs) if (fits(l, o)) out.push(l);
      return;
    }
    // Legs starting after the outside leg ends (plus slack) cannot overlap it; walk back
    // from there while some earlier leg still reaches the outside leg's start.
    const limit = o.ep.last + EVENT_TIME_SLACK;
    let lo = 0;
    let hi = g.legs.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (g.legs[mid].ep.first <= limit) lo = mid + 1;
      else hi = mid;
    }
    for (let j = lo - 1; j >= 0 && g.maxLast[j] >= o.ep.first - EVENT_TIME_SLACK; j--) {
      if (fits(g.legs[j], o)) out.push(g.legs[j]);
    }
  }
}

/** Same ENI (when both are known) and overlapping time. */
function fits(l: Leg, o: Leg): boolean {
  const iface = o.flow.iface;
  return (l.flow.iface === undefined || iface === undefined || l.flow.iface === iface) && overlaps(l, o);
}

/** Pairings with no candidates share one empty list (never added to). */
const NO_LEGS: Leg[] = [];

/** Pairs legs; see the module comment for the rules. */
export function pairLegs(insides: Leg[], outsides: Leg[]): PairingResult {
  const index = new InsideIndex(insides);
  for (const o of outsides) {
    const found = index.candidates(o);
    const edges: Edge[] = new Array<Edge>(found.length);
    for (let i = 0; i < found.length; i++) {
      const e = (edges[i] = edge(found[i], o));
      if (e.inside.edges === undefined) e.inside.edges = [e];
      else e.inside.edges.push(e);
    }
    o.edges = edges;
  }
  const edgesOf = (l: Leg): Edge[] => l.edges ?? [];
  const assign = (p: Pairing): void => {
    p.outside.pairing = p;
    p.outside.pending = false;
    if (p.inside) (p.inside.feeds ??= []).push(p.outside);
  };
  const unmatchedOutsides: Leg[] = [];
  const queue: Leg[] = [];

  for (const o of outsides) {
    const edges = edgesOf(o);
    if (edges.length === 0) {
      unmatchedOutsides.push(o);
    } else if (edges.length === 1 && edgesOf(edges[0].inside).length === 1) {
      assign({ outside: o, inside: edges[0].inside, confidence: 'certain', candidates: NO_LEGS, basis: certainBasis(o) });
    } else {
      o.pending = true;
      queue.push(o);
    }
  }
  const pendingList = [...queue];

  /** The candidates of an outside leg not already feeding another outside leg at the same time. */
  const freeEdges = (o: Leg): Edge[] => edgesOf(o).filter((e) => !(e.inside.feeds ?? []).some((other) => overlaps(other, o)));

  // Resolve the rest by evidence; each pairing made can free others, so revisit neighbours.
  while (queue.length) {
    const o = queue.pop() as Leg;
    if (!o.pending) continue;
    const all = edgesOf(o);
    const free = freeEdges(o);
    if (!free.length) continue;
    let chosen: Edge;
    if (free.length === 1) {
      // Forced: every other candidate feeds another outside leg at the same time; unless
      // another outside leg at the same time is forced onto the same inside leg.
      chosen = free[0];
      const contested = edgesOf(chosen.inside).some(
        (e) => e.outside !== o && e.outside.pending && overlaps(e.outside, o) && e.rank <= chosen.rank && freeEdges(e.outside).length === 1,
      );
      if (contested) continue;
    } else {
      const best = Math.min(...free.map((e) => e.rank));
      const top = free.filter((e) => e.rank === best);
      if (top.length !== 1) continue;
      chosen = top[0];
      const rivals = edgesOf(chosen.inside).some((e) => e.outside !== o && e.outside.pending && overlaps(e.outside, o) && e.rank <= best);
      if (rivals) continue;
    }
    const byEvidence = all.every((e) => e === chosen || e.rank > chosen.rank);
    assign({ outside: o, inside: chosen.inside, confidence: 'likely', candidates: NO_LEGS, basis: likelyBasis(o, chosen, all.length, byEvidence) });
    for (const e of edgesOf(chosen.inside)) if (e.outside.pending) queue.push(e.outside);
    for (const e of all) for (const n of edgesOf(e.inside)) if (n.outside.pending) queue.push(n.outside);
  }

  for (const o of pendingList) {
    if (!o.pending) continue;
    const all = edgesOf(o);
    const free = freeEdges(o);
    const pool = free.length ? free : all;
    const best = Math.min(...pool.map((e) => e.rank));
    const top = pool.filter((e) => e.rank === best).map((e) => e.inside);
    const basis =
      free.length && top.length > 1
        ? ambiguousBasis(o, top.length)
        : `the only inside leg${top.length > 1 ? 's' : ''} to ${what(o)} that fit${top.length > 1 ? '' : 's'} also feed${top.length > 1 ? '' : 's'} another outside leg at the same time (a record missing?); not guessing`;
    assign({ outside: o, inside: null, confidence: 'ambiguous', candidates: top, basis });
  }

  const pairs: Pairing[] = [];
  for (const o of outsides) {
    const p = o.pairing;
    if (!p) continue;
    pairs.push(p);
    if (p.inside) p.inside.used = true;
    for (const c of p.candidates) c.used = true;
  }
  return { pairs, unmatchedInsides: insides.filter((i) => !i.used), unmatchedOutsides };
}

/** Which records back a pairing, and what in them agreed. */
export function evidenceOf(p: Pairing): { legs: Array<'inside' | 'outside' | 'reply-from-outside' | 'reply-to-client'>; matched: string[] } {
  const legs: Array<'inside' | 'outside' | 'reply-from-outside' | 'reply-to-client'> = [];
  const i = p.inside;
  if (i && !i.standIn) legs.push('inside');
  legs.push('outside');
  if (p.outside.replyRecords > 0) legs.push('reply-from-outside');
  if (i && i.replyRecords > 0) legs.push('reply-to-client');
  const e = i ? (p.outside.edges ?? []).find((x) => x.inside === i) : undefined;
  return { legs, matched: e ? [...e.matched] : [] };
}

function what(o: Leg): string {
  return `${o.destIp}:${o.flow.dstPort}`;
}

function portOnly(e?: Edge): string {
  return e && e.inside.destIp === undefined ? ' (destination matched by port only: the records have no pkt-dstaddr)' : '';
}

/** The same sentence for every leg to one destination: one copy of it. */
const certainBases = new Map<string, string>();

function certainBasis(o: Leg): string {
  const dest = what(o);
  let basis = certainBases.get(dest);
  if (basis === undefined) {
    if (certainBases.size >= 100_000) certainBases.clear();
    basis = `the only inside leg and the only outside leg to ${dest} in this time window`;
    certainBases.set(dest, basis);
  }
  return basis;
}

function likelyBasis(o: Leg, e: Edge, total: number, byEvidence: boolean): string {
  if (total === 1) {
    return `the only inside leg to ${what(o)} in this time window, which also fed other outside legs at other times${portOnly(e)}`;
  }
  const evidence = e.matched.join(', ') || 'time overlap';
  const others = total - 1;
  const why = byEvidence
    ? `its ${evidence} match this outside leg better than the other ${others === 1 ? "candidate's" : `${others} candidates'`}`
    : `the other ${others === 1 ? 'candidate is' : `${others} candidates are`} paired with other outside legs at the same time`;
  return `${total} inside legs to ${what(o)} overlap in time; ${why}${portOnly(e)}`;
}

function ambiguousBasis(o: Leg, n: number): string {
  return `${n} inside legs to ${what(o)} fit this outside leg equally well (times and packet/byte counts); not guessing`;
}
