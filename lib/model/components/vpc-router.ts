/**
 * The VPC's implicit router, a component like the others (`router:<vpc>`): the route table of
 * the subnet a packet leaves (longest prefix), local delivery to the interface that owns the
 * address, and the network ACLs of every subnet boundary the packet crosses. It forwards by
 * reference (`nat:<id>`, `igw:<id>`, `host:<id>`) and imports no other component.
 */
import { cidrMatches, parseCidr, reservedRole } from '../address';
import { faultDestination, routeTableName } from '../faults';
import { evaluateNetworkAcl, type PortSet, portSetOf, portSetText, subtractAll } from '../filters';
import { findSubnet, privateOwner, resourceLabel } from '../hosts';
import { assumedServiceRoute, lookupRoute, routeText, targetKindName, uncertainRoute, unknownPrefixListRoute } from '../routing';
import { mainRouteTable, networkAclForSubnet, routeTableForSubnet, routeTargetOwner } from '../rules';
import type { Header, HopMatch, PortPrediction, Route, RouteTable, Subnet } from '../types';
import type { Component, Decision, Packet, Trace } from './component';

/** The hop match of a route. */
function routeMatch(table: RouteTable, route: Route): HopMatch {
  return { kind: 'route', table: table.id, destination: route.destination, target: route.target };
}

/** The VPC router component of one VPC. */
export class VpcRouter implements Component {
  constructor(readonly id: string) {}

  receive(packet: Packet, trace: Trace): Decision {
    const arrival = packet.arrival;
    if (arrival.kind === 'subnet') return routeFromSubnet(trace, arrival.subnet, packet);
    if (arrival.kind === 'internet' && arrival.gateway) return routeFromGateway(trace, this.id, arrival.gateway, packet);
    return deliverLocally(trace, this.id, packet, undefined);
  }
}

/** The outcome of crossing a subnet boundary: stopped, or passing on with this header. */
export type AclCrossing = { readonly stop: Decision } | { readonly header: Header };

function portCount(set: PortSet): number {
  return set.reduce((n, [lo, hi]) => n + hi - lo + 1, 0);
}

function shareText(part: number, whole: number): string {
  const percent = Math.round((100 * part) / whole);
  if (percent === 0) return 'under 1%';
  if (percent === 100) return 'over 99%';
  return `about ${percent}%`;
}

/**
 * The network ACL check of one subnet boundary crossing. When the destination port is a range
 * (a port chosen per connection) and the ACL allows only part of it, the packet passes with
 * the port narrowed to the allowed part and the hop says which connections die here: a range,
 * never a guessed drop. Nothing allowed is a drop.
 */
export function crossAcl(ctx: Trace, subnet: Subnet, direction: 'ingress' | 'egress', header: Header): AclCrossing {
  const acl = networkAclForSubnet(ctx.topology, subnet);
  const verb = direction === 'egress' ? 'leaves' : 'enters';
  if (!acl) {
    ctx.record({ id: `${subnet.vpc}-default-acl`, kind: 'network-acl', name: `${subnet.id} ${direction}`, side: direction }, 'filter', `the packet ${verb} ${subnet.id}; the VPC has no network ACL in the topology, so the default ACL allows all`, header, header, 'default ACL: allow all');
    return { header };
  }
  const result = evaluateNetworkAcl(acl, direction, header);
  const ref = { id: acl.id, kind: 'network-acl' as const, name: `${subnet.id} ${direction}`, side: direction };
  const match: HopMatch | undefined = ctx.keepsHops ? { kind: 'network-acl', acl: acl.id, side: direction, rules: result.rules ?? [] } : undefined;
  if (result.verdict === 'partial' && !('exact' in header.dstPort) && result.allowedPorts.length > 0) {
    const all = portSetOf(header.dstPort);
    const allowed = [...result.allowedPorts].sort((a, b) => a[0] - b[0]);
    const dropped = subtractAll(all, allowed);
    // One range holds every allowed port (exactly, when the allowed part is contiguous).
    const narrowed: PortPrediction = { ...header.dstPort, min: allowed[0][0], max: Math.max(...allowed.map(([, hi]) => hi)) };
    const after: Header = { ...header, dstPort: narrowed };
    const natPorts = ctx.topology.natGateways.some((n) => n.addresses.some((a) => a.privateIp === header.dstIp)) ? 'NAT ports' : 'ports';
    const detail =
      `the packet ${verb} ${subnet.id}: only ${natPorts} ${portSetText(allowed)} of ${portSetText(all)} pass ${acl.id} ${direction} (${result.matched}): ` +
      `${shareText(portCount(allowed), portCount(all))} of connections; the rest (port ${portSetText(dropped)}) are dropped at ${acl.id}`;
    ctx.record(ref, 'filter', detail, header, after, result.matched, match);
    return { header: after };
  }
  ctx.record(ref, result.verdict === 'allow' ? 'filter' : 'drop', `the packet ${verb} ${subnet.id}: ${result.detail}`, header, header, result.matched, match);
  if (result.verdict === 'allow') return { header };
  if (result.verdict === 'unknown' || !result.cause) return { stop: { kind: 'leave', component: acl.id, reason: result.detail, cause: { kind: 'undecidable-rule', filter: 'network-acl', id: acl.id } } };
  return { stop: { kind: 'drop', component: acl.id, reason: result.detail, cause: result.cause } };
}

