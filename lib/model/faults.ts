/**
 * The explainer: renders a typed fault (`Fault`) as the sentence people read, naming the
 * resource to fix, and gives the key `natlab findings` groups flows by. Components return
 * faults as data; this is the one place their wording lives.
 */
import { cidrMatches, isPrivateIp } from './address';
import { networkAclFaultText, securityGroupFaultText } from './filters';
import { resourceLabel } from './hosts';
import { mainRouteTable } from './rules';
import type { Fault, FaultDestination, IpValue, RouteTable, Topology } from './types';

/** The flow-independent class of a destination: the internet, a VPC block, else the address. */
export function faultDestination(topology: Topology, ip: IpValue): FaultDestination {
  if (!isPrivateIp(ip)) return { kind: 'internet' };
  for (const vpc of topology.vpcs) {
    const block = vpc.cidrs.find((cidr) => cidrMatches(cidr, ip) === true);
    if (block) return { kind: 'vpc', vpc: vpc.id, block };
  }
  return { kind: 'address', ip };
}

/** A destination class in words: "the internet", "vpc-lab (10.0.0.0/16)", the address. */
export function faultDestinationText(topology: Topology, d: FaultDestination): string {
  if (d.kind === 'internet') return 'the internet';
  if (d.kind === 'address') return d.ip;
  const vpc = topology.vpcs.find((v) => v.id === d.vpc);
  return `${vpc ? resourceLabel(vpc) : d.vpc} (${d.block})`;
}

function labelOf(items: ReadonlyArray<{ readonly id: string; readonly name?: string }>, id: string): string {
  const found = items.find((x) => x.id === id);
  return found ? resourceLabel(found) : id;
}

/** A route table by id, the implicit main table of a VPC that names none included. */
function tableById(topology: Topology, id: string): RouteTable | undefined {
  const table = topology.routeTables.find((t) => t.id === id);
  if (table) return table;
  const vpc = topology.vpcs.find((v) => !v.mainRouteTable && `${v.id}-main` === id);
  return vpc ? mainRouteTable(topology, vpc.id) : undefined;
}

function tableLabel(topology: Topology, id: string): string {
  const table = tableById(topology, id);
  return table ? resourceLabel(table) : id;
}

/**
 * How a subnet's route table is named in a fault: "route table rtb-private (private)", or with
 * "(the VPC main table: no explicit association)" when the subnet has no association (a main
 * table named "main ..." is then named by its id alone).
 */
export function routeTableName(topology: Topology, tableId: string, isMain: boolean): string {
  const table = tableById(topology, tableId);
  const label = !table ? tableId : isMain && table.name?.startsWith('main') ? table.id : resourceLabel(table);
  return `route table ${label}${isMain ? ' (the VPC main table: no explicit association)' : ''}`;
}

