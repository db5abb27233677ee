/**
 * The plan step (pure): a Topology becomes a TwinPlan, the complete list of namespaces,
 * veth pairs, addresses, kernel routing tables and nftables rulesets of a local twin. Nothing
 * here touches the machine; `apply.ts` runs the plan and `teardown` undoes it.
 */
import { InputError } from '../errors';
import { parseCidr, subnetRouter } from '../model/address';
import { findSubnet, isExternal } from '../model/hosts';
import { NAT_PORT_RANGE, networkAclForSubnet, routeTableForSubnet, routeTargetOwner } from '../model/rules';
import type { Host, RouteTable, SecurityGroupRule, Topology } from '../model/types';
import { interfaceName, namespaceName } from './names';
import {
  internetGatewayRuleset,
  natGatewayRuleset,
  networkAclRuleset,
  securityGroupRuleset,
  type IgwMapping,
  type TwinAclBinding,
  type TwinSgRule,
} from './nft';
import { assertTwinAddress, chooseStandIns, type StandInMap } from './standins';

/** AWS's NAT Gateway source port range (the model's, from its rules). */
export const DEFAULT_NAT_PORT_RANGE: readonly [number, number] = [NAT_PORT_RANGE.min, NAT_PORT_RANGE.max];

/** What a namespace stands for. */
export type TwinRole = 'host' | 'router' | 'nat-gateway' | 'internet-gateway' | 'internet' | 'server';

export interface TwinNamespace {
  /** The namespace name (run prefix + component). */
  readonly name: string;
  readonly role: TwinRole;
  /** The topology component it stands for (host id, VPC id, NAT id, IGW id, `internet`). */
  readonly component: string;
  /** `sysctl -w` assignments, run inside the namespace only. */
  readonly sysctls: string[];
  /** `ip -batch` lines: addresses, links up, routes, rules. */
  readonly ipCommands: string[];
  /** nftables ruleset for `nft -f -` (empty: none). */
  readonly nft: string;
}

export interface TwinEnd {
  readonly ns: string;
  readonly ifname: string;
}

/** A veth pair: created inside `a.ns`, its peer moved straight into `b.ns`. */
export interface TwinLink {
  readonly a: TwinEnd;
  readonly b: TwinEnd;
  /** The segment it stands for ("client-a <-> VPC router"). */
  readonly segment: string;
}

/** A host of the topology as placed in the twin. */
export interface TwinHost {
  readonly hostId: string;
  readonly name: string;
  readonly ns: string;
  readonly ifname: string;
  /** The address it has in the twin (a stand-in for hosts on the internet). */
  readonly twinIp: string;
  readonly realIp: string;
  readonly external: boolean;
}

/** Where a capture runs: one interface, in one namespace, on one segment. */
export interface CapturePoint {
  /** Stable id the comparison refers to (`host:client-a`, `nat:nat-xxx`, `igw-in:igw-yyy`...). */
  readonly id: string;
  readonly ns: string;
  readonly ifname: string;
  readonly segment: string;
}

export interface TwinNat {
  readonly id: string;
  readonly ns: string;
  readonly ifname: string;
  readonly privateIp: string;
  readonly portRange: readonly [number, number];
}

export interface TwinIgw {
  readonly id: string;
  readonly ns: string;
  readonly inner: string;
  readonly outer: string;
}

export interface TwinPlan {
  readonly prefix: string;
  readonly topology: string;
  /** In creation order. */
  readonly namespaces: TwinNamespace[];
  readonly links: TwinLink[];
  readonly hosts: TwinHost[];
  readonly nats: TwinNat[];
  readonly igws: TwinIgw[];
  readonly captures: CapturePoint[];
  readonly standIns: StandInMap;
  /** What the twin could not build as AWS would, said once. */
  readonly notes: string[];
  /** The AWS rules the plan applied, as the model answers them (a test holds the two together). */
  readonly decisions: TwinDecisions;
}

