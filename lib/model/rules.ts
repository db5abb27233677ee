/**
 * AWS rules and constants, each with one home: the model's walk, the local twin's plan, the
 * report and flow logs all ask here rather than re-deriving them. Pure: no I/O.
 */
import { InputError } from '../errors';
import type { Host, NatGateway, NetworkAcl, RouteTable, RouteTarget, Subnet, Topology, Vpc } from './types';

/** The source ports a NAT Gateway chooses from (AWS: 1024-65535, per connection). */
export const NAT_PORT_RANGE: { readonly min: number; readonly max: number } = Object.freeze({ min: 1024, max: 65535 });

/** A NAT Gateway forgets a connection idle this long (seconds) and answers the inside host with RST. */
export const NAT_IDLE_TIMEOUT_SECONDS = 350;

/** Simultaneous connections one NAT Gateway address keeps to one destination (IP, port, protocol). */
export const NAT_PER_DESTINATION_LIMIT = 55_000;

/** The most IPv4 addresses a NAT Gateway has: 1 primary and 7 secondary. */
export const NAT_MAX_ADDRESSES = 8;

function vpcOf(topology: Topology, id: string): Vpc {
  const vpc = topology.vpcs.find((v) => v.id === id);
  if (!vpc) throw new InputError(`VPC "${id}" is referenced but not in topology ${topology.name}`);
  return vpc;
}

/** The route table with this id, or bad input naming it. */
export function findRouteTable(topology: Topology, id: string): RouteTable {
  const table = topology.routeTables.find((t) => t.id === id);
  if (!table) throw new InputError(`route table "${id}" is referenced but not in topology ${topology.name}`);
  return table;
}

/** The route table a subnet uses, and whether it came from an explicit association. */
export interface SubnetRouteTable {
  /** The table the subnet's traffic is routed by. */
  readonly table: RouteTable;
  /** True when the table is the VPC's main table (no explicit association). */
  readonly isMain: boolean;
}

/**
 * The VPC's main route table. A VPC with none named gets one holding only its local routes,
 * which is what AWS creates with every VPC.
 */
export function mainRouteTable(topology: Topology, vpcId: string): RouteTable {
  const vpc = vpcOf(topology, vpcId);
  if (vpc.mainRouteTable) return findRouteTable(topology, vpc.mainRouteTable);
  return {
    id: `${vpc.id}-main`,
    name: 'main (implicit: local routes only)',
    vpc: vpc.id,
    routes: vpc.cidrs.map((cidr) => ({ destination: cidr, target: { kind: 'local' } as const })),
  };
}

/** The route table of a subnet: its explicit association, else the VPC's main route table. */
export function routeTableForSubnet(topology: Topology, subnet: Subnet): SubnetRouteTable {
  if (subnet.routeTable) return { table: findRouteTable(topology, subnet.routeTable), isMain: false };
  return { table: mainRouteTable(topology, subnet.vpc), isMain: true };
}

/**
 * The network ACL that guards a subnet: its explicit association, else the VPC's default ACL
 * (named by the VPC, or the VPC's ACL marked `isDefault` when the VPC names none); undefined
 * when the topology holds no ACL for the VPC, which the walk and the twin treat as allow-all.
 */
export function networkAclForSubnet(topology: Topology, subnet: Subnet): NetworkAcl | undefined {
  const id = subnet.networkAcl ?? vpcOf(topology, subnet.vpc).defaultNetworkAcl;
  if (id === undefined) return topology.networkAcls.find((a) => a.vpc === subnet.vpc && a.isDefault);
  const acl = topology.networkAcls.find((a) => a.id === id);
  if (!acl) throw new InputError(`network ACL "${id}" is referenced but not in topology ${topology.name}`);
  return acl;
}

/** What a route target names in the topology: a NAT Gateway, a host, or nothing the model knows. */
export type RouteTargetOwner = { readonly kind: 'nat'; readonly nat: NatGateway } | { readonly kind: 'host'; readonly host: Host };

/**
 * The NAT Gateway or host a route target names. NAT, ENI and instance targets resolve by id,
 * ENI id, instance id or alias (a template's logical id); other targets own nothing here.
 */
export function routeTargetOwner(topology: Topology, target: RouteTarget): RouteTargetOwner | undefined {
  if (target.kind !== 'nat' && target.kind !== 'eni' && target.kind !== 'instance') return undefined;
  const nat = topology.natGateways.find((n) => n.id === target.id || n.eniId === target.id);
  if (nat) return { kind: 'nat', nat };
  if (target.kind === 'nat') return undefined;
  const host = topology.hosts.find((h) => h.id === target.id || h.eniId === target.id || h.instanceId === target.id || h.aliases?.includes(target.id));
  return host ? { kind: 'host', host } : undefined;
}
