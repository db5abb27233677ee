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
import { readFile, realpath, stat } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { InputError } from '../errors';
import type { EgressOnlyInternetGateway, FlowSpec, Host, InternetGateway, NatAddress, NatGateway, NetworkAcl, NetworkAclRule, PrefixList, Route, RouteTable, RouteTarget, SecurityGroup, SecurityGroupRule, Subnet, Topology, Vpc, VpcEndpoint } from '../model/types';
import { describe, isObject, MAX_TEMPLATE_BYTES, parseTemplate, type CfnResource } from './private/cfn-parse';
import { checkTopology } from './private/check-topology';
import { allocationPublicIp, CfnResolver, eipPublicIp, NO_VALUE, type StackInput } from './private/cfn-resolve';
import { withParameters, type ParameterValue } from './private/cfn-parameters';
import { icmpFields, isIcmpProblem } from './private/icmp';
import { ruleProtocolOf } from './private/protocol';
import { isIpv6Cidr, ruleCidrV4 } from './private/rule-cidr';
import { isUnresolved, unresolvedIp } from './private/unresolved';
import { symbolicIp } from '../model/address';
import { describeFsError } from './private/fs-error';

export interface TemplateOptions {
  /**
   * The region the stack would deploy to (for Fn::GetAZs and AWS::Region).
   * @default 'us-east-1'
   */
  readonly region?: string;
  /**
   * Parameter values (`--parameter`, `--parameters`), each applied to every template that declares it.
   * @default - none: parameters take their Default, or stay values given at deploy
   */
  readonly parameters?: readonly ParameterValue[];
  /**
   * An existing topology the templates deploy into (a describe dump): template resources that
   * name its ids (a subnet given as a parameter) attach to them, and the result holds both.
   * @default - the templates alone
   */
  readonly base?: Topology;
  /**
   * Receives notes about what natlab normalised as AWS does (host bits masked in a rule CIDR).
   * @default - notes are dropped
   */
  readonly note?: (message: string) => void;
}

const DEFAULT_REGION = 'us-east-1';
const DEFAULT_SERVER_PORT = 8080;

/** Reads and converts one or more templates into one `Topology`. */
export async function loadTemplates(files: readonly string[], opts: TemplateOptions = {}): Promise<Topology> {
  const stacks: StackInput[] = [];
  const seen = new Map<string, string>();
  for (const file of files) {
    let text: string;
    let real: string;
    try {
      real = await realpath(file);
      // Refused before reading: a template of gigabytes (or /dev/zero) must not fill memory.
      const info = await stat(real);
      if (info.isFile() && info.size > MAX_TEMPLATE_BYTES) throw new InputError(`${file}: the template is larger than ${MAX_TEMPLATE_BYTES / 1024 / 1024} MB`);
      if (!info.isFile() && !info.isFIFO()) throw new InputError(`${file}: cannot read the template (not a regular file)`);
      text = await readFile(real, 'utf8');
    } catch (err) {
      if (err instanceof InputError) throw err;
      throw new InputError(`${file}: cannot read the template (${describeFsError(err)})`);
    }
    if (seen.has(real)) throw new InputError(`${file}: the same template is given twice (as ${seen.get(real)} and ${file})`);
    seen.set(real, file);
    stacks.push({ file, stack: stackName(file), template: parseTemplate(text, file) });
  }
  return topologyFromTemplates(stacks, opts);
}