/** Which network ACL guards each built subnet and what each NAT/ENI/instance route target names. */
export interface TwinDecisions {
  /** Per subnet the twin attached something to: the ACL id installed, or null (allow all). */
  readonly subnetAcls: Array<{ readonly subnet: string; readonly acl: string | null }>;
  /** Per route to a NAT, ENI or instance target: the component it was sent to (`nat:<id>`, `host:<id>`), or null (unreachable). */
  readonly routeTargets: Array<{ readonly table: string; readonly destination: string; readonly to: string | null }>;
}

/** Deliberate faults, for tests that prove the comparison can fail. */
export interface TwinTamper {
  /** The NAT keeps the client's source port (`snat to IP` without range or random). */
  readonly natKeepsSourcePort?: boolean;
  /** The IGW rewrites TCP ports (flips bit 12 both ways). */
  readonly igwRewritesPorts?: boolean;
  /** The router's ruleset ends with a line nft refuses, so one `nft -f` fails inside applyPlan. */
  readonly invalidRouterRule?: boolean;
}

export interface PlanOptions {
  /** The run prefix (`newRunPrefix()`). */
  readonly prefix: string;
  /** NAT source port range. @default [1024, 65535] */
  readonly natPortRange?: readonly [number, number];
  readonly tamper?: TwinTamper;
}

/** IPv6 off: the twin is IPv4 only, and router solicitations would only add noise to captures. */
const NO_IPV6 = ['net.ipv6.conf.all.disable_ipv6=1', 'net.ipv6.conf.default.disable_ipv6=1'];
const FORWARDING = [...NO_IPV6, 'net.ipv4.ip_forward=1', 'net.ipv4.conf.all.rp_filter=0', 'net.ipv4.conf.default.rp_filter=0', 'net.ipv4.conf.all.send_redirects=0', 'net.ipv4.conf.default.send_redirects=0'];

/** Kernel table holding the VPC's local delivery routes (one /32 per ENI). */
const LOCAL_TABLE = 50;
const FIRST_SUBNET_TABLE = 100;

/** /30 link networks from 169.254.0.0/16 for links between twin routers. */
class LinkNets {
  private n = 0;
  next(): { a: string; b: string; prefix: number } {
    const base = 4 * this.n++;
    const ip = (off: number): string => `169.254.${Math.floor((base + off) / 256)}.${(base + off) % 256}`;
    return { a: ip(1), b: ip(2), prefix: 30 };
  }
}

class NsBuilder {
  readonly sysctls: string[] = [];
  readonly ip: string[] = ['link set lo up'];
  nft = '';
  constructor(
    readonly name: string,
    readonly role: TwinRole,
    readonly component: string,
  ) {}
  addr(cidr: string, ifname: string, where: string): void {
    assertTwinAddress(cidr.split('/')[0], where);
    this.ip.push(`address add ${cidr} dev ${ifname}`);
  }
  build(): TwinNamespace {
    return { name: this.name, role: this.role, component: this.component, sysctls: this.sysctls, ipCommands: this.ip, nft: this.nft };
  }
}

/** Host kinds the twin builds as namespaces; the others (load balancers, endpoints, attachments) forward to what it does not hold. */
const TWIN_HOST_KINDS: ReadonlySet<string> = new Set(['instance', 'lambda', 'server', 'external']);

/**
 * Refuses, in one line, what the twin cannot build as AWS would (never a twin that is silently
 * wrong): hosts with several interfaces or addresses, requester-managed interfaces, routes to
 * prefix lists. IPv6 routes are left out (the twin and the walks are IPv4 only).
 */
