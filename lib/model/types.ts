/**
 * The model's vocabulary: one `Topology` that every source produces and every consumer
 * takes, and the shapes a walk, a prediction, an observation and a verdict have.
 * Pure data: no AWS SDK or CDK types, no AWS JSON field names.
 */

export type Protocol = 'tcp' | 'udp' | 'icmp';

/**
 * An IPv4 address in dotted-quad form, or a value that only exists after deploy written as
 * `<where it comes from>` (for example `<Fn::GetAtt LabNatEip.PublicIp>`). Use
 * `isUnresolvedIp` / `unresolvedIp` from `./address` rather than parsing the brackets.
 */
export type IpValue = string;

// ---------------------------------------------------------------- topology

export interface Topology {
  /** A short name for reports ("seed", a stack name, a dump folder). */
  readonly name: string;
  /** Where the topology came from, for reports ("built-in seed", "cdk.out/X.template.json"). */
  readonly source: string;
  readonly region?: string;
  readonly vpcs: Vpc[];
  readonly subnets: Subnet[];
  readonly routeTables: RouteTable[];
  readonly natGateways: NatGateway[];
  readonly internetGateways: InternetGateway[];
  /** Instances, Lambda ENIs and external hosts (the server on the internet). */
  readonly hosts: Host[];
  readonly securityGroups: SecurityGroup[];
  readonly networkAcls: NetworkAcl[];
  /** The flows `predict` walks (seed: both private clients and the direct client). */
  readonly flows: FlowSpec[];
  /**
   * Managed prefix lists that routes (gateway endpoints) and security group rules name.
   * @default - none
   */
  readonly prefixLists?: PrefixList[];
  /**
   * VPC endpoints (gateway endpoints are route targets; interface endpoints own network interfaces).
   * @default - none
   */
  readonly vpcEndpoints?: VpcEndpoint[];
  /**
   * Egress-only internet gateways (IPv6 outbound only); carried until IPv6 walks exist.
   * @default - none
   */
  readonly egressOnlyInternetGateways?: EgressOnlyInternetGateway[];
}

/** A managed prefix list (`pl-...`): a named set of CIDRs a route or a rule can point at. */
export interface PrefixList {
  readonly id: string;
  readonly name?: string;
  /** Its entries (IPv4 and IPv6 CIDRs as listed); empty when `entriesKnown` is false. */
  readonly cidrs: string[];
  /**
   * False when the source named the list but did not hold its entries (no
   * `get-managed-prefix-list-entries` output): routes to it cannot be matched, only named.
   * @default true
   */
  readonly entriesKnown?: boolean;
}

/** A VPC endpoint: a gateway endpoint is a route target, an interface endpoint has ENIs. */
export interface VpcEndpoint {
  readonly id: string;
  readonly name?: string;
  readonly vpc: string;
  readonly type: 'gateway' | 'interface' | 'gateway-load-balancer' | 'resource' | 'service-network';
  /** The AWS service or endpoint service ("com.amazonaws.us-east-1.s3"). */
  readonly serviceName: string;
  /**
   * Gateway endpoints: the route tables it adds a route to.
   * @default - none
   */
  readonly routeTables?: string[];
  /**
   * Interface endpoints: the network interfaces it owns.
   * @default - none
   */
  readonly networkInterfaces?: string[];
  /**
   * Gateway endpoints: the prefix list of the service's addresses.
   * @default - unknown
   */
  readonly prefixList?: string;
}

/** An egress-only internet gateway (IPv6). */
export interface EgressOnlyInternetGateway {
  readonly id: string;
  readonly name?: string;
  /** @default - detached */
  readonly vpc?: string;
}

export interface Vpc {
  readonly id: string;
  readonly name?: string;
  /** Primary CIDR first, then any associated secondary CIDRs. */
  readonly cidrs: string[];
  /** The main route table, used by subnets with no explicit association. */
  readonly mainRouteTable?: string;
  /** The default network ACL, used by subnets with no explicit association (absent: allow all). */
  readonly defaultNetworkAcl?: string;
  /**
   * IPv6 CIDR blocks (an unresolved `<...>` value before deploy). Carried, not walked yet.
   * @default - none
   */
  readonly ipv6Cidrs?: string[];
  /**
   * The account that owns the VPC (a VPC shared across accounts is one VPC).
   * @default - unknown
   */
  readonly ownerId?: string;
}

