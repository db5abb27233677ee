/**
 * Hosts as components: a sender (security group egress, then its subnet's router or the
 * internet) and a receiver (security group ingress, then delivery). Security groups are
 * stateful: the reply of an allowed connection passes without a rule.
 */
import { isIpv6, specialAddressKind, subnetRouter, symbolicBlock } from '../address';
import { evaluateSecurityGroups } from '../filters';
import { findSubnet, hostLabel, onInterface, ownsAddress, resourceLabel } from '../hosts';
import type { Header, Host } from '../types';
import { type Component, type Decision, type Packet, type Trace, destinationText, portText, protocolText, sourceText } from './component';

/** The range a port has when the model cannot know which one was chosen. */
export const ANY_PORT = { min: 1024, max: 65535 } as const;

function securityGroupCheck(ctx: Trace, host: Host, direction: 'ingress' | 'egress', header: Header): Decision | undefined {
  if (host.securityGroups.length === 0) {
    // Like a VPC with no network ACL: a host whose groups the topology does not list is not filtered.
    if (host.subnet !== undefined) {
      const ref = { id: `${host.id}-no-sg`, kind: 'security-group' as const, name: `${hostLabel(host)} ${direction}`, side: direction };
      ctx.record(ref, 'filter', `the topology lists no security group for ${hostLabel(host)}: ${direction} is not filtered`, header, header, 'no security group listed');
    }
    return undefined;
  }
  const ref = { id: host.securityGroups.join(','), kind: 'security-group' as const, name: `${hostLabel(host)} ${direction}`, side: direction };
  if (ctx.isReply) {
    ctx.record(ref, 'filter', `${ref.id} ${direction}: the reply of an allowed connection passes (security groups are stateful)`, header, header, 'stateful: reply of an allowed connection', { kind: 'security-group', groups: host.securityGroups, side: direction, stateful: true });
    return undefined;
  }
  const result = evaluateSecurityGroups(ctx.topology, host, direction, header);
  ctx.record(ref, result.verdict === 'allow' ? 'filter' : 'drop', result.detail, header, header, result.matched, ctx.keepsHops ? { kind: 'security-group', groups: host.securityGroups, side: direction } : undefined);
  if (result.verdict === 'allow') return undefined;
  if (result.verdict === 'unknown' || !result.cause) return { kind: 'leave', component: ref.id, reason: result.detail, cause: { kind: 'undecidable-rule', filter: 'security-group', id: ref.id } };
  return { kind: 'drop', component: ref.id, reason: result.detail, cause: result.cause };
}

/**
 * Says so when a host's private IP is chosen at deploy: the walk takes it as any address of its
 * subnet, so a rule that holds only part of the subnet cannot decide (it says unknown).
 */
function deployTimeNote(ctx: Trace, host: Host): string {
  const block = symbolicBlock(host.privateIp);
  if (!block) return '';
  const subnet = host.subnet ? ctx.topology.subnets.find((s) => s.id === host.subnet) : undefined;
  return `; its private IP is chosen at deploy, so the model takes it as any address of ${subnet ? `${resourceLabel(subnet)} ` : ''}${block.text}`;
}

/**
 * A destination no route table carries: the walk stops at the sender and says where the packet
 * goes instead (link-local addresses are answered by the instance's own host), never "delivered".
 */
function leaveForSpecialAddress(ctx: Trace, host: Host, header: Header, kind: string): Decision {
  const where =
    kind === 'link-local'
      ? `the instance's own host answers it (instance metadata at 169.254.169.254, Amazon DNS at 169.254.169.253, time sync at 169.254.169.123); it never enters the VPC's route tables, which the model walks`
      : kind === 'loopback'
        ? 'it never leaves the host'
        : 'VPC route tables do not carry it (multicast needs a transit gateway multicast domain, which the model does not simulate)';
  const reason = `leaves the model at ${hostLabel(host)}: ${header.dstIp} is a ${kind} address; ${where}`;
  ctx.record({ id: host.id, kind: 'host', name: host.name }, 'leave-model', reason, header);
  return { kind: 'leave', component: host.id, reason, cause: { kind: 'special-address', address: header.dstIp, addressKind: kind } };
}

/** A host sending a packet (the start of a walk or of its reply). */
export class HostSender implements Component {
  readonly kind = 'host' as const;
  readonly id: string;
  constructor(readonly host: Host) {
    this.id = host.id;
  }

