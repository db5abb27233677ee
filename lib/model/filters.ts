/**
 * Security groups (stateful, allow rules only) and network ACLs (stateless, numbered rules,
 * lowest first, implicit final deny). Both are evaluated over port *ranges*, because a port a
 * NAT Gateway chooses is only known as a range: a rule may allow all, none or part of it.
 */
import { cidrMatches } from './address';
import type { Header, Host, IpValue, NetworkAcl, NetworkAclRule, PortPrediction, Protocol, RuleProtocol, SecurityGroup, SecurityGroupRule, Subnet, Topology } from './types';
import { InputError } from '../errors';
import { findVpc } from './hosts';

/** Inclusive port intervals, sorted and disjoint. */
export type PortSet = ReadonlyArray<readonly [number, number]>;

/** The ports a prediction may take, as a set. */
export function portSetOf(port: PortPrediction): PortSet {
  return 'exact' in port ? [[port.exact, port.exact]] : [[port.min, port.max]];
}

function intersect(a: PortSet, lo: number, hi: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (const [x, y] of a) {
    const l = Math.max(x, lo);
    const h = Math.min(y, hi);
    if (l <= h) out.push([l, h]);
  }
  return out;
}

function subtract(a: PortSet, lo: number, hi: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (const [x, y] of a) {
    if (hi < x || lo > y) {
      out.push([x, y]);
      continue;
    }
    if (x < lo) out.push([x, lo - 1]);
    if (y > hi) out.push([hi + 1, y]);
  }
  return out;
}

/** Formats a port set ("8080", "1024-65535", "1024-2000, 3000"). */
export function portSetText(set: PortSet): string {
  return set.map(([lo, hi]) => (lo === hi ? String(lo) : `${lo}-${hi}`)).join(', ');
}

/** The outcome of a filter over every port the packet may carry. */
export interface FilterResult {
  /** allow: every possible port passes; deny: none; partial: some; unknown: the model cannot tell. */
  readonly verdict: 'allow' | 'deny' | 'partial' | 'unknown';
  /** The rule(s) that decided, as written. */
  readonly matched: string;
  /** One sentence: why. */
  readonly detail: string;
  /** Ports that pass (for partial verdicts). */
  readonly allowedPorts: PortSet;
  /**
   * The fault when the packet does not pass, independent of this packet's addresses and ports:
   * the resource (id and Name tag) and its rule, as `natlab findings` groups drops by it.
   */
  readonly fault: string;
}

function protocolMatches(rule: RuleProtocol, protocol: Protocol): boolean {
  return rule === 'all' || rule === protocol;
}

function rulePorts(rule: { protocol: RuleProtocol; fromPort?: number; toPort?: number }, protocol: Protocol): [number, number] {
  // ICMP rules carry type/code, not ports; all, or -1, covers every port.
  if (rule.protocol === 'all' || protocol === 'icmp') return [0, 65535];
  if (rule.fromPort === undefined || rule.fromPort < 0) return [0, 65535];
  return [rule.fromPort, rule.toPort ?? rule.fromPort];
}

function portsText(rule: { protocol: RuleProtocol; fromPort?: number; toPort?: number }): string {
  if (rule.protocol === 'all') return 'all traffic';
  if (rule.fromPort === undefined || rule.fromPort < 0) return `${rule.protocol} all ports`;
  const to = rule.toPort ?? rule.fromPort;
  return `${rule.protocol} ${rule.fromPort === to ? rule.fromPort : `${rule.fromPort}-${to}`}`;
}

// ------------------------------------------------------------------ security groups

/** Which side of a host a security group is evaluated on. */
export type SgDirection = 'ingress' | 'egress';

/** The security group with this id, or bad input naming it. */
export function findSecurityGroup(topology: Topology, id: string): SecurityGroup {
  const group = topology.securityGroups.find((g) => g.id === id);
  if (!group) throw new InputError(`security group "${id}" is referenced but not in topology ${topology.name}`);
  return group;
}

