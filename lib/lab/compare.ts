/**
 * Holding the twin against the model, hop by hop and flow by flow. Each hop of a walk is
 * matched to the capture point where its output header travels (the client's segment, the NAT
 * ENI in and out, the IGW's two sides, the server's segment); the connection is followed across
 * segments by the client's TCP initial sequence number, which no translation changes.
 */
import { compareHops, compareTranslations, compareWalk, distinctPortsCheck, portMatches } from '../model/compare';
import type { Check, FlowVerdict, Header, Hop, ObservedTranslation, PortPrediction, Walk } from '../model/types';
import type { CapturedPacket } from './capture';
import type { ConntrackEntry } from './conntrack';
import type { FlowRun } from './observe';
import type { StandInMap } from './standins';

/** A concrete header seen on a segment, in real (mapped back) addresses. */
export interface SeenHeader {
  readonly srcIp: string;
  readonly srcPort: number;
  readonly dstIp: string;
  readonly dstPort: number;
  /** The capture point it was seen on. */
  readonly point: string;
}

/** One hop of a walk with the header the twin showed for it. */
export interface HopObservation {
  readonly direction: 'forward' | 'reply';
  readonly hop: Hop;
  /** Capture point and which distinct header there (NAT ENI: before or after translation). */
  readonly point: string;
  readonly which: 'first' | 'last';
  readonly observed: SeenHeader | null;
  /** For a translation: where its input header travels, and the header seen there. */
  readonly input?: { readonly point: string; readonly observed: SeenHeader | null };
  readonly ok: boolean;
}

/** Everything the comparison concluded about one flow. */
export interface FlowComparison {
  readonly verdict: FlowVerdict;
  readonly hops: HopObservation[];
  /** Translations conntrack holds for this flow, in real addresses. */
  readonly translations: ObservedTranslation[];
}

export { portMatches };

/** Human form of a port prediction ("32222", "1024-65535"). */
export function portText(p: PortPrediction): string {
  return 'exact' in p ? String(p.exact) : `${p.min}-${p.max}`;
}

/** Human form of a predicted header ("10.0.1.32:32222 -> 44.198.164.163:8080"). */
export function headerText(h: Header): string {
  return `${h.srcIp}:${portText(h.srcPort)} -> ${h.dstIp}:${portText(h.dstPort)}`;
}

/** Human form of a seen header. */
export function seenText(h: SeenHeader | null): string {
  return h ? `${h.srcIp}:${h.srcPort} -> ${h.dstIp}:${h.dstPort}` : 'not seen';
}

function headerMatches(predicted: Header, seen: SeenHeader): boolean {
  const ip = (p: string, s: string): boolean => p.startsWith('<') || p === s;
  return ip(predicted.srcIp, seen.srcIp) && ip(predicted.dstIp, seen.dstIp) && portMatches(predicted.srcPort, seen.srcPort) && portMatches(predicted.dstPort, seen.dstPort);
}

function samePort(a: PortPrediction, b: PortPrediction): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * The capture point where a hop's output header travels. Decisions that change nothing
 * (security groups, route tables, ACLs) are seen where the packet already is.
 */
function pointFor(hop: Hop, next: Hop | undefined, previous: { point: string; which: 'first' | 'last' } | undefined, destinationHost: string): { point: string; which: 'first' | 'last' } | undefined {
  const { kind, id } = hop.component;
  switch (kind) {
    case 'host':
    case 'server':
      return { point: `host:${id}`, which: 'first' };
    case 'nat-gateway':
      return { point: `nat:${id}`, which: hop.action === 'translate' ? 'last' : 'first' };
    case 'internet-gateway':
      if (hop.action !== 'translate') return previous;
      // Outbound (source rewritten) comes out on the internet side, inbound on the VPC side.
      return { point: rewritesDestination(hop) ? `igw-in:${id}` : `igw-out:${id}`, which: 'first' };
    case 'internet':
      if (next?.component.kind === 'internet-gateway') return { point: `igw-out:${next.component.id}`, which: 'first' };
      return { point: `host:${destinationHost}`, which: 'first' };
    default:
      return previous;
  }
}

