/**
 * The pure core of the AWS sources: `aws ec2 describe-*` outputs (as @aws-sdk/client-ec2
 * types, whether parsed from a dump folder or fetched live) converted once into a `Topology`.
 * Only `import type` from the SDK: this module loads no AWS code.
 *
 * Conventions (documented in the README):
 * - NAT Gateways that are deleting, deleted or failed, and instances that are stopping,
 *   stopped, shutting down or terminated, are left out.
 * - A Lambda ENI (InterfaceType `lambda`, or a requester-managed ENI whose description starts
 *   `AWS Lambda VPC ENI`) becomes a host of kind `lambda`.
 * - The destination server: an instance tagged `natlab:role` = `server` with a public IP
 *   stands for the internet server and becomes an external host (kind `server`) at its public
 *   IP, so walks end there as in the seed. A destination IP that is in no VPC and no host is
 *   the internet: the walk leaves the model there, with the header the far end would see.
 * - Flows come from instance tags: `natlab:role` = `client` or `direct-client` sends to the
 *   `server`, from the port in `natlab:source-port` (else any) to `natlab:port` on the server
 *   (else 8080).
 */
import type {
  Address,
  EgressOnlyInternetGateway as Ec2EgressOnlyInternetGateway,
  InternetGateway as Ec2InternetGateway,
  Instance,
  IpPermission,
  ManagedPrefixList,
  PrefixList as Ec2PrefixList,
  PrefixListEntry,
  NatGateway as Ec2NatGateway,
  NetworkAcl as Ec2NetworkAcl,
  NetworkInterface,
  Reservation,
  RouteTable as Ec2RouteTable,
  Route as Ec2Route,
  SecurityGroup as Ec2SecurityGroup,
  Subnet as Ec2Subnet,
  Tag,
  Vpc as Ec2Vpc,
  VpcEndpoint as Ec2VpcEndpoint,
} from '@aws-sdk/client-ec2';
import type {
  EgressOnlyInternetGateway,
  FlowSpec,
  Host,
  InternetGateway,
  NatAddress,
  NatGateway,
  NetworkAcl,
  NetworkAclRule,
  PrefixList,
  Route,
  RouteTable,
  RouteTarget,
  SecurityGroup,
  SecurityGroupRule,
  Subnet,
  Topology,
  Vpc,
  VpcEndpoint,
} from '../model/types';
import { InputError } from '../errors';
import { hostFromInstance, hostsFromInterfaces, indexInterfaces, tag } from './private/describe-hosts';
import { icmpFields, isIcmpProblem } from './private/icmp';
import { ruleProtocolOf } from './private/protocol';

/** The describe calls' result lists, merged over pages (and regions and accounts). */
export interface DescribeOutputs {
  /** `describe-vpcs` .Vpcs */
  readonly vpcs: Ec2Vpc[];
  /** `describe-subnets` .Subnets */
  readonly subnets: Ec2Subnet[];
  /** `describe-route-tables` .RouteTables */
  readonly routeTables: Ec2RouteTable[];
  /** `describe-nat-gateways` .NatGateways */
  readonly natGateways: Ec2NatGateway[];
  /** `describe-internet-gateways` .InternetGateways */
  readonly internetGateways: Ec2InternetGateway[];
  /** `describe-network-interfaces` .NetworkInterfaces */
  readonly networkInterfaces: NetworkInterface[];
  /** `describe-instances` .Reservations */
  readonly reservations: Reservation[];
  /** `describe-security-groups` .SecurityGroups */
  readonly securityGroups: Ec2SecurityGroup[];
  /** `describe-network-acls` .NetworkAcls */
  readonly networkAcls: Ec2NetworkAcl[];
  /** `describe-addresses` .Addresses */
  readonly addresses: Address[];
  /** `describe-managed-prefix-lists` .ManagedPrefixLists @default - none */
  readonly managedPrefixLists?: ManagedPrefixList[];
  /** `describe-prefix-lists` .PrefixLists (AWS service lists, with their CIDRs) @default - none */
  readonly prefixLists?: Ec2PrefixList[];
  /** `get-managed-prefix-list-entries` .Entries, one per list @default - none */
  readonly prefixListEntries?: Array<{ PrefixListId: string; Entries: PrefixListEntry[] }>;
  /** `describe-vpc-endpoints` .VpcEndpoints @default - none */
  readonly vpcEndpoints?: Ec2VpcEndpoint[];
  /** `describe-egress-only-internet-gateways` .EgressOnlyInternetGateways @default - none */
  readonly egressOnlyInternetGateways?: Ec2EgressOnlyInternetGateway[];
}

