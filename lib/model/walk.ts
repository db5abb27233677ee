/**
 * `walk`: one packet, hop by hop, from a host to a destination, then its reply on its own path
 * back. A walk is a loop over components (hosts, the VPC router, NAT Gateway, Internet Gateway,
 * the internet), each recording what it looked up or rewrote.
 */
import { InputError } from '../errors';
import { isIpv4, isIpv6, isPrivateIp, isUnresolvedIp } from './address';
import type { Component, Decision, NatState, Packet } from './components/component';
import { ANY_PORT, HostSender } from './components/host';
import { type ComponentRegistry, DEFAULT_REGISTRY } from './components/registry';
import { DirectionTrace, type RequestMemory } from './components/trace';
import { explainFaultOnce as explainFault } from './faults';
import { findHosts, hostVpc, onInterface, publicOwner, resolveHost } from './hosts';
import { NatTable, type NatTableOptions } from './nat-table';
import { NAT_PORT_RANGE } from './rules';
import type { Fault, FlowSpec, Header, Host, PortPrediction, Protocol, ReplyWalk, Topology, TranslationEntry, Walk, WalkEnd, WalkVerdict } from './types';

/** A walk asked for on the command line: like a FlowSpec, the name optional. */
export interface WalkRequest {
  /** A name for the flow in reports (default: "from -> to:port"). */
  readonly name?: string;
  /** tcp, udp or icmp. */
  readonly protocol: Protocol;
  /** A host reference (IP, instance id, ENI id, name), or an IP on the internet ("8.8.8.8"). */
  readonly from: string;
  /** The source port the sender binds, or `any` (the sender's OS chooses). */
  readonly sourcePort: number | 'any';
  /** Destination: an IP or host reference, and a port. */
  readonly to: { readonly host: string; readonly port: number };
}

/** Options of a walk. */
export interface WalkOptions {
  /**
   * Live NAT tables for simulations: NAT Gateways then allocate real ports (exact, distinct,
   * limited) instead of predicting a range.
   * @default - ports a NAT chooses are predicted as the range 1024-65535
   */
  readonly nat?: NatState;
  /**
   * Walk the reply too.
   * @default true
   */
  readonly reply?: boolean;
  /**
   * Keep the hops. Without them a walk still says how it ended and why (verdicts, drops and
   * translations); `findings` walks tens of thousands of flows for their reasons alone.
   * @default true
   */
  readonly hops?: boolean;
  /**
   * The source port range NAT Gateways choose from: the local twin's `--nat-port-range`, so
   * the model predicts what the twin it is held against does.
   * @default - AWS's 1024-65535
   */
  readonly natPortRange?: { readonly min: number; readonly max: number };
  /**
   * The component kinds the walk resolves references with (a test adds a toy kind).
   * @default - the model's own kinds (router, nat, igw, internet, host)
   */
  readonly registry?: ComponentRegistry;
}

/** The most components a packet may pass before the walk calls it a routing loop. */
const MAX_FORWARDS = 64;

const PROTOCOLS: readonly Protocol[] = ['tcp', 'udp', 'icmp'];

/** ICMP types of an echo (ping): the request and the reply it gets. */
const ICMP_ECHO_REQUEST = 8;
const ICMP_ECHO_REPLY = 0;
/** The identifier of an echo whose sender's choice is not known: any 16-bit value. */
const ANY_IDENTIFIER = { min: 0, max: 65535 } as const;

function checkPort(value: number, what: string): void {
  if (!Number.isInteger(value) || value < 0 || value > 65535) throw new InputError(`${what} "${value}" is not a port number (0-65535)`);
}

/** The sender of a walk: a host of the topology, or an address on the internet. */
export function resolveSource(topology: Topology, ref: string): Host {
  const found = findHosts(topology, ref);
  // A host sends from the interface the reference names (an ENI id or address of eth1), else its primary one.
  if (found.length >= 1) return onInterface(resolveHost(topology, ref), ref);
  if (isIpv4(ref)) {
    // A NAT gateway's address, private or public, only translates: it starts no connection.
    const owner = publicOwner(topology, ref);
    const nat = owner?.kind === 'nat' ? owner.nat : topology.natGateways.find((n) => n.addresses.some((a) => a.privateIp === ref));
    if (nat) throw new InputError(`--from ${ref} is NAT gateway ${nat.id}'s ${owner ? 'public' : 'private'} address, which starts and accepts no connection (it only translates); a walk starts at a host`);
    if (isPrivateIp(ref)) return resolveHost(topology, ref); // a private IP must be a known host
    return { id: ref, name: ref, kind: 'external', privateIp: ref, securityGroups: [] };
  }
  return resolveHost(topology, ref);
}