/** Routes a packet leaving a subnet by that subnet's route table. */
function routeFromSubnet(ctx: Trace, subnet: Subnet, packet: Packet): Decision {
  const header = packet.header;
  const { table, isMain } = routeTableForSubnet(ctx.topology, subnet);
  const tableRef = { id: table.id, kind: 'route-table' as const, ...(table.name ? { name: table.name } : {}) };
  const tableName = routeTableName(ctx.topology, table.id, isMain);
  const which = `${tableName} of ${resourceLabel(subnet)}`;
  const prefixLists = ctx.topology.prefixLists;
  const match = lookupRoute(table, header.dstIp, prefixLists);
  const unknownList = prefixLists === undefined && !table.routes.some((r) => r.destinationKind === 'prefix-list') ? undefined : unknownPrefixListRoute(table, match, prefixLists);
  if (unknownList) {
    const reason = `leaves the model at ${which}: ${routeText(unknownList)} may hold ${header.dstIp} (the entries of prefix list ${unknownList.destination} are not in the topology), so the model cannot tell which route applies`;
    ctx.record(tableRef, 'leave-model', reason, header, header, routeText(unknownList), routeMatch(table, unknownList));
    return { kind: 'leave', component: table.id, reason, cause: { kind: 'undecidable-route', table: table.id, destination: unknownList.destination } };
  }
  const unsure = uncertainRoute(table, header.dstIp, match?.prefix ?? -1);
  if (unsure) {
    const reason = `leaves the model at ${which}: ${routeText(unsure)} may or may not hold ${header.dstIp} (an address chosen at deploy), so the model cannot tell which route applies`;
    ctx.record(tableRef, 'leave-model', reason, header, header, routeText(unsure), routeMatch(table, unsure));
    return { kind: 'leave', component: table.id, reason, cause: { kind: 'undecidable-route', table: table.id, destination: unsure.destination } };
  }
  if (!match) {
    const hasDefault = table.routes.some((r) => r.destination === '0.0.0.0/0');
    // A NAT gateway routes what it translated by its own subnet's table: name it, as that is the table to fix.
    const sender = privateOwner(ctx.topology, subnet.vpc, header.srcIp);
    const nat = sender?.kind === 'nat' && sender.nat.subnet === subnet.id ? sender.nat : undefined;
    const natNote = nat ? `, the subnet of NAT gateway ${resourceLabel(nat)},` : '';
    const reason = `${which}${natNote} has no route for ${header.dstIp} (${hasDefault ? 'no route covers it' : 'no 0.0.0.0/0 entry'})`;
    ctx.record(tableRef, 'drop', reason, header);
    const destination = faultDestination(ctx.topology, header.dstIp);
    return { kind: 'drop', component: table.id, reason, cause: { kind: 'no-route', table: table.id, mainTable: isMain, destination, hasDefault, ...(nat ? { nat: nat.id, subnet: subnet.id } : {}) } };
  }
  const matched = routeText(match.route);
  const hopMatch = ctx.keepsHops ? routeMatch(table, match.route) : undefined;
  const target = match.route.target;
  const destination = match.route.destination;
  const assumed = assumedServiceRoute(table, match, prefixLists);
  const assumption = assumed ? ` (assumed not an address of gateway endpoint ${assumed.target.kind === 'vpc-endpoint' ? assumed.target.id : ''}'s service: the entries of prefix list ${assumed.destination} are not in the topology)` : '';
  const lookup = `${which}: ${matched} is the longest prefix matching ${header.dstIp}${assumption}`;
  const next: Packet = { header, arrival: { kind: 'subnet', subnet } };
  switch (target.kind) {
    case 'local':
      ctx.record(tableRef, 'route', `${lookup}; delivered inside the VPC`, header, header, matched, hopMatch);
      return deliverLocally(ctx, subnet.vpc, next, subnet);
    case 'blackhole': {
      const reason = `${which}: ${matched} is a blackhole route (its target was deleted); the packet is dropped`;
      ctx.record(tableRef, 'drop', reason, header, header, matched, hopMatch);
      return { kind: 'drop', component: table.id, reason, cause: { kind: 'blackhole-route', table: table.id, mainTable: isMain, destination } };
    }
    case 'igw': {
      ctx.record(tableRef, 'route', `${lookup}; sent to the internet gateway ${target.id}`, header, header, matched, hopMatch);
      const igw = ctx.topology.internetGateways.find((g) => g.id === target.id);
      if (!igw || igw.vpc !== subnet.vpc) {
        const reason = igw
          ? `${tableName} sends ${matched}, but internet gateway ${resourceLabel(igw)} is not attached to ${subnet.vpc}`
          : `${tableName} sends ${matched}, but internet gateway ${target.id} is not in the topology (the route is a blackhole)`;
        return { kind: 'drop', component: target.id, reason, cause: { kind: igw ? 'igw-unattached' : 'missing-igw', table: table.id, mainTable: isMain, destination, igw: target.id, vpc: subnet.vpc } };
      }
      const crossed = crossAcl(ctx, subnet, 'egress', header);
      if ('stop' in crossed) return crossed.stop;
      return { kind: 'forward', to: `igw:${igw.id}`, packet: { ...next, header: crossed.header } };
    }
    case 'nat':
    case 'eni':
    case 'instance': {
      const owner = routeTargetOwner(ctx.topology, target);
      if (owner?.kind === 'nat') {
        ctx.record(tableRef, 'route', `${lookup}; sent to the NAT gateway ${owner.nat.id}`, header, header, matched, hopMatch);
        return toNat(ctx, subnet, owner.nat.id, next);
      }
      if (target.kind === 'nat') {
        const reason = `${which}: ${matched}, but NAT gateway ${target.id} is not in the topology (deleted or failed: the route is a blackhole)`;
        ctx.record(tableRef, 'drop', reason, header, header, matched, hopMatch);
        return { kind: 'drop', component: target.id, reason, cause: { kind: 'missing-nat', table: table.id, mainTable: isMain, destination, nat: target.id } };
      }
      const host = owner?.host;
      if (host && host.privateIp === header.dstIp) {
        ctx.record(tableRef, 'route', `${lookup}; the target ${target.id} is the destination itself`, header, header, matched, hopMatch);
        return deliverLocally(ctx, subnet.vpc, next, subnet);
      }
      const what = host ? `${targetKindName(target)} ${target.id} (${host.name ?? host.id}), which would have to forward it (a NAT instance or appliance)` : `${targetKindName(target)} ${target.id}`;
      const reason = `leaves the model at ${what}: the model does not simulate forwarding by instances`;
      ctx.record(tableRef, 'leave-model', `${lookup}; ${reason}`, header, header, matched, hopMatch);
      return { kind: 'leave', component: target.id, reason, cause: { kind: 'unsimulated-target', target, table: table.id } };
    }
    default: {
      ctx.record(tableRef, 'route', `${lookup}; sent to the ${targetKindName(target)} ${target.id}`, header, header, matched, hopMatch);
      const crossed = crossAcl(ctx, subnet, 'egress', header);
      if ('stop' in crossed) return crossed.stop;
      // A kind the registry knows (a transit gateway, one day) is forwarded to; the rest leave the model.
      if (ctx.knows(target.kind)) return { kind: 'forward', to: `${target.kind}:${target.id}`, packet: { ...next, header: crossed.header } };
      const endpoint = target.kind === 'vpc-endpoint' ? ctx.topology.vpcEndpoints?.find((e) => e.id === target.id) : undefined;
      const reason = endpoint
        ? `leaves the model at the gateway endpoint ${resourceLabel(endpoint)} (${endpoint.serviceName}): what lies behind it is not simulated`
        : `leaves the model at ${target.id} (${targetKindName(target)}): what lies behind it is not simulated`;
      ctx.record({ id: target.id, kind: 'route-table', name: targetKindName(target) }, 'leave-model', reason, crossed.header);
      return { kind: 'leave', component: target.id, reason, cause: { kind: 'unsimulated-target', target, table: table.id } };
    }
  }
}

