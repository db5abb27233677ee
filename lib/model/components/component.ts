/**
 * The one small interface every simulated component has: receive a packet, record what it
 * did as hops, and decide (forward to the next component by reference, deliver, drop with a
 * typed fault, or leave the model). A walk is a loop over components resolved by one registry;
 * a new component kind is one new file and one registry line.
 */
import type { ComponentKind, Header, HopAction, HopMatch, Host, PortPrediction, Protocol, Subnet, Topology } from '../types';
import type { Fault, LeaveCause } from '../types';
import type { NatTable } from '../nat-table';

/** Where a packet comes from, which decides how a component treats it. */
export type Arrival =
  /** Sent by a host (the walk's start). */
  | { readonly kind: 'host' }
  /** Routed out of a subnet of a VPC (by that subnet's route table). */
  | { readonly kind: 'subnet'; readonly subnet: Subnet }
  /** Sent by a regional NAT Gateway straight to its VPC's Internet Gateway, or back into its VPC. */
  | { readonly kind: 'regional-nat'; readonly nat: string; readonly vpc: string }
  /** Arrived from the internet (through `gateway`, once an Internet Gateway let it in). */
  | { readonly kind: 'internet'; readonly gateway?: string };

/** A packet in flight. */
export interface Packet {
  /** Its header as it is now. */
  readonly header: Header;
  /** Where it comes from. */
  readonly arrival: Arrival;
}

/**
 * The next component, by reference: `router:<vpc>`, `nat:<id>`, `igw:<id>`, `internet`,
 * `host:<id>` (a host receiving), or any kind a registry adds (`<kind>:<id>`). One registry
 * resolves references; no component imports another.
 */
export type ComponentRef = string;

/** What a component decided. */
export type Decision =
  | { readonly kind: 'forward'; readonly to: ComponentRef; readonly packet: Packet }
  | { readonly kind: 'deliver'; readonly host: Host; readonly header: Header }
  | { readonly kind: 'drop'; readonly component: string; readonly reason: string; readonly cause: Fault }
  | { readonly kind: 'leave'; readonly component: string; readonly reason: string; readonly cause: LeaveCause };

/** A simulated component: a host, the VPC router, a NAT Gateway, an Internet Gateway, the internet. */
export interface Component {
  /** Its id in the topology ("nat-xxx", "igw-yyy", "vpc-lab", "internet"). */
  readonly id: string;
  /** Receives a packet; records hops on the trace; says where it goes next. */
  receive(packet: Packet, trace: Trace): Decision;
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

/** The component a hop belongs to, as the hop names it. */
export interface HopComponent {
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
 * What happened on the way that the article numbers (its steps 1-8 are given at the edge, by
 * `articleStep`, from these): a host sends, the packet crosses into a NAT's subnet, the NAT
 * receives, translates or reverse-translates, the IGW maps out or in, the internet carries it,
 * a host receives.
 */
export type Milestone = 'send' | 'nat-ingress' | 'nat-receive' | 'nat-translate' | 'nat-reverse' | 'igw-out' | 'igw-in' | 'internet' | 'receive';

/**
 * What one direction of a walk records and reads: the topology, whether this is the request
 * or its reply, the hops, and what the request left for its reply (NAT translations, the
 * port a Lambda function bound). A reply gets a trace of its own; nothing is reset.
 */
export interface Trace {
  /** The topology being walked. */
  readonly topology: Topology;
  /** True while walking the reply. */
  readonly isReply: boolean;
  /** Live NAT tables, when the caller simulates with them. */
  readonly nat: NatState | undefined;
  /** False when hops are not kept (only the walk's end is wanted): what only a hop needs need not be built. */
  readonly keepsHops: boolean;
  /** Translations made by NAT Gateways on the request (the reply reads them). */
  readonly translations: readonly WalkTranslation[];
  /** The source port a Lambda function bound on the request, which its Hyperplane ENI may have rewritten. */
  readonly lambdaPort: PortPrediction | undefined;
  /** The port range NAT gateways choose from: AWS's, or the local twin's `--nat-port-range`. */
  readonly natPortRange: { readonly min: number; readonly max: number };
  /** Records a hop. */
  record(component: HopComponent, action: HopAction, detail: string, before: Header, after?: Header, matched?: string, match?: HopMatch): void;
  /** Says what happened next on the article's path (numbered at the edge). */
  mark(milestone: Milestone): void;
  /** The request keeps a NAT translation for its reply. */
  keepTranslation(translation: WalkTranslation): void;
  /** Other flows this one's NAT port must differ from (by NAT, address, protocol and destination), when a prediction of several flows says so. */
  distinctFrom(key: string): readonly string[] | undefined;
  /** The request keeps the port a Lambda function bound for its reply. */
  keepLambdaPort(port: PortPrediction): void;
  /** Whether the registry knows a component kind (a route target kind the walk may forward to). */
  knows(kind: string): boolean;
}

// Header and port texts live in header-text.ts (used by filters too); re-exported for components.
export { destinationText, echoIdentifier, endpointText, headerText, icmpMessageText, portText, protocolText, samePort, sourceText } from '../header-text';
