/**
 * `findings`: every host of a topology walked to the internet and to every other host, for
 * TCP and ICMP, forward and reply. The result is the reachability of each pair and, for the
 * pairs that fail, the fault behind each failure grouped by cause, so a broken VPC's faults
 * come out of one run, each named by the resource to fix.
 */
import { InputError } from '../errors';
import { isIpv4, isPrivateIp } from './address';
import { findHosts } from './hosts';
import { resolveDestinationIp, walk } from './walk';
import type { Host, Protocol, Topology, Walk, WalkVerdict } from './types';

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
}

/** Where a failed flow was stopped. */
export interface FindingDrop {
  /** The component that dropped it (or where it left the model). */
  readonly component: string;
  /** What happened to this packet, naming the resource and the rule or missing route. */
  readonly reason: string;
  /** The fault behind it, independent of this flow: what flows are grouped by. */
  readonly fault: string;
  /** `request` when the packet itself died, `reply` when it arrived and its reply died. */
  readonly path: 'request' | 'reply';
}

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
  readonly leftModel?: { readonly component: string; readonly reason: string; readonly path: 'request' | 'reply' };
}

/** One fault and the flows it breaks. */
export interface FindingCause {
  /** The fault, naming the resource to fix. */
  readonly fault: string;
  /** The component that drops the packets. */
  readonly component: string;
  /** Whether the flows die on the request, the reply, or both. */
  readonly paths: ReadonlyArray<'request' | 'reply'>;
  /** The flows it breaks. */
  readonly flows: FindingFlow[];
}

/** Everything `natlab findings` reports. */
export interface FindingsResult {
  /** The topology's name. */
  readonly topology: string;
  /** Where it came from. */
  readonly source: string;
  /** The senders (hosts inside a VPC), by name. */
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
const DEFAULT_HOST_PORT = 22;

/** The name a host goes by in the matrix: its Name tag or logical id, else its id; unique. */
function hostNamesOf(hosts: readonly Host[]): Map<Host, string> {
  const count = new Map<string, number>();
  for (const h of hosts) count.set(h.name ?? h.id, (count.get(h.name ?? h.id) ?? 0) + 1);
  return new Map(hosts.map((h) => [h, (count.get(h.name ?? h.id) ?? 0) > 1 ? h.id : (h.name ?? h.id)]));
}

function checkOptions(topology: Topology, options: FindingsOptions): void {
  const internet = options.internet ?? DEFAULT_INTERNET;
  if (!isIpv4(internet.ip) || isPrivateIp(internet.ip)) throw new InputError(`--internet "${internet.ip}" must be a public IPv4 address (it stands for any host on the internet)`);
  const owner = topology.hosts.find((h) => h.privateIp === internet.ip || h.publicIp === internet.ip) ?? topology.natGateways.find((n) => n.addresses.some((a) => a.publicIp === internet.ip));
  if (owner) throw new InputError(`--internet "${internet.ip}" belongs to ${owner.id} in topology ${topology.name}; choose an address outside the topology`);
  for (const [what, port] of [['--internet port', internet.port], ['--port', options.hostPort ?? DEFAULT_HOST_PORT]] as const) {
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new InputError(`${what} "${port}" is not a port number (1-65535)`);
  }
}

/** The verdict of a whole flow: the request's, or the reply's when the request arrived. */
function flowOf(from: string, to: string, toIp: string, protocol: Protocol, port: number | null, w: Walk): FindingFlow {
  const base = { from, to, toIp, protocol, port };
  if (w.verdict === 'dropped' && w.dropped) return { ...base, verdict: 'dropped', dropped: { ...w.dropped, fault: w.dropped.fault ?? w.dropped.reason, path: 'request' } };
  if (w.verdict === 'left-model') return { ...base, verdict: 'left-model', dropped: null, ...(w.leftModel ? { leftModel: { ...w.leftModel, path: 'request' as const } } : {}) };
  const reply = w.reply;
  if (reply?.verdict === 'dropped' && reply.dropped) return { ...base, verdict: 'dropped', dropped: { ...reply.dropped, fault: reply.dropped.fault ?? reply.dropped.reason, path: 'reply' } };
  if (reply?.verdict === 'left-model') return { ...base, verdict: 'left-model', dropped: null, ...(reply.leftModel ? { leftModel: { ...reply.leftModel, path: 'reply' as const } } : {}) };
  return { ...base, verdict: 'delivered', dropped: null };
}

/**
 * Walks every host inside a VPC to the internet and to every other host that accepts
 * connections (instances and servers; a Lambda function accepts none), for each protocol.
 */
export function findings(topology: Topology, options: FindingsOptions = {}): FindingsResult {
  checkOptions(topology, options);
  const internet = options.internet ?? DEFAULT_INTERNET;
  const hostPort = options.hostPort ?? DEFAULT_HOST_PORT;
  const protocols = options.protocols ?? (['tcp', 'icmp'] as const);
  const names = hostNamesOf(topology.hosts);
  const senders = topology.hosts.filter((h) => h.subnet !== undefined);
  const receivers = topology.hosts.filter((h) => h.kind !== 'lambda');
  const flowPorts = destinationPorts(topology);
  const flows: FindingFlow[] = [];
  for (const from of senders) {
    const fromName = names.get(from)!;
    for (const protocol of protocols) {
      const port = protocol === 'icmp' ? null : internet.port;
      const w = walk(topology, { name: `${fromName} -> internet`, protocol, from: from.id, sourcePort: 'any', to: { host: internet.ip, port: port ?? 0 } });
      flows.push(flowOf(fromName, 'internet', internet.ip, protocol, port, w));
    }
    for (const to of receivers) {
      if (to === from) continue;
      const toName = names.get(to)!;
      const toIp = resolveDestinationIp(topology, to.id, from);
      for (const protocol of protocols) {
        const port = protocol === 'icmp' ? null : (flowPorts.get(to.id) ?? hostPort);
        const w = walk(topology, { name: `${fromName} -> ${toName}`, protocol, from: from.id, sourcePort: 'any', to: { host: toIp, port: port ?? 0 } });
        flows.push(flowOf(fromName, toName, toIp, protocol, port, w));
      }
    }
  }
  return {
    topology: topology.name,
    source: topology.source,
    hosts: senders.map((h) => names.get(h)!),
    destinations: ['internet', ...receivers.map((h) => names.get(h)!)],
    internet,
    hostPort,
    protocols,
    flows,
    causes: groupByCause(flows),
  };
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

/** Failed flows grouped by fault, the fault breaking most flows first. */
export function groupByCause(flows: readonly FindingFlow[]): FindingCause[] {
  const groups = new Map<string, { fault: string; component: string; paths: Set<'request' | 'reply'>; flows: FindingFlow[] }>();
  for (const flow of flows) {
    if (!flow.dropped) continue;
    const key = `${flow.dropped.component}\u0000${flow.dropped.fault}`;
    let group = groups.get(key);
    if (!group) {
      group = { fault: flow.dropped.fault, component: flow.dropped.component, paths: new Set(), flows: [] };
      groups.set(key, group);
    }
    group.paths.add(flow.dropped.path);
    group.flows.push(flow);
  }
  return [...groups.values()]
    .map((g) => ({ fault: g.fault, component: g.component, paths: [...g.paths].sort(), flows: g.flows }))
    .sort((a, b) => b.flows.length - a.flows.length || a.fault.localeCompare(b.fault));
}
