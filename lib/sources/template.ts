/**
 * `--template FILE` (repeatable): the topology a CloudFormation template will create, read
 * from JSON or YAML (short-form tags), with intrinsics resolved across the given templates.
 * Values that exist only after deploy (an Elastic IP's address, an auto-assigned public IP)
 * stay `<where they come from>`; the AZ names Fn::GetAZs returns are assumed, and said so.
 *
 * Flows: a `natlab:flows` metadata entry (FlowSpec[]) on the template or on a VPC resource,
 * as NatGatewayLab writes it; otherwise derived from instances whose `natlab:role` (resource
 * Metadata or tag) is `client` / `direct-client` (senders) and `server` (the destination).
 * The server: an instance outside the lab's VPC (the VPC with the NAT Gateway) with a public
 * IP stands for the internet server and becomes an external host at that public IP.
 */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { InputError } from '../errors';
import type { FlowSpec, Host, InternetGateway, NatAddress, NatGateway, NetworkAcl, NetworkAclRule, Route, RouteTable, RouteTarget, SecurityGroup, SecurityGroupRule, Subnet, Topology, Vpc } from '../model/types';
import { parseTemplate, type CfnResource } from './private/cfn-parse';
import { checkTopology } from './private/check-topology';
import { allocationPublicIp, CfnResolver, eipPublicIp, type StackInput } from './private/cfn-resolve';
import { icmpFields, isIcmpProblem } from './private/icmp';
import { ruleProtocolOf } from './private/protocol';
import { unresolvedIp } from './private/unresolved';
import { symbolicIp } from '../model/address';
import { describeFsError } from './private/fs-error';

export interface TemplateOptions {
  /** The region the stack would deploy to (for Fn::GetAZs and AWS::Region); default us-east-1. */
  readonly region?: string;
}

const DEFAULT_REGION = 'us-east-1';
const DEFAULT_SERVER_PORT = 8080;

/** Reads and converts one or more templates into one `Topology`. */
export async function loadTemplates(files: readonly string[], opts: TemplateOptions = {}): Promise<Topology> {
  const stacks: StackInput[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      throw new InputError(`${file}: cannot read the template (${describeFsError(err)})`);
    }
    stacks.push({ file, stack: stackName(file), template: parseTemplate(text, file) });
  }
  return topologyFromTemplates(stacks, opts);
}

/** `cdk.out/NatGatewayLab.template.json` -> `NatGatewayLab`. */
export function stackName(file: string): string {
  return basename(file).replace(/(\.template)?\.(json|ya?ml)$/i, '');
}

/** A resource with its properties resolved, and where it came from. */
interface Resolved {
  readonly stack: StackInput;
  readonly logicalId: string;
  readonly id: string;
  readonly type: string;
  readonly props: Record<string, unknown>;
  readonly metadata: Record<string, unknown>;
}