/** An empty `DescribeOutputs`, to fill call by call. */
export function emptyDescribeOutputs(): { -readonly [K in keyof DescribeOutputs]-?: NonNullable<DescribeOutputs[K]> } {
  return {
    vpcs: [],
    subnets: [],
    routeTables: [],
    natGateways: [],
    internetGateways: [],
    networkInterfaces: [],
    reservations: [],
    securityGroups: [],
    networkAcls: [],
    addresses: [],
    managedPrefixLists: [],
    prefixLists: [],
    prefixListEntries: [],
    vpcEndpoints: [],
    egressOnlyInternetGateways: [],
  };
}

export interface DescribeOptions {
  /** The topology's name (a dump folder, "aws us-east-1"). */
  readonly name: string;
  /** Where it came from, for reports. */
  readonly source: string;
  /** The region, when the outputs cover exactly one. */
  readonly region?: string;
  /** Keep only these VPCs (and what lives in them). */
  readonly vpcIds?: readonly string[];
}

const GONE_NAT_STATES = new Set(['deleting', 'deleted', 'failed']);
const GONE_INSTANCE_STATES = new Set(['stopping', 'stopped', 'shutting-down', 'terminated']);
const GONE_ENDPOINT_STATES = new Set(['deleting', 'deleted', 'failed', 'rejected', 'expired']);
const ENDPOINT_TYPES: Record<string, VpcEndpoint['type']> = {
  Gateway: 'gateway',
  Interface: 'interface',
  GatewayLoadBalancer: 'gateway-load-balancer',
  Resource: 'resource',
  ServiceNetwork: 'service-network',
};
const DEFAULT_SERVER_PORT = 8080;

