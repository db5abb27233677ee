/**
 * Hosts that no walk can tell apart: same VPC subnet, kind and security groups, a public IP or
 * not, and addresses that every CIDR in the topology (routes, rules, VPC and subnet blocks)
 * treats alike. Two flows between hosts of the same classes, with the same protocol and port,
 * take the same path and end the same way, so `findings` walks one of them and derives the
 * rest. A host a route points at (a NAT instance, an appliance) is a class of its own.
 */
import { cidrMatches } from './address';
import type { Host, IpValue, Topology } from './types';

/** Every CIDR a walk may test an address against. */
function topologyCidrs(topology: Topology): string[] {
  const cidrs = new Set<string>();
  for (const vpc of topology.vpcs) for (const c of vpc.cidrs) cidrs.add(c);
  for (const subnet of topology.subnets) cidrs.add(subnet.cidr);
  for (const table of topology.routeTables) for (const route of table.routes) if ((route.destinationKind ?? 'ipv4') === 'ipv4') cidrs.add(route.destination);
  for (const list of topology.prefixLists ?? []) for (const c of list.cidrs) if (!c.includes(':')) cidrs.add(c);
  for (const group of topology.securityGroups) for (const rule of [...group.ingress, ...group.egress]) if (rule.cidr !== undefined) cidrs.add(rule.cidr);
  for (const acl of topology.networkAcls) for (const rule of [...acl.ingress, ...acl.egress]) cidrs.add(rule.cidr);
  return [...cidrs].filter((c) => c !== '0.0.0.0/0');
}

/** How the topology's CIDRs see an address: one letter per CIDR (t, f, u for unknown). */
function addressSignature(cidrs: readonly string[], ip: IpValue | undefined): string {
  if (ip === undefined) return '-';
  let out = '';
  for (const cidr of cidrs) {
    const m = cidrMatches(cidr, ip);
    out += m === true ? 't' : m === false ? 'f' : 'u';
  }
  return out;
}

/** The class of every host, numbered from 0: equal numbers mean no walk can tell the hosts apart. */
export function hostClasses(topology: Topology): Map<Host, number> {
  const cidrs = topologyCidrs(topology);
  const routed = new Set<string>();
  for (const table of topology.routeTables) {
    for (const route of table.routes) if (route.target.kind === 'eni' || route.target.kind === 'instance') routed.add(route.target.id);
  }
  const classes = new Map<Host, number>();
  const numbers = new Map<string, number>();
  for (const host of topology.hosts) {
    const pointedAt = [host.id, host.eniId, host.instanceId, ...(host.aliases ?? [])].some((id) => id !== undefined && routed.has(id));
    // A host with further interfaces or addresses is a class of its own (each answers on several).
    const several = (host.interfaces?.length ?? 0) > 0 || (host.secondaryPrivateIps?.length ?? 0) > 0;
    const key = pointedAt || several
      ? `host:${host.id}`
      : [host.subnet ?? 'internet', host.kind, [...host.securityGroups].sort().join(','), addressSignature(cidrs, host.privateIp), addressSignature(cidrs, host.publicIp)].join('|');
    let n = numbers.get(key);
    if (n === undefined) numbers.set(key, (n = numbers.size));
    classes.set(host, n);
  }
  return classes;
}
