/**
 * The one small interface every simulated component has: receive a packet, record what it
 * did as hops, and decide (forward to the next component, deliver, drop, or leave the model).
 * A walk is a loop over components; a new component kind is one new file.
 */
import type { ComponentKind, Header, Hop, HopAction, Host, PortPrediction, Protocol, Subnet, Topology } from '../types';
import type { NatTable } from '../nat-table';

/** Where a packet comes from, which decides how a component treats it. */
export type Arrival =
  /** Sent by a host (the walk's start). */
  | { readonly kind: 'host' }
  /** Routed out of a subnet of a VPC (by that subnet's route table). */
  | { readonly kind: 'subnet'; readonly subnet: Subnet }
  /** Sent by a regional NAT Gateway straight to its VPC's Internet Gateway. */
  | { readonly kind: 'regional-nat'; readonly nat: string; readonly vpc: string }
  /** Arrived from the internet. */
  | { readonly kind: 'internet' };

/** A packet in flight. */
export interface Packet {
  /** Its header as it is now. */
  readonly header: Header;
  /** Where it comes from. */
  readonly arrival: Arrival;
}

/** What a component decided. */
export type Decision =
  | { readonly kind: 'forward'; readonly to: Component; readonly packet: Packet }
  | { readonly kind: 'deliver'; readonly host: Host; readonly header: Header }
  | { readonly kind: 'drop'; readonly component: string; readonly reason: string; readonly fault?: string }
  | { readonly kind: 'leave'; readonly component: string; readonly reason: string };

/** A simulated component: a host, a NAT Gateway, an Internet Gateway, the internet. */
export interface Component {
  /** Its id in the topology ("nat-xxx", "igw-yyy", "internet"). */
  readonly id: string;
  /** What kind of component it is. */
  readonly kind: ComponentKind;
  /** Receives a packet; records hops on the context; says where it goes next. */
  receive(packet: Packet, ctx: WalkContext): Decision;
}

/** A translation a NAT Gateway made during a walk, kept so the reply can be mapped back. */
export interface WalkTranslation {
  /** The NAT Gateway id. */
  readonly component: string;
  /** Protocol of the connection. */
  readonly protocol: Protocol;
  /** The inside host's address and port. */
  readonly inside: { readonly ip: string; readonly port: PortPrediction };
  /** The NAT address and port it became. */
  readonly outside: { readonly ip: string; readonly port: PortPrediction };
  /** The destination it was made towards. */
  readonly destination: { readonly ip: string; readonly port: PortPrediction };
}

/** Live NAT tables for simulations: a port is then allocated for real and known exactly. */
export interface NatState {
  /** The table of a NAT Gateway (created on demand by the caller's function). */
  readonly table: (natId: string) => NatTable | undefined;
  /** The current time in seconds (injected; the walk never reads the clock). */
  readonly now: number;
}

/** A reference to a component for a hop. */
export interface ComponentRef {
  /** Its id. */
  readonly id: string;
  /** Its kind. */
  readonly kind: ComponentKind;
  /** A readable name, when it has one. */
  readonly name?: string;
  /** Security groups and network ACLs: the side evaluated. */
  readonly side?: 'ingress' | 'egress';
}

/**
 * What a walk carries from component to component: the topology, the hop log of the current
 * direction, the article step the walk is in, and the translations made so far.
 */
export class WalkContext {
  /** Hops of the direction being walked. */
  hops: Hop[] = [];
  /** The article step (1-8) the next hops belong to; undefined when steps do not apply. */
  step: number | undefined;
  /** True while walking the reply. */
  isReply = false;
  /** Translations made by NAT Gateways (forward), looked up by the reply. */
  readonly translations: WalkTranslation[] = [];
  /** Forwards taken so far, to stop routing loops. */
  forwards = 0;
  /** The source port a Lambda function bound, which its Hyperplane ENI may have rewritten. */
  lambdaPort: PortPrediction | undefined;
  private readonly cache = new Map<string, Component>();

  constructor(
    /** The topology being walked. */
    readonly topology: Topology,
    /** Whether hops get article step numbers (walks that start at a VPC host). */
    readonly stepsEnabled: boolean,
    /** Live NAT tables, when the caller simulates with them. */
    readonly nat: NatState | undefined,
    /** False when only the walk's end is wanted: no hop is kept. */
    readonly keepHops = true,
    /** The port range NAT gateways choose from, when not AWS's. */
    readonly natPortRange?: { readonly min: number; readonly max: number },
  ) {}