/** Converts describe outputs into one `Topology`. */
export function topologyFromDescribe(outputs: DescribeOutputs, opts: DescribeOptions): Topology {
  const keep = (vpcId: string | undefined): boolean => !opts.vpcIds || opts.vpcIds.length === 0 || (vpcId !== undefined && opts.vpcIds.includes(vpcId));
  const ec2Vpcs = outputs.vpcs.filter((v) => keep(v.VpcId));
  const ec2Subnets = outputs.subnets.filter((s) => keep(s.VpcId));
  const ec2RouteTables = outputs.routeTables.filter((r) => keep(r.VpcId));
  const ec2Acls = outputs.networkAcls.filter((a) => keep(a.VpcId));

  const vpcs: Vpc[] = ec2Vpcs.map((v) => vpcFrom(v, ec2RouteTables, ec2Acls));
  const subnets: Subnet[] = ec2Subnets.map((s) => subnetFrom(s, ec2RouteTables, ec2Acls));
  const routeTables: RouteTable[] = ec2RouteTables.map(routeTableFrom);
  const natGateways: NatGateway[] = outputs.natGateways
    .filter((n) => keep(n.VpcId) && !GONE_NAT_STATES.has(n.State ?? ''))
    .map((n) => natGatewayFrom(n, outputs.addresses));
  const internetGateways: InternetGateway[] = outputs.internetGateways
    .map(internetGatewayFrom)
    .filter((g) => opts.vpcIds === undefined || opts.vpcIds.length === 0 || (g.vpc !== undefined && keep(g.vpc)));
  const securityGroups: SecurityGroup[] = outputs.securityGroups.filter((g) => keep(g.VpcId)).map(securityGroupFrom);
  const networkAcls: NetworkAcl[] = ec2Acls.map(networkAclFrom);

  const instances = outputs.reservations
    .flatMap((r) => r.Instances ?? [])
    .filter((i) => keep(i.VpcId) && !GONE_INSTANCE_STATES.has(i.State?.Name ?? ''));
  const endpoints = (outputs.vpcEndpoints ?? []).filter((e) => keep(e.VpcId) && !GONE_ENDPOINT_STATES.has(String(e.State ?? '').toLowerCase()));
  // Every instance the dump describes owns its interfaces, running or not, kept or not.
  const instanceIds = new Set(outputs.reservations.flatMap((r) => r.Instances ?? []).map((i) => i.InstanceId!));
  const natEniIds = new Set(outputs.natGateways.flatMap((n) => n.NatGatewayAddresses ?? []).map((a) => a.NetworkInterfaceId!).filter(Boolean));
  const eniIndex = indexInterfaces(outputs.networkInterfaces);
  const hosts: Host[] = [
    ...instances.map((i) => hostFromInstance(i, eniIndex, outputs.addresses)),
    ...hostsFromInterfaces(outputs.networkInterfaces.filter((e) => keep(e.VpcId)), instanceIds, natEniIds, endpoints),
  ];
  const serverIds = new Set(instances.filter((i) => tag(i.Tags, 'natlab:role') === 'server').map((i) => i.InstanceId));
  const foldedHosts = hosts.map((h) => (serverIds.has(h.id) && h.publicIp ? asInternetServer(h) : h));

  return {
    name: opts.name,
    source: opts.source,
    ...(opts.region ? { region: opts.region } : {}),
    vpcs,
    subnets,
    routeTables,
    natGateways,
    internetGateways,
    hosts: foldedHosts,
    securityGroups,
    networkAcls,
    flows: flowsFromTags(instances, foldedHosts),
    ...nonEmpty('prefixLists', prefixListsFrom(outputs, routeTables, securityGroups)),
    ...nonEmpty('vpcEndpoints', endpoints.map((e) => vpcEndpointFrom(e, ec2RouteTables))),
    ...nonEmpty(
      'egressOnlyInternetGateways',
      (outputs.egressOnlyInternetGateways ?? []).map(egressOnlyGatewayFrom).filter((g) => !opts.vpcIds?.length || (g.vpc !== undefined && keep(g.vpc))),
    ),
  };
}

/** Optional topology lists appear only when the source has something for them. */
function nonEmpty<K extends string, T>(key: K, items: T[]): { [P in K]?: T[] } {
  return (items.length ? { [key]: items } : {}) as { [P in K]?: T[] };
}

/**
 * Every prefix list the outputs describe or name (a route, a rule): entries from
 * get-managed-prefix-list-entries or describe-prefix-lists; a list named but not listed keeps
 * `entriesKnown: false`, so a route to it is named rather than guessed.
 */
function prefixListsFrom(outputs: DescribeOutputs, routeTables: RouteTable[], groups: SecurityGroup[]): PrefixList[] {
  const names = new Map<string, string | undefined>();
  const cidrs = new Map<string, string[]>();
  for (const l of outputs.managedPrefixLists ?? []) names.set(l.PrefixListId!, l.PrefixListName);
  for (const l of outputs.prefixLists ?? []) {
    names.set(l.PrefixListId!, l.PrefixListName ?? names.get(l.PrefixListId!));
    // A managed list's description (same key in a dump) carries no Cidrs: its entries stay unknown.
    if (l.Cidrs) cidrs.set(l.PrefixListId!, [...l.Cidrs]);
  }
  for (const e of outputs.prefixListEntries ?? []) {
    if (!names.has(e.PrefixListId)) names.set(e.PrefixListId, undefined);
    cidrs.set(e.PrefixListId, e.Entries.map((x) => x.Cidr!).filter(Boolean));
  }
  const named = [
    ...routeTables.flatMap((r) => r.routes.filter((x) => x.destinationKind === 'prefix-list').map((x) => x.destination)),
    ...groups.flatMap((g) => [...g.ingress, ...g.egress].map((r) => r.prefixList).filter((x): x is string => !!x)),
  ];
  for (const id of named) if (!names.has(id)) names.set(id, undefined);
  return [...names].map(([id, name]) => ({
    id,
    ...(name ? { name } : {}),
    cidrs: cidrs.get(id) ?? [],
    ...(cidrs.has(id) ? {} : { entriesKnown: false }),
  }));
}

