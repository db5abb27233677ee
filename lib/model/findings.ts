/**
 * `findings`: every host of a topology walked to the internet and to every other host, for
 * TCP and ICMP, forward and reply. The result is the reachability of each pair and, for the
 * pairs that fail, the fault behind each failure grouped by cause, so a broken VPC's faults
 * come out of one run, each named by the resource to fix.
 */
import { InputError } from '../errors';
import { isIpv4, isPrivateIp, specialAddressKind } from './address';
import { findHosts } from './hosts';
import { hostClasses } from './host-classes';
import { hostAddressFrom, walk } from './walk';
import { faultKey } from './faults';
import type { Fault, Hop, Host, Protocol, ReplyWalk, Topology, Walk, WalkVerdict } from './types';

/** What `findings` walks. */
export interface FindingsOptions {
  /**
   * The TCP port flows between hosts go to.
   * @default 22
   */
  readonly hostPort?: number;
  /**
   * The address that stands for the internet (any public address outside the topology), and
   * the TCP port flows to it go to.
   * @default { ip: '8.8.8.8', port: 443 }
   */
  readonly internet?: { readonly ip: string; readonly port: number };
  /**
   * The protocols walked for each pair.
   * @default ['tcp', 'icmp']
   */
  readonly protocols?: readonly Protocol[];
  /**
   * Walk every flow, rather than one flow per pair of host classes (hosts no walk can tell
   * apart) with the others derived from it. The results are the same; this is the check.
   * @default false
   */
  readonly exhaustive?: boolean;
  /**
   * Which flows get their own reason. A flow derived from another (hosts of the same classes)
   * needs a walk of its own for it, since its reason names its own hosts: `every-flow` makes
   * those walks, `first-per-cause` skips them (its derived flows have no `reason`; the first
   * flow of each cause, always a walked one, has it), which is all the text report prints.
   * @default 'every-flow'
   */
  readonly reasons?: 'every-flow' | 'first-per-cause';
}

/** Where a failed flow was stopped. */
export interface FindingDrop {
  /** The component that dropped it (or where it left the model). */
  readonly component: string;
  /**
   * What happened to this packet, naming the resource and the rule or missing route.
   * @default - absent for a flow derived from another when `reasons` is `first-per-cause`
   */
  readonly reason?: string;
  /** The fault behind it, independent of this flow, in words. */
  readonly fault: string;
  /**
   * The fault as data: what flows are grouped by.
   * @default - absent only for flows read from documents that predate it
   */
  readonly cause?: Fault;
  /** `request` when the packet itself died, `reply` when it arrived and its reply died. */
  readonly path: 'request' | 'reply';
  /**
   * What kind of component dropped it: a route table, a network ACL, a security group (and
   * which side), the NAT gateway, the internet gateway, the internet or the VPC router.
   */
  readonly stage: DropStage;
}

/** The kind of component a flow died at; `security-group-ingress` is the receiver's own policy. */
export type DropStage = 'route-table' | 'network-acl' | 'security-group-egress' | 'security-group-ingress' | 'nat-gateway' | 'internet-gateway' | 'internet' | 'vpc-router' | 'other';

/** One flow of the matrix. */
export interface FindingFlow {
  /** The sender: its name (Name tag or logical id), else its id. */
  readonly from: string;
  /** The destination: a host's name, else its id, or `internet`. */
  readonly to: string;
  /** The address the flow was sent to (a private IP inside the VPC, a public one across it). */
  readonly toIp: string;
  /** tcp or icmp (or udp, when asked for). */
  readonly protocol: Protocol;
  /** The destination port (null for ICMP echo). */
  readonly port: number | null;
  /**
   * `delivered` when the request arrived and its reply came back; `dropped` when either died;
   * `left-model` when the model cannot tell (a target or value it does not simulate).
   */
  readonly verdict: WalkVerdict;
  /** Where and why it died; null when delivered or unknown. */
  readonly dropped: FindingDrop | null;
  /** Where the walk left the model, when the verdict is `left-model`. */
  readonly leftModel?: { readonly component: string; readonly reason?: string; readonly path: 'request' | 'reply' };
}