  /** Moves the walk into an article step (no-op when steps do not apply). */
  enter(step: number): void {
    if (this.stepsEnabled) this.step = step;
  }

  /** Records a hop. */
  record(component: ComponentRef, action: HopAction, detail: string, before: Header, after: Header = before, matched?: string): void {
    if (!this.keepHops) return;
    // One object literal with a fixed shape (absent fields left undefined, which JSON omits)
    // rather than conditional spreads: a findings run records about a million hops.
    const hop: Hop = {
      index: this.hops.length + 1,
      step: this.step,
      component: { id: component.id, kind: component.kind, name: component.name, side: component.side },
      action,
      detail,
      matched,
      before,
      after,
    };
    this.hops.push(hop);
  }

  /** One instance per component id for the whole walk. */
  component<C extends Component>(key: string, make: () => C): C {
    let found = this.cache.get(key);
    if (!found) {
      found = make();
      this.cache.set(key, found);
    }
    return found as C;
  }
}

/** Formats an address and port prediction: "10.0.0.226:<1024-65535>", "10.0.1.32:32222". */
export function endpointText(ip: string, port: PortPrediction): string {
  return `${ip}:${portText(port)}`;
}

/** Formats a port prediction: "32222" or "<1024-65535>". */
export function portText(port: PortPrediction): string {
  return 'exact' in port ? String(port.exact) : `<${port.min}-${port.max}>`;
}

/** ICMP message names the model speaks of (echo request 8, echo reply 0). */
const ICMP_TYPE_NAMES: Readonly<Record<number, string>> = { 0: 'echo-reply', 8: 'echo-request' };

/**
 * Names an ICMP message: "echo-request", "echo-reply", "type 3 code 4"; an echo with an
 * unusual code keeps it ("echo-request code 1").
 */
export function icmpMessageText(icmp: { readonly type: number; readonly code: number }): string {
  const name = ICMP_TYPE_NAMES[icmp.type];
  if (name === undefined) return `type ${icmp.type} code ${icmp.code}`;
  return icmp.code === 0 ? name : `${name} code ${icmp.code}`;
}

/**
 * The ICMP echo identifier of a header: the source "port" of a request, the destination "port"
 * of a reply (undefined for TCP, UDP and other ICMP messages).
 */
export function echoIdentifier(h: Header): PortPrediction | undefined {
  if (h.protocol !== 'icmp' || h.icmp === undefined) return undefined;
  if (h.icmp.type === 8) return h.srcPort;
  if (h.icmp.type === 0) return h.dstPort;
  return undefined;
}

/**
 * The source of a header as a person reads it: "10.0.1.32:32222" for TCP and UDP, "10.0.1.32
 * id 4711" for an ICMP echo request (the identifier), the bare address for an ICMP reply.
 */
export function sourceText(h: Header): string {
  if (h.protocol !== 'icmp') return endpointText(h.srcIp, h.srcPort);
  return h.icmp?.type === 8 ? `${h.srcIp} id ${portText(h.srcPort)}` : h.srcIp;
}

/** The destination of a header as a person reads it (see `sourceText`): the identifier sits on a reply's destination. */
export function destinationText(h: Header): string {
  if (h.protocol !== 'icmp') return endpointText(h.dstIp, h.dstPort);
  return h.icmp?.type === 0 ? `${h.dstIp} id ${portText(h.dstPort)}` : h.dstIp;
}

/** The protocol of a header, with the ICMP message: "tcp", "icmp echo-request". */
export function protocolText(h: Header): string {
  return h.protocol === 'icmp' && h.icmp !== undefined ? `icmp ${icmpMessageText(h.icmp)}` : h.protocol;
}

/**
 * Formats a header: "tcp 10.0.1.32:32222 -> 44.198.164.163:8080", "icmp echo-request 10.0.1.32
 * id 4711 -> 8.8.8.8", "icmp echo-reply 8.8.8.8 -> 10.0.1.32 id <1024-65535>".
 */
export function headerText(h: Header): string {
  return `${protocolText(h)} ${sourceText(h)} -> ${destinationText(h)}`;
}

/** True when two port predictions denote the same value (same exact port or same range). */
export function samePort(a: PortPrediction, b: PortPrediction): boolean {
  if ('exact' in a) return 'exact' in b && a.exact === b.exact;
  return !('exact' in b) && a.min === b.min && a.max === b.max;
}