/** The sentence of a fault, independent of any one flow: what `fault` says in JSON and findings. */
export function explainFault(topology: Topology, fault: Fault): string {
  const nat = (id: string): string => labelOf(topology.natGateways, id);
  const igw = (id: string): string => labelOf(topology.internetGateways, id);
  const subnet = (id: string): string => labelOf(topology.subnets, id);
  switch (fault.kind) {
    case 'no-route': {
      const where = fault.nat && fault.subnet ? ` of ${subnet(fault.subnet)}, where NAT gateway ${nat(fault.nat)} sits,` : '';
      return `${routeTableName(topology, fault.table, fault.mainTable)}${where} has no route to ${faultDestinationText(topology, fault.destination)}${fault.hasDefault ? '' : ' (no 0.0.0.0/0 entry)'}`;
    }
    case 'blackhole-route':
      return `${routeTableName(topology, fault.table, fault.mainTable)}: ${fault.destination} -> blackhole is a blackhole route (its target was deleted)`;
    case 'missing-nat':
      return `${routeTableName(topology, fault.table, fault.mainTable)}: ${fault.destination} -> ${fault.nat} points at NAT gateway ${fault.nat}, which is not in the topology (deleted or failed)`;
    case 'igw-unattached':
      return `${routeTableName(topology, fault.table, fault.mainTable)} sends ${fault.destination} -> ${fault.igw}, but internet gateway ${igw(fault.igw)} is not attached to ${fault.vpc}`;
    case 'missing-igw':
      return `${routeTableName(topology, fault.table, fault.mainTable)} sends ${fault.destination} -> ${fault.igw}, but internet gateway ${fault.igw} is not in the topology (the route is a blackhole)`;
    case 'nacl-deny':
      return networkAclFaultText(topology, fault);
    case 'sg-deny':
      return securityGroupFaultText(topology, fault);
    case 'nat-asymmetric-return':
      if (!fault.subnet || !fault.table) return `replies reach NAT gateway ${nat(fault.nat)}, which never saw their connections and drops them`;
      return `route table ${tableLabel(topology, fault.table)} of ${subnet(fault.subnet)} sends replies to NAT gateway ${nat(fault.nat)}, which never saw those connections and drops them: connections from outside to hosts there (a public IP on a host behind a NAT route) fail; give the subnet an internet gateway route, or reach its hosts through the NAT`;
    case 'nat-own-subnet':
      return `${fault.table ? `route table ${tableLabel(topology, fault.table)} of ` : ''}${subnet(fault.subnet)} sends internet traffic to NAT gateway ${nat(fault.nat)}, which sits in that same subnet and does not serve it (route it to an internet gateway, or move the NAT gateway)`;
    case 'nat-no-address':
      return `${fault.nat} has no address in the topology`;
    case 'nat-port-allocation':
      return `${fault.detail}; the new connection fails`;
    case 'nat-no-entry':
      return fault.detail;
    case 'nat-unsolicited':
      return `NAT gateway ${nat(fault.nat)}'s address ${fault.address} accepts no connection from outside: connections must start inside the VPC`;
    case 'private-nat-igw':
      return `${nat(fault.nat)} is a private NAT gateway, but route table ${tableLabel(topology, fault.table)} of its subnet sends ${fault.destination} -> ${fault.igw}: a private NAT gateway cannot use an internet gateway`;
    case 'regional-nat-no-igw':
      return `regional NAT gateway ${fault.nat} needs an internet gateway attached to ${fault.vpc}, and there is none`;
    case 'igw-no-public-ip':
      if (fault.nat) return `NAT gateway ${nat(fault.nat)}'s address ${fault.address} has no Elastic IP, so ${igw(fault.igw)} cannot map it`;
      if (!fault.subnet || !fault.table) return `hosts without a public IP cannot use ${igw(fault.igw)}`;
      return `route table ${tableLabel(topology, fault.table)} of ${subnet(fault.subnet)} sends internet traffic straight to ${igw(fault.igw)}, but hosts there without a public IP (no Elastic IP, no auto-assigned public IP) cannot use it: give them one, or route the subnet through a NAT gateway`;
    case 'igw-no-mapping': {
      const vpc = topology.internetGateways.find((g) => g.id === fault.igw)?.vpc;
      return `${igw(fault.igw)} has no 1:1 mapping for ${fault.address} in ${vpc}; the packet is dropped`;
    }
    case 'no-igw':
      return `${fault.vpc} has no internet gateway, so its public IPs cannot be reached`;
    case 'not-routable':
      return `${faultDestinationText(topology, fault.destination)} is sent to the internet, where private addresses are not routable (it needs a peering or transit gateway route)`;
    case 'no-interface':
      if (fault.reserved && fault.subnet) return `${fault.address} is the ${fault.reserved} address reserved by AWS in ${subnet(fault.subnet)}; no host can use it`;
      return `no network interface in ${fault.vpc} has the address ${fault.address}`;
    case 'not-local':
      return `${fault.address} is not inside ${fault.vpc}'s CIDRs; traffic from ${fault.gateway} is routed only to local addresses`;
    case 'routing-loop':
      return `routing loop: the packet passed ${fault.limit} components without arriving`;
    case 'reply-elsewhere':
      return `the reply reached ${fault.host}, not the sender ${fault.sender}`;
  }
}

/**
 * The key flows with the same fault share: the fault's data as JSON (each kind is built in one
 * place, so equal faults list their fields in the same order). Two drops with equal keys are
 * one cause to fix, whatever their sentences say.
 */
export function faultKey(fault: Fault): string {
  return JSON.stringify(fault);
}

const sentences = new WeakMap<Topology, Map<string, string>>();

/** `explainFault`, made once per distinct fault of a topology (findings explains tens of thousands of drops). */
export function explainFaultOnce(topology: Topology, fault: Fault): string {
  let known = sentences.get(topology);
  if (!known) {
    known = new Map();
    sentences.set(topology, known);
  }
  const key = faultKey(fault);
  let text = known.get(key);
  if (text === undefined) {
    text = explainFault(topology, fault);
    known.set(key, text);
  }
  return text;
}