/** Converts parsed templates into one `Topology` (pure: no file access). */
export function topologyFromTemplates(stacks: readonly StackInput[], opts: TemplateOptions = {}): Topology {
  const region = opts.region ?? DEFAULT_REGION;
  const resolver = new CfnResolver(stacks, region);
  const all: Resolved[] = [];
  for (const stack of stacks) {
    for (const [logicalId, resource] of Object.entries(stack.template.Resources)) {
      if (!resolver.included(stack, resource)) continue;
      all.push({
        stack,
        logicalId,
        id: resolver.idOf(stack, logicalId),
        type: resource.Type,
        props: resolver.resolve(stack, resource.Properties ?? {}, `Resources.${logicalId}.Properties`) as Record<string, unknown>,
        metadata: (resource as CfnResource).Metadata ?? {},
      });
    }
  }
  const byId = new Map(all.map((r) => [r.id, r]));
  const ofType = (type: string) => all.filter((r) => r.type === type);

  /** A property that must be a known string (an id, a CIDR). */
  const str = (r: Resolved, key: string, required = true): string | undefined => {
    const value = r.props[key];
    if (value === undefined) {
      if (required) throw new InputError(`${r.stack.file}: Resources.${r.logicalId}.Properties.${key}: is missing`);
      return undefined;
    }
    if (typeof value !== 'string' && typeof value !== 'number') throw new InputError(`${r.stack.file}: Resources.${r.logicalId}.Properties.${key}: expected a string, got ${JSON.stringify(value)}`);
    return String(value);
  };
  const refTo = (r: Resolved, key: string, types: string[]): string | undefined => {
    const id = str(r, key, false);
    if (id === undefined) return undefined;
    const target = byId.get(id);
    if (!target || !types.includes(target.type)) {
      if (id.startsWith('<')) throw new InputError(`${r.stack.file}: Resources.${r.logicalId}.Properties.${key}: ${id.slice(1, -1)}, but natlab needs it to build the topology`);
      // An id from outside the templates (an existing VPC, a literal subnet id): keep it as given.
    }
    return id;
  };

  // ---- VPCs, their implicit main route table, internet gateways
  const vpcs = new Map<string, Vpc & { cidrs: string[] }>();
  for (const r of ofType('AWS::EC2::VPC')) {
    const cidr = str(r, 'CidrBlock', false);
    if (!cidr) throw new InputError(`${r.stack.file}: Resources.${r.logicalId}.Properties.CidrBlock: is missing (IPAM-allocated VPCs are not supported)`);
    vpcs.set(r.id, { id: r.id, ...named(r), cidrs: [cidr], mainRouteTable: `${r.id}/MainRouteTable` });
  }
  for (const r of ofType('AWS::EC2::VPCCidrBlock')) {
    const cidr = str(r, 'CidrBlock', false);
    const vpc = vpcs.get(refTo(r, 'VpcId', ['AWS::EC2::VPC'])!);
    if (cidr && vpc) vpc.cidrs.push(cidr);
  }
  const internetGateways = new Map<string, InternetGateway>(ofType('AWS::EC2::InternetGateway').map((r) => [r.id, { id: r.id, ...named(r) }]));
  for (const r of ofType('AWS::EC2::VPCGatewayAttachment')) {
    const igw = str(r, 'InternetGatewayId', false);
    if (igw && internetGateways.has(igw)) internetGateways.set(igw, { ...internetGateways.get(igw)!, vpc: refTo(r, 'VpcId', ['AWS::EC2::VPC'])! });
  }

  // ---- subnets, route tables, routes, associations
  const subnets = new Map<string, Subnet>();
  for (const r of ofType('AWS::EC2::Subnet')) {
    const az = r.props.AvailabilityZone ?? r.props.AvailabilityZoneId;
    subnets.set(r.id, {
      id: r.id,
      ...named(r),
      vpc: refTo(r, 'VpcId', ['AWS::EC2::VPC'])!,
      cidr: str(r, 'CidrBlock')!,
      az: typeof az === 'string' ? az : unresolvedIp(`Subnet ${r.logicalId} AZ, chosen at deploy`),
      mapPublicIp: truthy(r.props.MapPublicIpOnLaunch),
    });
  }
  const routeTables = new Map<string, RouteTable & { routes: Route[] }>();
  for (const vpc of vpcs.values()) routeTables.set(vpc.mainRouteTable!, { id: vpc.mainRouteTable!, name: 'main (implicit)', vpc: vpc.id, routes: [] });
  for (const r of ofType('AWS::EC2::RouteTable')) routeTables.set(r.id, { id: r.id, ...named(r), vpc: refTo(r, 'VpcId', ['AWS::EC2::VPC'])!, routes: [] });
  // Every table starts with the local route of each of its VPC's CIDRs, as AWS adds it.
  for (const table of routeTables.values()) for (const cidr of vpcs.get(table.vpc)?.cidrs ?? []) table.routes.push({ destination: cidr, target: { kind: 'local' } });
  for (const r of ofType('AWS::EC2::Route')) {
    const destination = str(r, 'DestinationCidrBlock', false);
    if (!destination) continue; // IPv6 and prefix-list routes are outside the IPv4 model.
    const table = routeTables.get(refTo(r, 'RouteTableId', ['AWS::EC2::RouteTable'])!);
    if (!table) throw new InputError(`${r.stack.file}: Resources.${r.logicalId}.Properties.RouteTableId: names "${String(r.props.RouteTableId)}", which is not a route table in the given templates`);
    table.routes.push({ destination, target: routeTarget(r) });
  }
  function routeTarget(r: Resolved): RouteTarget {
    const p = (k: string) => (r.props[k] === undefined ? undefined : String(r.props[k]));
    const gateway = p('GatewayId');
    if (gateway) {
      const type = byId.get(gateway)?.type;
      if (type === 'AWS::EC2::InternetGateway' || gateway.startsWith('igw-')) return { kind: 'igw', id: gateway };
      if (type === 'AWS::EC2::VPNGateway' || gateway.startsWith('vgw-')) return { kind: 'vgw', id: gateway };
      return { kind: 'other', id: gateway, type: 'gateway' };
    }
    if (p('NatGatewayId')) return { kind: 'nat', id: p('NatGatewayId')! };
    if (p('NetworkInterfaceId')) return { kind: 'eni', id: p('NetworkInterfaceId')! };
    if (p('InstanceId')) return { kind: 'instance', id: p('InstanceId')! };
    if (p('TransitGatewayId')) return { kind: 'tgw', id: p('TransitGatewayId')! };
    if (p('VpcPeeringConnectionId')) return { kind: 'peering', id: p('VpcPeeringConnectionId')! };
    if (p('EgressOnlyInternetGatewayId')) return { kind: 'egress-only-igw', id: p('EgressOnlyInternetGatewayId')! };
    for (const [key, type] of [['VpcEndpointId', 'VPC endpoint'], ['CarrierGatewayId', 'carrier gateway'], ['LocalGatewayId', 'local gateway'], ['CoreNetworkArn', 'Cloud WAN core network']]) {
      if (p(key)) return { kind: 'other', id: p(key)!, type };
    }
    throw new InputError(`${r.stack.file}: Resources.${r.logicalId}: the route has no target`);
  }
  for (const r of ofType('AWS::EC2::SubnetRouteTableAssociation')) {
    const subnet = subnets.get(refTo(r, 'SubnetId', ['AWS::EC2::Subnet'])!);
    const routeTable = refTo(r, 'RouteTableId', ['AWS::EC2::RouteTable'])!;
    // A second association is kept for the topology check to refuse, naming both tables.
    if (subnet) subnets.set(subnet.id, { ...subnet, routeTable, routeTableAssociations: [...(subnet.routeTableAssociations ?? (subnet.routeTable ? [subnet.routeTable] : [])), routeTable] });
  }

  // ---- Elastic IPs and what they are attached to
  const eipOf = new Map<string, string>(); // instance or ENI id -> its EIP's address
  const eipByAllocation = (allocation: string): string => {
    const eip = byId.get(allocation);
    if (eip?.type === 'AWS::EC2::EIP') return eipPublicIp(eip.logicalId);
    return allocation.startsWith('<') ? unresolvedIp(`the Elastic IP of ${allocation.slice(1, -1)}`) : allocationPublicIp(allocation);
  };
  for (const r of ofType('AWS::EC2::EIP')) {
    const instance = str(r, 'InstanceId', false);
    if (instance) eipOf.set(instance, eipPublicIp(r.logicalId));
  }
  for (const r of ofType('AWS::EC2::EIPAssociation')) {
    const allocation = str(r, 'AllocationId', false) ?? str(r, 'EIP', false);
    const owner = str(r, 'InstanceId', false) ?? str(r, 'NetworkInterfaceId', false);
    if (allocation && owner) eipOf.set(owner, byId.get(allocation)?.type === 'AWS::EC2::EIP' || allocation.startsWith('eipalloc-') || allocation.startsWith('<') ? eipByAllocation(allocation) : allocation);
  }

  // ---- NAT Gateways
  const natGateways: NatGateway[] = ofType('AWS::EC2::NatGateway').map((r) => {
    const connectivity = r.props.ConnectivityType === 'private' ? 'private' : 'public';
    const regional = r.props.AvailabilityMode === 'regional';
    const subnetId = regional ? undefined : refTo(r, 'SubnetId', ['AWS::EC2::Subnet']);
    const vpc = subnetId ? subnets.get(subnetId)?.vpc : refTo(r, 'VpcId', ['AWS::EC2::VPC']);
    if (!vpc) throw new InputError(`${r.stack.file}: Resources.${r.logicalId}: the NAT gateway's subnet or VPC is not in the given templates`);
    const privateIp = str(r, 'PrivateIpAddress', false) ?? (subnetId ? deployTimeIp(`NatGateway ${r.logicalId} private IP`, subnetId) : unresolvedIp(`NatGateway ${r.logicalId} private IP, chosen at deploy`));
    const allocation = str(r, 'AllocationId', false);
    const addresses: NatAddress[] = [
      { privateIp, ...(connectivity === 'public' ? { publicIp: allocation ? eipByAllocation(allocation) : unresolvedIp(`NatGateway ${r.logicalId} Elastic IP, known after deploy`) } : {}), ...(allocation ? { allocationId: allocation } : {}), isPrimary: true },
    ];
    const secondaryIps = (r.props.SecondaryPrivateIpAddresses as unknown[] | undefined)?.map(String) ?? [];
    const secondaryAllocations = (r.props.SecondaryAllocationIds as unknown[] | undefined)?.map(String) ?? [];
    const count = Math.max(secondaryIps.length, secondaryAllocations.length, Number(r.props.SecondaryPrivateIpAddressCount ?? 0));
    for (let i = 0; i < count; i++) {
      const alloc = secondaryAllocations[i];
      addresses.push({
        privateIp: secondaryIps[i] ?? unresolvedIp(`NatGateway ${r.logicalId} secondary private IP ${i + 1}, chosen at deploy`),
        ...(connectivity === 'public' && alloc ? { publicIp: eipByAllocation(alloc), allocationId: alloc } : {}),
        isPrimary: false,
      });
    }
    return { id: r.id, ...named(r), vpc, ...(subnetId ? { subnet: subnetId } : {}), connectivity, availabilityMode: regional ? 'regional' : 'zonal', addresses };
  });

  /** A private IP AWS chooses at deploy: any address of the subnet, when the subnet's block is known. */
  function deployTimeIp(what: string, subnetId: string): string {
    const cidr = subnets.get(subnetId)?.cidr;
    return cidr && !cidr.startsWith('<') ? symbolicIp(what, cidr) : unresolvedIp(`${what}, chosen at deploy`);
  }

  // ---- hosts: instances and VPC-attached Lambda functions
  const roles = new Map<string, string>();
  const hosts: Host[] = [];
  for (const r of ofType('AWS::EC2::Instance')) {
    const interfaces = (r.props.NetworkInterfaces as Array<Record<string, unknown>> | undefined) ?? [];
    const primary = interfaces.find((n) => String(n.DeviceIndex ?? '0') === '0');
    const subnet = (r.props.SubnetId ?? primary?.SubnetId) as string | undefined;
    if (typeof subnet !== 'string') throw new InputError(`${r.stack.file}: Resources.${r.logicalId}.Properties.SubnetId: is missing (an instance needs a subnet, directly or on its first network interface)`);
    if (subnet.startsWith('<')) {
      const key = r.props.SubnetId !== undefined ? 'SubnetId' : 'NetworkInterfaces[0].SubnetId';
      throw new InputError(`${r.stack.file}: Resources.${r.logicalId}.Properties.${key}: ${subnet.slice(1, -1)}, but natlab needs it to build the topology`);
    }
    const privateIp = (r.props.PrivateIpAddress ?? primary?.PrivateIpAddress) as string | undefined;
    const groups = ((r.props.SecurityGroupIds ?? primary?.GroupSet ?? []) as unknown[]).map(String);
    const associate = primary?.AssociatePublicIpAddress;
    const autoAssigned = associate === undefined ? subnets.get(subnet)?.mapPublicIp : truthy(associate);
    const publicIp = eipOf.get(r.id) ?? (autoAssigned ? unresolvedIp(`Instance ${r.logicalId}.PublicIp, known after deploy`) : undefined);
    const role = roleOf(r);
    if (role) roles.set(r.id, role);
    hosts.push({
      id: r.id,
      ...named(r),
      kind: 'instance',
      subnet,
      privateIp: privateIp ?? deployTimeIp(`${r.logicalId} private IP`, subnet),
      ...(publicIp ? { publicIp } : {}),
      securityGroups: groups,
      instanceId: r.id,
      ...(r.id !== r.logicalId ? { aliases: [r.logicalId] } : {}),
    });
  }
  for (const r of ofType('AWS::Lambda::Function')) {
    const config = r.props.VpcConfig as { SubnetIds?: unknown[]; SecurityGroupIds?: unknown[] } | undefined;
    const subnetIds = (config?.SubnetIds ?? []).map(String);
    // A FunctionName that is only known after deploy (a token) is no name a person can type.
    const fnName = typeof r.props.FunctionName === 'string' && !r.props.FunctionName.startsWith('<') ? r.props.FunctionName : r.logicalId;
    subnetIds.forEach((subnet) => {
      hosts.push({
        id: subnetIds.length > 1 ? `${r.id}@${subnet}` : r.id,
        name: subnetIds.length > 1 ? `${fnName}@${subnet}` : fnName,
        kind: 'lambda',
        subnet,
        privateIp: deployTimeIp(`Lambda ${r.logicalId} ENI private IP in ${subnet}`, subnet),
        securityGroups: (config?.SecurityGroupIds ?? []).map(String),
      });
    });
  }

  // ---- the server: an instance with a public IP outside the lab's VPC is "the internet"
  const firstClient = hosts.find((h) => roles.get(h.id) === 'client');
  const labVpc = natGateways[0]?.vpc ?? (firstClient?.subnet ? subnets.get(firstClient.subnet)?.vpc : undefined);
  const folded = hosts.map((h): Host => {
    const vpc = h.subnet ? subnets.get(h.subnet)?.vpc : undefined;
    const isServer = roles.get(h.id) === 'server' || (labVpc !== undefined && vpc !== undefined && vpc !== labVpc && h.kind === 'instance');
    if (!isServer || !h.publicIp) return h;
    return { id: h.id, ...(h.name ? { name: h.name } : {}), kind: 'server', privateIp: h.publicIp, securityGroups: h.securityGroups, instanceId: h.id };
  });

  // ---- security groups and their rule resources
  const groups = new Map<string, SecurityGroup & { ingress: SecurityGroupRule[]; egress: SecurityGroupRule[] }>();
  for (const r of ofType('AWS::EC2::SecurityGroup')) {
    const egress = r.props.SecurityGroupEgress as Array<Record<string, unknown>> | undefined;
    groups.set(r.id, {
      id: r.id,
      ...(r.props.GroupName ? { name: String(r.props.GroupName) } : {}),
      ...(r.props.VpcId ? { vpc: String(r.props.VpcId) } : {}),
      ingress: ((r.props.SecurityGroupIngress as Array<Record<string, unknown>> | undefined) ?? []).flatMap((x, i) => sgRule(x, 'Source', `${r.stack.file}: Resources.${r.logicalId}.Properties.SecurityGroupIngress[${i}]`)),
      // No egress rules in a template means CloudFormation's default: all outbound allowed.
      egress: egress === undefined ? [{ protocol: 'all', cidr: '0.0.0.0/0' }] : egress.flatMap((x, i) => sgRule(x, 'Destination', `${r.stack.file}: Resources.${r.logicalId}.Properties.SecurityGroupEgress[${i}]`)),
    });
  }
  for (const vpc of vpcs.values()) {
    const id = `${vpc.id}/DefaultSecurityGroup`;
    if (all.some((r) => JSON.stringify(r.props).includes(`"${id}"`))) groups.set(id, { id, name: 'default', vpc: vpc.id, ingress: [{ protocol: 'all', securityGroup: id }], egress: [{ protocol: 'all', cidr: '0.0.0.0/0' }] });
  }
  for (const [type, direction, peer] of [['AWS::EC2::SecurityGroupIngress', 'ingress', 'Source'], ['AWS::EC2::SecurityGroupEgress', 'egress', 'Destination']] as const) {
    for (const r of ofType(type)) {
      const group = groups.get(String(r.props.GroupId));
      if (!group) continue; // a rule on a group outside the given templates
      group[direction].push(...sgRule(r.props, peer, `${r.stack.file}: Resources.${r.logicalId}.Properties`));
    }
  }

  // ---- network ACLs
  const acls = new Map<string, NetworkAcl & { ingress: NetworkAclRule[]; egress: NetworkAclRule[] }>();
  for (const r of ofType('AWS::EC2::NetworkAcl')) acls.set(r.id, { id: r.id, ...named(r), vpc: refTo(r, 'VpcId', ['AWS::EC2::VPC'])!, isDefault: false, ingress: [], egress: [] });
  for (const r of ofType('AWS::EC2::NetworkAclEntry')) {
    const acl = acls.get(String(r.props.NetworkAclId));
    const protocol = ruleProtocolOf(r.props.Protocol);
    const cidr = str(r, 'CidrBlock', false);
    if (!acl || !protocol || !cidr) continue;
    const range = r.props.PortRange as { From?: unknown; To?: unknown } | undefined;
    const ports = (protocol === 'tcp' || protocol === 'udp') && range?.From !== undefined ? { fromPort: Number(range.From), toPort: Number(range.To) } : {};
    // An ICMP entry names its type and code in Icmp (-1 or absent: any).
    const icmp = r.props.Icmp as { Type?: unknown; Code?: unknown } | undefined;
    const types = protocol === 'icmp' && icmp !== undefined ? icmpFields(icmp.Type, icmp.Code) : {};
    if (isIcmpProblem(types)) throw new InputError(`${r.stack.file}: Resources.${r.logicalId}.Properties.Icmp.${types.field === 'type' ? 'Type' : 'Code'}: ${types.message}`);
    acl[truthy(r.props.Egress) ? 'egress' : 'ingress'].push({ ruleNumber: Number(r.props.RuleNumber), protocol, action: String(r.props.RuleAction) as 'allow' | 'deny', cidr, ...ports, ...types });
  }
  for (const acl of acls.values()) for (const list of [acl.ingress, acl.egress]) list.sort((a, b) => a.ruleNumber - b.ruleNumber);
  for (const r of ofType('AWS::EC2::SubnetNetworkAclAssociation')) {
    const subnet = subnets.get(String(r.props.SubnetId));
    if (subnet) subnets.set(subnet.id, { ...subnet, networkAcl: String(r.props.NetworkAclId) });
  }

  const files = stacks.map((s) => s.file).join(', ');
  const assumptions = resolver.usedGetAzs ? `; region ${region}${opts.region ? '' : ' (default)'}, AZ names assumed ${resolver.assumedAzs.slice(0, 3).join(', ')}, ...` : `; region ${region}${opts.region ? '' : ' (default)'}`;
  const topology: Topology = {
    name: stacks.map((s) => s.stack).join('+'),
    source: `CloudFormation template${stacks.length > 1 ? 's' : ''} ${files}${assumptions}`,
    region,
    vpcs: [...vpcs.values()],
    subnets: [...subnets.values()],
    routeTables: [...routeTables.values()],
    natGateways,
    internetGateways: [...internetGateways.values()],
    hosts: folded,
    securityGroups: [...groups.values()],
    networkAcls: [...acls.values()],
    flows: flowsFromMetadata(stacks, all) ?? flowsFromRoles(folded, roles, all),
  };
  checkTemplateAddresses(topology, byId, files);
  return topology;
}