function assertTwinCanBuild(topology: Topology): void {
  const refuse = (what: string, which: string[]): never => {
    const shown = which.slice(0, 3).join(', ') + (which.length > 3 ? ` and ${which.length - 3} more` : '');
    throw new InputError(`the local twin does not build ${what} yet (${shown}); use natlab walk, predict or findings for this topology`);
  };
  const several = topology.hosts.filter((h) => (h.interfaces?.length ?? 0) > 0 || (h.secondaryPrivateIps?.length ?? 0) > 0);
  if (several.length) refuse('hosts with several network interfaces or secondary addresses', several.map((h) => h.name ?? h.id));
  const managed = topology.hosts.filter((h) => !TWIN_HOST_KINDS.has(h.kind));
  if (managed.length) refuse('load balancers, endpoints or other requester-managed interfaces', managed.map((h) => `${h.id} (${h.kind})`));
  const lists = topology.routeTables.flatMap((t) => t.routes.filter((r) => r.destinationKind === 'prefix-list').map((r) => `${t.id}: ${r.destination}`));
  if (lists.length) refuse('routes to prefix lists', lists);
}

/** Builds the twin's plan from a topology; refuses what it cannot build safely. */
export function planTwin(topology: Topology, options: PlanOptions): TwinPlan {
  const { prefix } = options;
  const portRange = options.natPortRange ?? DEFAULT_NAT_PORT_RANGE;
  if (!(portRange[0] >= 1 && portRange[1] <= 65535 && portRange[0] <= portRange[1])) {
    throw new InputError(`NAT port range ${portRange[0]}-${portRange[1]} must be two ports 1-65535, the first not above the second`);
  }
  assertTwinCanBuild(topology);
  const standIns = chooseStandIns(topology);
  const notes: string[] = [];
  const nss: NsBuilder[] = [];
  const links: TwinLink[] = [];
  const hosts: TwinHost[] = [];
  const nats: TwinNat[] = [];
  const igws: TwinIgw[] = [];
  const captures: CapturePoint[] = [];
  const decisions: TwinDecisions = { subnetAcls: [], routeTargets: [] };
  const linkNets = new LinkNets();
  const usedNs = new Set<string>();
  const ns = (role: TwinRole, component: string, label: string): NsBuilder => {
    let name = namespaceName(prefix, label);
    for (let i = 2; usedNs.has(name); i++) name = namespaceName(prefix, `${label}-${i}`);
    usedNs.add(name);
    const b = new NsBuilder(name, role, component);
    nss.push(b);
    return b;
  };
  const link = (a: NsBuilder, aCode: string, b: NsBuilder, bCode: string, segment: string): [string, string] => {
    const ai = interfaceName(prefix, aCode);
    const bi = interfaceName(prefix, bCode);
    links.push({ a: { ns: a.name, ifname: ai }, b: { ns: b.name, ifname: bi }, segment });
    a.ip.push(`link set ${ai} up`);
    b.ip.push(`link set ${bi} up`);
    return [ai, bi];
  };

  // The internet: one namespace that routes between IGWs and hosts on the internet.
  const internet = ns('internet', 'internet', 'internet');
  internet.sysctls.push(...FORWARDING);
  const sgRules = (host: Host, direction: 'ingress' | 'egress'): TwinSgRule[] => {
    const rules: TwinSgRule[] = [];
    for (const sgId of host.securityGroups) {
      const sg = topology.securityGroups.find((g) => g.id === sgId);
      if (!sg) throw new InputError(`host ${host.name ?? host.id} names security group "${sgId}", which is not in topology ${topology.name}`);
      for (const rule of sg[direction]) rules.push({ rule, peers: sgPeers(topology, rule, standIns, notes) });
    }
    return rules;
  };

  // Hosts on the internet (the server).
  topology.hosts.filter(isExternal).forEach((host, e) => {
    const name = host.name ?? host.id;
    const b = ns('server', host.id, name);
    const [inetIf, hostIf] = link(internet, `ie${e}`, b, `s${e}`, `internet <-> ${name}`);
    const net = linkNets.next();
    const twinIp = standIns.twin(host.privateIp);
    internet.addr(`${net.a}/${net.prefix}`, inetIf, 'internet');
    b.addr(`${net.b}/${net.prefix}`, hostIf, name);
    b.addr(`${twinIp}/32`, hostIf, name);
    b.ip.push(`route add default via ${net.a} dev ${hostIf} src ${twinIp}`);
    internet.ip.push(`route add ${twinIp}/32 via ${net.b} dev ${inetIf}`);
    if (host.securityGroups.length) b.nft = securityGroupRuleset(sgRules(host, 'ingress'), sgRules(host, 'egress'));
    hosts.push({ hostId: host.id, name, ns: b.name, ifname: hostIf, twinIp, realIp: host.privateIp, external: true });
    captures.push({ id: `host:${host.id}`, ns: b.name, ifname: hostIf, segment: `internet <-> ${name}` });
  });

  let hostIndex = 0;
  let natIndex = 0;
  let igwIndex = 0;
  for (const vpc of topology.vpcs) {
    const vpcHosts = topology.hosts.filter((h) => h.subnet && findSubnet(topology, h.subnet).vpc === vpc.id);
    const vpcNats = topology.natGateways.filter((n) => n.vpc === vpc.id);
    const vpcIgws = topology.internetGateways.filter((g) => g.vpc === vpc.id);
    const subnets = topology.subnets.filter((s) => s.vpc === vpc.id);
    if (vpcHosts.length === 0 && vpcNats.length === 0) continue;
    const router = ns('router', vpc.id, `router-${vpc.id}`);
    router.sysctls.push(...FORWARDING);
    const ifsBySubnet = new Map<string, string[]>();
    const subnetOf = new Map<string, string>(); // router-side ifname -> subnet id
    const natIfs = new Map<string, { ifname: string; ip: string }>();
    const hostIfs = new Map<string, { ifname: string; ip: string }>();

    const attachEni = (b: NsBuilder, code: string, rcode: string, subnetId: string, ips: string[], label: string): [string, string] => {
      const subnet = findSubnet(topology, subnetId);
      const gw = subnetRouter(subnet.cidr);
      const prefixLen = parseCidr(subnet.cidr).prefix;
      const [eniIf, routerIf] = link(b, code, router, rcode, `${label} <-> VPC router (${subnet.name ?? subnet.id})`);
      for (const ip of ips) b.addr(`${ip}/${prefixLen}`, eniIf, label);
      b.ip.push(`route add default via ${gw} dev ${eniIf} onlink`);
      router.addr(`${gw}/32`, routerIf, `VPC router of ${subnet.id}`);
      for (const ip of ips) router.ip.push(`route add ${ip}/32 dev ${routerIf} table ${LOCAL_TABLE}`);
      ifsBySubnet.set(subnetId, [...(ifsBySubnet.get(subnetId) ?? []), routerIf]);
      subnetOf.set(routerIf, subnetId);
      return [eniIf, routerIf];
    };

    for (const host of vpcHosts) {
      const i = hostIndex++;
      const name = host.name ?? host.id;
      const b = ns('host', host.id, name);
        const [eniIf, routerIf] = attachEni(b, `h${i}`, `r${i}`, host.subnet as string, [host.privateIp], name);
      if (host.securityGroups.length) b.nft = securityGroupRuleset(sgRules(host, 'ingress'), sgRules(host, 'egress'));
      hostIfs.set(host.id, { ifname: routerIf, ip: host.privateIp });
      hosts.push({ hostId: host.id, name, ns: b.name, ifname: eniIf, twinIp: host.privateIp, realIp: host.privateIp, external: false });
      captures.push({ id: `host:${host.id}`, ns: b.name, ifname: eniIf, segment: `${name} <-> VPC router` });
    }

    for (const nat of vpcNats) {
      if (!nat.subnet) {
        notes.push(`${nat.id} is a regional NAT Gateway; the twin builds zonal ones only, so routes to it are unreachable`);
        continue;
      }
      const j = natIndex++;
      const b = ns('nat-gateway', nat.id, nat.id);
      b.sysctls.push(...FORWARDING);
      const ips = nat.addresses.map((a) => a.privateIp);
      if (ips.length === 0) throw new InputError(`NAT Gateway ${nat.id} has no address`);
      const [eniIf, routerIf] = attachEni(b, `n${j}`, `rn${j}`, nat.subnet, ips, nat.name ?? nat.id);
      if (ips.length > 1) notes.push(`${nat.id}: the twin translates to its primary address ${ips[0]} only (secondary addresses are configured but unused)`);
      b.nft = natGatewayRuleset({
        ifname: eniIf,
        privateIp: ips[0],
        ownIps: ips,
        vpcCidrs: vpc.cidrs,
        portRange,
        keepSourcePort: options.tamper?.natKeepsSourcePort,
      });
      natIfs.set(nat.id, { ifname: routerIf, ip: ips[0] });
      nats.push({ id: nat.id, ns: b.name, ifname: eniIf, privateIp: ips[0], portRange });
      captures.push({ id: `nat:${nat.id}`, ns: b.name, ifname: eniIf, segment: `${nat.name ?? nat.id} ENI <-> VPC router` });
    }

    const igwRouterIfs = new Map<string, { ifname: string; via: string }>();
    for (const igw of vpcIgws) {
      const k = igwIndex++;
      const b = ns('internet-gateway', igw.id, igw.id);
      b.sysctls.push(...FORWARDING);
      const [routerIf, inner] = link(router, `rg${k}`, b, `gi${k}`, `VPC router <-> ${igw.name ?? igw.id}`);
      const innerNet = linkNets.next();
      router.addr(`${innerNet.a}/${innerNet.prefix}`, routerIf, 'VPC router');
      b.addr(`${innerNet.b}/${innerNet.prefix}`, inner, igw.id);
      const [outer, inetIf] = link(b, `go${k}`, internet, `ig${k}`, `${igw.name ?? igw.id} <-> internet`);
      const outerNet = linkNets.next();
      b.addr(`${outerNet.a}/${outerNet.prefix}`, outer, igw.id);
      internet.addr(`${outerNet.b}/${outerNet.prefix}`, inetIf, 'internet');
      for (const cidr of vpc.cidrs) b.ip.push(`route add ${cidr} via ${innerNet.a} dev ${inner}`);
      b.ip.push(`route add default via ${outerNet.b} dev ${outer}`);
      const mappings: IgwMapping[] = [];
      for (const h of vpcHosts) if (h.publicIp) mappings.push({ privateIp: h.privateIp, publicIp: standIns.twin(h.publicIp) });
      for (const n of vpcNats) {
        for (const a of n.addresses) if (a.publicIp && n.connectivity === 'public') mappings.push({ privateIp: a.privateIp, publicIp: standIns.twin(a.publicIp) });
      }
      for (const m of mappings) {
        assertTwinAddress(m.publicIp, `public address of ${m.privateIp}`);
        internet.ip.push(`route add ${m.publicIp}/32 via ${outerNet.a} dev ${inetIf}`);
      }
      b.nft = internetGatewayRuleset({ inner, outer, mappings, rewritePorts: options.tamper?.igwRewritesPorts });
      router.ip.push(`rule add iif ${routerIf} lookup ${LOCAL_TABLE} pref 200`, `rule add iif ${routerIf} unreachable pref 300`);
      igwRouterIfs.set(igw.id, { ifname: routerIf, via: innerNet.b });
      igws.push({ id: igw.id, ns: b.name, inner, outer });
      captures.push({ id: `igw-in:${igw.id}`, ns: b.name, ifname: inner, segment: `VPC router <-> ${igw.name ?? igw.id}` });
      captures.push({ id: `igw-out:${igw.id}`, ns: b.name, ifname: outer, segment: `${igw.name ?? igw.id} <-> internet` });
    }

    // Each subnet's route table becomes a kernel table chosen by ingress interface; the
    // kernel does the longest-prefix match. `local` routes throw to the local-delivery table.
    const tableIds = new Map<string, number>();
    for (const subnet of subnets) {
      const ifs = ifsBySubnet.get(subnet.id);
      if (!ifs) continue;
      const { table } = routeTableForSubnet(topology, subnet);
      let id = tableIds.get(table.id);
      if (id === undefined) {
        id = FIRST_SUBNET_TABLE + tableIds.size;
        tableIds.set(table.id, id);
        router.ip.push(...kernelRoutes(table, id, { natIfs, hostIfs, igwRouterIfs, topology, notes, standIns, decisions }));
      }
      for (const ifname of ifs) {
        router.ip.push(`rule add iif ${ifname} lookup ${id} pref 100`, `rule add iif ${ifname} lookup ${LOCAL_TABLE} pref 200`, `rule add iif ${ifname} unreachable pref 300`);
      }
    }

    const bindings: TwinAclBinding[] = [];
    for (const subnet of subnets) {
      const ifs = ifsBySubnet.get(subnet.id);
      if (!ifs) continue;
      // The model's rule (explicit association, the VPC's default, else its isDefault ACL).
      const acl = networkAclForSubnet(topology, subnet);
      decisions.subnetAcls.push({ subnet: subnet.id, acl: acl?.id ?? null });
      if (!acl) continue;
      bindings.push({ subnet: subnet.id, acl, interfaces: ifs, cidrs: (c) => standIns.twinCidrs(c) });
    }
    router.nft = networkAclRuleset(bindings);
    if (options.tamper?.invalidRouterRule) router.nft += 'table inet natlab_fault { chain c { not-a-statement; } }\n';
  }

  return {
    prefix,
    topology: topology.name,
    namespaces: nss.map((b) => b.build()),
    links,
    hosts,
    nats,
    igws,
    captures,
    standIns,
    notes,
    decisions,
  };
}