/** The destination address of a walk: an IP as given, or the address a host is reached at from the sender. */
export function resolveDestinationIp(topology: Topology, ref: string, source: Host): string {
  if (isIpv4(ref) || isUnresolvedIp(ref) || isIpv6(ref)) return ref;
  return hostAddressFrom(topology, resolveHost(topology, ref), source);
}

/**
 * The address a host is reached at from a sender: its private IP from inside its own VPC, else
 * its public IP when it has one (a host on the internet has only the one address).
 */
export function hostAddressFrom(topology: Topology, host: Host, source: Host): string {
  if (!host.subnet) return host.privateIp;
  const sameVpc = source.subnet !== undefined && hostVpc(topology, source) === hostVpc(topology, host);
  return sameVpc ? host.privateIp : host.publicIp ?? host.privateIp;
}

/** Runs one direction: components by reference, resolved by the registry, until one decides otherwise than forward. */
function run(trace: DirectionTrace, registry: ComponentRegistry, start: Component, packet: Packet): Decision {
  let decision = start.receive(packet, trace);
  let forwards = 0;
  while (decision.kind === 'forward') {
    if (++forwards > MAX_FORWARDS) {
      const reason = `routing loop: the packet passed ${MAX_FORWARDS} components without arriving`;
      return { kind: 'drop', component: decision.to.slice(decision.to.indexOf(':') + 1), reason, cause: { kind: 'routing-loop', limit: MAX_FORWARDS } };
    }
    decision = registry.resolve(decision.to, trace.topology).receive(decision.packet, trace);
  }
  if (decision.kind !== 'deliver') {
    const last = trace.last;
    if (!last || (last.action !== 'drop' && last.action !== 'leave-model')) {
      const header = last?.after ?? packet.header;
      trace.record({ id: decision.component, kind: last?.component.kind ?? 'host' }, decision.kind === 'drop' ? 'drop' : 'leave-model', decision.reason, header);
    }
  }
  return decision;
}

/** How a direction ended, with the fault rendered from its typed cause (the explainer, at the edge). */
function ending(topology: Topology, decision: Decision): { verdict: WalkVerdict; dropped: WalkEnd | null; leftModel: WalkEnd | null } {
  if (decision.kind === 'drop') return { verdict: 'dropped', dropped: { component: decision.component, reason: decision.reason, fault: explainFault(topology, decision.cause), cause: decision.cause }, leftModel: null };
  if (decision.kind === 'leave') return { verdict: 'left-model', dropped: null, leftModel: { component: decision.component, reason: decision.reason, cause: decision.cause } };
  return { verdict: 'delivered', dropped: null, leftModel: null };
}

/** Walks one packet and its reply. Bad references or ports are bad input (InputError). */
export function walk(topology: Topology, request: FlowSpec | WalkRequest, options: WalkOptions = {}): Walk {
  return walkWithPorts(topology, request, options, undefined);
}

/**
 * A walk whose NAT port ranges name the flows they must differ from (`predict` passes them,
 * keyed by `natPortKey`, once it knows which flows share a NAT address and destination).
 */