/** Stack names as ids use them: two files of one name (`a/net.yaml`, `b/net.yaml`) are told apart by their folder. */
function uniqueStackNames(stacks: readonly StackInput[]): StackInput[] {
  const count = new Map<string, number>();
  for (const s of stacks) count.set(s.stack, (count.get(s.stack) ?? 0) + 1);
  const used = new Set<string>();
  return stacks.map((s) => {
    let name = (count.get(s.stack) ?? 0) > 1 ? `${basename(dirname(s.file))}/${s.stack}` : s.stack;
    for (let i = 2; used.has(name); i++) name = `${s.stack}#${i}`;
    used.add(name);
    return name === s.stack ? s : { ...s, stack: name };
  });
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
export function topologyFromTemplates(given: readonly StackInput[], opts: TemplateOptions = {}): Topology {
  const stacks = withParameters(uniqueStackNames(given), opts.parameters ?? []);
  try {
    return convert(stacks, opts);
  } catch (err) {
    // Every message names the template; one from a shared helper (an address parser) gets the file list.
    if (err instanceof InputError && !given.some((s) => err.message.startsWith(`${s.file}:`))) throw new InputError(`${given.map((s) => s.file).join(', ')}: ${err.message}`, err.exitCode);
    throw err;
  }
}

function convert(stacks: readonly StackInput[], opts: TemplateOptions): Topology {
  const region = opts.region ?? DEFAULT_REGION;
  const base = opts.base;
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
        props: resolvedProperties(resolver.resolve(stack, resource.Properties ?? {}, `Resources.${logicalId}.Properties`), `${stack.file}: Resources.${logicalId}.Properties`),
        metadata: (resource as CfnResource).Metadata ?? {},
      });
    }
  }
  for (const r of all) checkTags(r);
  const byId = new Map(all.map((r) => [r.id, r]));
  const ofType = (type: string) => all.filter((r) => r.type === type);
  const at = (r: Resolved, key: string) => `${r.stack.file}: Resources.${r.logicalId}.Properties.${key}`;
  const notes: string[] = [];

  /** A property that must be a known string (an id, a CIDR); a value known only at deploy is refused with what to pass. */
  const str = (r: Resolved, key: string, required = true): string | undefined => {
    const value = r.props[key];
    if (value === undefined) {
      if (required) throw new InputError(`${at(r, key)}: is missing`);
      return undefined;
    }
    if (typeof value !== 'string' && typeof value !== 'number') throw new InputError(`${at(r, key)}: expected a string, got ${describe(value)}`);
    return String(value);
  };
  /** A property natlab needs concretely (a CIDR block, a subnet): a deploy-time value names the parameter to pass. */
  const known = (r: Resolved, key: string, value: string, what = 'natlab needs it to build the topology'): string => {
    if (!value.includes('<')) return value;
    throw new InputError(`${at(r, key)}: ${deployTimeText(value)}, but ${what}${passHint(value, key, base !== undefined)}`);
  };
  /** A property that, when present, must be a list. */
  const list = (r: Resolved, key: string, value: unknown = r.props[key], where = at(r, key)): unknown[] | undefined => {
    if (value === undefined) return undefined;
    if (Array.isArray(value)) return value;
    if (typeof value === 'string' && value.includes('<')) throw new InputError(`${where}: ${deployTimeText(value)}, but natlab needs the list to build the topology${passHint(value, key, base !== undefined)}`);
    throw new InputError(`${where}: expected a list, got ${describe(value)}`);
  };
  const texts = (r: Resolved, key: string, value: unknown = r.props[key], where = at(r, key)): string[] =>
    (list(r, key, value, where) ?? []).map((x, i) => {
      if (typeof x !== 'string' && typeof x !== 'number') throw new InputError(`${where}[${i}]: expected a string, got ${describe(x)}`);
      return known(r, `${key}[${i}]`, String(x));
    });
  /** Records of a list property (network interfaces, rules): each must be a mapping. */
  const records = (r: Resolved, key: string): Array<Record<string, unknown>> =>
    (list(r, key) ?? []).map((x, i) => {
      if (!isObject(x)) throw new InputError(`${at(r, key)}[${i}]: expected a mapping, got ${describe(x)}`);
      return x;
    });
  const baseIds = new Set<string>(base ? [...base.vpcs, ...base.subnets, ...base.routeTables, ...base.securityGroups, ...base.networkAcls, ...base.internetGateways, ...base.natGateways].map((x) => x.id) : []);
  const refTo = (r: Resolved, key: string, types: string[]): string | undefined => {
    const id = str(r, key, false);
    if (id === undefined) return undefined;
    const target = byId.get(id);
    if (!target || !types.includes(target.type)) {
      known(r, key, id);
      // An id from outside the templates: one the dump holds, or (templates alone) a literal id kept as given.
      if (base && !baseIds.has(id)) throw new InputError(`${at(r, key)}: names "${id}", which is neither in the templates nor in the dump`);
    }
    return id;
  };

  // ---- VPCs, their implicit main route table, internet gateways
  const vpcs = new Map<string, Vpc & { cidrs: string[]; ipv6Cidrs: string[] }>();
  for (const r of ofType('AWS::EC2::VPC')) {
    const cidr = str(r, 'CidrBlock', false);
    if (!cidr) throw new InputError(`${at(r, 'CidrBlock')}: is missing (IPAM-allocated VPCs are not supported)`);
    vpcs.set(r.id, { id: r.id, ...named(r), cidrs: [known(r, 'CidrBlock', cidr)], ipv6Cidrs: [], mainRouteTable: `${r.id}/MainRouteTable` });
  }
  for (const r of ofType('AWS::EC2::VPCCidrBlock')) {
    const vpcId = refTo(r, 'VpcId', ['AWS::EC2::VPC'])!;
    const vpc = vpcs.get(vpcId);
    const cidr = str(r, 'CidrBlock', false);
    if (cidr && vpc) vpc.cidrs.push(known(r, 'CidrBlock', cidr));
    // IPv6: a block given, one Amazon provides, or one from an IPAM or BYOIP pool: known after deploy unless given.
    const ipv6 = str(r, 'Ipv6CidrBlock', false);
    if (vpc && ipv6 !== undefined) vpc.ipv6Cidrs.push(ipv6Value(r, 'Ipv6CidrBlock', ipv6));
    else if (vpc && (truthy(r.props.AmazonProvidedIpv6CidrBlock) || r.props.Ipv6Pool !== undefined || r.props.Ipv6IpamPoolId !== undefined)) vpc.ipv6Cidrs.push(unresolvedIp(`VPCCidrBlock ${r.logicalId} IPv6 block, known after deploy`));
  }
  const internetGateways = new Map<string, InternetGateway>(ofType('AWS::EC2::InternetGateway').map((r) => [r.id, { id: r.id, ...named(r) }]));
  for (const r of ofType('AWS::EC2::VPCGatewayAttachment')) {
    const igw = str(r, 'InternetGatewayId', false);
    if (igw && internetGateways.has(igw)) internetGateways.set(igw, { ...internetGateways.get(igw)!, vpc: refTo(r, 'VpcId', ['AWS::EC2::VPC'])! });
  }
  const egressOnly: EgressOnlyInternetGateway[] = ofType('AWS::EC2::EgressOnlyInternetGateway').map((r) => ({ id: r.id, ...named(r), vpc: refTo(r, 'VpcId', ['AWS::EC2::VPC'])! }));

  /** An IPv6 block as carried: a literal CIDR checked, a value known after deploy kept as one named token. */
  function ipv6Value(r: Resolved, key: string, value: string): string {
    if (value.includes('<')) return isUnresolved(value) ? value : unresolvedIp(`${shortType(r.type)} ${r.logicalId}.${key}: ${value}`);
    if (!isIpv6Cidr(value)) throw new InputError(`${at(r, key)}: "${value}" is not an IPv6 CIDR`);
    return value;
  }

  // ---- subnets, route tables, routes, associations
  const subnets = new Map<string, Subnet>();
  for (const r of ofType('AWS::EC2::Subnet')) {
    const az = r.props.AvailabilityZone ?? r.props.AvailabilityZoneId;
    const ipv6 = str(r, 'Ipv6CidrBlock', false);
    subnets.set(r.id, {
      id: r.id,
      ...named(r),
      vpc: refTo(r, 'VpcId', ['AWS::EC2::VPC'])!,
      cidr: known(r, 'CidrBlock', str(r, 'CidrBlock')!),
      az: typeof az === 'string' ? az : unresolvedIp(`Subnet ${r.logicalId} AZ, chosen at deploy`),
      mapPublicIp: truthy(r.props.MapPublicIpOnLaunch),
      ...(ipv6 !== undefined ? { ipv6Cidr: ipv6Value(r, 'Ipv6CidrBlock', ipv6) } : {}),
      ...(truthy(r.props.AssignIpv6AddressOnCreation) ? { assignIpv6OnCreation: true } : {}),
    });
  }
  for (const r of ofType('AWS::EC2::SubnetCidrBlock')) {
    const subnet = subnets.get(refTo(r, 'SubnetId', ['AWS::EC2::Subnet'])!);
    const ipv6 = str(r, 'Ipv6CidrBlock', false);
    if (subnet && ipv6 !== undefined && subnet.ipv6Cidr === undefined) subnets.set(subnet.id, { ...subnet, ipv6Cidr: ipv6Value(r, 'Ipv6CidrBlock', ipv6) });
  }
  const subnetOf = (id: string): Subnet | undefined => subnets.get(id) ?? base?.subnets.find((s) => s.id === id);
  const routeTables = new Map<string, RouteTable & { routes: Route[] }>();
  for (const vpc of vpcs.values()) routeTables.set(vpc.mainRouteTable!, { id: vpc.mainRouteTable!, name: 'main (implicit)', vpc: vpc.id, routes: [] });
  for (const r of ofType('AWS::EC2::RouteTable')) routeTables.set(r.id, { id: r.id, ...named(r), vpc: refTo(r, 'VpcId', ['AWS::EC2::VPC'])!, routes: [] });
  // Every table starts with the local route of each of its VPC's CIDRs, as AWS adds it.
  for (const table of routeTables.values()) {
    const vpc = vpcs.get(table.vpc) ?? base?.vpcs.find((v) => v.id === table.vpc);
    for (const cidr of vpc?.cidrs ?? []) table.routes.push({ destination: cidr, target: { kind: 'local' } });
    for (const cidr of vpc?.ipv6Cidrs ?? []) table.routes.push({ destination: cidr, destinationKind: 'ipv6', target: { kind: 'local' } });
  }
  /** A route table of the templates, or of the dump (a route a template adds to an existing table). */
  const changedBaseTables = new Map<string, RouteTable & { routes: Route[] }>();
  const routeTableOf = (id: string): (RouteTable & { routes: Route[] }) | undefined => {
    const own = routeTables.get(id) ?? changedBaseTables.get(id);
    if (own) return own;
    const existing = base?.routeTables.find((t) => t.id === id);
    if (!existing) return undefined;
    const copy = { ...existing, routes: [...existing.routes] };
    changedBaseTables.set(id, copy);
    return copy;
  };
  for (const r of ofType('AWS::EC2::Route')) {
    const v4 = str(r, 'DestinationCidrBlock', false);
    const v6 = str(r, 'DestinationIpv6CidrBlock', false);
    const prefixList = str(r, 'DestinationPrefixListId', false);
    const route: Omit<Route, 'target'> | undefined =
      v4 !== undefined ? { destination: known(r, 'DestinationCidrBlock', v4) } : v6 !== undefined ? { destination: ipv6Value(r, 'DestinationIpv6CidrBlock', v6), destinationKind: 'ipv6' } : prefixList !== undefined ? { destination: prefixList, destinationKind: 'prefix-list' } : undefined;
    if (!route) throw new InputError(`${r.stack.file}: Resources.${r.logicalId}: the route has no destination (DestinationCidrBlock, DestinationIpv6CidrBlock or DestinationPrefixListId)`);
    const tableId = refTo(r, 'RouteTableId', ['AWS::EC2::RouteTable'])!;
    const table = routeTableOf(tableId);
    if (!table) throw new InputError(`${at(r, 'RouteTableId')}: names "${tableId}", which is not a route table in the given templates`);
    table.routes.push({ ...route, target: routeTarget(r) });
  }
  function routeTarget(r: Resolved): RouteTarget {
    const p = (k: string) => str(r, k, false);
    const gateway = p('GatewayId');
    if (gateway) {
      const type = byId.get(gateway)?.type;
      if (type === 'AWS::EC2::InternetGateway' || gateway.startsWith('igw-')) return { kind: 'igw', id: gateway };
      if (type === 'AWS::EC2::VPNGateway' || gateway.startsWith('vgw-')) return { kind: 'vgw', id: gateway };
      if (type === 'AWS::EC2::VPCEndpoint' || gateway.startsWith('vpce-')) return { kind: 'vpc-endpoint', id: gateway };
      return { kind: 'other', id: gateway, type: 'gateway' };
    }
    if (p('NatGatewayId')) return { kind: 'nat', id: p('NatGatewayId')! };
    if (p('NetworkInterfaceId')) return { kind: 'eni', id: p('NetworkInterfaceId')! };
    if (p('InstanceId')) return { kind: 'instance', id: p('InstanceId')! };
    if (p('TransitGatewayId')) return { kind: 'tgw', id: p('TransitGatewayId')! };
    if (p('VpcPeeringConnectionId')) return { kind: 'peering', id: p('VpcPeeringConnectionId')! };
    if (p('EgressOnlyInternetGatewayId')) return { kind: 'egress-only-igw', id: p('EgressOnlyInternetGatewayId')! };
    if (p('VpcEndpointId')) return { kind: 'vpc-endpoint', id: p('VpcEndpointId')! };
    for (const [key, type] of [['CarrierGatewayId', 'carrier gateway'], ['LocalGatewayId', 'local gateway'], ['CoreNetworkArn', 'Cloud WAN core network']]) {
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

  // ---- prefix lists and VPC endpoints (a gateway endpoint adds a prefix-list route to each of its tables)
  const prefixLists: PrefixList[] = ofType('AWS::EC2::PrefixList').map((r) => ({
    id: r.id,
    ...(typeof r.props.PrefixListName === 'string' ? { name: r.props.PrefixListName } : {}),
    cidrs: records(r, 'Entries').map((e, i) => {
      const cidr = typeof e.Cidr === 'string' ? e.Cidr : '';
      if (cidr.includes('<') || ruleCidrV4(cidr)?.masked === false || isIpv6Cidr(cidr)) return cidr;
      throw new InputError(`${at(r, `Entries[${i}].Cidr`)}: ${describe(e.Cidr)} is not a CIDR block`);
    }),
  }));
  const vpcEndpoints: VpcEndpoint[] = ofType('AWS::EC2::VPCEndpoint').map((r) => {
    const kind = String(r.props.VpcEndpointType ?? 'Gateway').toLowerCase();
    const type = kind === 'interface' ? 'interface' : kind === 'gatewayloadbalancer' ? 'gateway-load-balancer' : kind === 'resource' ? 'resource' : kind === 'servicenetwork' ? 'service-network' : 'gateway';
    const serviceName = str(r, 'ServiceName', false) ?? unresolvedIp(`VPCEndpoint ${r.logicalId} service`);
    const tables = type === 'gateway' ? texts(r, 'RouteTableIds') : [];
    // The service's prefix list (pl-...) is AWS's; a template cannot name it, only the service.
    const prefixList = unresolvedIp(`prefix list of ${serviceName}`);
    for (const tableId of tables) routeTableOf(tableId)?.routes.push({ destination: prefixList, destinationKind: 'prefix-list', target: { kind: 'vpc-endpoint', id: r.id } });
    return { id: r.id, ...named(r), vpc: refTo(r, 'VpcId', ['AWS::EC2::VPC'])!, type, serviceName, ...(tables.length ? { routeTables: tables, prefixList } : {}) };
  });

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
    const vpc = subnetId ? subnetOf(subnetId)?.vpc : refTo(r, 'VpcId', ['AWS::EC2::VPC']);
    if (!vpc) throw new InputError(`${r.stack.file}: Resources.${r.logicalId}: the NAT gateway's subnet or VPC is not in the given templates`);
    const privateIp = str(r, 'PrivateIpAddress', false) ?? (subnetId ? deployTimeIp(`NatGateway ${r.logicalId} private IP`, subnetId) : unresolvedIp(`NatGateway ${r.logicalId} private IP, chosen at deploy`));
    const allocation = str(r, 'AllocationId', false);
    const addresses: NatAddress[] = [
      { privateIp, ...(connectivity === 'public' ? { publicIp: allocation ? eipByAllocation(allocation) : unresolvedIp(`NatGateway ${r.logicalId} Elastic IP, known after deploy`) } : {}), ...(allocation ? { allocationId: allocation } : {}), isPrimary: true },
    ];
    const secondaryIps = texts(r, 'SecondaryPrivateIpAddresses');
    const secondaryAllocations = texts(r, 'SecondaryAllocationIds');
    const requested = Number(str(r, 'SecondaryPrivateIpAddressCount', false) ?? 0);
    // A NAT gateway holds at most 8 addresses (1 primary, 7 secondary).
    if (!Number.isInteger(requested) || requested < 0 || requested > 7) throw new InputError(`${at(r, 'SecondaryPrivateIpAddressCount')}: ${describe(r.props.SecondaryPrivateIpAddressCount)} is not a whole number from 0 to 7`);
    const count = Math.max(secondaryIps.length, secondaryAllocations.length, requested);
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
    const cidr = subnetOf(subnetId)?.cidr;
    // A subnet block that does not parse is reported, at the subnet, by the address checks below.
    return cidr && ruleCidrV4(cidr)?.masked === false ? symbolicIp(what, cidr) : unresolvedIp(`${what}, chosen at deploy`);
  }

  // ---- hosts: instances and VPC-attached Lambda functions
  const roles = new Map<string, string>();
  const hosts: Host[] = [];
  for (const r of ofType('AWS::EC2::Instance')) {
    const interfaces = records(r, 'NetworkInterfaces');
    const primaryIndex = interfaces.findIndex((n) => String(n.DeviceIndex ?? '0') === '0');
    const primary = interfaces[primaryIndex];
    const subnetKey = r.props.SubnetId !== undefined || !primary ? 'SubnetId' : `NetworkInterfaces[${primaryIndex}].SubnetId`;
    const subnetValue = r.props.SubnetId ?? primary?.SubnetId;
    if (subnetValue === undefined) throw new InputError(`${at(r, 'SubnetId')}: is missing (an instance needs a subnet, directly or on its first network interface)`);
    if (typeof subnetValue !== 'string') throw new InputError(`${at(r, subnetKey)}: expected a subnet id, got ${describe(subnetValue)}`);
    const subnet = known(r, subnetKey, subnetValue);
    if (base && !subnets.has(subnet) && !baseIds.has(subnet)) throw new InputError(`${at(r, subnetKey)}: names "${subnet}", which is neither in the templates nor in the dump`);
    const ipKey = r.props.PrivateIpAddress !== undefined || !primary ? 'PrivateIpAddress' : `NetworkInterfaces[${primaryIndex}].PrivateIpAddress`;
    const privateIpValue = r.props.PrivateIpAddress ?? primary?.PrivateIpAddress;
    if (privateIpValue !== undefined && typeof privateIpValue !== 'string') throw new InputError(`${at(r, ipKey)}: expected an IPv4 address, got ${describe(privateIpValue)}`);
    const groupsKey = r.props.SecurityGroupIds !== undefined || !primary ? 'SecurityGroupIds' : `NetworkInterfaces[${primaryIndex}].GroupSet`;
    const groups = texts(r, groupsKey, r.props.SecurityGroupIds ?? primary?.GroupSet, at(r, groupsKey));
    const associate = primary?.AssociatePublicIpAddress;
    const autoAssigned = associate === undefined ? subnetOf(subnet)?.mapPublicIp : truthy(associate);
    const publicIp = eipOf.get(r.id) ?? (autoAssigned ? unresolvedIp(`Instance ${r.logicalId}.PublicIp, known after deploy`) : undefined);
    const role = roleOf(r);
    if (role) roles.set(r.id, role);
    hosts.push({
      id: r.id,
      ...named(r),
      kind: 'instance',
      subnet,
      privateIp: privateIpValue ?? deployTimeIp(`${r.logicalId} private IP`, subnet),
      ...(publicIp ? { publicIp } : {}),
      securityGroups: groups,
      instanceId: r.id,
      ...(r.id !== r.logicalId ? { aliases: [r.logicalId] } : {}),
    });
  }
  for (const r of ofType('AWS::Lambda::Function')) {
    const config = r.props.VpcConfig;
    if (config !== undefined && !isObject(config)) throw new InputError(`${at(r, 'VpcConfig')}: expected a mapping, got ${describe(config)}`);
    const subnetIds = texts(r, 'VpcConfig.SubnetIds', config?.SubnetIds);
    const groups = texts(r, 'VpcConfig.SecurityGroupIds', config?.SecurityGroupIds);
    // A FunctionName that is only known after deploy (a token) is no name a person can type.
    const fnName = typeof r.props.FunctionName === 'string' && !r.props.FunctionName.startsWith('<') ? r.props.FunctionName : r.logicalId;
    subnetIds.forEach((subnet) => {
      hosts.push({
        id: subnetIds.length > 1 ? `${r.id}@${subnet}` : r.id,
        name: subnetIds.length > 1 ? `${fnName}@${subnet}` : fnName,
        kind: 'lambda',
        subnet,
        privateIp: deployTimeIp(`Lambda ${r.logicalId} ENI private IP in ${subnet}`, subnet),
        securityGroups: groups,
      });
    });
  }

  // ---- the server: an instance with a public IP outside the lab's VPC is "the internet"
  const firstClient = hosts.find((h) => roles.get(h.id) === 'client');
  const labVpc = natGateways[0]?.vpc ?? (firstClient?.subnet ? subnetOf(firstClient.subnet)?.vpc : undefined);
  const folded = hosts.map((h): Host => {
    const vpc = h.subnet ? subnetOf(h.subnet)?.vpc : undefined;
    const isServer = roles.get(h.id) === 'server' || (labVpc !== undefined && vpc !== undefined && vpc !== labVpc && h.kind === 'instance');
    if (!isServer || !h.publicIp) return h;
    return { id: h.id, ...(h.name ? { name: h.name } : {}), kind: 'server', privateIp: h.publicIp, securityGroups: h.securityGroups, instanceId: h.id };
  });

  // ---- security groups and their rule resources
  const ruleOf = (r: Resolved, x: Record<string, unknown>, peer: 'Source' | 'Destination', key: string): SecurityGroupRule[] =>
    sgRule(x, peer, key ? at(r, key) : `${r.stack.file}: Resources.${r.logicalId}.Properties`, notes);
  const groups = new Map<string, SecurityGroup & { ingress: SecurityGroupRule[]; egress: SecurityGroupRule[] }>();
  for (const r of ofType('AWS::EC2::SecurityGroup')) {
    const egress = r.props.SecurityGroupEgress === undefined ? undefined : records(r, 'SecurityGroupEgress');
    groups.set(r.id, {
      id: r.id,
      ...(r.props.GroupName ? { name: String(r.props.GroupName) } : {}),
      ...(r.props.VpcId ? { vpc: String(r.props.VpcId) } : {}),
      ingress: records(r, 'SecurityGroupIngress').flatMap((x, i) => ruleOf(r, x, 'Source', `SecurityGroupIngress[${i}]`)),
      // No egress rules in a template means CloudFormation's default: all outbound allowed.
      egress: egress === undefined ? [{ protocol: 'all', cidr: '0.0.0.0/0' }] : egress.flatMap((x, i) => ruleOf(r, x, 'Destination', `SecurityGroupEgress[${i}]`)),
    });
  }
  for (const vpc of vpcs.values()) {
    const id = `${vpc.id}/DefaultSecurityGroup`;
    if (all.some((r) => (JSON.stringify(r.props) ?? '').includes(`"${id}"`))) groups.set(id, { id, name: 'default', vpc: vpc.id, ingress: [{ protocol: 'all', securityGroup: id }], egress: [{ protocol: 'all', cidr: '0.0.0.0/0' }] });
  }
  const addedToBase = new Map<string, SecurityGroup & { ingress: SecurityGroupRule[]; egress: SecurityGroupRule[] }>();
  for (const [type, direction, peer] of [['AWS::EC2::SecurityGroupIngress', 'ingress', 'Source'], ['AWS::EC2::SecurityGroupEgress', 'egress', 'Destination']] as const) {
    for (const r of ofType(type)) {
      const groupId = str(r, 'GroupId', false) ?? str(r, 'GroupName', false);
      let group = groupId === undefined ? undefined : groups.get(groupId);
      // A rule a template adds to a group of the dump.
      const existing = groupId === undefined ? undefined : base?.securityGroups.find((g) => g.id === groupId);
      if (!group && existing) {
        group = addedToBase.get(existing.id) ?? { ...existing, ingress: [...existing.ingress], egress: [...existing.egress] };
        addedToBase.set(existing.id, group);
      }
      const rules = ruleOf(r, r.props, peer, '');
      if (group) group[direction].push(...rules); // else: a rule on a group outside the given sources
    }
  }

  // ---- network ACLs
  const acls = new Map<string, NetworkAcl & { ingress: NetworkAclRule[]; egress: NetworkAclRule[] }>();
  for (const r of ofType('AWS::EC2::NetworkAcl')) acls.set(r.id, { id: r.id, ...named(r), vpc: refTo(r, 'VpcId', ['AWS::EC2::VPC'])!, isDefault: false, ingress: [], egress: [] });
  for (const r of ofType('AWS::EC2::NetworkAclEntry')) {
    const acl = acls.get(String(r.props.NetworkAclId));
    const protocol = ruleProtocolOf(r.props.Protocol);
    const v4 = str(r, 'CidrBlock', false);
    const v6 = str(r, 'Ipv6CidrBlock', false);
    const cidr = v4 !== undefined ? ruleCidr(v4, at(r, 'CidrBlock'), notes) : v6 !== undefined ? ipv6Value(r, 'Ipv6CidrBlock', v6) : undefined;
    const ruleNumber = Number(str(r, 'RuleNumber', false));
    // AWS numbers entries 1-32766 (32767 is the default rule's).
    if (!Number.isInteger(ruleNumber) || ruleNumber < 1 || ruleNumber > 32766) throw new InputError(`${at(r, 'RuleNumber')}: ${describe(r.props.RuleNumber)} is not a rule number from 1 to 32766`);
    const action = String(r.props.RuleAction ?? '').toLowerCase();
    if (action !== 'allow' && action !== 'deny') throw new InputError(`${at(r, 'RuleAction')}: ${describe(r.props.RuleAction)} is not allow or deny`);
    if (!acl || !protocol || !cidr) continue;
    const range = r.props.PortRange;
    if (range !== undefined && !isObject(range)) throw new InputError(`${at(r, 'PortRange')}: expected a mapping with From and To, got ${describe(range)}`);
    const ports = (protocol === 'tcp' || protocol === 'udp') && range?.From !== undefined ? { fromPort: port(range.From, at(r, 'PortRange.From')), toPort: port(range.To, at(r, 'PortRange.To')) } : {};
    // An ICMP entry names its type and code in Icmp (-1 or absent: any).
    const icmp = r.props.Icmp as { Type?: unknown; Code?: unknown } | undefined;
    const types = protocol === 'icmp' && isObject(icmp) ? icmpFields(icmp.Type, icmp.Code) : {};
    if (isIcmpProblem(types)) throw new InputError(`${at(r, `Icmp.${types.field === 'type' ? 'Type' : 'Code'}`)}: ${types.message}`);
    acl[truthy(r.props.Egress) ? 'egress' : 'ingress'].push({ ruleNumber, protocol, action, cidr, ...ports, ...types });
  }
  for (const acl of acls.values()) for (const rules of [acl.ingress, acl.egress]) rules.sort((a, b) => a.ruleNumber - b.ruleNumber);
  for (const r of ofType('AWS::EC2::SubnetNetworkAclAssociation')) {
    const subnet = subnets.get(String(r.props.SubnetId));
    if (subnet) subnets.set(subnet.id, { ...subnet, networkAcl: String(r.props.NetworkAclId) });
  }

  for (const line of notes) opts.note?.(line);
  const files = stacks.map((s) => s.file).join(', ');
  const assumptions = resolver.usedGetAzs ? `; region ${region}${opts.region ? '' : ' (default)'}, AZ names assumed ${resolver.assumedAzs.slice(0, 3).join(', ')}, ...` : `; region ${region}${opts.region ? '' : ' (default)'}`;
  const templateVpcs = [...vpcs.values()].map(({ ipv6Cidrs, ...v }) => (ipv6Cidrs.length ? { ...v, ipv6Cidrs } : v));
  const fromTemplates: Topology = {
    name: stacks.map((s) => s.stack).join('+'),
    source: `CloudFormation template${stacks.length > 1 ? 's' : ''} ${files}${assumptions}`,
    region,
    vpcs: templateVpcs,
    subnets: [...subnets.values()],
    routeTables: [...routeTables.values()],
    natGateways,
    internetGateways: [...internetGateways.values()],
    hosts: folded,
    securityGroups: [...groups.values()],
    networkAcls: [...acls.values()],
    flows: flowsFromMetadata(stacks, all) ?? flowsFromRoles(folded, roles, all),
    ...(prefixLists.length ? { prefixLists } : {}),
    ...(vpcEndpoints.length ? { vpcEndpoints } : {}),
    ...(egressOnly.length ? { egressOnlyInternetGateways: egressOnly } : {}),
  };
  const topology = base ? combined(base, fromTemplates, { groups: addedToBase, routeTables: changedBaseTables }, byId) : fromTemplates;
  checkTemplateAddresses(topology, byId, files);
  return topology;
}

