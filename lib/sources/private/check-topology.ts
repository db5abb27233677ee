/**
 * Referential checks a schema cannot express: every id a topology mentions exists, CIDRs and
 * addresses parse, hosts and NAT addresses lie inside their subnets and avoid the five
 * addresses AWS reserves in each, subnets lie inside their VPC and do not overlap.
 * Returns problems with their paths; the caller decides how to report them.
 */
import type { Host, Topology } from '../../model/types';
import { cidrContains, cidrOverlap, isIpv4, parseCidr, parseIp, reservedRole, type Cidr } from '../../model/address';
import type { Problem } from './topology-schema';
import { isUnresolved } from './unresolved';

/** A problem with the id of the topology element it is about (a subnet, a NAT gateway, a host). */
export interface TopologyProblem extends Problem {
  /** The id of the element the path starts at (`subnets[1]` -> that subnet's id). */
  readonly subject?: string;
}

export interface CheckOptions {
  /**
   * Only the address checks (addresses and CIDRs parse, lie inside their subnet or VPC, avoid
   * reserved addresses, subnets do not overlap), letting `<...>` values through: what a
   * template or a describe dump can get wrong, without the reference checks a real account
   * legitimately fails (a security group rule naming a peer in another account).
   * @default false
   */
  readonly addressesOnly?: boolean;
}

/** What each reserved address is for, in the construct's words. */
const RESERVED_WHAT: Record<string, string> = {
  network: 'the network address',
  router: 'the subnet router, network + 1',
  dns: 'the Amazon-provided DNS, network + 2',
  future: 'reserved for future use, network + 3',
  broadcast: 'the broadcast address',
};

