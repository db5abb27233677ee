/**
 * Holding predictions against observations: reusable checks that the local twin and `verify`
 * both use. A predicted port range matches any port inside it; `distinctFrom` asks that the
 * named flows got different ports.
 */
import { endpointText, headerText, portText } from './header-text';
import type { Check, CompareResult, FlowVerdict, Header, IpValue, ObservedAt, ObservedTranslation, PortPrediction, Protocol, TranslationEntry, Walk } from './types';

/** Options of `compareWalk`. */
export interface CompareWalkOptions {
  /**
   * The flow's name in the verdict.
   * @default - the walk's flow name
   */
  readonly name?: string;
  /**
   * Maps a predicted address known only after deploy (`<...>`) to its real value.
   * @default - unresolved addresses match nothing
   */
  readonly resolveIp?: (value: IpValue) => string | undefined;
}

/** True when an observed port is the predicted one, or lies inside the predicted range. */
export function portMatches(prediction: PortPrediction, port: number): boolean {
  return 'exact' in prediction ? prediction.exact === port : port >= prediction.min && port <= prediction.max;
}

function resolve(ip: IpValue, opts: CompareWalkOptions): string {
  return opts.resolveIp?.(ip) ?? ip;
}

function verdictOf(name: string, predicted: ObservedAt | null, observed: { srcIp: string; srcPort: number } | null, checks: Check[]): FlowVerdict {
  return { name, predicted, observed, checks, ok: checks.every((c) => c.ok) };
}

/**
 * One flow's verdict: delivered as predicted; the source IP the destination saw equals the
 * predicted one; the source port is the predicted one or inside the predicted range.
 */
export function compareWalk(walk: Walk, observed: { srcIp: string; srcPort: number } | null, opts: CompareWalkOptions = {}): FlowVerdict {
  const name = opts.name ?? walk.flow.name;
  if (walk.verdict === 'left-model') {
    // The model made no prediction past where the flow leaves it: nothing to contradict.
    const check: Check = { name: 'delivered', expected: `not predicted: ${walk.leftModel?.reason ?? 'the flow leaves the model'}`, observed: observed ? 'delivered' : 'not delivered', ok: true };
    return verdictOf(name, null, observed, [check]);
  }
  const predictedDelivered = walk.verdict === 'delivered';
  const checks: Check[] = [
    {
      name: 'delivered',
      expected: predictedDelivered ? 'delivered' : `not delivered (${walk.verdict}${walk.dropped ? ` at ${walk.dropped.component}` : ''})`,
      observed: observed ? 'delivered' : 'not delivered',
      ok: predictedDelivered === (observed !== null),
    },
  ];
  const predicted = walk.observedAtDestination;
  if (predicted && observed) {
    const ip = resolve(predicted.srcIp, opts);
    checks.push({ name: 'source IP', expected: ip, observed: observed.srcIp, ok: ip === observed.srcIp });
    checks.push({ name: 'source port', expected: predicted.srcPort, observed: observed.srcPort, ok: portMatches(predicted.srcPort, observed.srcPort) });
  }
  return verdictOf(name, predicted, observed, checks);
}

/**
 * Adds a "distinct port" check to every verdict whose predicted port names flows it must
 * differ from (`distinctFrom`): the observed ports at the same source IP must all differ.
 */
export function distinctPortsCheck(verdicts: FlowVerdict[]): FlowVerdict[] {
  const byName = new Map(verdicts.map((v) => [v.name, v]));
  return verdicts.map((v) => {
    const port = v.predicted?.srcPort;
    if (!port || 'exact' in port || !port.distinctFrom?.length || !v.observed) return v;
    const clashes: string[] = [];
    const others: Record<string, string | null> = {};
    for (const other of port.distinctFrom) {
      const o = byName.get(other)?.observed ?? null;
      others[other] = o ? endpointText(o.srcIp, { exact: o.srcPort }) : null;
      if (o && o.srcIp === v.observed.srcIp && o.srcPort === v.observed.srcPort) clashes.push(other);
    }
    const check: Check = {
      name: 'port distinct',
      expected: `a port other than ${port.distinctFrom.join(', ')}'s`,
      observed: { own: endpointText(v.observed.srcIp, { exact: v.observed.srcPort }), ...others },
      ok: clashes.length === 0,
    };
    const checks = [...v.checks, check];
    return { ...v, checks, ok: checks.every((c) => c.ok) };
  });
}

/** A header as observed on the wire (capture, conntrack): ports are numbers. */
export interface ObservedHeader {
  /** Protocol, when the observation knows it. */
  readonly protocol?: Protocol;
  /** Source address. */
  readonly srcIp: string;
  /** Source port. */
  readonly srcPort: number;
  /** Destination address. */
  readonly dstIp: string;
  /** Destination port. */
  readonly dstPort: number;
}

/** An observed header and the hop it belongs to: a hop index, or an article step (1-8). */
export interface ObservedHop {
  /** The 1-based hop index in the forward walk (or the reply with `reply`). */
  readonly hopIndex?: number;
  /** The article step; the header after the step's last hop is compared. */
  readonly step?: number;
  /**
   * Whether the hop is in the reply.
   * @default - steps 7 and 8 are in the reply, the rest in the forward walk
   */
  readonly reply?: boolean;
  /** What was seen. */
  readonly header: ObservedHeader;
  /** The port each other flow was seen with at this point, to check `distinctFrom`. */
  readonly otherFlows?: Record<string, { readonly ip: string; readonly port: number }>;
}