/**
 * A dump and the templates deployed into it, as one topology: the dump's resources (with the
 * rules and routes the templates add to them) and the templates'. An id in both is bad input.
 */
function combined(base: Topology, templates: Topology, changed: { groups: ReadonlyMap<string, SecurityGroup>; routeTables: ReadonlyMap<string, RouteTable> }, byId: ReadonlyMap<string, Resolved>): Topology {
  const merge = <T extends { id: string }>(a: readonly T[] = [], b: readonly T[] = []): T[] => {
    const ids = new Set(a.map((x) => x.id));
    const clash = b.find((x) => ids.has(x.id));
    if (clash) {
      const r = byId.get(clash.id);
      throw new InputError(`${r ? `${r.stack.file}: Resources.${r.logicalId}` : clash.id}: the id "${clash.id}" is also in the dump`);
    }
    return [...a, ...b];
  };
  return {
    name: `${base.name}+${templates.name}`,
    source: `${base.source} with ${templates.source}`,
    ...(templates.region ?? base.region ? { region: base.region ?? templates.region } : {}),
    vpcs: merge(base.vpcs, templates.vpcs),
    subnets: merge(base.subnets, templates.subnets),
    routeTables: merge(
      base.routeTables.map((t) => changed.routeTables.get(t.id) ?? t),
      templates.routeTables,
    ),
    natGateways: merge(base.natGateways, templates.natGateways),
    internetGateways: merge(base.internetGateways, templates.internetGateways),
    hosts: merge(base.hosts, templates.hosts),
    securityGroups: merge(
      base.securityGroups.map((g) => changed.groups.get(g.id) ?? g),
      templates.securityGroups,
    ),
    networkAcls: merge(base.networkAcls, templates.networkAcls),
    flows: [...base.flows, ...templates.flows],
    prefixLists: merge(base.prefixLists, templates.prefixLists),
    vpcEndpoints: merge(base.vpcEndpoints, templates.vpcEndpoints),
    egressOnlyInternetGateways: merge(base.egressOnlyInternetGateways, templates.egressOnlyInternetGateways),
  };
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
function sgRule(x: Record<string, unknown>, peer: 'Source' | 'Destination', where: string, notes: string[]): SecurityGroupRule[] {
  const protocol = ruleProtocolOf(x.IpProtocol);
  if (!protocol) return [];
  let ports: Pick<SecurityGroupRule, 'fromPort' | 'toPort' | 'icmpType' | 'icmpCode'> = {};
  if (protocol === 'icmp') {
    // For ICMP, FromPort is the type and ToPort the code (-1: any).
    const types = icmpFields(x.FromPort, x.ToPort);
    if (isIcmpProblem(types)) throw new InputError(`${where}.${types.field === 'type' ? 'FromPort' : 'ToPort'}: ${types.message}`);
    ports = types;
  } else if (protocol !== 'all') {
    const from = x.FromPort === undefined ? undefined : port(x.FromPort, `${where}.FromPort`, true);
    const to = x.ToPort === undefined ? undefined : port(x.ToPort, `${where}.ToPort`, true);
    if (from !== undefined && to !== undefined && from !== -1 && to !== -1 && from > to) throw new InputError(`${where}.FromPort: ${from} is greater than ToPort ${to}`);
    if (from !== undefined && from !== -1 && to !== undefined && to !== -1) ports = { fromPort: from, toPort: to };
  }
  const description = x.Description === undefined ? {} : { description: String(x.Description) };
  if (x.CidrIp !== undefined) return [{ protocol, ...ports, cidr: ruleCidr(x.CidrIp, `${where}.CidrIp`, notes), ...description }];
  if (x.CidrIpv6 !== undefined) {
    const v6 = typeof x.CidrIpv6 === 'string' ? x.CidrIpv6 : '';
    if (!v6.includes('<') && !isIpv6Cidr(v6)) throw new InputError(`${where}.CidrIpv6: ${describe(x.CidrIpv6)} is not an IPv6 CIDR`);
    return [{ protocol, ...ports, cidrIpv6: v6, ...description }];
  }
  const group = x[`${peer}SecurityGroupId`] ?? x[`${peer}SecurityGroupName`];
  if (group !== undefined) return [{ protocol, ...ports, securityGroup: String(group), ...description }];
  const prefixList = x[`${peer}PrefixListId`];
  if (prefixList !== undefined) return [{ protocol, ...ports, prefixList: String(prefixList), ...description }];
  return [];
}

/**
 * An IPv4 CIDR of a security group rule or network ACL entry. Host bits are masked as EC2
 * masks them (`10.16.112.0/16` -> `10.16.0.0/16`), with a note; a value known after deploy
 * (`<EIP X.PublicIp, ...>/32`) is kept.
 */
function ruleCidr(value: unknown, where: string, notes: string[]): string {
  const text = typeof value === 'string' ? value : '';
  if (text.includes('<')) return text;
  const parsed = ruleCidrV4(text);
  if (!parsed) throw new InputError(`${where}: ${describe(value)} is not an IPv4 CIDR`);
  if (parsed.masked) notes.push(`${where}: "${text}" has host bits set; EC2 stores it as ${parsed.cidr}, and so does natlab`);
  return parsed.cidr;
}

/** A port (0-65535; -1 "all" where `allowAll`), as AWS accepts it. */
function port(value: unknown, where: string, allowAll = false): number {
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : NaN;
  if (Number.isInteger(n) && ((n >= 0 && n <= 65535) || (allowAll && n === -1))) return n;
  throw new InputError(`${where}: ${describe(value)} is not a port from 0 to 65535`);
}

/** A deploy-time value as a message says it: `Parameter SubnetId, given at deploy`. */
function deployTimeText(value: string): string {
  return isUnresolved(value) ? value.slice(1, -1) : `${value} (known only at deploy)`;
}

/** What to pass for a value that comes from a parameter without a value. */
function passHint(value: string, key: string, withDump: boolean): string {
  const parameter = /Parameter ([A-Za-z0-9]+), given at deploy/.exec(value)?.[1];
  if (!parameter) return '';
  // An id (SubnetId, VpcId, SecurityGroupIds) names a resource that may live outside the templates.
  const namesResource = /(Id|Ids|GroupSet)(\[\d+\])?$/.test(key);
  return `: pass --parameter ${parameter}=VALUE${namesResource && !withDump ? ' (and --aws-dump DIR when the value names a resource outside the templates)' : ''}`;
}

function shortType(type: string): string {
  return type.split('::').pop() ?? type;
}

/** Tags as CloudFormation takes them: a list of {Key, Value}. */
function checkTags(r: Resolved): void {
  const tags = r.props.Tags;
  if (tags === undefined || r.type.startsWith('Custom::') || r.type.startsWith('AWS::CloudFormation::')) return;
  const where = `${r.stack.file}: Resources.${r.logicalId}.Properties.Tags`;
  // A few resource types (SSM parameters, ...) take tags as a mapping; natlab reads names only from EC2's list.
  if (isObject(tags)) return;
  if (!Array.isArray(tags)) throw new InputError(`${where}: expected a list of {Key, Value}, got ${describe(tags)}`);
  tags.forEach((t, i) => {
    if (!isObject(t) || t.Key === undefined) throw new InputError(`${where}[${i}]: expected {Key, Value}, got ${describe(t)}`);
  });
}

function truthy(value: unknown): boolean {
  return value === true || value === 'true';
}

function tagOf(r: Resolved, key: string): string | undefined {
  const tags = r.props.Tags;
  const value = Array.isArray(tags) ? (tags as unknown[]).find((t): t is Record<string, unknown> => isObject(t) && t.Key === key)?.Value : undefined;
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

/** A resource's resolved Properties: `!Ref AWS::NoValue` is none; anything but a mapping is bad input. */
function resolvedProperties(value: unknown, where: string): Record<string, unknown> {
  if (value === NO_VALUE) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new InputError(`${where}: expected a mapping of properties, got ${describe(value)}`);
  return value as Record<string, unknown>;
}
