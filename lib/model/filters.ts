/**
 * Security groups (stateful, allow rules only) and network ACLs (stateless, numbered rules,
 * lowest first, implicit final deny). Both are evaluated over port *ranges*, because a port a
 * NAT Gateway chooses is only known as a range: a rule may allow all, none or part of it.
 */
import { addressText, cidrMatches } from './address';
import type { Fault, Header, Host, IpValue, NetworkAcl, NetworkAclRule, PortPrediction, Protocol, RuleProtocol, SecurityGroup, SecurityGroupRule, Topology } from './types';
import { InputError } from '../errors';
import { hostLabel, onInterface, ownsAddress, resourceLabel } from './hosts';
import { icmpMessageText } from './header-text';

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
  /**
   * The fault as data, when the packet does not pass (deny or partial).
   * @default - absent when it passes or the model cannot tell
   */
  readonly cause?: Fault;
  /** Network ACLs: the numbers of the rules that decided (`*` the implicit deny). */
  readonly rules?: ReadonlyArray<number | '*'>;
}

function protocolMatches(rule: RuleProtocol, protocol: Protocol): boolean {
  return rule === 'all' || rule === protocol;
}

/** A rule's ICMP type or code: absent or -1 admits every value. */
function icmpValueMatches(rule: number | undefined, value: number | undefined): boolean {
  return rule === undefined || rule === -1 || rule === value;
}

/** What a rule of either kind says about protocol, ports and ICMP message. */
interface RuleMatch {
  readonly protocol: RuleProtocol;
  readonly fromPort?: number;
  readonly toPort?: number;
  readonly icmpType?: number;
  readonly icmpCode?: number;
}

/**
 * The ports of a packet a filter decides on: its destination ports for TCP and UDP; for ICMP
 * one unit `[0, 0]`, since a message is allowed or denied whole (its type and code decide).
 */
function packetPorts(header: Header): PortSet {
  return header.protocol === 'icmp' ? [[0, 0]] : portSetOf(header.dstPort);
}

/**
 * The port interval a rule covers for this packet, or undefined when the rule does not apply:
 * another protocol, or an ICMP rule for another type or code.
 */
function ruleCovers(rule: RuleMatch, header: Header): [number, number] | undefined {
  if (!protocolMatches(rule.protocol, header.protocol)) return undefined;
  if (rule.protocol === 'all') return [0, 65535];
  if (header.protocol === 'icmp') {
    const ok = icmpValueMatches(rule.icmpType, header.icmp?.type) && icmpValueMatches(rule.icmpCode, header.icmp?.code);
    return ok ? [0, 65535] : undefined;
  }
  if (rule.fromPort === undefined || rule.fromPort < 0) return [0, 65535];
  return [rule.fromPort, rule.toPort ?? rule.fromPort];
}

/** The ports that passed, in the packet's own terms (an ICMP message passes with its header untouched). */
function passedPorts(header: Header, passed: PortSet): PortSet {
  if (header.protocol !== 'icmp') return passed;
  return passed.length > 0 ? portSetOf(header.dstPort) : [];
}

/** A rule as the rule lists write it ("tcp 80", "tcp all ports", "icmp type 8 code any", "all traffic"). */
function portsText(rule: RuleMatch): string {
  if (rule.protocol === 'all') return 'all traffic';
  if (rule.protocol === 'icmp') {
    const type = rule.icmpType === undefined || rule.icmpType < 0 ? 'any' : String(rule.icmpType);
    const code = rule.icmpCode === undefined || rule.icmpCode < 0 ? 'any' : String(rule.icmpCode);
    return type === 'any' && code === 'any' ? 'icmp all types' : `icmp type ${type} code ${code}`;
  }
  if (rule.fromPort === undefined || rule.fromPort < 0) return `${rule.protocol} all ports`;
  const to = rule.toPort ?? rule.fromPort;
  return `${rule.protocol} ${rule.fromPort === to ? rule.fromPort : `${rule.fromPort}-${to}`}`;
}