export interface Subnet {
  readonly id: string;
  readonly name?: string;
  readonly vpc: string;
  readonly cidr: string;
  readonly az: string;
  /** Explicitly associated route table; absent means the VPC's main route table. */
  readonly routeTable?: string;
  /**
   * Every route table the source associates with this subnet, when it names more than one
   * (AWS allows one: the topology check refuses this).
   * @default - only `routeTable`
   */
  readonly routeTableAssociations?: string[];
  /** Explicitly associated network ACL; absent means the VPC's default ACL. */
  readonly networkAcl?: string;
  readonly mapPublicIp?: boolean;
  /**
   * The subnet's IPv6 CIDR block (an unresolved `<...>` value before deploy).
   * @default - none
   */
  readonly ipv6Cidr?: string;
  /**
   * Whether instances launched here get an IPv6 address.
   * @default false
   */
  readonly assignIpv6OnCreation?: boolean;
}

export type RouteTarget =
  | { readonly kind: 'local' }
  | { readonly kind: 'igw'; readonly id: string }
  | { readonly kind: 'nat'; readonly id: string }
  | { readonly kind: 'eni'; readonly id: string }
  | { readonly kind: 'instance'; readonly id: string }
  | { readonly kind: 'peering'; readonly id: string }
  | { readonly kind: 'tgw'; readonly id: string }
  | { readonly kind: 'vgw'; readonly id: string }
  | { readonly kind: 'egress-only-igw'; readonly id: string }
  /** A gateway endpoint (S3, DynamoDB): the packet leaves the model there. */
  | { readonly kind: 'vpc-endpoint'; readonly id: string }
  | { readonly kind: 'blackhole' }
  /** Any target type the model does not know (carrier gateway, gateway endpoint, ...). */
  | { readonly kind: 'other'; readonly id: string; readonly type: string };

export interface Route {
  /**
   * Destination: an IPv4 CIDR ("0.0.0.0/0", "10.0.0.0/16"), or as `destinationKind` says, an
   * IPv6 CIDR ("::/0") or a prefix list id ("pl-63a5400a").
   */
  readonly destination: string;
  /**
   * What `destination` holds.
   * @default 'ipv4'
   */
  readonly destinationKind?: 'ipv4' | 'ipv6' | 'prefix-list';
  readonly target: RouteTarget;
}

export interface RouteTable {
  readonly id: string;
  readonly name?: string;
  readonly vpc: string;
  /** Routes as configured; the model adds nothing (sources include the `local` routes). */
  readonly routes: Route[];
}

export type NatConnectivity = 'public' | 'private';

export interface NatAddress {
  readonly privateIp: string;
  /** The Elastic IP of a public NAT Gateway; an unresolved `IpValue` before deploy. */
  readonly publicIp?: IpValue;
  readonly allocationId?: string;
  readonly isPrimary: boolean;
  /** Regional NAT Gateways: the AZ whose traffic this address serves. */
  readonly az?: string;
}

export interface NatGateway {
  readonly id: string;
  readonly name?: string;
  readonly vpc: string;
  /** The subnet the NAT's ENI sits in (absent for a regional NAT Gateway). */
  readonly subnet?: string;
  readonly connectivity: NatConnectivity;
  /** `regional` NAT Gateways need no public subnet and choose the address by source AZ. */
  readonly availabilityMode: 'zonal' | 'regional';
  /** Primary first, then secondary addresses (at most 8 in all). */
  readonly addresses: NatAddress[];
  /** The NAT's ENI id, when the source knows it. */
  readonly eniId?: string;
}

export interface InternetGateway {
  readonly id: string;
  readonly name?: string;
  /** The VPC it is attached to; absent when detached. */
  readonly vpc?: string;
}