/** True when an observed header is the predicted one (ranges match any port inside them). */
export function headerMatches(predicted: Header, observed: ObservedHeader, opts: CompareWalkOptions = {}): boolean {
  return (
    (observed.protocol === undefined || observed.protocol === predicted.protocol) &&
    resolve(predicted.srcIp, opts) === observed.srcIp &&
    resolve(predicted.dstIp, opts) === observed.dstIp &&
    portMatches(predicted.srcPort, observed.srcPort) &&
    portMatches(predicted.dstPort, observed.dstPort)
  );
}

function observedText(h: ObservedHeader): string {
  return `${h.protocol ?? '?'} ${h.srcIp}:${h.srcPort} -> ${h.dstIp}:${h.dstPort}`;
}

/** The predicted header an observed hop is held against (the header after that hop). */
export function predictedHeaderAt(walk: Walk, at: Pick<ObservedHop, 'hopIndex' | 'step' | 'reply'>): Header | undefined {
  const reply = at.reply ?? (at.step !== undefined && at.step >= 7);
  const hops = reply ? walk.reply?.hops ?? [] : walk.hops;
  if (at.hopIndex !== undefined) return hops.find((h) => h.index === at.hopIndex)?.after;
  const inStep = hops.filter((h) => h.step === at.step && h.action !== 'drop' && h.action !== 'leave-model');
  return inStep[inStep.length - 1]?.after;
}

/** Each observed hop's header against the predicted one, one check per observation. */
export function compareHops(walk: Walk, observedHeaders: ObservedHop[], opts: CompareWalkOptions = {}): Check[] {
  const checks: Check[] = [];
  for (const o of observedHeaders) {
    const where = o.hopIndex !== undefined ? `hop ${o.hopIndex}` : `step ${o.step}`;
    const name = `${where}${o.reply ? ' (reply)' : ''} header`;
    const predicted = predictedHeaderAt(walk, o);
    if (!predicted) {
      checks.push({ name, expected: 'no such hop in the prediction', observed: observedText(o.header), ok: false });
      continue;
    }
    checks.push({ name, expected: headerText(predicted), observed: observedText(o.header), ok: headerMatches(predicted, o.header, opts) });
    // A NAT-chosen port must differ from the other flows' ports at the same address.
    for (const [field, ipField] of [['srcPort', 'srcIp'], ['dstPort', 'dstIp']] as const) {
      const port = predicted[field];
      if ('exact' in port || !port.distinctFrom?.length || !o.otherFlows) continue;
      const mine = { ip: o.header[ipField], port: o.header[field] };
      const clashes = port.distinctFrom.filter((f) => o.otherFlows![f] && o.otherFlows![f].ip === mine.ip && o.otherFlows![f].port === mine.port);
      checks.push({ name: `${where} ${field === 'srcPort' ? 'source' : 'destination'} port distinct`, expected: `not the port of ${port.distinctFrom.join(', ')}`, observed: mine.port, ok: clashes.length === 0 });
    }
  }
  return checks;
}

function translationName(t: TranslationEntry): string {
  return `translation ${t.protocol} ${endpointText(t.inside.ip, t.inside.port)} -> ${t.destination.ip}:${t.destination.port} at ${t.component}`;
}

/**
 * Predicted NAT translations against observed ones (conntrack, flow logs): each predicted
 * entry must be observed with the predicted outside address and a port in the predicted
 * range; observed translations to the same destination on the same address must use
 * distinct ports.
 */
export function compareTranslations(predicted: TranslationEntry[], observed: ObservedTranslation[], opts: CompareWalkOptions = {}): Check[] {
  const checks: Check[] = [];
  for (const p of predicted) {
    const match = observed.find(
      (o) => o.protocol === p.protocol && o.inside.ip === resolve(p.inside.ip, opts) && portMatches(p.inside.port, o.inside.port) && o.destination.ip === resolve(p.destination.ip, opts) && o.destination.port === p.destination.port,
    );
    const expected = `${resolve(p.outside.ip, opts)}:${portText(p.outside.port)}`;
    if (!match) {
      checks.push({ name: translationName(p), expected, observed: null, ok: false });
      continue;
    }
    checks.push({
      name: translationName(p),
      expected,
      observed: `${match.outside.ip}:${match.outside.port}`,
      ok: match.outside.ip === resolve(p.outside.ip, opts) && portMatches(p.outside.port, match.outside.port),
    });
  }
  const groups = new Map<string, ObservedTranslation[]>();
  for (const o of observed) {
    const key = `${o.protocol}|${o.outside.ip}|${o.destination.ip}|${o.destination.port}`;
    groups.set(key, [...(groups.get(key) ?? []), o]);
  }
  for (const [key, list] of groups) {
    // The same connection may be observed twice (conntrack and flow logs): one port per inside endpoint.
    const byInside = new Map(list.map((o) => [`${o.inside.ip}:${o.inside.port}`, o.outside.port]));
    if (byInside.size < 2) continue;
    const ports = [...byInside.values()];
    const [protocol, ip, dIp, dPort] = key.split('|');
    checks.push({
      name: `distinct ports on ${ip} towards ${dIp}:${dPort}/${protocol}`,
      expected: `${ports.length} different ports`,
      observed: ports,
      ok: new Set(ports).size === ports.length,
    });
  }
  return checks;
}

/** The overall result: ok when every flow's checks pass. */
export function compareResult(verdicts: FlowVerdict[]): CompareResult {
  return { ok: verdicts.every((v) => v.ok), flows: verdicts };
}