/** One fault and the flows it breaks. */
export interface FindingCause {
  /** The fault, naming the resource to fix. */
  readonly fault: string;
  /**
   * The fault as data (the group's key).
   * @default - absent only for flows that carry no typed fault
   */
  readonly cause?: Fault;
  /** The component that drops the packets. */
  readonly component: string;
  /** Whether the flows die on the request, the reply, or both. */
  readonly paths: ReadonlyArray<'request' | 'reply'>;
  /** The kind of component that drops them. */
  readonly stage: DropStage;
  /** The flows it breaks. */
  readonly flows: FindingFlow[];
}

/** Everything `natlab findings` reports. */
export interface FindingsResult {
  /** The topology's name. */
  readonly topology: string;
  /** Where it came from. */
  readonly source: string;
  /** The senders (hosts inside a VPC), by name, then `internet` when some host has a public IP. */
  readonly hosts: string[];
  /** The destination columns: `internet`, then hosts. */
  readonly destinations: string[];
  /** The internet stand-in walked to. */
  readonly internet: { readonly ip: string; readonly port: number };
  /** The TCP port between hosts. */
  readonly hostPort: number;
  /** The protocols walked. */
  readonly protocols: readonly Protocol[];
  /** Every flow walked, sender by sender. */
  readonly flows: FindingFlow[];
  /** The faults, the one breaking most flows first. */
  readonly causes: FindingCause[];
}

const DEFAULT_INTERNET = { ip: '8.8.8.8', port: 443 } as const;
const SENDER_KINDS: ReadonlySet<string> = new Set(['instance', 'lambda', 'server', 'external']);
const DEFAULT_HOST_PORT = 22;

/** The name a host goes by in the matrix: its Name tag or logical id, else its id; unique. */
function hostNamesOf(hosts: readonly Host[]): Map<Host, string> {
  const count = new Map<string, number>();
  for (const h of hosts) count.set(h.name ?? h.id, (count.get(h.name ?? h.id) ?? 0) + 1);
  return new Map(hosts.map((h) => [h, (count.get(h.name ?? h.id) ?? 0) > 1 ? h.id : (h.name ?? h.id)]));
}

function checkOptions(topology: Topology, options: FindingsOptions): void {
  const internet = options.internet ?? DEFAULT_INTERNET;
  if (!isIpv4(internet.ip) || isPrivateIp(internet.ip) || specialAddressKind(internet.ip)) throw new InputError(`--internet "${internet.ip}" must be a public unicast IPv4 address (it stands for any host on the internet)`);
  const owner = topology.hosts.find((h) => h.privateIp === internet.ip || h.publicIp === internet.ip) ?? topology.natGateways.find((n) => n.addresses.some((a) => a.publicIp === internet.ip));
  if (owner) throw new InputError(`--internet "${internet.ip}" belongs to ${owner.id} in topology ${topology.name}; choose an address outside the topology`);
  for (const [what, port] of [['--internet port', internet.port], ['--port', options.hostPort ?? DEFAULT_HOST_PORT]] as const) {
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new InputError(`${what} "${port}" is not a port number (1-65535)`);
  }
}

/** The kind of component of a walk's dropping hop (its last one). */
function stageOf(hops: readonly Hop[]): DropStage {
  const last = hops[hops.length - 1];
  if (!last) return 'other';
  switch (last.component.kind) {
    case 'security-group':
      return last.component.side === 'ingress' ? 'security-group-ingress' : 'security-group-egress';
    case 'route-table':
    case 'network-acl':
    case 'nat-gateway':
    case 'internet-gateway':
    case 'internet':
      return last.component.kind;
    case 'subnet-router':
      return 'vpc-router';
    default:
      return 'other';
  }
}