/** Where a translating hop's input travels: the NAT ENI before translation, the IGW's other side. */
function translationInput(hop: Hop): string | undefined {
  if (hop.action !== 'translate') return undefined;
  const { kind, id } = hop.component;
  if (kind === 'nat-gateway') return `nat:${id}`;
  if (kind === 'internet-gateway') return rewritesDestination(hop) ? `igw-out:${id}` : `igw-in:${id}`;
  return undefined;
}

/** True for an IGW hop that maps a public destination to a private one (traffic coming in). */
function rewritesDestination(hop: Hop): boolean {
  return hop.before.dstIp !== hop.after.dstIp;
}

/** The distinct headers of one connection's first packet on each capture point, in time order. */
function headersByPoint(packets: CapturedPacket[], isOurs: (p: CapturedPacket) => boolean, real: (ip: string) => string): Map<string, SeenHeader[]> {
  const out = new Map<string, SeenHeader[]>();
  for (const p of packets) {
    if (!isOurs(p)) continue;
    const seen: SeenHeader = { srcIp: real(p.srcIp), srcPort: p.srcPort, dstIp: real(p.dstIp), dstPort: p.dstPort, point: p.point };
    const list = out.get(p.point) ?? [];
    if (!list.some((h) => seenText(h) === seenText(seen))) list.push(seen);
    out.set(p.point, list);
  }
  return out;
}

function observeHops(
  hops: Hop[],
  direction: 'forward' | 'reply',
  seen: Map<string, SeenHeader[]>,
  destinationHost: string,
  startPoint: { point: string; which: 'first' | 'last' } | undefined,
): HopObservation[] {
  const out: HopObservation[] = [];
  let previous = startPoint;
  hops.forEach((hop, i) => {
    const where = pointFor(hop, hops[i + 1], previous, destinationHost);
    if (!where) return;
    previous = where;
    const list = seen.get(where.point) ?? [];
    const observed = (where.which === 'first' ? list[0] : list[list.length - 1]) ?? null;
    const inputPoint = translationInput(hop);
    const input = inputPoint ? { point: inputPoint, observed: (seen.get(inputPoint) ?? [])[0] ?? null } : undefined;
    const ok = observed !== null && (hop.action === 'drop' || headerMatches(hop.after, observed));
    out.push({ direction, hop, point: where.point, which: where.which, observed, ...(input ? { input } : {}), ok });
  });
  return out;
}

/** Finds the client's SYN (its initial sequence number ties the connection together). */
function clientIsn(run: FlowRun, packets: CapturedPacket[]): number | undefined {
  const point = `host:${run.flow.from.hostId}`;
  const port = run.probe?.local?.port ?? (run.flow.spec.sourcePort === 'any' ? undefined : run.flow.spec.sourcePort);
  const syn = packets.find(
    (p) => p.point === point && p.flags === 'S' && p.srcIp === run.flow.from.twinIp && (port === undefined || p.srcPort === port) && p.dstPort === run.flow.spec.to.port,
  );
  return syn?.seq;
}

/** The conntrack entry of a flow (the inside tuple is the client's), in real addresses. */
function conntrackFor(run: FlowRun, entries: ConntrackEntry[], standIns: StandInMap): ObservedTranslation | undefined {
  const port = run.probe?.local?.port ?? run.flow.spec.sourcePort;
  const e = entries.find((c) => c.original.srcIp === run.flow.from.twinIp && c.original.srcPort === port && c.original.dstIp === run.flow.dstTwinIp && c.original.dstPort === run.flow.spec.to.port);
  if (!e) return undefined;
  return {
    flow: run.flow.spec.name,
    source: 'conntrack',
    protocol: e.protocol,
    inside: { ip: standIns.real(e.original.srcIp), port: e.original.srcPort },
    outside: { ip: standIns.real(e.reply.dstIp), port: e.reply.dstPort },
    destination: { ip: standIns.real(e.original.dstIp), port: e.original.dstPort },
  };
}