  receive(packet: Packet, ctx: Trace): Decision {
    // The interface the packet leaves by: the one that owns its source address.
    const host = onInterface(this.host, packet.header.srcIp);
    let header = packet.header;
    ctx.mark('send');
    const role = ctx.isReply ? 'replies' : 'sends';
    ctx.record({ id: host.id, kind: 'host', name: host.name }, 'send', `${hostLabel(host)} ${role} ${protocolText(header)} from ${sourceText(header)} to ${destinationText(header)}${deployTimeNote(ctx, host)}`, header);
    if (isIpv6(header.dstIp)) {
      const reason = `leaves the model at ${hostLabel(host)}: ${header.dstIp} is an IPv6 address, and IPv6 walks are not modelled yet`;
      ctx.record({ id: host.id, kind: 'host', name: host.name }, 'leave-model', reason, header);
      return { kind: 'leave', component: host.id, reason, cause: { kind: 'ipv6', address: header.dstIp } };
    }
    if (ownsAddress(this.host, header.dstIp)) {
      // A packet to one of the sender's own addresses never leaves the host: no router, no security group.
      ctx.mark('receive');
      ctx.record({ id: host.id, kind: 'host', name: host.name }, 'deliver', `${header.dstIp} is ${hostLabel(host)}'s own address: the packet is delivered locally and never leaves the host`, header);
      return { kind: 'deliver', host: this.host, header };
    }
    const special = ctx.isReply ? undefined : specialAddressKind(header.dstIp);
    if (special) return leaveForSpecialAddress(ctx, host, header, special);
    const filtered = securityGroupCheck(ctx, host, 'egress', header);
    if (filtered) return filtered;
    if (host.kind === 'lambda' && !ctx.isReply) {
      // The function's traffic leaves through a Hyperplane ENI that translates ports already.
      const after: Header = { ...header, srcPort: { ...ANY_PORT } };
      ctx.keepLambdaPort(header.srcPort);
      ctx.record(
        { id: host.eniId ?? host.id, kind: 'host', name: 'Hyperplane ENI' },
        'translate',
        `the Lambda function's traffic leaves through a Hyperplane ENI, which may rewrite its source port ${portText(header.srcPort)}: the port is not guaranteed to survive`,
        header,
        after,
      );
      header = after;
    }
    if (host.subnet === undefined) return { kind: 'forward', to: 'internet', packet: { header, arrival: { kind: 'host' } } };
    const subnet = findSubnet(ctx.topology, host.subnet);
    const router = subnetRouter(subnet.cidr);
    ctx.record(
      { id: subnet.id, kind: 'subnet-router', name: `router ${router}` },
      'route',
      `${hostLabel(host)}'s own route table sends the packet to its default gateway, the subnet router ${router} of ${subnet.id} (${subnet.cidr})`,
      header,
      header,
      `0.0.0.0/0 via ${router}`,
    );
    return { kind: 'forward', to: `router:${subnet.vpc}`, packet: { header, arrival: { kind: 'subnet', subnet } } };
  }
}

/** A host receiving a packet (the end of a walk or of its reply). */
export class HostReceiver implements Component {
  readonly kind = 'host' as const;
  readonly id: string;
  constructor(readonly host: Host) {
    this.id = host.id;
  }

  receive(packet: Packet, ctx: Trace): Decision {
    // The interface the packet arrives on: the one that owns its destination address.
    const host = onInterface(this.host, packet.header.dstIp);
    let header = packet.header;
    ctx.mark('receive');
    const filtered = securityGroupCheck(ctx, host, 'ingress', header);
    if (filtered) return filtered;
    const managed = ctx.isReply ? undefined : managedInterfaceName(host);
    if (managed) {
      // A load balancer, endpoint or attachment forwards to what the model does not hold.
      const reason = `leaves the model at the ${managed} (${host.eniId ?? host.id}): what it forwards to is not simulated`;
      ctx.record({ id: host.id, kind: 'host', name: host.name ?? host.service }, 'leave-model', reason, header);
      return { kind: 'leave', component: host.id, reason, cause: { kind: 'managed-interface', host: host.id, hostKind: host.kind } };
    }
    if (host.kind === 'lambda' && ctx.isReply && ctx.lambdaPort !== undefined) {
      const after: Header = { ...header, dstPort: ctx.lambdaPort };
      ctx.record({ id: host.eniId ?? host.id, kind: 'host', name: 'Hyperplane ENI' }, 'translate', `the Hyperplane ENI maps the reply back to the function's port ${portText(ctx.lambdaPort)}`, header, after);
      header = after;
    }
    const kind = host.kind === 'server' || host.kind === 'external' ? 'server' : 'host';
    ctx.record({ id: host.id, kind, name: host.name }, 'deliver', `${hostLabel(host)} receives ${protocolText(header)} from ${sourceText(header)}${header.protocol === 'icmp' ? (header.icmp?.type === 0 ? ` for identifier ${portText(header.dstPort)}` : '') : ` on port ${portText(header.dstPort)}`}${deployTimeNote(ctx, host)}`, header);
    return { kind: 'deliver', host: this.host, header };
  }
}

/**
 * What a requester-managed interface belongs to, in words ("network load balancer
 * net/web/3f1c...", "interface endpoint vpce-... (com.amazonaws...ssm)"); undefined for hosts
 * the model simulates (instances, Lambda functions, servers).
 */
export function managedInterfaceName(host: Host): string | undefined {
  const service = host.service;
  switch (host.kind) {
    case 'load-balancer': {
      const elb = service?.replace(/^ELB /, '');
      const kind = elb?.startsWith('net/') ? 'network load balancer' : elb?.startsWith('app/') ? 'application load balancer' : elb?.startsWith('gwy/') ? 'gateway load balancer' : 'load balancer';
      return elb ? `${kind} ${elb}` : kind;
    }
    case 'interface-endpoint':
      return service ? `interface endpoint ${service}` : 'interface endpoint';
    case 'transit-gateway-attachment':
      return service ? `transit gateway attachment ${service}` : 'transit gateway attachment';
    case 'network-interface':
      return service ? `network interface of ${service}` : 'network interface';
    default:
      return undefined;
  }
}