/**
 * What a rule admits, in the words of a sentence: "tcp/80", "tcp/1024-65535", "tcp" (all ports),
 * "icmp echo-request", "icmp" (every type), "all traffic".
 */
function ruleService(rule: RuleMatch): string {
  if (rule.protocol === 'all') return 'all traffic';
  if (rule.protocol === 'icmp') {
    const anyType = rule.icmpType === undefined || rule.icmpType < 0;
    const anyCode = rule.icmpCode === undefined || rule.icmpCode < 0;
    if (anyType) return anyCode ? 'icmp' : `icmp code ${rule.icmpCode}`;
    if (anyCode) return rule.icmpType === 8 || rule.icmpType === 0 ? `icmp ${icmpMessageText({ type: rule.icmpType!, code: 0 })}` : `icmp type ${rule.icmpType}`;
    return `icmp ${icmpMessageText({ type: rule.icmpType!, code: rule.icmpCode! })}`;
  }
  if (rule.fromPort === undefined || rule.fromPort < 0) return rule.protocol;
  const to = rule.toPort ?? rule.fromPort;
  return `${rule.protocol}/${rule.fromPort === to ? rule.fromPort : `${rule.fromPort}-${to}`}`;
}

/** What a packet is, in the words of a sentence: "tcp/443", "tcp/1024-65535", "icmp echo-reply". */
function packetService(header: Header, ports: PortSet = portSetOf(header.dstPort)): string {
  if (header.protocol === 'icmp') return header.icmp ? `icmp ${icmpMessageText(header.icmp)}` : 'icmp';
  return `${header.protocol}/${portSetText(ports)}`;
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

function sgPeer(rule: SecurityGroupRule): string {
  return rule.cidr ?? rule.securityGroup ?? rule.prefixList ?? rule.cidrIpv6 ?? '?';
}

function sgRuleText(group: SecurityGroup, direction: SgDirection, rule: SecurityGroupRule): string {
  return `${group.id} ${direction} ${portsText(rule)} ${direction === 'ingress' ? 'from' : 'to'} ${sgPeer(rule)}`;
}

/** A rule in a list of what a group allows: "tcp/80" (any address), "tcp/443 to 10.0.0.0/16". */
function sgRuleService(direction: SgDirection, rule: SecurityGroupRule): string {
  const peer = sgPeer(rule);
  return peer === '0.0.0.0/0' ? ruleService(rule) : `${ruleService(rule)} ${direction === 'ingress' ? 'from' : 'to'} ${peer}`;
}

/** "security group SgApp (picnic-sg-app)", "security groups SgA, SgB (picnic-b)", or "no security group". */
function groupsLabel(groups: SecurityGroup[]): { label: string; verb: (singular: string, plural: string) => string } {
  if (groups.length === 0) return { label: 'no security group', verb: (s) => s };
  const names = groups.map((g) => resourceLabel(g)).join(', ');
  return groups.length === 1 ? { label: `security group ${names}`, verb: (s) => s } : { label: `security groups ${names}`, verb: (_s, p) => p };
}

/**
 * The fault of a host's groups in one direction, independent of any packet: everything they
 * allow ("security group SgApp (picnic-sg-app) allows egress tcp/80 only").
 */
function sgFault(groups: SecurityGroup[], direction: SgDirection): string {
  const { label, verb } = groupsLabel(groups);
  const rules = groups.flatMap((g) => (direction === 'ingress' ? g.ingress : g.egress).map((r) => sgRuleService(direction, r)));
  const unique = [...new Set(rules)];
  if (unique.length === 0) return `${label} ${verb('allows', 'allow')} no ${direction}`;
  return `${label} ${verb('allows', 'allow')} ${direction} ${unique.join(', ')} only`;
}

/** A peer in a drop sentence: the host that owns the address, when one does, else the address. */
function peerLabel(topology: Topology, ip: IpValue): string {
  const host = topology.hosts.find((h) => h.privateIp === ip || h.publicIp === ip);
  return host && host.privateIp === ip ? hostLabel(host) : host ? `${host.name ?? host.id}'s public IP ${addressText(ip)}` : addressText(ip);
}

function sgPeerMatches(topology: Topology, rule: SecurityGroupRule, peerIp: IpValue, vpc: string | undefined): boolean | 'unknown' {
  if (rule.cidr !== undefined) return cidrMatches(rule.cidr, peerIp);
  // An IPv6 peer never matches an IPv4 packet.
  if (rule.cidrIpv6 !== undefined) return false;
  if (rule.securityGroup !== undefined) {
    // A group reference matches the private IPs of that group's members in the same VPC
    // (traffic that went through a NAT or the IGW carries a public address and never matches).
    // Each interface has its own groups: the member is the interface that owns the address.
    return topology.hosts.some((h) => {
      if (!ownsAddress(h, peerIp)) return false;
      const on = onInterface(h, peerIp);
      return on.securityGroups.includes(rule.securityGroup!) && (vpc === undefined || hostInVpc(topology, on, vpc));
    });
  }
  if (rule.prefixList !== undefined) return prefixListPeerMatches(topology, rule.prefixList, peerIp);
  return 'unknown';
}

/** A prefix-list peer holds the address when one of its IPv4 entries does; unknown entries cannot tell. */
function prefixListPeerMatches(topology: Topology, id: string, peerIp: IpValue): boolean | 'unknown' {
  const list = topology.prefixLists?.find((p) => p.id === id);
  if (!list || list.entriesKnown === false) return 'unknown';
  let result: boolean | 'unknown' = false;
  for (const entry of list.cidrs) {
    if (entry.includes(':')) continue;
    const held = cidrMatches(entry, peerIp);
    if (held === true) return true;
    if (held === 'unknown') result = 'unknown';
  }
  return result;
}

function hostInVpc(topology: Topology, host: Host, vpc: string): boolean {
  const subnet = host.subnet ? topology.subnets.find((s) => s.id === host.subnet) : undefined;
  return subnet?.vpc === vpc;
}

/**
 * Evaluates a host's security groups for a new connection: egress on the sender (peer =
 * destination) or ingress on the receiver (peer = source). TCP and UDP are checked on the
 * destination port, ICMP on its type and code; any allow rule of any group lets it through.
 */
export function evaluateSecurityGroups(topology: Topology, host: Host, direction: SgDirection, header: Header): FilterResult {
  const peerIp = direction === 'ingress' ? header.srcIp : header.dstIp;
  const vpc = host.subnet ? topology.subnets.find((s) => s.id === host.subnet)?.vpc : undefined;
  const groups = host.securityGroups.map((id) => findSecurityGroup(topology, id));
  const all = packetPorts(header);
  let remaining: PortSet = all;
  const matched: string[] = [];
  const unknown: Array<{ group: SecurityGroup; rule: SecurityGroupRule }> = [];
  for (const group of groups) {
    for (const rule of direction === 'ingress' ? group.ingress : group.egress) {
      const covered = ruleCovers(rule, header);
      if (!covered) continue;
      const [lo, hi] = covered;
      if (intersect(remaining, lo, hi).length === 0) continue;
      const peer = sgPeerMatches(topology, rule, peerIp, vpc);
      if (peer === 'unknown') {
        unknown.push({ group, rule });
        continue;
      }
      if (!peer) continue;
      matched.push(sgRuleText(group, direction, rule));
      remaining = subtract(remaining, lo, hi);
      if (remaining.length === 0) break;
    }
    if (remaining.length === 0) break;
  }
  const { label, verb } = groupsLabel(groups);
  const what = `${direction === 'ingress' ? 'from' : 'to'} ${remaining.length === 0 ? addressText(peerIp) : peerLabel(topology, peerIp)}`;
  const allowedPorts = passedPorts(header, subtractAll(all, remaining));
  if (remaining.length === 0) {
    return { verdict: 'allow', matched: matched.join('; '), detail: `${label} ${verb('allows', 'allow')} ${direction} ${packetService(header)} ${what}`, allowedPorts, fault: '' };
  }
  if (unknown.length > 0) {
    const rules = unknown.map(({ group, rule }) => sgRuleText(group, direction, rule));
    return {
      verdict: 'unknown',
      matched: rules.join('; '),
      detail: `${label} ${direction}: whether ${packetService(header)} ${what} is allowed depends on ${rules.join('; ')}, which the model cannot resolve (a prefix list or an address known only after deploy)`,
      allowedPorts,
      fault: `${label} ${direction}: ${rules.join('; ')} cannot be resolved by the model (a prefix list or an address known only after deploy)`,
    };
  }
  const fault = sgFault(groups, direction);
  const cause: Fault = { kind: 'sg-deny', groups: host.securityGroups, side: direction };
  const notAllowed = packetService(header, remaining);
  if (matched.length > 0) {
    return { verdict: 'partial', matched: matched.join('; '), detail: `${fault}; not ${notAllowed} ${what}`, allowedPorts, fault, cause };
  }
  return { verdict: 'deny', matched: `${host.securityGroups.join(', ') || 'no security group'}: no ${direction} rule matches`, detail: `${fault}; not ${notAllowed} ${what}`, allowedPorts, fault, cause };
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

// Which ACL guards a subnet lives with the other AWS rules (rules.ts); re-exported for callers.
export { networkAclForSubnet } from './rules';

function aclRuleText(rule: NetworkAclRule): string {
  return `rule ${rule.ruleNumber} ${rule.action} ${portsText(rule)} ${rule.cidr}`;
}

/** How the AWS console names a network ACL's directions. */
function aclSide(direction: AclDirection): string {
  return direction === 'ingress' ? 'inbound' : 'outbound';
}

/** The fault of one deny rule, independent of any packet: "network ACL X inbound rule 100 denies icmp". */
function aclRuleFault(label: string, direction: AclDirection, rule: NetworkAclRule): string {
  const peer = rule.cidr === '0.0.0.0/0' ? '' : ` ${direction === 'ingress' ? 'from' : 'to'} ${rule.cidr}`;
  return `${label} ${aclSide(direction)} rule ${rule.ruleNumber} denies ${ruleService(rule)}${peer}`;
}

/** The fault of the implicit final rule: nothing allows this kind of packet. */
function aclImplicitFault(label: string, direction: AclDirection, service: string): string {
  return `${label} ${aclSide(direction)} has no rule allowing ${service} (the implicit * rule denies it)`;
}

/**
 * Evaluates a network ACL on a packet crossing the subnet boundary: rules in ascending number,
 * the first rule that matches a port decides it, the implicit `*` rule denies the rest. Ingress
 * matches the source address, egress the destination; TCP and UDP rules match the destination
 * port, ICMP rules the message's type and code (the whole message passes or not).
 */
export function evaluateNetworkAcl(acl: NetworkAcl, direction: AclDirection, header: Header): FilterResult {
  const peerIp = direction === 'ingress' ? header.srcIp : header.dstIp;
  const rules = [...(direction === 'ingress' ? acl.ingress : acl.egress)].sort((a, b) => a.ruleNumber - b.ruleNumber);
  const label = `network ACL ${resourceLabel(acl)}`;
  const side = aclSide(direction);
  const all = packetPorts(header);
  let remaining: PortSet = all;
  let allowed: PortSet = [];
  const deciding: string[] = [];
  const numbers: Array<number | '*'> = [];
  // Pieces of the packet's ports that were denied, by the rule that denied them (undefined: the implicit rule).
  const denials: Array<{ rule: NetworkAclRule | undefined; ports: PortSet }> = [];
  for (const rule of rules) {
    // An IPv6 entry never matches an IPv4 packet.
    if (rule.cidr.includes(':')) continue;
    const covered = ruleCovers(rule, header);
    if (!covered) continue;
    const [lo, hi] = covered;
    const hit = intersect(remaining, lo, hi);
    if (hit.length === 0) continue;
    const peer = cidrMatches(rule.cidr, peerIp);
    if (peer === 'unknown') {
      return {
        verdict: 'unknown',
        matched: aclRuleText(rule),
        detail: `${label} ${side} ${aclRuleText(rule)} decides, but ${peerIp} is known only after deploy`,
        allowedPorts: passedPorts(header, allowed),
        fault: `${label} ${side} ${aclRuleText(rule)} decides for an address known only after deploy`,
      };
    }
    if (!peer) continue;
    deciding.push(aclRuleText(rule));
    numbers.push(rule.ruleNumber);
    if (rule.action === 'allow') allowed = [...allowed, ...hit];
    else denials.push({ rule, ports: hit });
    remaining = subtract(remaining, lo, hi);
    if (remaining.length === 0) break;
  }
  if (remaining.length > 0) {
    denials.push({ rule: undefined, ports: remaining });
    deciding.push('rule * deny (implicit)');
    numbers.push('*');
  }
  const what = `${direction === 'ingress' ? 'from' : 'to'} ${addressText(peerIp)}`;
  const matched = deciding.join('; ');
  const allowedPorts = passedPorts(header, allowed);
  if (denials.length === 0) return { verdict: 'allow', matched, detail: `${label} ${side} allows ${packetService(header)} ${what} (${matched})`, allowedPorts, fault: '', rules: numbers };
  const first = denials[0];
  const fault = first.rule ? aclRuleFault(label, direction, first.rule) : aclImplicitFault(label, direction, packetService(header, first.ports));
  const cause: Fault = first.rule ? { kind: 'nacl-deny', acl: acl.id, side: direction, rule: first.rule.ruleNumber } : { kind: 'nacl-deny', acl: acl.id, side: direction, rule: '*', service: packetService(header, first.ports) };
  if (allowed.length === 0) {
    let detail: string;
    if (denials.length > 1) detail = `${label} ${side} denies ${packetService(header)} ${what} (${matched})`;
    else if (first.rule) detail = `${label} ${side} rule ${first.rule.ruleNumber} denies ${packetService(header)} ${what}`;
    else detail = `${label} ${side} has no rule allowing ${packetService(header)} ${what} (the implicit * rule denies it)`;
    return { verdict: 'deny', matched, detail, allowedPorts, fault, cause, rules: numbers };
  }
  return {
    verdict: 'partial',
    matched,
    detail: `${label} ${side} allows only ${packetService(header, allowed)} of ${packetService(header)} ${what} (${matched}); a connection on another port is dropped`,
    allowedPorts,
    fault,
    cause,
    rules: numbers,
  };
}

/** The sentence of a network ACL fault (`explainFault` renders every fault; this is its ACL part). */
export function networkAclFaultText(topology: Topology, fault: Extract<Fault, { kind: 'nacl-deny' }>): string {
  const acl = topology.networkAcls.find((a) => a.id === fault.acl);
  const label = `network ACL ${acl ? resourceLabel(acl) : fault.acl}`;
  const rule = fault.rule === '*' ? undefined : (fault.side === 'ingress' ? acl?.ingress : acl?.egress)?.find((r) => r.ruleNumber === fault.rule);
  if (rule) return aclRuleFault(label, fault.side, rule);
  return aclImplicitFault(label, fault.side, fault.service ?? 'this traffic');
}

/** The sentence of a security group fault: everything the host's groups allow on that side. */
export function securityGroupFaultText(topology: Topology, fault: Extract<Fault, { kind: 'sg-deny' }>): string {
  return sgFault(fault.groups.map((id) => findSecurityGroup(topology, id)), fault.side);
}