/** True when the receiver's conntrack holds the connection whose SYN arrived as `seen` (real addresses). */
function receiverAccepted(entries: ConntrackEntry[], seen: SeenHeader, port: number, standIns: StandInMap): boolean {
  return entries.some((e) => e.protocol === 'tcp' && standIns.real(e.original.srcIp) === seen.srcIp && e.original.srcPort === seen.srcPort && e.original.dstPort === port);
}

function check(name: string, expected: unknown, observed: unknown, ok: boolean): Check {
  return { name, expected, observed, ok };
}

function hopName(o: HopObservation): string {
  const step = o.hop.step === undefined ? '' : ` (step ${o.hop.step})`;
  return `${o.direction} hop ${o.hop.index}${step}: ${o.hop.component.id} ${o.hop.action}`;
}

export interface CompareInput {
  readonly walks: Walk[];
  readonly runs: FlowRun[];
  readonly packets: CapturedPacket[];
  readonly conntrack: Map<string, ConntrackEntry[]>;
  /**
   * What each destination namespace's own filter accepted (its conntrack table). A SYN seen
   * on the destination's segment counts as delivered only when it is here.
   * @default - nothing accepted: only the server's own log counts
   */
  readonly accepted?: Map<string, ConntrackEntry[]>;
  readonly standIns: StandInMap;
}