function toNat(ctx: Trace, from: Subnet, natId: string, packet: Packet): Decision {
  const nat = ctx.topology.natGateways.find((n) => n.id === natId)!;
  let header = packet.header;
  if (nat.subnet !== from.id) {
    const out = crossAcl(ctx, from, 'egress', header);
    if ('stop' in out) return out.stop;
    header = out.header;
    if (nat.subnet) {
      ctx.mark('nat-ingress');
      const into = crossAcl(ctx, findSubnet(ctx.topology, nat.subnet), 'ingress', header);
      if ('stop' in into) return into.stop;
      header = into.header;
    }
  }
  return { kind: 'forward', to: `nat:${nat.id}`, packet: { ...packet, header } };
}

/**
 * Delivers a packet by the VPC's local route to the interface that owns the destination
 * address, crossing the ACL of the subnet it leaves (when it leaves one) and of the subnet it
 * enters (when that differs).
 */
function deliverLocally(ctx: Trace, vpcId: string, packet: Packet, from: Subnet | undefined): Decision {
  let header = packet.header;
  const owner = privateOwner(ctx.topology, vpcId, header.dstIp);
  if (!owner) {
    const subnet = ctx.topology.subnets.find((s) => s.vpc === vpcId && safeContains(s.cidr, header.dstIp));
    const role = subnet ? reservedRole(subnet.cidr, header.dstIp) : undefined;
    const reason = role
      ? `${header.dstIp} is the ${role} address reserved by AWS in ${resourceLabel(subnet!)}; no host can use it`
      : `no network interface in ${vpcId} has the address ${header.dstIp}`;
    ctx.record({ id: vpcId, kind: 'subnet-router', name: 'VPC router' }, 'drop', reason, header);
    return { kind: 'drop', component: vpcId, reason, cause: { kind: 'no-interface', vpc: vpcId, address: header.dstIp, ...(role ? { reserved: role, subnet: subnet!.id } : {}) } };
  }
  const destSubnetId = owner.kind === 'host' ? owner.host.subnet : owner.nat.subnet;
  const destSubnet = destSubnetId ? findSubnet(ctx.topology, destSubnetId) : undefined;
  if (from && destSubnet && from.id !== destSubnet.id) {
    const out = crossAcl(ctx, from, 'egress', header);
    if ('stop' in out) return out.stop;
    header = out.header;
  }
  if (destSubnet && from?.id !== destSubnet.id) {
    const into = crossAcl(ctx, destSubnet, 'ingress', header);
    if ('stop' in into) return into.stop;
    header = into.header;
  }
  if (owner.kind === 'nat') {
    return { kind: 'forward', to: `nat:${owner.nat.id}`, packet: { header, arrival: from ? { kind: 'subnet', subnet: from } : packet.arrival } };
  }
  return { kind: 'forward', to: `host:${owner.host.id}`, packet: { ...packet, header } };
}

