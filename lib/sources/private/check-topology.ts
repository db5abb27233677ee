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

  for (const problem of [...conflictProblems(t), ...rejectedValueProblems(t)]) reportAddress(problem.path, problem.message);

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

/** An address a topology element holds, with the scope it must be unique in. */
interface HeldAddress {
  /** `vpc:<id>` for private addresses, `internet` for public ones. */
  readonly scope: string;
  readonly ip: string;
  /** Path of the field that holds it. */
  readonly path: string;
  /** What holds it, for the message ("host client-a", "NAT gateway nat-1"). */
  readonly owner: string;
  /** Addresses of one owner never conflict with each other. */
  readonly ownerKey: string;
}

function heldAddresses(t: Topology): HeldAddress[] {
  const vpcOf = new Map(t.subnets.map((s) => [s.id, s.vpc]));
  const out: HeldAddress[] = [];
  const add = (scope: string | undefined, ip: string | undefined, path: string, owner: string, ownerKey: string): void => {
    if (scope === undefined || ip === undefined || !isIpv4(ip)) return;
    out.push({ scope, ip, path, owner, ownerKey });
  };
  const privateScope = (subnet: string | undefined): string | undefined => {
    const vpc = subnet === undefined ? undefined : vpcOf.get(subnet);
    return vpc === undefined ? undefined : `vpc:${vpc}`;
  };
  t.natGateways.forEach((n, i) => {
    n.addresses.forEach((a, j) => {
      const owner = `NAT gateway "${n.id}"`;
      add(`vpc:${n.vpc}`, a.privateIp, `natGateways[${i}].addresses[${j}].privateIp`, owner, `nat:${n.id}`);
      add('internet', a.publicIp, `natGateways[${i}].addresses[${j}].publicIp`, `${owner} (its Elastic IP)`, `nat:${n.id}`);
    });
  });
  t.hosts.forEach((h, i) => {
    const p = `hosts[${i}]`;
    const owner = `host "${h.id}"`;
    const key = `host:${h.id}`;
    // A host on the internet is at its public address; one in a subnet at a private one.
    add(h.subnet === undefined ? 'internet' : privateScope(h.subnet), h.privateIp, `${p}.privateIp`, owner, key);
    (h.secondaryPrivateIps ?? []).forEach((ip, j) => add(privateScope(h.subnet), ip, `${p}.secondaryPrivateIps[${j}]`, owner, key));
    add('internet', h.publicIp, `${p}.publicIp`, owner, key);
    (h.interfaces ?? []).forEach((f, k) => {
      const fp = `${p}.interfaces[${k}]`;
      add(privateScope(f.subnet), f.privateIp, `${fp}.privateIp`, owner, key);
      (f.secondaryPrivateIps ?? []).forEach((ip, j) => add(privateScope(f.subnet), ip, `${fp}.secondaryPrivateIps[${j}]`, owner, key));
      add('internet', f.publicIp, `${fp}.publicIp`, owner, key);
    });
  });
  return out;
}

/**
 * Conflicts that make a topology ambiguous, each naming both sides: two owners of one address
 * (two hosts, a host at a NAT gateway's own private IP or Elastic IP), one destination twice in
 * a route table, a subnet associated with two route tables. AWS allows none of them; a walk
 * would otherwise pick one side silently.
 */
export function conflictProblems(t: Topology): Problem[] {
  const problems: Problem[] = [];
  const first = new Map<string, HeldAddress>();
  for (const a of heldAddresses(t)) {
    const key = `${a.scope} ${a.ip}`;
    const earlier = first.get(key);
    if (!earlier) first.set(key, a);
    else if (earlier.ownerKey !== a.ownerKey) {
      const where = a.scope === 'internet' ? 'public address' : `address in VPC "${a.scope.slice(4)}"`;
      problems.push({ path: a.path, message: `${a.ip} is also the ${where} of ${earlier.owner} (${earlier.path}); one address, one owner` });
    }
  }
  t.routeTables.forEach((rt, i) => {
    const seen = new Map<string, number>();
    rt.routes.forEach((r, j) => {
      const earlier = seen.get(r.destination);
      if (earlier !== undefined) problems.push({ path: `routeTables[${i}].routes[${j}].destination`, message: `${r.destination} is already the destination of routes[${earlier}] in route table "${rt.id}"; a route table holds each destination once` });
      else seen.set(r.destination, j);
    });
  });
  t.subnets.forEach((s, i) => {
    const tables = [...new Set(s.routeTableAssociations ?? [])];
    if (tables.length > 1) problems.push({ path: `subnets[${i}].routeTable`, message: `subnet "${s.id}" is associated with route tables ${tables.map((x) => `"${x}"`).join(' and ')}; a subnet has one` });
  });
  return problems;
}

/** The lowest and highest network ACL rule numbers AWS accepts (32767 is the default rule). */
const ACL_RULE_NUMBERS = { min: 1, max: 32766 } as const;

/**
 * Values AWS itself rejects, whatever source carried them: security group and network ACL
 * ports outside 0-65535 (-1, "all", is read as no ports before this), network ACL rule
 * numbers outside 1-32766, a rule action other than allow or deny.
 */
export function rejectedValueProblems(t: Topology): Problem[] {
  const problems: Problem[] = [];
  // Template and dump errors name the resource, not this path: the message says which rule.
  const what = (p: string): string => {
    const m = /\.(ingress|egress)\[(\d+)\]$/.exec(p)!;
    return `${m[1]} rule ${Number(m[2]) + 1}`;
  };
  const ports = (p: string, rule: { fromPort?: number; toPort?: number }): void => {
    for (const key of ['fromPort', 'toPort'] as const) {
      const v = rule[key];
      if (v !== undefined && !(Number.isInteger(v) && v >= 0 && v <= 65535)) problems.push({ path: `${p}.${key}`, message: `${what(p)}: ${key} ${v} is not a port (0-65535, or -1 for all)` });
    }
  };
  t.securityGroups.forEach((g, i) => {
    for (const direction of ['ingress', 'egress'] as const) g[direction].forEach((r, j) => ports(`securityGroups[${i}].${direction}[${j}]`, r));
  });
  t.networkAcls.forEach((a, i) => {
    for (const direction of ['ingress', 'egress'] as const) {
      a[direction].forEach((r, j) => {
        const p = `networkAcls[${i}].${direction}[${j}]`;
        const n = r.ruleNumber;
        if (!(Number.isInteger(n) && n >= ACL_RULE_NUMBERS.min && n <= ACL_RULE_NUMBERS.max)) {
          problems.push({ path: `${p}.ruleNumber`, message: `${direction} rule number ${n} is not one AWS accepts (${ACL_RULE_NUMBERS.min}-${ACL_RULE_NUMBERS.max})` });
        }
        const action: string = r.action;
        if (action !== 'allow' && action !== 'deny') problems.push({ path: `${p}.action`, message: `${direction} rule ${n}: action ${JSON.stringify(action)} is not allow or deny` });
        ports(p, r);
      });
    }
  });
  return problems;
}