interface RouteContext {
  readonly natIfs: Map<string, { ifname: string; ip: string }>;
  readonly hostIfs: Map<string, { ifname: string; ip: string }>;
  readonly igwRouterIfs: Map<string, { ifname: string; via: string }>;
  readonly topology: Topology;
  readonly notes: string[];
  readonly standIns: StandInMap;
  readonly decisions: TwinDecisions;
}

/**
 * The twin destinations of each route: its own block, plus the /32 stand-in of every real
 * public address the route is the longest match for (packets carry the stand-ins, so a route
 * to 44.198.164.0/24 must also catch 198.51.100.10).
 */
function twinDestinations(table: RouteTable, standIns: StandInMap): Map<string, string[]> {
  const known = table.routes.filter((r) => !r.destination.startsWith('<') && (r.destinationKind ?? 'ipv4') === 'ipv4').map((r) => parseCidr(r.destination, `${table.id} route destination`));
  const out = new Map<string, string[]>(known.map((c) => [c.text, [c.text]]));
  for (const e of standIns.entries) {
    // The stand-in follows the real address's longest-prefix route (AWS's choice for it).
    const owner = known.filter((c) => standIns.twinCidrs(c.text).includes(`${e.standIn}/32`)).sort((a, b) => b.prefix - a.prefix)[0];
    if (owner && !out.has(`${e.standIn}/32`)) out.get(owner.text)!.push(`${e.standIn}/32`);
  }
  return out;
}