/** Where a topology path comes from in a template: the property a person would edit. */
const TEMPLATE_PROPERTIES: Array<[RegExp, (m: RegExpExecArray) => string]> = [
  [/^natGateways\[\d+\]\.addresses\[0\]\.privateIp$/, () => 'PrivateIpAddress'],
  [/^natGateways\[\d+\]\.addresses\[(\d+)\]\.privateIp$/, (m) => `SecondaryPrivateIpAddresses[${Number(m[1]) - 1}]`],
  [/^hosts\[\d+\]\.privateIp$/, () => 'PrivateIpAddress'],
  [/^(subnets|vpcs)\[\d+\]\.cidrs?(\[\d+\])?$/, () => 'CidrBlock'],
];

/**
 * The address checks of a scenario (inside the subnet, not reserved by AWS, subnets inside
 * the VPC and apart), which cfn-lint does not make: each error names the file and resource.
 */
function checkTemplateAddresses(topology: Topology, byId: ReadonlyMap<string, Resolved>, files: string): void {
  const problems = checkTopology(topology, { addressesOnly: true });
  if (!problems.length) return;
  const [first] = problems;
  const resource = first.subject === undefined ? undefined : (byId.get(first.subject) ?? byId.get(first.subject.replace(/@.*$/, '')));
  const more = problems.length > 1 ? `; and ${problems.length - 1} more problem${problems.length === 2 ? '' : 's'}` : '';
  if (!resource) throw new InputError(`${files}: ${first.path}: ${first.message}${more}`);
  const property = TEMPLATE_PROPERTIES.map(([re, name]) => [re.exec(first.path), name] as const).find(([m]) => m);
  let key = property ? property[1](property[0]!) : undefined;
  // An instance may give its address on its first network interface instead.
  if (key === 'PrivateIpAddress' && resource.props.PrivateIpAddress === undefined && resource.props.NetworkInterfaces !== undefined) key = 'NetworkInterfaces[0].PrivateIpAddress';
  const where = `Resources.${resource.logicalId}${key ? `.Properties.${key}` : ''}`;
  throw new InputError(`${resource.stack.file}: ${where}: ${first.message}${more}`);
}