/**
 * Traffic entering a VPC from its Internet Gateway: routed by the VPC's local routes (the
 * main route table's `local` entry), never by a subnet's default route.
 */
function routeFromGateway(ctx: Trace, vpcId: string, gatewayId: string, packet: Packet): Decision {
  const header = packet.header;
  const table = mainRouteTable(ctx.topology, vpcId);
  const local = table.routes.filter((r) => r.target.kind === 'local' && safeContains(r.destination, header.dstIp)).sort((a, b) => parseCidr(b.destination).prefix - parseCidr(a.destination).prefix)[0];
  const ref = { id: table.id, kind: 'route-table' as const, ...(table.name ? { name: table.name } : {}) };
  if (!local) {
    const reason = `${header.dstIp} is not inside ${vpcId}'s CIDRs; traffic from ${gatewayId} is routed only to local addresses`;
    ctx.record(ref, 'drop', reason, header);
    return { kind: 'drop', component: gatewayId, reason, cause: { kind: 'not-local', vpc: vpcId, gateway: gatewayId, address: header.dstIp } };
  }
  const matched = routeText(local);
  ctx.record(ref, 'route', `the VPC main route table ${table.id}: ${matched} matches ${header.dstIp}, so the packet is routed locally`, header, header, matched, routeMatch(table, local));
  return deliverLocally(ctx, vpcId, packet, undefined);
}

function safeContains(cidr: string, ip: string): boolean {
  try {
    return cidrMatches(cidr, ip) === true;
  } catch {
    return false;
  }
}