/** Compares every flow the twin ran with its walk; flows are matched by name. */
export function compareTwin(input: CompareInput): FlowComparison[] {
  const { standIns } = input;
  const real = (ip: string): string => standIns.real(ip);
  const compared = input.runs.map((run) => {
    const name = run.flow.spec.name;
    const walk = input.walks.find((w) => w.flow.name === name);
    const saw = run.probe?.serverSaw ? { srcIp: real(run.probe.serverSaw.srcIp), srcPort: run.probe.serverSaw.srcPort } : null;
    if (!walk) {
      return { verdict: { name, predicted: null, observed: saw, checks: [check('model walk exists', name, 'none', false)], ok: false }, hops: [], translations: [] };
    }

    // Hops: follow the connection by the client's initial sequence number.
    const isn = clientIsn(run, input.packets);
    const forwardSeen = headersByPoint(input.packets, (p) => isn !== undefined && p.flags === 'S' && p.seq === isn, real);
    const replySeen = headersByPoint(input.packets, (p) => isn !== undefined && p.flags === 'S.' && p.ack === (isn + 1) % 2 ** 32, real);
    const dstHost = run.flow.to.hostId;
    const forward = observeHops(walk.hops, 'forward', forwardSeen, dstHost, undefined);
    const reply = walk.reply ? observeHops(walk.reply.hops, 'reply', replySeen, run.flow.from.hostId, undefined) : [];
    const hops = [...forward, ...reply];

    // What the destination saw: the server's own answer, else a SYN on its segment that its
    // own filter accepted (a connection whose reply dies still delivers its SYN). A capture
    // alone is before the host's security group: a SYN it drops is on the wire all the same.
    const atServer = (forwardSeen.get(`host:${dstHost}`) ?? [])[0];
    const accepted = atServer && receiverAccepted(input.accepted?.get(run.flow.to.ns) ?? [], atServer, run.flow.spec.to.port, standIns);
    const observedAtDestination = saw ?? (atServer && accepted ? { srcIp: atServer.srcIp, srcPort: atServer.srcPort } : null);
    const base = compareWalk(walk, observedAtDestination, { name });
    const checks: Check[] = [...base.checks];

    const expectDelivered = walk.verdict === 'delivered' && walk.reply?.verdict === 'delivered';
    const delivered = run.probe?.ok === true;
    const end = walk.dropped ?? walk.reply?.dropped ?? walk.leftModel ?? walk.reply?.leftModel;
    checks.push(
      check(
        'connection completes both ways',
        expectDelivered ? 'completes' : `fails: ${walk.dropped ? 'request' : 'reply'} dies at ${end?.component ?? '?'}`,
        delivered ? 'completes' : `fails (${run.probe?.error?.kind ?? 'no probe result'})`,
        expectDelivered === delivered,
      ),
    );
    if (isn === undefined) checks.push(check("client's SYN captured", 'seen on the client segment', 'not seen', false));

    // Each hop's header against the prediction (the model's compareHops), and where a hop
    // was not seen at all, say so.
    const seenHops = hops.filter((o) => o.observed && o.hop.action !== 'drop');
    checks.push(
      ...compareHops(
        walk,
        seenHops.map((o) => ({ hopIndex: o.hop.index, reply: o.direction === 'reply', header: { protocol: 'tcp' as const, ...o.observed! } })),
      ).map((c, i) => ({ ...c, name: `${hopName(seenHops[i])} at ${seenHops[i].point}` })),
    );
    for (const o of hops) {
      if (o.hop.action === 'drop') checks.push(check(`${hopName(o)}: the packet dies here`, `seen up to ${o.point}, nowhere after`, seenText(o.observed), o.ok));
      else if (!o.observed) checks.push(check(`${hopName(o)} at ${o.point}`, headerText(o.hop.after), 'not seen', false));
    }
    // Where the model says the packet stops, the twin must not carry it any further.
    for (const [direction, seen, list] of [['forward', forwardSeen, forward], ['reply', replySeen, reply]] as const) {
      const expectedPoints = new Map<string, number>();
      for (const o of list) {
        expectedPoints.set(o.point, Math.max(expectedPoints.get(o.point) ?? 0, o.which === 'last' ? 2 : 1));
        if (o.input) expectedPoints.set(o.input.point, Math.max(expectedPoints.get(o.input.point) ?? 0, 1));
      }
      const beyond = [...seen].filter(([point, headers]) => headers.length > (expectedPoints.get(point) ?? 0)).map(([point]) => point);
      checks.push(check(`${direction} packet goes no further than the model says`, [...expectedPoints.keys()].join(', ') || 'nowhere', beyond.length ? `also seen on ${beyond.join(', ')}` : 'no further', beyond.length === 0));
    }
    // Ports a hop leaves alone (the IGW's 1:1 map) must come out as they went in, and a port
    // the NAT chooses must be a new one.
    for (const o of hops) {
      const before = o.input?.observed;
      if (!before || !o.observed) continue;
      const keepsPorts = samePort(o.hop.before.srcPort, o.hop.after.srcPort) && samePort(o.hop.before.dstPort, o.hop.after.dstPort);
      if (keepsPorts) {
        checks.push(check(`${o.hop.component.id} leaves ports untouched (${o.direction})`, `${before.srcPort} -> ${before.dstPort}`, `${o.observed.srcPort} -> ${o.observed.dstPort}`, before.srcPort === o.observed.srcPort && before.dstPort === o.observed.dstPort));
      } else if (o.direction === 'forward' && 'exact' in o.hop.before.srcPort && !('exact' in o.hop.after.srcPort)) {
        checks.push(check(`${o.hop.component.id} chooses a new source port`, `not ${before.srcPort}`, o.observed.srcPort, o.observed.srcPort !== before.srcPort));
      }
    }

    // The translation table: conntrack's entries against the walk's (the model's
    // compareTranslations), and the port the server saw is the one conntrack holds.
    const translations: ObservedTranslation[] = [];
    for (const t of walk.translations ?? []) {
      const observed = conntrackFor(run, input.conntrack.get(t.component) ?? [], standIns);
      if (observed) translations.push(observed);
    }
    if ((walk.translations ?? []).length) {
      checks.push(...compareTranslations(walk.translations ?? [], translations).map((c) => ({ ...c, name: `${c.name} (conntrack)` })));
      if (saw && translations[0]) {
        checks.push(check('server saw the port conntrack holds', translations[0].outside.port, saw.srcPort, translations[0].outside.port === saw.srcPort));
      }
    }
    const verdict: FlowVerdict = { name, predicted: walk.observedAtDestination, observed: observedAtDestination, checks, ok: checks.every((c) => c.ok) };
    return { verdict, hops, translations };
  });
  // NAT-chosen ports must differ between the flows the model says share a NAT address.
  const verdicts = distinctPortsCheck(compared.map((c) => c.verdict));
  return compared.map((c, i) => ({ ...c, verdict: verdicts[i] }));
}