function sgRuleText(group: SecurityGroup, direction: SgDirection, rule: SecurityGroupRule): string {
  const peer = rule.cidr ?? rule.securityGroup ?? rule.prefixList ?? '?';
  return `${group.id} ${direction} ${portsText(rule)} ${direction === 'ingress' ? 'from' : 'to'} ${peer}`;
}

function sgPeerMatches(topology: Topology, rule: SecurityGroupRule, peerIp: IpValue, vpc: string | undefined): boolean | 'unknown' {
  if (rule.cidr !== undefined) return cidrMatches(rule.cidr, peerIp);
  if (rule.securityGroup !== undefined) {
    // A group reference matches the private IPs of that group's members in the same VPC
    // (traffic that went through a NAT or the IGW carries a public address and never matches).
    return topology.hosts.some((h) => h.privateIp === peerIp && h.securityGroups.includes(rule.securityGroup!) && (vpc === undefined || hostInVpc(topology, h, vpc)));
  }
  return 'unknown';
}

function hostInVpc(topology: Topology, host: Host, vpc: string): boolean {
  const subnet = host.subnet ? topology.subnets.find((s) => s.id === host.subnet) : undefined;
  return subnet?.vpc === vpc;
}

/**
 * Evaluates a host's security groups for a new connection: egress on the sender (peer =
 * destination) or ingress on the receiver (peer = source). The port checked is the
 * destination port; any allow rule of any group lets it through.
 */
export function evaluateSecurityGroups(topology: Topology, host: Host, direction: SgDirection, header: Header): FilterResult {
  const peerIp = direction === 'ingress' ? header.srcIp : header.dstIp;
  const vpc = host.subnet ? topology.subnets.find((s) => s.id === host.subnet)?.vpc : undefined;
  let remaining: PortSet = portSetOf(header.dstPort);
  const all = remaining;
  const matched: string[] = [];
  const unknown: string[] = [];
  for (const groupId of host.securityGroups) {
    const group = findSecurityGroup(topology, groupId);
    for (const rule of direction === 'ingress' ? group.ingress : group.egress) {
      if (!protocolMatches(rule.protocol, header.protocol)) continue;
      const [lo, hi] = rulePorts(rule, header.protocol);
      if (intersect(remaining, lo, hi).length === 0) continue;
      const peer = sgPeerMatches(topology, rule, peerIp, vpc);
      if (peer === 'unknown') {
        unknown.push(sgRuleText(group, direction, rule));
        continue;
      }
      if (!peer) continue;
      matched.push(sgRuleText(group, direction, rule));
      remaining = subtract(remaining, lo, hi);
      if (remaining.length === 0) break;
    }
    if (remaining.length === 0) break;
  }
  const groups = host.securityGroups.join(', ') || 'no security group';
  const what = direction === 'ingress' ? `from ${peerIp}` : `to ${peerIp}`;
  const allowedPorts = subtractAll(all, remaining);
  if (remaining.length === 0) {
    return { verdict: 'allow', matched: matched.join('; '), detail: `${groups} ${direction} allows ${header.protocol} ${what} port ${portSetText(all)}`, allowedPorts, fault: '' };
  }
  if (unknown.length > 0) {
    return { verdict: 'unknown', matched: unknown.join('; '), detail: `${groups} ${direction}: whether ${what} is allowed depends on ${unknown.join('; ')}, which the model cannot resolve (a prefix list or an address known only after deploy)`, allowedPorts, fault: '' };
  }
  if (matched.length > 0) {
    return { verdict: 'partial', matched: matched.join('; '), detail: `${groups} ${direction} allows only ports ${portSetText(allowedPorts)} ${what}, not ${portSetText(remaining)}`, allowedPorts, fault: '' };
  }
  return { verdict: 'deny', matched: `${groups}: no ${direction} rule matches`, detail: `no ${direction} rule of ${groups} allows ${header.protocol} ${what} port ${portSetText(all)}`, allowedPorts, fault: '' };
}

