/**
 * nftables rulesets of the twin, rendered as text for `nft -f -` inside one namespace:
 * security groups (stateful, on the host), network ACLs (stateless, on the VPC router's
 * subnet-facing interfaces), the NAT Gateway (SNAT with conntrack) and the Internet Gateway
 * (stateless 1:1 address rewrite, no conntrack at all).
 */
import type { NetworkAcl, NetworkAclRule, SecurityGroupRule } from '../model/types';

/** A filter peer already translated to twin CIDRs. */
export type TwinPeer = string[];

/** A security-group rule with its peer resolved to twin CIDRs (empty: matches nothing). */
export interface TwinSgRule {
  readonly rule: SecurityGroupRule;
  readonly peers: TwinPeer;
}

function set(values: string[]): string {
  return values.length === 1 ? values[0] : `{ ${values.join(', ')} }`;
}

function ports(from?: number, to?: number): string {
  if (from === undefined || to === undefined) return '';
  if (from === -1 || (from <= 0 && to >= 65535)) return '';
  return from === to ? `${from}` : `${from}-${to}`;
}

/** The protocol/port match of a rule (`tcp dport 8080`, `meta l4proto icmp`, or nothing). */
function l4Match(protocol: string, from?: number, to?: number): string {
  if (protocol === 'all') return '';
  if (protocol === 'icmp') return 'meta l4proto icmp';
  const range = ports(from, to);
  return range ? `${protocol} dport ${range}` : `meta l4proto ${protocol}`;
}

/** Security groups of one host: stateful, replies of allowed flows pass (ct state). */
export function securityGroupRuleset(ingress: TwinSgRule[], egress: TwinSgRule[]): string {
  const lines = (rules: TwinSgRule[], field: 'saddr' | 'daddr'): string[] =>
    rules
      .filter((r) => r.peers.length > 0)
      .map((r) => ['   ', `ip ${field} ${set(r.peers)}`, l4Match(r.rule.protocol, r.rule.fromPort, r.rule.toPort), 'accept'].filter(Boolean).join(' '));
  return [
    'table inet natlab_sg {',
    '  chain ingress {',
    '    type filter hook input priority filter; policy drop;',
    '    iif lo accept',
    '    ct state established,related accept',
    ...lines(ingress, 'saddr'),
    '  }',
    '  chain egress {',
    '    type filter hook output priority filter; policy drop;',
    '    oif lo accept',
    '    ct state established,related accept',
    ...lines(egress, 'daddr'),
    '  }',
    '}',
    '',
  ].join('\n');
}

/** One subnet's network ACL as the router applies it: interfaces facing that subnet. */
export interface TwinAclBinding {
  readonly subnet: string;
  readonly acl: NetworkAcl;
  /** Router-side interfaces that face the subnet (its hosts and NAT Gateways). */
  readonly interfaces: string[];
  /** Maps a rule's CIDR to twin CIDRs (stand-ins added). */
  readonly cidrs: (cidr: string) => string[];
}

function chainName(subnet: string, direction: 'in' | 'out'): string {
  return `acl_${subnet.replace(/[^A-Za-z0-9_]/g, '_')}_${direction}`;
}

/** ACL rules in rule-number order, then the implicit deny (`*`). */
function aclChain(name: string, rules: NetworkAclRule[], field: 'saddr' | 'daddr', cidrs: (c: string) => string[]): string[] {
  const ordered = [...rules].sort((a, b) => a.ruleNumber - b.ruleNumber);
  const out = [`  chain ${name} {`];
  for (const r of ordered) {
    const match = l4Match(r.protocol, r.fromPort, r.toPort);
    const verdict = r.action === 'allow' ? 'return' : 'drop';
    out.push(`    ip ${field} ${set(cidrs(r.cidr))}${match ? ` ${match}` : ''} ${verdict} comment "rule ${r.ruleNumber}"`);
  }
  out.push('    drop comment "rule * (implicit deny)"', '  }');
  return out;
}

/**
 * Network ACLs on the VPC router: a packet leaving a subnet is held against the subnet ACL's
 * outbound rules, a packet entering one against its inbound rules; stateless, so replies need
 * their own allow (the ephemeral ports). Traffic within one subnet crosses no ACL.
 */