function vpcEndpointFrom(e: Ec2VpcEndpoint, routeTables: Ec2RouteTable[]): VpcEndpoint {
  const type = ENDPOINT_TYPES[String(e.VpcEndpointType ?? '')] ?? ((e.NetworkInterfaceIds ?? []).length ? 'interface' : 'gateway');
  // A gateway endpoint's routes name the service's prefix list: that is the endpoint's list.
  const prefixList = routeTables.flatMap((r) => r.Routes ?? []).find((r) => r.GatewayId === e.VpcEndpointId && r.DestinationPrefixListId)?.DestinationPrefixListId;
  return {
    id: e.VpcEndpointId!,
    ...named(e.Tags),
    vpc: e.VpcId!,
    type,
    serviceName: e.ServiceName ?? '',
    ...((e.RouteTableIds ?? []).length ? { routeTables: [...e.RouteTableIds!] } : {}),
    ...((e.NetworkInterfaceIds ?? []).length ? { networkInterfaces: [...e.NetworkInterfaceIds!] } : {}),
    ...(prefixList ? { prefixList } : {}),
  };
}

function egressOnlyGatewayFrom(g: Ec2EgressOnlyInternetGateway): EgressOnlyInternetGateway {
  const attached = (g.Attachments ?? []).find((a) => a.State === 'attached' || (a.State as string | undefined) === 'available');
  return { id: g.EgressOnlyInternetGatewayId!, ...named(g.Tags), ...(attached?.VpcId ? { vpc: attached.VpcId } : {}) };
}

// ---------------------------------------------------------------- per resource

function vpcFrom(v: Ec2Vpc, routeTables: Ec2RouteTable[], acls: Ec2NetworkAcl[]): Vpc {
  const secondary = (v.CidrBlockAssociationSet ?? [])
    .filter((a) => a.CidrBlock && a.CidrBlock !== v.CidrBlock && (a.CidrBlockState?.State ?? 'associated') === 'associated')
    .map((a) => a.CidrBlock!);
  const main = routeTables.find((r) => r.VpcId === v.VpcId && (r.Associations ?? []).some((a) => a.Main));
  const defaultAcl = acls.find((a) => a.VpcId === v.VpcId && a.IsDefault);
  const ipv6Cidrs = (v.Ipv6CidrBlockAssociationSet ?? []).filter((a) => a.Ipv6CidrBlock && isAssociated(a.Ipv6CidrBlockState?.State)).map((a) => a.Ipv6CidrBlock!);
  return {
    id: v.VpcId!,
    ...named(v.Tags),
    cidrs: [v.CidrBlock!, ...secondary],
    ...(main ? { mainRouteTable: main.RouteTableId! } : {}),
    ...(defaultAcl ? { defaultNetworkAcl: defaultAcl.NetworkAclId! } : {}),
    ...(ipv6Cidrs.length ? { ipv6Cidrs } : {}),
    ...(v.OwnerId ? { ownerId: v.OwnerId } : {}),
  };
}