/**
 * What a host is. `load-balancer`, `interface-endpoint`, `transit-gateway-attachment` and
 * `network-interface` (any other requester-managed or unattached ENI) are interfaces a flow can
 * reach but the model does not simulate beyond: a walk to them leaves the model there, named.
 */
export type HostKind =
  | 'instance'
  | 'lambda'
  | 'server'
  | 'external'
  | 'load-balancer'
  | 'interface-endpoint'
  | 'transit-gateway-attachment'
  | 'network-interface';

/** A further network interface of a host (an instance's second and third ENIs). */
export interface HostInterface {
  readonly eniId: string;
  readonly subnet: string;
  readonly privateIp: string;
  /** @default - none */
  readonly secondaryPrivateIps?: string[];
  /** Public IPv4 (auto-assigned or Elastic IP) of this interface. @default - none */
  readonly publicIp?: IpValue;
  readonly securityGroups: string[];
  /** @default - none */
  readonly ipv6Addresses?: string[];
  /** The interface's device index on its instance. @default - unknown */
  readonly deviceIndex?: number;
}

export interface Host {
  /** Unique id: an instance id, ENI id or scenario name. */
  readonly id: string;
  /** Name tag or scenario name ("client-a", "server"). */
  readonly name?: string;
  readonly kind: HostKind;
  /** Subnet id for hosts inside a VPC; absent for hosts on the internet. */
  readonly subnet?: string;
  /** Private IP inside a VPC, or the public address of an external host. */
  readonly privateIp: string;
  /** Public IPv4 (auto-assigned or Elastic IP) mapped 1:1 by the IGW. */
  readonly publicIp?: IpValue;
  readonly securityGroups: string[];
  readonly instanceId?: string;
  readonly eniId?: string;
  /** Other names a user may use for the host (ENI ids, secondary names). */
  readonly aliases?: string[];
  /**
   * Further private IPv4 addresses of the primary interface; the host answers to each.
   * @default - none
   */
  readonly secondaryPrivateIps?: string[];
  /**
   * IPv6 addresses of the primary interface. Carried, not walked yet.
   * @default - none
   */
  readonly ipv6Addresses?: string[];
  /**
   * The host's other network interfaces, each with its own subnet, security groups and addresses.
   * @default - the primary interface only
   */
  readonly interfaces?: HostInterface[];
  /**
   * For a requester-managed interface: what it belongs to, as AWS describes it
   * ("ELB net/web-nlb/3f1c...", "vpce-0a1b... (com.amazonaws.us-east-1.ssm)").
   * @default - none
   */
  readonly service?: string;
}

export type RuleProtocol = Protocol | 'all';

export interface SecurityGroupRule {
  readonly protocol: RuleProtocol;
  /** Inclusive port range of a tcp or udp rule; absent means all ports (ICMP uses icmpType/icmpCode). */
  readonly fromPort?: number;
  readonly toPort?: number;
  /** Peer: one of cidr, securityGroup, prefixList. */
  readonly cidr?: string;
  readonly securityGroup?: string;
  readonly prefixList?: string;
  /**
   * An IPv6 peer (`CidrIpv6`). Carried; an IPv4 packet never matches it.
   * @default - none
   */
  readonly cidrIpv6?: string;
  readonly description?: string;
  /**
   * ICMP rules: the ICMP type this rule admits (8 echo request, 0 echo reply).
   * @default - every type (AWS writes -1)
   */
  readonly icmpType?: number;
  /**
   * ICMP rules: the ICMP code this rule admits.
   * @default - every code (AWS writes -1)
   */
  readonly icmpCode?: number;
}

export interface SecurityGroup {
  readonly id: string;
  readonly name?: string;
  readonly vpc?: string;
  readonly ingress: SecurityGroupRule[];
  readonly egress: SecurityGroupRule[];
}

