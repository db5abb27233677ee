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
  InternetGateway as Ec2InternetGateway,
  Instance,
  IpPermission,
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
} from '@aws-sdk/client-ec2';
import type {
  FlowSpec,
  Host,
  InternetGateway,
  NatAddress,
  NatGateway,
  NetworkAcl,
  NetworkAclRule,
  RouteTable,
  RouteTarget,
  SecurityGroup,
  SecurityGroupRule,
  Subnet,
  Topology,
  Vpc,
} from '../model/types';
import { InputError } from '../errors';
import { icmpFields, isIcmpProblem } from './private/icmp';
import { ruleProtocolOf } from './private/protocol';

/** The ten describe calls' result lists, merged over pages (and regions). */
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
}

/** An empty `DescribeOutputs`, to fill call by call. */
export function emptyDescribeOutputs(): { -readonly [K in keyof DescribeOutputs]: DescribeOutputs[K] } {
  return { vpcs: [], subnets: [], routeTables: [], natGateways: [], internetGateways: [], networkInterfaces: [], reservations: [], securityGroups: [], networkAcls: [], addresses: [] };
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
  const hosts: Host[] = [
    ...instances.map((i) => hostFromInstance(i, outputs.networkInterfaces, outputs.addresses)),
    ...outputs.networkInterfaces.filter((e) => keep(e.VpcId) && isLambdaEni(e)).map(hostFromLambdaEni),
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
  };
}

// ---------------------------------------------------------------- per resource

function vpcFrom(v: Ec2Vpc, routeTables: Ec2RouteTable[], acls: Ec2NetworkAcl[]): Vpc {
  const secondary = (v.CidrBlockAssociationSet ?? [])
    .filter((a) => a.CidrBlock && a.CidrBlock !== v.CidrBlock && (a.CidrBlockState?.State ?? 'associated') === 'associated')
    .map((a) => a.CidrBlock!);
  const main = routeTables.find((r) => r.VpcId === v.VpcId && (r.Associations ?? []).some((a) => a.Main));
  const defaultAcl = acls.find((a) => a.VpcId === v.VpcId && a.IsDefault);
  return {
    id: v.VpcId!,
    ...named(v.Tags),
    cidrs: [v.CidrBlock!, ...secondary],
    ...(main ? { mainRouteTable: main.RouteTableId! } : {}),
    ...(defaultAcl ? { defaultNetworkAcl: defaultAcl.NetworkAclId! } : {}),
  };
}

function subnetFrom(s: Ec2Subnet, routeTables: Ec2RouteTable[], acls: Ec2NetworkAcl[]): Subnet {
  const associated = routeTables.filter((r) => (r.Associations ?? []).some((a) => a.SubnetId === s.SubnetId && !a.Main && isAssociated(a.AssociationState?.State)));
  const explicit = associated[0];
  const acl = acls.find((a) => (a.Associations ?? []).some((x) => x.SubnetId === s.SubnetId));
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
    // IPv6 and prefix-list destinations are outside the IPv4 model.
    routes: (r.Routes ?? []).filter((route) => route.DestinationCidrBlock).map((route) => ({ destination: route.DestinationCidrBlock!, target: routeTarget(route) })),
  };
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
  if (gateway) return { kind: 'other', id: gateway, type: gateway.startsWith('vpce-') ? 'gateway endpoint' : 'gateway' };
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

function hostFromInstance(i: Instance, enis: NetworkInterface[], addresses: Address[]): Host {
  const interfaces = [...(i.NetworkInterfaces ?? [])].sort((a, b) => (a.Attachment?.DeviceIndex ?? 0) - (b.Attachment?.DeviceIndex ?? 0));
  const primary = interfaces[0];
  const privateIp = i.PrivateIpAddress ?? primary?.PrivateIpAddress;
  const eniId = primary?.NetworkInterfaceId;
  const publicIp =
    i.PublicIpAddress ??
    primary?.Association?.PublicIp ??
    enis.find((e) => e.NetworkInterfaceId === eniId)?.Association?.PublicIp ??
    addresses.find((a) => (a.InstanceId === i.InstanceId || (eniId && a.NetworkInterfaceId === eniId)) && a.PrivateIpAddress === privateIp)?.PublicIp;
  const groups = (i.SecurityGroups ?? primary?.Groups ?? []).map((g) => g.GroupId!).filter(Boolean);
  // Other names a person may use: further ENIs and secondary private IPs.
  const aliases = [
    ...interfaces.slice(1).map((e) => e.NetworkInterfaceId),
    ...(primary?.PrivateIpAddresses ?? []).filter((p) => !p.Primary).map((p) => p.PrivateIpAddress),
  ].filter((x): x is string => !!x);
  return {
    id: i.InstanceId!,
    ...named(i.Tags),
    kind: 'instance',
    subnet: i.SubnetId ?? primary?.SubnetId,
    privateIp: privateIp!,
    ...(publicIp ? { publicIp } : {}),
    securityGroups: groups,
    instanceId: i.InstanceId!,
    ...(eniId ? { eniId } : {}),
    ...(aliases.length ? { aliases } : {}),
  };
}

function isLambdaEni(e: NetworkInterface): boolean {
  return e.InterfaceType === 'lambda' || (!!e.RequesterManaged && (e.Description ?? '').startsWith('AWS Lambda VPC ENI'));
}

function hostFromLambdaEni(e: NetworkInterface): Host {
  // "AWS Lambda VPC ENI-<function name>-<uuid>": the function is the name a person knows.
  const fn = /^AWS Lambda VPC ENI-(.+?)-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.exec(e.Description ?? '')?.[1];
  const name = tag(e.TagSet, 'Name') ?? fn;
  return {
    id: e.NetworkInterfaceId!,
    ...(name ? { name } : {}),
    kind: 'lambda',
    subnet: e.SubnetId!,
    privateIp: e.PrivateIpAddress!,
    ...(e.Association?.PublicIp ? { publicIp: e.Association.PublicIp } : {}),
    securityGroups: (e.Groups ?? []).map((g) => g.GroupId!).filter(Boolean),
    eniId: e.NetworkInterfaceId!,
  };
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
    ...(p.UserIdGroupPairs ?? []).map((r) => ({ protocol, ...ports, securityGroup: r.GroupId!, ...described(r.Description) })),
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

function tag(tags: Tag[] | undefined, key: string): string | undefined {
  return tags?.find((t) => t.Key === key)?.Value;
}

function numberTag(tags: Tag[] | undefined, key: string): number | undefined {
  const value = tag(tags, key);
  return value !== undefined && /^\d+$/.test(value) ? Number(value) : undefined;
}

function named(tags: Tag[] | undefined): { name?: string } {
  const name = tag(tags, 'Name');
  return name ? { name } : {};
}