function subnetFrom(s: Ec2Subnet, routeTables: Ec2RouteTable[], acls: Ec2NetworkAcl[]): Subnet {
  const associated = routeTables.filter((r) => (r.Associations ?? []).some((a) => a.SubnetId === s.SubnetId && !a.Main && isAssociated(a.AssociationState?.State)));
  const explicit = associated[0];
  const acl = acls.find((a) => (a.Associations ?? []).some((x) => x.SubnetId === s.SubnetId));
  const ipv6Cidr = (s.Ipv6CidrBlockAssociationSet ?? []).find((a) => a.Ipv6CidrBlock && isAssociated(a.Ipv6CidrBlockState?.State))?.Ipv6CidrBlock;
  return {
    id: s.SubnetId!,
    ...named(s.Tags),
    vpc: s.VpcId!,
    cidr: s.CidrBlock!,
    az: s.AvailabilityZone!,
    ...(explicit ? { routeTable: explicit.RouteTableId! } : {}),
    // A second association is kept for the topology check to refuse, naming both tables.
    ...(associated.length > 1 ? { routeTableAssociations: associated.map((r) => r.RouteTableId!) } : {}),
    ...(acl ? { networkAcl: acl.NetworkAclId! } : {}),
    mapPublicIp: s.MapPublicIpOnLaunch ?? false,
    ...(ipv6Cidr ? { ipv6Cidr } : {}),
    ...(s.AssignIpv6AddressOnCreation ? { assignIpv6OnCreation: true } : {}),
  };
}

function isAssociated(state: string | undefined): boolean {
  return state === undefined || state === 'associated';
}

function routeTableFrom(r: Ec2RouteTable): RouteTable {
  return {
    id: r.RouteTableId!,
    ...named(r.Tags),
    vpc: r.VpcId!,
    routes: (r.Routes ?? []).flatMap(routeFrom),
  };
}

/** A route by its destination: an IPv4 CIDR, an IPv6 CIDR or a prefix list (carried; never an IPv4 match by accident). */
function routeFrom(route: Ec2Route): Route[] {
  const target = routeTarget(route);
  if (route.DestinationCidrBlock) return [{ destination: route.DestinationCidrBlock, target }];
  if (route.DestinationIpv6CidrBlock) return [{ destination: route.DestinationIpv6CidrBlock, destinationKind: 'ipv6', target }];
  if (route.DestinationPrefixListId) return [{ destination: route.DestinationPrefixListId, destinationKind: 'prefix-list', target }];
  return [];
}

function routeTarget(route: Ec2Route): RouteTarget {
  // A route whose target was deleted stays in the table as a blackhole.
  if (route.State === 'blackhole') return { kind: 'blackhole' };
  const gateway = route.GatewayId;
  if (gateway === 'local') return { kind: 'local' };
  if (route.NatGatewayId) return { kind: 'nat', id: route.NatGatewayId };
  if (route.TransitGatewayId) return { kind: 'tgw', id: route.TransitGatewayId };
  if (route.VpcPeeringConnectionId) return { kind: 'peering', id: route.VpcPeeringConnectionId };
  if (route.EgressOnlyInternetGatewayId) return { kind: 'egress-only-igw', id: route.EgressOnlyInternetGatewayId };
  if (route.NetworkInterfaceId) return { kind: 'eni', id: route.NetworkInterfaceId };
  if (route.InstanceId) return { kind: 'instance', id: route.InstanceId };
  if (gateway?.startsWith('igw-')) return { kind: 'igw', id: gateway };
  if (gateway?.startsWith('vgw-')) return { kind: 'vgw', id: gateway };
  // Gateway endpoints (S3, DynamoDB) and Gateway Load Balancer endpoints are both vpce-.
  if (gateway?.startsWith('vpce-')) return { kind: 'vpc-endpoint', id: gateway };
  if (gateway) return { kind: 'other', id: gateway, type: 'gateway' };
  if (route.LocalGatewayId) return { kind: 'other', id: route.LocalGatewayId, type: 'local gateway' };
  if (route.CarrierGatewayId) return { kind: 'other', id: route.CarrierGatewayId, type: 'carrier gateway' };
  if (route.CoreNetworkArn) return { kind: 'other', id: route.CoreNetworkArn, type: 'Cloud WAN core network' };
  return { kind: 'other', id: 'unknown', type: 'unknown target' };
}