export interface NetworkAclRule {
  readonly ruleNumber: number;
  readonly protocol: RuleProtocol;
  readonly action: 'allow' | 'deny';
  /** IPv4 CIDR, or an IPv6 CIDR ("::/0") which an IPv4 packet never matches. */
  readonly cidr: string;
  readonly fromPort?: number;
  readonly toPort?: number;
  /**
   * ICMP rules: the ICMP type this rule admits (8 echo request, 0 echo reply).
   * @default - every type (AWS writes -1)
   */
  readonly icmpType?: number;
  /**
   * ICMP rules: the ICMP code this rule admits.
   * @default - every code (AWS writes -1)
   */
  readonly icmpCode?: number;
}

export interface NetworkAcl {
  readonly id: string;
  readonly name?: string;
  readonly vpc: string;
  readonly isDefault: boolean;
  /** Rules as configured; the model appends the implicit final deny (`*`). */
  readonly ingress: NetworkAclRule[];
  readonly egress: NetworkAclRule[];
}

/** A flow a scenario defines for `predict`, `lab` and `verify`. */
export interface FlowSpec {
  readonly name: string;
  readonly protocol: Protocol;
  /** A host reference: IP, instance id, ENI id or host name. */
  readonly from: string;
  /** The source port the client binds, or `any` (ephemeral, chosen by the client's OS). */
  readonly sourcePort: number | 'any';
  /** Destination address (IP or host reference) and port. */
  readonly to: { readonly host: string; readonly port: number };
  /** Flows with the same group start at the same time (the seed's two clients). */
  readonly group?: string;
  /**
   * What the flow is meant to show: `dropped` for a scenario built to show a drop (of the
   * request or of its reply). `natlab predict` fails only when a walk differs from this.
   * @default 'delivered'
   */
  readonly expect?: 'delivered' | 'dropped';
}

// ---------------------------------------------------------------- walking

/** A port the model knows exactly, or a range with the constraints it does know. */
export type PortPrediction =
  | { readonly exact: number }
  | { readonly min: number; readonly max: number; readonly distinctFrom?: string[] };

/**
 * A packet's header. For ICMP echo, `srcPort` carries the echo identifier of a request (the
 * value a NAT Gateway translates, as it translates a TCP source port) and `dstPort` is
 * `{ exact: 0 }`; a reply swaps them, as it swaps ports.
 */
export interface Header {
  readonly protocol: Protocol;
  readonly srcIp: IpValue;
  readonly srcPort: PortPrediction;
  readonly dstIp: IpValue;
  readonly dstPort: PortPrediction;
  /**
   * ICMP only: the message type and code (echo request 8/0, echo reply 0/0).
   * @default - absent for TCP and UDP
   */
  readonly icmp?: { readonly type: number; readonly code: number };
}

export type ComponentKind =
  | 'host'
  | 'subnet-router'
  | 'route-table'
  | 'network-acl'
  | 'security-group'
  | 'nat-gateway'
  | 'internet-gateway'
  | 'internet'
  | 'server';

export type HopAction = 'send' | 'route' | 'filter' | 'translate' | 'forward' | 'receive' | 'deliver' | 'drop' | 'leave-model';

export interface Hop {
  /** 1-based position in this walk. */
  readonly index: number;
  /** The article's step (1-8) this hop belongs to, when it belongs to one. */
  readonly step?: number;
  readonly component: {
    readonly id: string;
    readonly kind: ComponentKind;
    readonly name?: string;
    /**
     * For a security group or network ACL: the side it was evaluated on (a host's ingress or
     * egress, a subnet boundary crossed inwards or outwards).
     * @default - absent for other components
     */
    readonly side?: 'ingress' | 'egress';
  };
  readonly action: HopAction;
  /** One sentence a person reads: what was looked up or rewritten, and why. */
  readonly detail: string;
  /** The route or rule that decided, as written ("0.0.0.0/0 -> nat-0a1b", "rule 100 allow"). */
  readonly matched?: string;
  readonly before: Header;
  readonly after: Header;
  /**
   * The route or rules that decided, as data: what the report and findings read (`matched` is
   * its text).
   * @default - absent for hops no route or rule decided
   */
  readonly match?: HopMatch;
}