/** The verdict of a whole flow: the request's, or the reply's when the request arrived. */
function flowOf(from: string, to: string, toIp: string, protocol: Protocol, port: number | null, w: Walk): FindingFlow {
  // The request's ending, or the reply's once the request arrived.
  const [ended, path]: [Walk | ReplyWalk | null, 'request' | 'reply'] = w.verdict !== 'delivered' ? [w, 'request'] : [w.reply, 'reply'];
  // Plain literals (no spreads): findings makes one of these per flow, tens of thousands.
  if (ended?.verdict === 'dropped' && ended.dropped) {
    const e = ended.dropped;
    return { from, to, toIp, protocol, port, verdict: 'dropped', dropped: { component: e.component, reason: e.reason, fault: e.fault ?? e.reason, cause: e.cause as Fault | undefined, path, stage: stageOf(ended.hops) } };
  }
  if (ended?.verdict === 'left-model') {
    const e = ended.leftModel;
    return e
      ? { from, to, toIp, protocol, port, verdict: 'left-model', dropped: null, leftModel: { component: e.component, reason: e.reason, path } }
      : { from, to, toIp, protocol, port, verdict: 'left-model', dropped: null };
  }
  return { from, to, toIp, protocol, port, verdict: 'delivered', dropped: null };
}

/**
 * Walks every host inside a VPC to the internet and to every other host that accepts
 * connections (instances and servers; a Lambda function accepts none), and the internet to
 * every host with a public IP, for each protocol.
 */
export function findings(topology: Topology, options: FindingsOptions = {}): FindingsResult {
  checkOptions(topology, options);
  const internet = options.internet ?? DEFAULT_INTERNET;
  const hostPort = options.hostPort ?? DEFAULT_HOST_PORT;
  const protocols = options.protocols ?? (['tcp', 'icmp'] as const);
  const names = hostNamesOf(topology.hosts);
  // Load balancers, endpoints and attachments answer (a flow to one leaves the model there) but start nothing.
  const senders = topology.hosts.filter((h) => h.subnet !== undefined && SENDER_KINDS.has(h.kind));
  const receivers = topology.hosts.filter((h) => h.kind !== 'lambda');
  const reachable = receivers.filter((h) => h.subnet !== undefined && h.publicIp !== undefined);
  const flowPorts = destinationPorts(topology);
  const classes = options.exhaustive ? undefined : hostClasses(topology);
  const walked = new Map<string, FindingFlow>();
  const withReasons = options.reasons !== 'first-per-cause';
  const flows: FindingFlow[] = [];

  /** Walks a flow, or derives it from the walked flow between hosts of the same classes. */
  const add = (from: Host | undefined, to: Host | undefined, toIp: string, protocol: Protocol): void => {
    const port = protocol === 'icmp' ? null : to ? (flowPorts.get(to.id) ?? hostPort) : internet.port;
    const fromName = from ? names.get(from)! : 'internet';
    const toName = to ? names.get(to)! : 'internet';
    const walkIt = (reply = true, hops = true) => walk(topology, { name: `${fromName} -> ${toName}`, protocol, from: from?.id ?? internet.ip, sourcePort: 'any', to: { host: toIp, port: port ?? 0 } }, { reply, hops });
    const key = classes && `${from ? classes.get(from) : 'internet'}:${to ? classes.get(to) : 'internet'}:${protocol}:${port}`;
    const same = key === undefined ? undefined : walked.get(key);
    if (same) {
      flows.push(derivedFlow(same, fromName, toName, toIp, walkIt, withReasons));
      return;
    }
    const flow = flowOf(fromName, toName, toIp, protocol, port, walkIt());
    if (key !== undefined) walked.set(key, flow);
    flows.push(flow);
  };

  for (const from of senders) {
    for (const protocol of protocols) add(from, undefined, internet.ip, protocol);
    for (const to of receivers) {
      if (to === from) continue;
      const toIp = hostAddressFrom(topology, to, from);
      for (const protocol of protocols) add(from, to, toIp, protocol);
    }
  }
  // From the internet, to every host with a public IP: what a host with one is for.
  for (const to of reachable) {
    for (const protocol of protocols) add(undefined, to, to.publicIp!, protocol);
  }
  return {
    topology: topology.name,
    source: topology.source,
    hosts: [...senders.map((h) => names.get(h)!), ...(reachable.length ? ['internet'] : [])],
    destinations: ['internet', ...receivers.map((h) => names.get(h)!)],
    internet,
    hostPort,
    protocols,
    flows,
    causes: groupByCause(flows),
  };
}