/** A route table as `ip route` lines for kernel table `id`. */
function kernelRoutes(table: RouteTable, id: number, ctx: RouteContext): string[] {
  const out: string[] = [];
  let hasDefault = false;
  const destinations = twinDestinations(table, ctx.standIns);
  for (const route of table.routes) {
    if ((route.destinationKind ?? 'ipv4') !== 'ipv4') {
      ctx.notes.push(`${table.id}: route to ${route.destination} is IPv6; the twin is IPv4 only and leaves it out (IPv4 walks never match it either)`);
      continue;
    }
    if (route.destination.startsWith('<')) {
      ctx.notes.push(`${table.id}: route to ${route.destination} has no known destination; left out of the twin`);
      continue;
    }
    const realDest = parseCidr(route.destination, `${table.id} route destination`).text;
    if (realDest === '0.0.0.0/0') hasDefault = true;
    const t = route.target;
    const unreachable = (why: string): void => {
      ctx.notes.push(`${table.id}: ${realDest} -> ${why}; the twin makes it unreachable`);
      for (const dest of destinations.get(realDest) ?? [realDest]) out.push(`route add unreachable ${dest} table ${id}`);
    };
    const add = (line: (dest: string) => string): void => {
      for (const dest of destinations.get(realDest) ?? [realDest]) out.push(line(dest));
    };
    switch (t.kind) {
      case 'local':
        add((dest) => `route add throw ${dest} table ${id}`);
        break;
      case 'igw': {
        const igw = ctx.igwRouterIfs.get(t.id);
        if (igw) add((dest) => `route add ${dest} via ${igw.via} dev ${igw.ifname} table ${id}`);
        else unreachable(`${t.id}, an Internet Gateway not attached to this VPC`);
        break;
      }
      case 'nat': {
        const owner = routeTargetOwner(ctx.topology, t);
        const nat = owner?.kind === 'nat' ? ctx.natIfs.get(owner.nat.id) : undefined;
        ctx.decisions.routeTargets.push({ table: table.id, destination: realDest, to: nat && owner?.kind === 'nat' ? `nat:${owner.nat.id}` : null });
        if (nat) add((dest) => `route add ${dest} via ${nat.ip} dev ${nat.ifname} onlink table ${id}`);
        else unreachable(`${t.id}, a NAT Gateway the twin does not build`);
        break;
      }
      case 'eni':
      case 'instance': {
        // The model's rule: an ENI or instance target names a host by id, ENI, instance id or alias.
        const owner = routeTargetOwner(ctx.topology, t);
        const natIf = owner?.kind === 'nat' ? ctx.natIfs.get(owner.nat.id) : undefined;
        if (natIf && owner?.kind === 'nat') {
          ctx.decisions.routeTargets.push({ table: table.id, destination: realDest, to: `nat:${owner.nat.id}` });
          add((dest) => `route add ${dest} via ${natIf.ip} dev ${natIf.ifname} onlink table ${id}`);
          break;
        }
        const attached = owner?.kind === 'host' ? ctx.hostIfs.get(owner.host.id) : undefined;
        ctx.decisions.routeTargets.push({ table: table.id, destination: realDest, to: attached && owner?.kind === 'host' ? `host:${owner.host.id}` : null });
        if (attached) add((dest) => `route add ${dest} via ${attached.ip} dev ${attached.ifname} onlink table ${id}`);
        else unreachable(`${t.id}, not a host of the twin`);
        break;
      }
      case 'blackhole':
        add((dest) => `route add blackhole ${dest} table ${id}`);
        break;
      default:
        unreachable(`${t.kind} ${'id' in t ? t.id : ''} (leaves the model)`);
    }
  }
  // No default route: nothing else matches, so the packet dies here, as in AWS.
  if (!hasDefault) out.push(`route add unreachable 0.0.0.0/0 table ${id}`);
  return out;
}

/** A security-group rule's peer as twin CIDRs; prefix lists are unknown here and match nothing. */
function sgPeers(topology: Topology, rule: SecurityGroupRule, standIns: StandInMap, notes: string[]): string[] {
  if (rule.cidr) return rule.cidr.startsWith('<') ? [] : standIns.twinCidrs(rule.cidr);
  if (rule.securityGroup) {
    return topology.hosts.filter((h) => h.securityGroups.includes(rule.securityGroup as string)).map((h) => `${standIns.twin(h.privateIp)}/32`);
  }
  if (rule.prefixList) notes.push(`security group rule with prefix list ${rule.prefixList} matches nothing in the twin`);
  return [];
}