/** The route or rules that decided a hop. */
export type HopMatch =
  /** A route of a route table (longest prefix). */
  | { readonly kind: 'route'; readonly table: string; readonly destination: string; readonly target: RouteTarget }
  /** Network ACL rules, by number (`*` the implicit deny), on one side of a subnet boundary. */
  | { readonly kind: 'network-acl'; readonly acl: string; readonly side: 'ingress' | 'egress'; readonly rules: ReadonlyArray<number | '*'> }
  /** A host's security groups on one side (`stateful`: the reply of an allowed connection). */
  | { readonly kind: 'security-group'; readonly groups: readonly string[]; readonly side: 'ingress' | 'egress'; readonly stateful?: boolean };

export type WalkVerdict = 'delivered' | 'dropped' | 'left-model';

export interface WalkEnd {
  /** The component that dropped the packet (or where it left the model). */
  readonly component: string;
  /** One sentence about this packet: what dropped it and why, naming the resource and the rule or missing route. */
  readonly reason: string;
  /**
   * The fault behind the drop, independent of the flow ("RouteTablePrivateB (picnic-rt-b) has
   * no route to the internet (no 0.0.0.0/0 entry)"): what `natlab findings` groups flows by.
   * @default - the reason
   */
  readonly fault?: string;
  /**
   * The cause as data: a drop's typed fault (`{ kind: 'no-route', table, ... }`), or why the
   * walk left the model; `fault` and `reason` are rendered from it and the packet.
   * @default - absent in documents written before natlab recorded it
   */
  readonly cause?: Fault | LeaveCause;
}

/**
 * A flow-independent destination class a fault names: the internet, a block of a VPC, or an
 * address no VPC holds.
 */
export type FaultDestination = { readonly kind: 'internet' } | { readonly kind: 'vpc'; readonly vpc: string; readonly block: string } | { readonly kind: 'address'; readonly ip: IpValue };

/**
 * Why a packet was dropped, as data: the resource to fix and what is wrong with it. The
 * `fault` sentence is rendered from it (`explainFault`); `natlab findings` groups flows by it.
 * Ids are topology ids; `table` is a route table, `mainTable` true when a subnet uses it as the
 * VPC's main table (no explicit association).
 */
