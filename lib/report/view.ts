/**
 * What every rendering shows, derived once from a walk, prediction or run: the clients'
 * traffic, the NAT translation table (predicted beside observed), the IGW's 1:1 map, what the
 * server saw, the checks. The diagram, the HTML page and the Markdown all read these rows.
 */
import type {
  CompareResult,
  Header,
  NatGateway,
  Observation,
  ObservedTranslation,
  PortPrediction,
  PredictResult,
  RunResult,
  StandIn,
  Topology,
  TranslationEntry,
  Walk,
} from '../model/types';

/** `natlab walk --json` has no topology; the report pairs it with the topology it was walked on. */
export interface WalkReport {
  /** Marks a single walk rendered with its topology. */
  readonly kind: 'walk';
  /** The topology the walk was computed on. */
  readonly topology: Topology;
  /** The walk (one element). */
  readonly walks: Walk[];
}

/** Everything `renderHtml`, `renderMarkdown` and `layout` accept. */
export type ReportInput = PredictResult | RunResult | WalkReport;

/** True for a lab or verify run (it carries observations and a verdict). */
export function isRun(input: ReportInput): input is RunResult {
  return input.kind === 'lab' || input.kind === 'verify';
}

/** A port prediction as a person reads it: "32222", "1024-65535". */
export function formatPort(port: PortPrediction): string {
  return 'exact' in port ? String(port.exact) : `${port.min}-${port.max}`;
}

/** "10.0.1.32:32222 -> 44.198.164.163:8080" */
export function formatHeader(h: Header): string {
  return `${h.srcIp}:${formatPort(h.srcPort)} -> ${h.dstIp}:${formatPort(h.dstPort)}`;
}

/** One row of the clients' traffic table (the article's step 1 table). */
export interface TrafficRow {
  /** Flow name. */
  readonly flow: string;
  /** Host the flow starts at. */
  readonly client: string;
  /** Protocol, upper case. */
  readonly protocol: string;
  /** Source IP as sent. */
  readonly srcIp: string;
  /** Source port as sent. */
  readonly srcPort: string;
  /** Destination IP. */
  readonly dstIp: string;
  /** Destination port. */
  readonly dstPort: string;
  /** delivered / dropped / left-model. */
  readonly verdict: string;
}

export function trafficRows(walks: Walk[]): TrafficRow[] {
  return walks.map((w) => ({
    flow: w.flow.name,
    client: w.flow.from.host,
    protocol: w.flow.protocol.toUpperCase(),
    srcIp: w.flow.from.ip,
    srcPort: formatPort(w.flow.from.port),
    dstIp: w.flow.to.ip,
    dstPort: String(w.flow.to.port),
    verdict: w.verdict,
  }));
}

/** One NAT translation: the model's prediction beside what conntrack or flow logs saw. */
export interface NatRow {
  /** Flow name, when known. */
  readonly flow?: string;
  /** NAT Gateway id. */
  readonly nat: string;
  /** Inside (client) address. */
  readonly insideIp: string;
  /** Inside (client) port. */
  readonly insidePort: string;
  /** The NAT's private IP the source becomes. */
  readonly outsideIp: string;
  /** Predicted outside port (a range for a NAT Gateway). */
  readonly predictedPort: string;
  /** Observed outside port; absent when nothing was observed. */
  readonly observedPort?: string;
  /** Observed outside IP, when it differs from the predicted one it shows here. */
  readonly observedIp?: string;
  /** Destination "ip:port". */
  readonly destination: string;
}

function predictedTranslations(input: ReportInput): TranslationEntry[] {
  if (isRun(input) && input.translations.predicted.length > 0) return input.translations.predicted;
  return input.walks.flatMap((w) => w.translations ?? []);
}

function natOf(topology: Topology, ip: string): NatGateway | undefined {
  return topology.natGateways.find((n) => n.addresses.some((a) => a.privateIp === ip || a.publicIp === ip));
}

/** NAT rows: every predicted entry joined with the observed entry of the same inside socket. */
export function natRows(input: ReportInput): NatRow[] {
  const observed: ObservedTranslation[] = isRun(input) ? [...input.translations.observed] : [];
  const rows: NatRow[] = [];
  for (const p of predictedTranslations(input)) {
    const insidePort = formatPort(p.inside.port);
    const i = observed.findIndex((o) => o.inside.ip === p.inside.ip && String(o.inside.port) === insidePort);
    const o = i >= 0 ? observed.splice(i, 1)[0] : undefined;
    const flow = o?.flow ?? input.walks.find((w) => w.flow.from.ip === p.inside.ip && (w.translations ?? []).includes(p))?.flow.name;
    rows.push({
      flow,
      nat: p.component,
      insideIp: p.inside.ip,
      insidePort,
      outsideIp: p.outside.ip,
      predictedPort: formatPort(p.outside.port),
      observedPort: o ? String(o.outside.port) : undefined,
      observedIp: o && o.outside.ip !== p.outside.ip ? o.outside.ip : undefined,
      destination: `${p.destination.ip}:${p.destination.port}`,
    });
  }
  // Observed translations the model did not predict still belong in the table.
  for (const o of observed) {
    rows.push({
      flow: o.flow,
      nat: natOf(input.topology, o.outside.ip)?.id ?? '?',
      insideIp: o.inside.ip,
      insidePort: String(o.inside.port),
      outsideIp: o.outside.ip,
      predictedPort: 'not predicted',
      observedPort: String(o.outside.port),
      destination: `${o.destination.ip}:${o.destination.port}`,
    });
  }
  return rows;
}