/** The ports of `all` that are not in `minus`. */
export function subtractAll(all: PortSet, minus: PortSet): PortSet {
  let out: PortSet = all;
  for (const [lo, hi] of minus) out = subtract(out, lo, hi);
  return out;
}

// ------------------------------------------------------------------ network ACLs

/** Which way a packet crosses a subnet boundary. */
export type AclDirection = 'ingress' | 'egress';

/** The network ACL that guards a subnet: explicit association, else the VPC default; undefined = allow all. */
export function networkAclForSubnet(topology: Topology, subnet: Subnet): NetworkAcl | undefined {
  const id = subnet.networkAcl ?? findVpc(topology, subnet.vpc).defaultNetworkAcl;
  if (id === undefined) return topology.networkAcls.find((a) => a.vpc === subnet.vpc && a.isDefault);
  const acl = topology.networkAcls.find((a) => a.id === id);
  if (!acl) throw new InputError(`network ACL "${id}" is referenced but not in topology ${topology.name}`);
  return acl;
}

function aclRuleText(rule: NetworkAclRule): string {
  return `rule ${rule.ruleNumber} ${rule.action} ${portsText(rule)} ${rule.cidr}`;
}

/**
 * Evaluates a network ACL on a packet crossing the subnet boundary: rules in ascending number,
 * the first rule that matches a port decides it, the implicit `*` rule denies the rest. Ingress
 * matches the source address, egress the destination; both match the destination port.
 */
export function evaluateNetworkAcl(acl: NetworkAcl, direction: AclDirection, header: Header): FilterResult {
  const peerIp = direction === 'ingress' ? header.srcIp : header.dstIp;
  const rules = [...(direction === 'ingress' ? acl.ingress : acl.egress)].sort((a, b) => a.ruleNumber - b.ruleNumber);
  const all = portSetOf(header.dstPort);
  let remaining: PortSet = all;
  let allowed: PortSet = [];
  const deciding: string[] = [];
  let denied = false;
  for (const rule of rules) {
    if (!protocolMatches(rule.protocol, header.protocol)) continue;
    const [lo, hi] = rulePorts(rule, header.protocol);
    const hit = intersect(remaining, lo, hi);
    if (hit.length === 0) continue;
    const peer = cidrMatches(rule.cidr, peerIp);
    if (peer === 'unknown') {
      return { verdict: 'unknown', matched: aclRuleText(rule), detail: `${acl.id} ${direction} ${aclRuleText(rule)} decides, but ${peerIp} is known only after deploy`, allowedPorts: allowed, fault: '' };
    }
    if (!peer) continue;
    deciding.push(aclRuleText(rule));
    if (rule.action === 'allow') allowed = [...allowed, ...hit];
    else denied = true;
    remaining = subtract(remaining, lo, hi);
    if (remaining.length === 0) break;
  }
  if (remaining.length > 0) {
    denied = true;
    deciding.push('rule * deny (implicit)');
  }
  const what = `${header.protocol} ${direction === 'ingress' ? 'from' : 'to'} ${peerIp} port ${portSetText(all)}`;
  const matched = deciding.join('; ');
  if (!denied) return { verdict: 'allow', matched, detail: `${acl.id} ${direction} allows ${what} (${matched})`, allowedPorts: allowed, fault: '' };
  if (allowed.length === 0) return { verdict: 'deny', matched, detail: `${acl.id} ${direction} denies ${what} (${matched})`, allowedPorts: allowed, fault: '' };
  return {
    verdict: 'partial',
    matched,
    detail: `${acl.id} ${direction} allows only ports ${portSetText(allowed)} of ${what} (${matched}); a connection on another port is dropped`,
    allowedPorts: allowed,
    fault: '',
  };
}