export type Fault =
  /** The subnet's route table has no route for the destination (`nat`: the NAT gateway whose own subnet it is). */
  | { readonly kind: 'no-route'; readonly table: string; readonly mainTable: boolean; readonly destination: FaultDestination; readonly hasDefault: boolean; readonly nat?: string; readonly subnet?: string }
  /** A blackhole route (its target was deleted). */
  | { readonly kind: 'blackhole-route'; readonly table: string; readonly mainTable: boolean; readonly destination: string }
  /** A route to a NAT gateway the topology does not hold. */
  | { readonly kind: 'missing-nat'; readonly table: string; readonly mainTable: boolean; readonly destination: string; readonly nat: string }
  /** A route to an internet gateway that is not attached to the subnet's VPC, or not in the topology. */
  | { readonly kind: 'igw-unattached' | 'missing-igw'; readonly table: string; readonly mainTable: boolean; readonly destination: string; readonly igw: string; readonly vpc: string }
  /** Network ACL rule `rule` (`*`: the implicit deny, for `service`) on `side`. */
  | { readonly kind: 'nacl-deny'; readonly acl: string; readonly side: 'ingress' | 'egress'; readonly rule: number | '*'; readonly service?: string }
  /** A host's security groups on `side` allow nothing this packet is. */
  | { readonly kind: 'sg-deny'; readonly groups: readonly string[]; readonly side: 'ingress' | 'egress' }
  /** A reply reaches a NAT gateway that never saw its connection (`subnet`: where the reply came from). */
  | { readonly kind: 'nat-asymmetric-return'; readonly nat: string; readonly subnet?: string; readonly table?: string }
  /** A NAT gateway does not serve hosts in its own subnet. */
  | { readonly kind: 'nat-own-subnet'; readonly nat: string; readonly subnet: string; readonly table?: string }
  /** A NAT gateway with no address in the topology. */
  | { readonly kind: 'nat-no-address'; readonly nat: string }
  /** A simulated NAT table refused the connection (ports exhausted): `detail` says how. */
  | { readonly kind: 'nat-port-allocation'; readonly nat: string; readonly detail: string }
  /** A reply with no translation entry (`detail`: which packet found none). */
  | { readonly kind: 'nat-no-entry'; readonly nat: string; readonly detail: string }
  /** A connection from outside to a NAT gateway's own address. */
  | { readonly kind: 'nat-unsolicited'; readonly nat: string; readonly address: IpValue }
  /** A private NAT gateway whose subnet's table sends to an internet gateway. */
  | { readonly kind: 'private-nat-igw'; readonly nat: string; readonly table: string; readonly destination: string; readonly igw: string }
  /** A regional NAT gateway in a VPC with no internet gateway. */
  | { readonly kind: 'regional-nat-no-igw'; readonly nat: string; readonly vpc: string }
  /**
   * A private source reaches an internet gateway with no public IP to map it to: a NAT
   * address (`nat`, `address`), or hosts of `subnet` sent there by its table.
   */
  | { readonly kind: 'igw-no-public-ip'; readonly igw: string; readonly nat?: string; readonly address?: IpValue; readonly subnet?: string; readonly table?: string }
  /** Inbound to an address the internet gateway maps to nothing in its VPC. */
  | { readonly kind: 'igw-no-mapping'; readonly igw: string; readonly address: IpValue }
  /** A public IP of a VPC that has no internet gateway. */
  | { readonly kind: 'no-igw'; readonly vpc: string }
  /** A private destination sent to the internet. */
  | { readonly kind: 'not-routable'; readonly destination: FaultDestination }
  /** No interface in the VPC has the address (`reserved`: the AWS role of a reserved address, in `subnet`). */
  | { readonly kind: 'no-interface'; readonly vpc: string; readonly address: IpValue; readonly reserved?: string; readonly subnet?: string }
  /** Traffic in from a gateway for an address outside the VPC's blocks. */
  | { readonly kind: 'not-local'; readonly vpc: string; readonly gateway: string; readonly address: IpValue }
  /** The packet passed `limit` components without arriving. */
  | { readonly kind: 'routing-loop'; readonly limit: number }
  /** The reply reached another host than the sender. */
  | { readonly kind: 'reply-elsewhere'; readonly host: string; readonly sender: string };

/** Why a walk left the model, as data (the `reason` names the place). */
export type LeaveCause =
  /** A route target the model does not simulate (transit gateway, peering, appliance, ...). */
  | { readonly kind: 'unsimulated-target'; readonly target: RouteTarget; readonly table?: string }
  /** A route that may or may not hold a deploy-time address. */
  | { readonly kind: 'undecidable-route'; readonly table: string; readonly destination: string }
  /** A rule that may or may not match (a prefix list, a deploy-time address). */
  | { readonly kind: 'undecidable-rule'; readonly filter: 'network-acl' | 'security-group'; readonly id: string }
  /** A destination no route table carries (link-local, loopback, multicast). */
  | { readonly kind: 'special-address'; readonly address: IpValue; readonly addressKind: string }
  /** An address known only after deploy that no host owns. */
  | { readonly kind: 'unknown-address'; readonly address: IpValue }
  /** A private NAT gateway with no subnet. */
  | { readonly kind: 'unsimulated-nat'; readonly nat: string }
  /** A requester-managed interface (load balancer, interface endpoint, attachment): what it forwards to is not simulated. */
  | { readonly kind: 'managed-interface'; readonly host: string; readonly hostKind: HostKind }
  /** An IPv6 destination: IPv6 walks are not modelled yet. */
  | { readonly kind: 'ipv6'; readonly address: string };

export interface ObservedAt {
  readonly srcIp: IpValue;
  readonly srcPort: PortPrediction;
}

export interface ReplyWalk {
  readonly verdict: WalkVerdict;
  readonly hops: Hop[];
  readonly dropped: WalkEnd | null;
  /** Set when the reply leaves what the model simulates. */
  readonly leftModel?: WalkEnd | null;
}