/** One line of an Internet Gateway's 1:1 map. */
export interface IgwRow {
  /** Internet Gateway id. */
  readonly igw: string;
  /** What owns the address ("NAT-GW ENI nat-xxx", "direct"). */
  readonly owner: string;
  /** Private IP. */
  readonly privateIp: string;
  /** Public IP (EIP or auto-assigned). */
  readonly publicIp: string;
}

/** The 1:1 maps an IGW applies: NAT Gateway addresses with an EIP and hosts with a public IP. */
export function igwRows(topology: Topology): IgwRow[] {
  const rows: IgwRow[] = [];
  for (const igw of topology.internetGateways) {
    if (!igw.vpc) continue;
    for (const nat of topology.natGateways.filter((n) => n.vpc === igw.vpc)) {
      for (const a of nat.addresses) if (a.publicIp) rows.push({ igw: igw.id, owner: `NAT-GW ENI ${nat.id}`, privateIp: a.privateIp, publicIp: a.publicIp });
    }
    const subnets = new Set(topology.subnets.filter((s) => s.vpc === igw.vpc).map((s) => s.id));
    for (const h of topology.hosts) {
      if (h.publicIp && h.subnet && subnets.has(h.subnet)) rows.push({ igw: igw.id, owner: h.name ?? h.id, privateIp: h.privateIp, publicIp: h.publicIp });
    }
  }
  return rows;
}

/** What the server saw for one flow: the walk's prediction beside the observation. */
export interface ServerRow {
  /** Flow name. */
  readonly flow: string;
  /** Destination ("ip:port"). */
  readonly server: string;
  /** Predicted source "ip:port" at the destination, or why nothing arrives. */
  readonly predicted: string;
  /** Observed source "ip:port", absent when not observed. */
  readonly observed?: string;
  /** The verdict of the comparison for this flow, when compared. */
  readonly ok?: boolean;
}

function serverObservation(observations: Observation[], flow: string): Observation | undefined {
  return observations.find((o) => o.flow === flow && o.source === 'server') ?? observations.find((o) => o.flow === flow && o.source === 'probe');
}

export function serverRows(input: ReportInput): ServerRow[] {
  return input.walks.map((w) => {
    const seen = w.observedAtDestination;
    const end = w.dropped ?? w.leftModel;
    const predicted = seen ? `${seen.srcIp}:${formatPort(seen.srcPort)}` : end ? `${w.dropped ? 'dropped' : 'left the model'} at ${end.component}` : 'nothing';
    if (!isRun(input)) return { flow: w.flow.name, server: `${w.flow.to.ip}:${w.flow.to.port}`, predicted };
    const verdict = input.compare.flows.find((f) => f.name === w.flow.name);
    const obs = serverObservation(input.observations, w.flow.name);
    const observed = verdict?.observed ? `${verdict.observed.srcIp}:${verdict.observed.srcPort}` : obs ? `${obs.srcIp}:${obs.srcPort}` : undefined;
    return { flow: w.flow.name, server: `${w.flow.to.ip}:${w.flow.to.port}`, predicted, observed, ok: verdict?.ok };
  });
}

/** The checks of a run, or none for a prediction. */
export function compareOf(input: ReportInput): CompareResult | undefined {
  return isRun(input) ? input.compare : undefined;
}

export function standInsOf(input: ReportInput): StandIn[] {
  return isRun(input) ? (input.standIns ?? []) : [];
}

/** Renders an unknown check value ("expected"/"observed") as short text. */
export function formatValue(value: unknown): string {
  if (value === null || value === undefined) return '-';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (isPortPrediction(value)) {
    const distinct = 'distinctFrom' in value && value.distinctFrom?.length ? ` (distinct from ${value.distinctFrom.join(', ')})` : '';
    return formatPort(value) + distinct;
  }
  if (Array.isArray(value)) return value.map(formatValue).join(', ');
  if (typeof value === 'object') return Object.entries(value).map(([k, v]) => `${k}: ${formatValue(v)}`).join(', ');
  return String(value);
}

function isPortPrediction(value: unknown): value is PortPrediction {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.exact === 'number' || (typeof v.min === 'number' && typeof v.max === 'number');
}

/** True for the twin's per-hop checks ("forward hop 8 (step 3): ..."), shown in the hop list. */
export function isHopCheck(name: string): boolean {
  return /^(forward|reply) hop \d+\b/.test(name);
}

/** A title for the report: "natlab lab: seed". */
export function reportTitle(input: ReportInput): string {
  return `natlab ${input.kind}: ${input.topology.name}`;
}