/** All problems found, in document order. */
export function checkTopology(t: Topology, opts: CheckOptions = {}): TopologyProblem[] {
  const problems: TopologyProblem[] = [];
  const subjectOf = (path: string): string | undefined => {
    const m = /^(\w+)\[(\d+)\]/.exec(path);
    const list = m ? (t as unknown as Record<string, Array<{ id?: string; name?: string }> | undefined>)[m[1]] : undefined;
    const item = list?.[Number(m![2])];
    return item?.id ?? item?.name;
  };
  /** An address problem: reported in every mode. */
  const reportAddress = (path: string, message: string): void => {
    const subject = subjectOf(path);
    problems.push({ path, message, ...(subject !== undefined ? { subject } : {}) });
  };
  /** Any other problem: only in a full check. */
  const report = opts.addressesOnly ? () => undefined : reportAddress;
  const lenient = opts.addressesOnly === true;

  const vpcs = indexById(t.vpcs, 'vpcs', report);
  const subnets = indexById(t.subnets, 'subnets', report);
  const routeTables = indexById(t.routeTables, 'routeTables', report);
  const nats = indexById(t.natGateways, 'natGateways', report);
  const igws = indexById(t.internetGateways, 'internetGateways', report);
  indexById(t.hosts, 'hosts', report);
  const groups = indexById(t.securityGroups, 'securityGroups', report);
  const acls = indexById(t.networkAcls, 'networkAcls', report);

  const cidr = (path: string, text: string): Cidr | undefined => {
    // `<EIP X.PublicIp, known after deploy>/32`: a block around an address known later.
    if (lenient && text.startsWith('<')) return undefined;
    try {
      return parseCidr(text);
    } catch (err) {
      reportAddress(path, /host bits/.test((err as Error).message) ? `"${text}" has host bits set (the network address is needed)` : `"${text}" is not an IPv4 CIDR`);
      return undefined;
    }
  };
  const ip = (path: string, text: string, allowUnresolved: boolean): number | undefined => {
    if ((allowUnresolved || lenient) && isUnresolved(text)) return undefined;
    if (isIpv4(text)) return parseIp(text);
    reportAddress(path, `"${text}" is not an IPv4 address`);
    return undefined;
  };
  const ref = (path: string, id: string | undefined, index: Map<string, unknown>, what: string): boolean => {
    if (id === undefined) return false;
    if (!index.has(id)) {
      report(path, `names ${what} "${id}", which is not defined`);
      return false;
    }
    return true;
  };

  const vpcCidrs = new Map<string, Cidr[]>();
  t.vpcs.forEach((v, i) => {
    vpcCidrs.set(v.id, v.cidrs.map((c, j) => cidr(`vpcs[${i}].cidrs[${j}]`, c)).filter((c): c is Cidr => !!c));
    if (ref(`vpcs[${i}].mainRouteTable`, v.mainRouteTable, routeTables, 'route table')) sameVpc(`vpcs[${i}].mainRouteTable`, t.routeTables.find((r) => r.id === v.mainRouteTable)!.vpc, v.id);
    if (ref(`vpcs[${i}].defaultNetworkAcl`, v.defaultNetworkAcl, acls, 'network ACL')) sameVpc(`vpcs[${i}].defaultNetworkAcl`, t.networkAcls.find((a) => a.id === v.defaultNetworkAcl)!.vpc, v.id);
  });

  function sameVpc(path: string, actual: string, expected: string): void {
    if (actual !== expected) report(path, `belongs to VPC "${actual}", not "${expected}"`);
  }

  const subnetCidrs = new Map<string, Cidr>();
  t.subnets.forEach((s, i) => {
    const p = `subnets[${i}]`;
    const c = cidr(`${p}.cidr`, s.cidr);
    if (ref(`${p}.vpc`, s.vpc, vpcs, 'VPC') && c) {
      if (!(vpcCidrs.get(s.vpc) ?? []).some((v) => c.prefix >= v.prefix && cidrContains(v, c.network))) reportAddress(`${p}.cidr`, `${s.cidr} is not inside VPC "${s.vpc}" (${t.vpcs.find((v) => v.id === s.vpc)!.cidrs.join(', ')})`);
      for (const [otherId, other] of subnetCidrs) {
        const otherVpc = subnets.get(otherId)!.vpc;
        if (otherVpc === s.vpc && cidrOverlap(c, other)) reportAddress(`${p}.cidr`, `${s.cidr} overlaps subnet "${otherId}"`);
      }
      subnetCidrs.set(s.id, c);
    }
    if (ref(`${p}.routeTable`, s.routeTable, routeTables, 'route table')) sameVpc(`${p}.routeTable`, routeTables.get(s.routeTable!)!.vpc, s.vpc);
    if (ref(`${p}.networkAcl`, s.networkAcl, acls, 'network ACL')) sameVpc(`${p}.networkAcl`, acls.get(s.networkAcl!)!.vpc, s.vpc);
  });

  const hostIndex = new Map<string, Host>();
  for (const h of t.hosts) for (const key of [h.id, h.instanceId, h.eniId, ...(h.aliases ?? [])]) if (key) hostIndex.set(key, h);

  t.routeTables.forEach((rt, i) => {
    ref(`routeTables[${i}].vpc`, rt.vpc, vpcs, 'VPC');
    rt.routes.forEach((r, j) => {
      const p = `routeTables[${i}].routes[${j}]`;
      // IPv6 and prefix-list destinations are carried, not walked: only IPv4 ones are CIDRs to check.
      if ((r.destinationKind ?? 'ipv4') === 'ipv4') cidr(`${p}.destination`, r.destination);
      const target = r.target;
      if (target.kind === 'igw' && ref(`${p}.target.id`, target.id, igws, 'internet gateway')) {
        const attached = igws.get(target.id)!.vpc;
        if (attached !== rt.vpc) report(`${p}.target.id`, `internet gateway "${target.id}" is not attached to VPC "${rt.vpc}"`);
      }
      if (target.kind === 'nat' && ref(`${p}.target.id`, target.id, nats, 'NAT gateway')) sameVpc(`${p}.target.id`, nats.get(target.id)!.vpc, rt.vpc);
      if ((target.kind === 'eni' || target.kind === 'instance') && !hostIndex.has(target.id) && ![...nats.values()].some((n) => n.eniId === target.id)) {
        report(`${p}.target.id`, `names ${target.kind === 'eni' ? 'network interface' : 'instance'} "${target.id}", which no host has`);
      }
    });
  });

  /** A host's or NAT's address: inside its subnet, and not one of the five AWS keeps. */
  const usableInSubnet = (path: string, address: number | undefined, text: string, subnetId: string): void => {
    const c = subnetCidrs.get(subnetId);
    if (address === undefined || !c) return;
    if (!cidrContains(c, address)) {
      reportAddress(path, `${text} is not inside subnet "${subnetId}" (${subnets.get(subnetId)!.cidr})`);
      return;
    }
    const role = reservedRole(c, text);
    if (role) reportAddress(path, `${text} is reserved by AWS in ${c.text} (${RESERVED_WHAT[role]}), subnet "${subnetId}"`);
  };

  t.natGateways.forEach((n, i) => {
    const p = `natGateways[${i}]`;
    ref(`${p}.vpc`, n.vpc, vpcs, 'VPC');
    if (n.subnet === undefined && n.availabilityMode === 'zonal') report(`${p}.subnet`, 'is missing (a zonal NAT gateway sits in a subnet)');
    if (ref(`${p}.subnet`, n.subnet, subnets, 'subnet')) sameVpc(`${p}.subnet`, subnets.get(n.subnet!)!.vpc, n.vpc);
    n.addresses.forEach((a, j) => {
      const address = ip(`${p}.addresses[${j}].privateIp`, a.privateIp, true);
      if (n.subnet) usableInSubnet(`${p}.addresses[${j}].privateIp`, address, a.privateIp, n.subnet);
      if (a.publicIp !== undefined) ip(`${p}.addresses[${j}].publicIp`, a.publicIp, true);
      if (a.publicIp !== undefined && n.connectivity === 'private') report(`${p}.addresses[${j}].publicIp`, 'is set on a private NAT gateway, which has no public address');
    });
    const primaries = n.addresses.filter((a) => a.isPrimary).length;
    if (primaries !== 1) report(`${p}.addresses`, `has ${primaries} primary addresses (exactly one is needed)`);
  });

  t.internetGateways.forEach((g, i) => ref(`internetGateways[${i}].vpc`, g.vpc, vpcs, 'VPC'));

  const hostNames = new Map<string, number>();
  t.hosts.forEach((h, i) => {
    const p = `hosts[${i}]`;
    if (h.name !== undefined) {
      if (hostNames.has(h.name) && t.hosts[hostNames.get(h.name)!].id !== h.id) report(`${p}.name`, `"${h.name}" is already the name of hosts[${hostNames.get(h.name)}]`);
      hostNames.set(h.name, i);
    }
    const address = ip(`${p}.privateIp`, h.privateIp, h.kind === 'server' || h.kind === 'external');
    if (h.subnet !== undefined) {
      if (ref(`${p}.subnet`, h.subnet, subnets, 'subnet')) usableInSubnet(`${p}.privateIp`, address, h.privateIp, h.subnet);
    } else if (h.kind === 'instance' || h.kind === 'lambda') {
      report(`${p}.subnet`, `is missing (a host of kind ${h.kind} sits in a subnet, hosts on the internet are kind server or external)`);
    }
    if (h.publicIp !== undefined) ip(`${p}.publicIp`, h.publicIp, true);
    h.securityGroups.forEach((g, j) => ref(`${p}.securityGroups[${j}]`, g, groups, 'security group'));
  });

  t.securityGroups.forEach((g, i) => {
    if (g.vpc !== undefined) ref(`securityGroups[${i}].vpc`, g.vpc, vpcs, 'VPC');
    for (const direction of ['ingress', 'egress'] as const) {
      g[direction].forEach((r, j) => {
        const p = `securityGroups[${i}].${direction}[${j}]`;
        const peers = [r.cidr, r.securityGroup, r.prefixList].filter((x) => x !== undefined).length;
        if (peers !== 1) report(p, 'needs exactly one of cidr, securityGroup, prefixList');
        if (r.cidr !== undefined) cidr(`${p}.cidr`, r.cidr);
        if (r.securityGroup !== undefined) ref(`${p}.securityGroup`, r.securityGroup, groups, 'security group');
        portRange(p, r.fromPort, r.toPort);
      });
    }
  });

  t.networkAcls.forEach((a, i) => {
    ref(`networkAcls[${i}].vpc`, a.vpc, vpcs, 'VPC');
    for (const direction of ['ingress', 'egress'] as const) {
      const seen = new Set<number>();
      a[direction].forEach((r, j) => {
        const p = `networkAcls[${i}].${direction}[${j}]`;
        if (seen.has(r.ruleNumber)) report(`${p}.ruleNumber`, `${r.ruleNumber} is used twice in ${direction}`);
        seen.add(r.ruleNumber);
        if (!r.cidr.includes(':')) cidr(`${p}.cidr`, r.cidr); // an IPv6 entry (`::/0`) is carried, not walked
        portRange(p, r.fromPort, r.toPort);
      });
    }
  });

  function portRange(p: string, from?: number, to?: number): void {
    if ((from === undefined) !== (to === undefined)) report(p, 'needs both fromPort and toPort, or neither');
    else if (from !== undefined && to !== undefined && from > to) report(`${p}.fromPort`, `${from} is greater than toPort ${to}`);
  }

  const names = new Set<string>();
  t.flows.forEach((f, i) => {
    const p = `flows[${i}]`;
    if (names.has(f.name)) report(`${p}.name`, `"${f.name}" is used by another flow`);
    names.add(f.name);
    if (!findHost(t.hosts, f.from)) report(`${p}.from`, `"${f.from}" is not a host id, name, IP, instance id or ENI id`);
    if (!findHost(t.hosts, f.to.host) && !isIpv4(f.to.host)) report(`${p}.to.host`, `"${f.to.host}" is neither an IPv4 address nor a host`);
  });

  return problems;
}

/** The host a reference names: id, name, private or public IP, instance id, ENI id or alias. */
export function findHost(hosts: readonly Host[], ref: string): Host | undefined {
  return hosts.find((h) => h.id === ref || h.name === ref || h.privateIp === ref || h.publicIp === ref || h.instanceId === ref || h.eniId === ref || h.aliases?.includes(ref));
}

function indexById<T extends { id: string }>(items: readonly T[], path: string, report: (path: string, message: string) => void): Map<string, T> {
  const index = new Map<string, T>();
  items.forEach((item, i) => {
    if (index.has(item.id)) report(`${path}[${i}].id`, `"${item.id}" is used twice`);
    index.set(item.id, item);
  });
  return index;
}