/** One security group rule (inline, or an ingress/egress resource's properties); `where` locates it for errors. */
function sgRule(x: Record<string, unknown>, peer: 'Source' | 'Destination', where: string): SecurityGroupRule[] {
  const protocol = ruleProtocolOf(x.IpProtocol);
  if (!protocol) return [];
  let ports: Pick<SecurityGroupRule, 'fromPort' | 'toPort' | 'icmpType' | 'icmpCode'> = {};
  if (protocol === 'icmp') {
    // For ICMP, FromPort is the type and ToPort the code (-1: any).
    const types = icmpFields(x.FromPort, x.ToPort);
    if (isIcmpProblem(types)) throw new InputError(`${where}.${types.field === 'type' ? 'FromPort' : 'ToPort'}: ${types.message}`);
    ports = types;
  } else if (protocol !== 'all') {
    const from = x.FromPort === undefined ? undefined : Number(x.FromPort);
    const to = x.ToPort === undefined ? undefined : Number(x.ToPort);
    if (from !== undefined && from !== -1 && to !== undefined && to !== -1) ports = { fromPort: from, toPort: to };
  }
  const description = x.Description === undefined ? {} : { description: String(x.Description) };
  if (x.CidrIp !== undefined) return [{ protocol, ...ports, cidr: String(x.CidrIp), ...description }];
  const group = x[`${peer}SecurityGroupId`];
  if (group !== undefined) return [{ protocol, ...ports, securityGroup: String(group), ...description }];
  const prefixList = x[`${peer}PrefixListId`];
  if (prefixList !== undefined) return [{ protocol, ...ports, prefixList: String(prefixList), ...description }];
  return []; // IPv6 peers are outside the IPv4 model.
}