function natGatewayFrom(n: Ec2NatGateway, addresses: Address[]): NatGateway {
  const regional = n.AvailabilityMode === 'regional';
  const connectivity = n.ConnectivityType === 'private' ? 'private' : 'public';
  const live = (n.NatGatewayAddresses ?? []).filter((a) => a.PrivateIp && a.Status !== 'failed' && a.Status !== 'unassigning' && a.Status !== 'disassociating');
  const anyPrimary = live.some((a) => a.IsPrimary);
  const natAddresses: NatAddress[] = live.map((a, i) => {
    // A NAT address lists its EIP; when it does not yet, describe-addresses may know it.
    const publicIp = a.PublicIp ?? (a.AllocationId ? addresses.find((e) => e.AllocationId === a.AllocationId)?.PublicIp : undefined);
    return {
      privateIp: a.PrivateIp!,
      ...(connectivity === 'public' && publicIp ? { publicIp } : {}),
      ...(a.AllocationId ? { allocationId: a.AllocationId } : {}),
      isPrimary: a.IsPrimary ?? (!anyPrimary && i === 0),
      ...(regional && a.AvailabilityZone ? { az: a.AvailabilityZone } : {}),
    };
  });
  const eniId = live.find((a) => a.IsPrimary)?.NetworkInterfaceId ?? live[0]?.NetworkInterfaceId;
  return {
    id: n.NatGatewayId!,
    ...named(n.Tags),
    vpc: n.VpcId!,
    ...(n.SubnetId ? { subnet: n.SubnetId } : {}),
    connectivity,
    availabilityMode: regional ? 'regional' : 'zonal',
    addresses: natAddresses,
    ...(eniId ? { eniId } : {}),
  };
}

function internetGatewayFrom(g: Ec2InternetGateway): InternetGateway {
  // `describe-internet-gateways` reports an attached IGW as "available".
  const attached = (g.Attachments ?? []).find((a) => (a.State as string | undefined) === 'available' || a.State === 'attached');
  return { id: g.InternetGatewayId!, ...named(g.Tags), ...(attached?.VpcId ? { vpc: attached.VpcId } : {}) };
}

/** The lab's server instance seen from the lab: a host on the internet at its public IP. */
function asInternetServer(h: Host): Host {
  return {
    id: h.id,
    ...(h.name ? { name: h.name } : {}),
    kind: 'server',
    privateIp: h.publicIp!,
    securityGroups: h.securityGroups,
    ...(h.instanceId ? { instanceId: h.instanceId } : {}),
    ...(h.eniId ? { eniId: h.eniId } : {}),
  };
}

function securityGroupFrom(g: Ec2SecurityGroup): SecurityGroup {
  return {
    id: g.GroupId!,
    ...(g.GroupName ? { name: g.GroupName } : {}),
    ...(g.VpcId ? { vpc: g.VpcId } : {}),
    ingress: (g.IpPermissions ?? []).flatMap((p) => sgRules(p, `security group ${g.GroupId} IpPermissions`)),
    egress: (g.IpPermissionsEgress ?? []).flatMap((p) => sgRules(p, `security group ${g.GroupId} IpPermissionsEgress`)),
  };
}