export function networkAclRuleset(bindings: TwinAclBinding[]): string {
  if (bindings.length === 0) return '';
  const lines = ['table ip natlab_nacl {'];
  for (const b of bindings) {
    lines.push(...aclChain(chainName(b.subnet, 'out'), b.acl.egress, 'daddr', b.cidrs));
    lines.push(...aclChain(chainName(b.subnet, 'in'), b.acl.ingress, 'saddr', b.cidrs));
  }
  lines.push('  chain forward {', '    type filter hook forward priority filter; policy accept;');
  for (const b of bindings) {
    const ifs = set(b.interfaces.map((i) => `"${i}"`));
    lines.push(`    iifname ${ifs} oifname ${ifs} accept comment "within ${b.subnet}"`);
  }
  for (const b of bindings) lines.push(`    iifname ${set(b.interfaces.map((i) => `"${i}"`))} jump ${chainName(b.subnet, 'out')}`);
  for (const b of bindings) lines.push(`    oifname ${set(b.interfaces.map((i) => `"${i}"`))} jump ${chainName(b.subnet, 'in')}`);
  lines.push('  }', '}', '');
  return lines.join('\n');
}

/** What the NAT Gateway's namespace does. */
export interface NatRulesetOptions {
  /** The NAT's ENI interface (in and out: the NAT sits on one subnet). */
  readonly ifname: string;
  /** The address it translates to (its primary private IP). */
  readonly privateIp: string;
  /** All its private addresses (never translated again). */
  readonly ownIps: string[];
  /** The VPC's CIDRs: connections must start inside the VPC. */
  readonly vpcCidrs: string[];
  /** Source port range for TCP/UDP. */
  readonly portRange: readonly [number, number];
  /** Tampered twin for tests: keep the source port (`snat to IP`, no range, no random). */
  readonly keepSourcePort?: boolean;
}

/**
 * The NAT Gateway: SNAT to its private IP with a random port per connection (conntrack holds
 * the translation table); connections must start inside the VPC; its own address accepts none.
 */
export function natGatewayRuleset(o: NatRulesetOptions): string {
  const to = o.keepSourcePort ? o.privateIp : `${o.privateIp}:${o.portRange[0]}-${o.portRange[1]} random`;
  return [
    'table ip natlab_nat {',
    '  chain postrouting {',
    '    type nat hook postrouting priority srcnat; policy accept;',
    `    oifname "${o.ifname}" ip saddr != ${set(o.ownIps)} meta l4proto { tcp, udp } snat ip to ${to}`,
    `    oifname "${o.ifname}" ip saddr != ${set(o.ownIps)} meta l4proto icmp snat ip to ${o.privateIp}`,
    '  }',
    '  chain forward {',
    '    type filter hook forward priority filter; policy drop;',
    '    ct state established,related accept',
    `    ct state new iifname "${o.ifname}" ip saddr ${set(o.vpcCidrs)} accept`,
    '  }',
    '  chain input {',
    '    type filter hook input priority filter; policy drop;',
    '    iif lo accept',
    '    ct state established,related accept',
    '  }',
    '}',
    '',
  ].join('\n');
}

/** One 1:1 mapping of the Internet Gateway. */
export interface IgwMapping {
  readonly privateIp: string;
  /** The public address's twin stand-in. */
  readonly publicIp: string;
}

/** What the Internet Gateway's namespace does. */
export interface IgwRulesetOptions {
  /** Interface towards the VPC router. */
  readonly inner: string;
  /** Interface towards the internet. */
  readonly outer: string;
  readonly mappings: IgwMapping[];
  /** Tampered twin for tests: flip a bit of the TCP port both ways (still reversible). */
  readonly rewritePorts?: boolean;
}

/**
 * The Internet Gateway: stateless 1:1 address rewrite in both directions, ports untouched,
 * before routing and without conntrack (`notrack`). A private address with no public one goes
 * nowhere; a public address with no owner is dropped.
 */
export function internetGatewayRuleset(o: IgwRulesetOptions): string {
  const lines = [
    'table ip natlab_igw {',
    '  chain prerouting {',
    '    type filter hook prerouting priority raw; policy accept;',
    '    notrack',
  ];
  if (o.rewritePorts) {
    lines.push(`    iifname "${o.inner}" tcp sport set tcp sport ^ 0x1000`);
    lines.push(`    iifname "${o.outer}" tcp dport set tcp dport ^ 0x1000`);
  }
  for (const m of o.mappings) lines.push(`    iifname "${o.inner}" ip saddr ${m.privateIp} ip saddr set ${m.publicIp} accept`);
  lines.push(`    iifname "${o.inner}" drop comment "no public IP: the IGW drops it"`);
  for (const m of o.mappings) lines.push(`    iifname "${o.outer}" ip daddr ${m.publicIp} ip daddr set ${m.privateIp} accept`);
  lines.push(`    iifname "${o.outer}" drop comment "no owner for this public address"`);
  lines.push('  }', '}', '');
  return lines.join('\n');
}