function truthy(value: unknown): boolean {
  return value === true || value === 'true';
}

function tagOf(r: Resolved, key: string): string | undefined {
  const tags = r.props.Tags as Array<{ Key?: unknown; Value?: unknown }> | undefined;
  const value = Array.isArray(tags) ? tags.find((t) => t.Key === key)?.Value : undefined;
  return typeof value === 'string' ? value : undefined;
}

function named(r: Resolved): { name?: string } {
  const name = tagOf(r, 'Name');
  return name ? { name } : {};
}

function roleOf(r: Resolved): string | undefined {
  const meta = r.metadata['natlab:role'];
  return typeof meta === 'string' ? meta : tagOf(r, 'natlab:role');
}

function flowsFromMetadata(stacks: readonly StackInput[], all: Resolved[]): FlowSpec[] | undefined {
  const lists = [...stacks.map((s) => s.template.Metadata?.['natlab:flows']), ...all.filter((r) => r.type === 'AWS::EC2::VPC').map((r) => r.metadata['natlab:flows'])].filter(
    (x): x is FlowSpec[] => Array.isArray(x),
  );
  return lists.length ? lists.flat() : undefined;
}

function flowsFromRoles(hosts: Host[], roles: Map<string, string>, all: Resolved[]): FlowSpec[] {
  const server = hosts.find((h) => roles.get(h.id) === 'server');
  if (!server) return [];
  const serverResource = all.find((r) => r.id === server.id)!;
  const port = Number(tagOf(serverResource, 'natlab:port') ?? DEFAULT_SERVER_PORT);
  return (['client', 'direct-client'] as const).flatMap((role) =>
    hosts
      .filter((h) => roles.get(h.id) === role)
      .map((h) => {
        const sourcePort = tagOf(all.find((r) => r.id === h.id)!, 'natlab:source-port');
        return {
          name: h.name ?? h.id,
          protocol: 'tcp' as const,
          from: h.id,
          sourcePort: sourcePort && /^\d+$/.test(sourcePort) ? Number(sourcePort) : ('any' as const),
          to: { host: server.id, port },
          ...(role === 'client' ? { group: 'clients' } : {}),
        };
      }),
  );
}