export function walkWithPorts(topology: Topology, request: FlowSpec | WalkRequest, options: WalkOptions, distinctFrom: ReadonlyMap<string, readonly string[]> | undefined): Walk {
  if (!PROTOCOLS.includes(request.protocol)) throw new InputError(`protocol "${request.protocol}" is not one of ${PROTOCOLS.join(', ')}`);
  if (request.sourcePort !== 'any') checkPort(request.sourcePort, 'source port');
  checkPort(request.to.port, 'destination port');
  const source = resolveSource(topology, request.from);
  // A sender on the internet that the topology does not list still receives its replies.
  // (A host seen on a further interface is a view of a listed host, known by its id.)
  if (!topology.hosts.includes(source) && !topology.hosts.some((h) => h.id === source.id)) topology = { ...topology, hosts: [...topology.hosts, source] };
  const dstIp = resolveDestinationIp(topology, request.to.host, source);
  // An ICMP echo request carries its identifier where TCP carries the source port, and no destination port.
  const icmp = request.protocol === 'icmp';
  const srcPort: PortPrediction = request.sourcePort !== 'any' ? { exact: request.sourcePort } : icmp ? { ...ANY_IDENTIFIER } : { ...ANY_PORT };
  const header: Header = icmp
    ? { protocol: 'icmp', srcIp: source.privateIp, srcPort, dstIp, dstPort: { exact: 0 }, icmp: { type: ICMP_ECHO_REQUEST, code: 0 } }
    : { protocol: request.protocol, srcIp: source.privateIp, srcPort, dstIp, dstPort: { exact: request.to.port } };
  const name = request.name ?? (icmp ? `${request.from} -> ${request.to.host} (icmp echo)` : `${request.from} -> ${request.to.host}:${request.to.port}`);

  const registry = options.registry ?? DEFAULT_REGISTRY;
  const kinds = (kind: string): boolean => registry.has(kind);
  const stepsEnabled = source.subnet !== undefined;
  const keepHops = options.hops !== false;
  const memory: RequestMemory = { translations: [], distinctFrom };
  const natPorts = options.natPortRange ?? NAT_PORT_RANGE;
  const requestTrace = new DirectionTrace(topology, false, options.nat, memory, stepsEnabled, keepHops, kinds, natPorts);
  const forward = run(requestTrace, registry, new HostSender(source), { header, arrival: { kind: 'host' } });
  const hops = requestTrace.hops;
  const end = ending(topology, forward);

  let reply: ReplyWalk | null = null;
  if (forward.kind === 'deliver' && options.reply !== false) {
    // The reply gets its own trace; it reads what the request kept (translations, a Lambda's port).
    const replyTrace = new DirectionTrace(topology, true, options.nat, memory, stepsEnabled, keepHops, kinds, natPorts);
    const seen = forward.header;
    const replyHeader: Header = {
      protocol: seen.protocol,
      srcIp: seen.dstIp,
      srcPort: seen.dstPort,
      dstIp: seen.srcIp,
      dstPort: seen.srcPort,
      ...(seen.icmp ? { icmp: { type: seen.icmp.type === ICMP_ECHO_REQUEST ? ICMP_ECHO_REPLY : seen.icmp.type, code: seen.icmp.code } } : {}),
    };
    const back = run(replyTrace, registry, new HostSender(forward.host), { header: replyHeader, arrival: { kind: 'host' } });
    let replyEnd = ending(topology, back);
    if (back.kind === 'deliver' && back.host.id !== source.id) {
      const reason = `the reply reached ${back.host.id}, not the sender ${source.id}`;
      const cause: Fault = { kind: 'reply-elsewhere', host: back.host.id, sender: source.id };
      replyEnd = { verdict: 'dropped', dropped: { component: back.host.id, reason, fault: explainFault(topology, cause), cause }, leftModel: null };
    }
    reply = { verdict: replyEnd.verdict, hops: replyTrace.hops, dropped: replyEnd.dropped, ...(replyEnd.leftModel ? { leftModel: replyEnd.leftModel } : {}) };
  }

  const translations: TranslationEntry[] = memory.translations.map((t) => ({
    component: t.component,
    protocol: t.protocol,
    inside: t.inside,
    outside: t.outside,
    destination: { ip: t.destination.ip, port: 'exact' in t.destination.port ? t.destination.port.exact : t.destination.port.min },
  }));

  return {
    flow: { name, protocol: request.protocol, from: { host: source.name ?? source.id, ip: source.privateIp, port: srcPort }, to: { ip: dstIp, port: icmp ? 0 : request.to.port } },
    verdict: end.verdict,
    dropped: end.dropped,
    ...(end.leftModel ? { leftModel: end.leftModel } : {}),
    hops,
    observedAtDestination: forward.kind === 'deliver' ? { srcIp: forward.header.srcIp, srcPort: forward.header.srcPort } : null,
    reply,
    translations,
  };
}

/** Live NAT tables for every NAT Gateway of a topology, ready to pass as `WalkOptions.nat`. */
export interface NatSimulation extends NatState {
  /** The table of each NAT Gateway, by id. */
  readonly tables: ReadonlyMap<string, NatTable>;
}

/**
 * One NatTable per NAT Gateway of the topology (its addresses, primary first), for walks that
 * allocate real ports. Advance time by passing `{ ...simulation, now }` to later walks: an
 * entry idle for 350 s is refreshed no more (its reply is dropped), and a destination whose
 * ports are all taken frees those idle entries when the next connection needs one. Call
 * `table.expire(now)` to remove every idle entry at once.
 */
export function natSimulation(topology: Topology, options: Omit<NatTableOptions, 'addresses'> & { readonly now?: number } = {}): NatSimulation {
  const { now = 0, ...tableOptions } = options;
  const tables = new Map<string, NatTable>();
  for (const nat of topology.natGateways) {
    const addresses = [...nat.addresses].sort((a, b) => Number(b.isPrimary) - Number(a.isPrimary)).map((a) => a.privateIp);
    if (addresses.length > 0) tables.set(nat.id, new NatTable({ ...tableOptions, addresses }));
  }
  return { tables, now, table: (id) => tables.get(id) };
}