export interface FlowRef {
  readonly name: string;
  readonly protocol: Protocol;
  readonly from: { readonly host: string; readonly ip: string; readonly port: PortPrediction };
  readonly to: { readonly ip: string; readonly port: number };
}

export interface Walk {
  readonly flow: FlowRef;
  readonly verdict: WalkVerdict;
  readonly dropped: WalkEnd | null;
  /** Set when the packet leaves what the model simulates ("leaves the model at tgw-..."). */
  readonly leftModel?: WalkEnd | null;
  readonly hops: Hop[];
  readonly observedAtDestination: ObservedAt | null;
  /** The reply walked on its own path; null when the forward walk did not deliver. */
  readonly reply: ReplyWalk | null;
  /** Translations the walk created (NAT Gateway entries), for the report's tables. */
  readonly translations?: TranslationEntry[];
}

export interface TranslationEntry {
  readonly component: string;
  readonly protocol: Protocol;
  readonly inside: { readonly ip: IpValue; readonly port: PortPrediction };
  readonly outside: { readonly ip: IpValue; readonly port: PortPrediction };
  readonly destination: { readonly ip: IpValue; readonly port: number };
}

export interface Prediction {
  readonly topology: string;
  readonly walks: Walk[];
}

// ---------------------------------------------------------------- observing and comparing

export type ObservationSource = 'server' | 'probe' | 'flow-log' | 'conntrack' | 'capture';

export interface Observation {
  /** The flow (FlowSpec name) this observation belongs to. */
  readonly flow: string;
  readonly source: ObservationSource;
  /** Where it was seen: a component id, a segment name or a log group. */
  readonly at: string;
  readonly protocol: Protocol;
  readonly srcIp: string;
  readonly srcPort: number;
  readonly dstIp: string;
  readonly dstPort: number;
  /** ISO 8601 time of the observation, when known. */
  readonly time?: string;
}

export interface Check {
  readonly name: string;
  readonly expected: unknown;
  readonly observed: unknown;
  readonly ok: boolean;
}

export interface FlowVerdict {
  readonly name: string;
  readonly predicted: ObservedAt | null;
  readonly observed: { readonly srcIp: string; readonly srcPort: number } | null;
  readonly checks: Check[];
  readonly ok: boolean;
}

export interface CompareResult {
  readonly ok: boolean;
  readonly flows: FlowVerdict[];
}

// ---------------------------------------------------------------- command results (--json)

/** `natlab predict --json`: the topology and one walk per flow. */
export interface PredictResult {
  readonly kind: 'predict';
  readonly topology: Topology;
  readonly walks: Walk[];
}

/** A public address replaced by a documentation-range stand-in in the local twin. */
export interface StandIn {
  readonly real: string;
  readonly standIn: string;
  readonly what: string;
}

/** A translation as observed (conntrack in the twin, flow logs in AWS). */
export interface ObservedTranslation {
  readonly flow?: string;
  readonly source: 'conntrack' | 'flow-log' | 'server';
  readonly protocol: Protocol;
  readonly inside: { readonly ip: string; readonly port: number };
  readonly outside: { readonly ip: string; readonly port: number };
  readonly destination: { readonly ip: string; readonly port: number };
}

/**
 * `natlab lab --json` and `natlab verify --json`: prediction, observations and verdict in one
 * document, which `natlab report` renders. Addresses are the real (scenario) ones; twin
 * stand-ins are listed in `standIns` and already mapped back.
 */
export interface RunResult {
  readonly kind: 'lab' | 'verify';
  readonly topology: Topology;
  readonly walks: Walk[];
  readonly observations: Observation[];
  readonly translations: { readonly predicted: TranslationEntry[]; readonly observed: ObservedTranslation[] };
  readonly compare: CompareResult;
  readonly standIns?: StandIn[];
  /** Things a reader should know (fallbacks, waits, Hyperplane ENI caveats). */
  readonly notes: string[];
  readonly startedAt: string;
  readonly durationMs: number;
}