/**
 * A flow between hosts of the same classes as a walked one: the same verdict, component,
 * fault, path and stage. Its reason names its own hosts, so with `withReason` it comes from a
 * walk of its own (without hops, and without the reply when the request died), which must end
 * as the walked flow did: if it does not, the classes missed a difference, and findings fails
 * loudly rather than mislead.
 */
function derivedFlow(same: FindingFlow, from: string, to: string, toIp: string, walkIt: (reply: boolean, hops: boolean) => Walk, withReason: boolean): FindingFlow {
  const { protocol, port, verdict } = same;
  if (!same.dropped && !same.leftModel) return { from, to, toIp, protocol, port, verdict, dropped: null };
  const ended = (same.dropped ?? same.leftModel)!;
  let reason: { reason?: string } = {};
  if (withReason) {
    const own = flowOf(from, to, toIp, protocol, port, walkIt(ended.path === 'reply', false));
    const end = same.dropped ? own.dropped : own.leftModel;
    if (!end || own.verdict !== verdict || end.component !== ended.component || end.path !== ended.path || (same.dropped && !sameFault(own.dropped, same.dropped))) {
      throw new Error(`findings: ${from} -> ${to} ${protocol} ends otherwise than the flow it was derived from (${same.from} -> ${same.to}); the host classes missed a difference`);
    }
    reason = { reason: end.reason };
  }
  if (same.dropped) {
    const { component, fault, cause, path, stage } = same.dropped;
    return { from, to, toIp, protocol, port, verdict, dropped: { component, ...reason, fault, cause, path, stage } };
  }
  const { component, path } = same.leftModel!;
  return { from, to, toIp, protocol, port, verdict, dropped: null, leftModel: { component, ...reason, path } };
}

/** The port the topology's own flows use towards a host (the seed's server: 8080). */
function destinationPorts(topology: Topology): Map<string, number> {
  const ports = new Map<string, number>();
  for (const flow of topology.flows) {
    if (flow.protocol === 'icmp') continue;
    const [host] = findHosts(topology, flow.to.host);
    if (host && !ports.has(host.id)) ports.set(host.id, flow.to.port);
  }
  return ports;
}

/** The key a drop is grouped by: its component and typed fault (its sentence only when it has none). */
function dropKey(drop: FindingDrop): string {
  if (!drop.cause) return `${drop.component}\u0000${drop.fault}`;
  // Flows derived from one walk share its fault object: its key is made once.
  let key = dropKeys.get(drop.cause);
  if (key === undefined) {
    key = faultKey(drop.cause);
    dropKeys.set(drop.cause, key);
  }
  return `${drop.component}\u0000${key}`;
}

const dropKeys = new WeakMap<Fault, string>();

/** True when two drops have the same fault (as data, else as words). */
function sameFault(a: FindingDrop | null, b: FindingDrop): boolean {
  if (a === null || a.component !== b.component) return false;
  return a.cause && b.cause ? sameData(a.cause, b.cause) : a.fault === b.fault;
}

/** Deep equality of plain data (a fault's fields), without building keys. */
function sameData(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  for (const k of ka) if (!sameData((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])) return false;
  return true;
}

/** Failed flows grouped by their typed fault, the fault breaking most flows first. */
export function groupByCause(flows: readonly FindingFlow[]): FindingCause[] {
  const groups = new Map<string, { fault: string; cause: Fault | undefined; component: string; stage: DropStage; paths: Set<'request' | 'reply'>; flows: FindingFlow[] }>();
  for (const flow of flows) {
    if (!flow.dropped) continue;
    const key = dropKey(flow.dropped);
    let group = groups.get(key);
    if (!group) {
      group = { fault: flow.dropped.fault, cause: flow.dropped.cause, component: flow.dropped.component, stage: flow.dropped.stage, paths: new Set(), flows: [] };
      groups.set(key, group);
    }
    group.paths.add(flow.dropped.path);
    group.flows.push(flow);
  }
  return [...groups.values()]
    .map((g) => ({ fault: g.fault, cause: g.cause, component: g.component, stage: g.stage, paths: [...g.paths].sort(), flows: g.flows }))
    .sort((a, b) => b.flows.length - a.flows.length || a.fault.localeCompare(b.fault));
}