/** One permission lists several peers; the model wants one rule per peer. */
function sgRules(p: IpPermission, where: string): SecurityGroupRule[] {
  const protocol = ruleProtocolOf(p.IpProtocol);
  if (!protocol) return [];
  let ports: Pick<SecurityGroupRule, 'fromPort' | 'toPort' | 'icmpType' | 'icmpCode'> = {};
  if (protocol === 'icmp') {
    // For ICMP, FromPort is the type and ToPort the code (-1: any).
    const types = icmpFields(p.FromPort, p.ToPort);
    if (isIcmpProblem(types)) throw new InputError(`${where}: ${types.message}`);
    ports = types;
  } else if (protocol !== 'all' && p.FromPort !== undefined && p.FromPort !== -1 && p.ToPort !== undefined && p.ToPort !== -1) {
    // -1 (all ports) and "all protocols" carry no range.
    ports = { fromPort: p.FromPort, toPort: p.ToPort };
  }
  const described = (d: string | undefined) => (d ? { description: d } : {});
  return [
    ...(p.IpRanges ?? []).map((r) => ({ protocol, ...ports, cidr: r.CidrIp!, ...described(r.Description) })),
    ...(p.Ipv6Ranges ?? []).map((r) => ({ protocol, ...ports, cidrIpv6: r.CidrIpv6!, ...described(r.Description) })),
    // A pair without GroupId (EC2-Classic, a name only) names nothing the model can hold.
    ...(p.UserIdGroupPairs ?? []).filter((r) => r.GroupId).map((r) => ({ protocol, ...ports, securityGroup: r.GroupId!, ...described(r.Description) })),
    ...(p.PrefixListIds ?? []).map((r) => ({ protocol, ...ports, prefixList: r.PrefixListId!, ...described(r.Description) })),
  ];
}

function networkAclFrom(a: Ec2NetworkAcl): NetworkAcl {
  const rules = (egress: boolean): NetworkAclRule[] =>
    (a.Entries ?? [])
      // 32767 is the implicit "*" deny, which the model appends itself; IPv6 entries are out of scope.
      .filter((e) => !!e.Egress === egress && e.RuleNumber !== 32767 && e.CidrBlock)
      .flatMap((e) => {
        const protocol = ruleProtocolOf(e.Protocol);
        if (!protocol) return [];
        const ports = (protocol === 'tcp' || protocol === 'udp') && e.PortRange?.From !== undefined && e.PortRange.To !== undefined ? { fromPort: e.PortRange.From, toPort: e.PortRange.To } : {};
        const types = protocol === 'icmp' && e.IcmpTypeCode ? icmpFields(e.IcmpTypeCode.Type, e.IcmpTypeCode.Code) : {};
        if (isIcmpProblem(types)) throw new InputError(`network ACL ${a.NetworkAclId} entry ${e.RuleNumber}: ${types.message}`);
        return [{ ruleNumber: e.RuleNumber!, protocol, action: e.RuleAction as 'allow' | 'deny', cidr: e.CidrBlock!, ...ports, ...types }];
      })
      .sort((x, y) => x.ruleNumber - y.ruleNumber);
  return { id: a.NetworkAclId!, ...named(a.Tags), vpc: a.VpcId!, isDefault: !!a.IsDefault, ingress: rules(false), egress: rules(true) };
}

function flowsFromTags(instances: Instance[], hosts: Host[]): FlowSpec[] {
  const server = instances.find((i) => tag(i.Tags, 'natlab:role') === 'server');
  const serverHost = server && hosts.find((h) => h.id === server.InstanceId);
  if (!server || !serverHost) return [];
  const port = numberTag(server.Tags, 'natlab:port') ?? DEFAULT_SERVER_PORT;
  const flows: FlowSpec[] = [];
  for (const role of ['client', 'direct-client'] as const) {
    const senders = instances.filter((i) => tag(i.Tags, 'natlab:role') === role).sort((a, b) => (tag(a.Tags, 'Name') ?? a.InstanceId!).localeCompare(tag(b.Tags, 'Name') ?? b.InstanceId!));
    for (const i of senders) {
      flows.push({
        name: tag(i.Tags, 'Name') ?? i.InstanceId!,
        protocol: 'tcp',
        from: i.InstanceId!,
        sourcePort: numberTag(i.Tags, 'natlab:source-port') ?? 'any',
        to: { host: serverHost.id, port },
        ...(role === 'client' ? { group: 'clients' } : {}),
      });
    }
  }
  return flows;
}

function numberTag(tags: Tag[] | undefined, key: string): number | undefined {
  const value = tag(tags, key);
  return value !== undefined && /^\d+$/.test(value) ? Number(value) : undefined;
}

function named(tags: Tag[] | undefined): { name?: string } {
  const name = tag(tags, 'Name');
  return name ? { name } : {};
}
