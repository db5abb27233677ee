/**
 * The Internet Gateway: a stateless 1:1 NAT between each private IP that has a public IPv4
 * (an Elastic IP or an auto-assigned one, of a host or of a NAT Gateway address) and that
 * public IP. Ports are never touched. A private IP with no public IP cannot leave.
 */
import { type PrivateOwner, hostLabel, privateOwner, publicIpOf, publicOwner, resourceLabel } from '../hosts';
import { routeTableForSubnet } from '../rules';
import type { Fault, Header, InternetGateway } from '../types';
import type { Component, Decision, Packet, Trace } from './component';

/** The Internet Gateway component. */
export class InternetGatewayComponent implements Component {
  readonly kind = 'internet-gateway' as const;
  readonly id: string;
  constructor(readonly igw: InternetGateway) {
    this.id = igw.id;
  }

  private get ref() {
    return { id: this.igw.id, kind: this.kind, ...(this.igw.name ? { name: this.igw.name } : {}) };
  }

  receive(packet: Packet, ctx: Trace): Decision {
    return packet.arrival.kind === 'internet' ? this.inbound(packet, ctx) : this.outbound(packet, ctx);
  }

  private outbound(packet: Packet, ctx: Trace): Decision {
    const h = packet.header;
    const vpc = this.igw.vpc!;
    ctx.mark('igw-out');
    const publicIp = publicIpOf(ctx.topology, vpc, h.srcIp);
    if (!publicIp) {
      const sender = privateOwner(ctx.topology, vpc, h.srcIp);
      const who = sender?.kind === 'host' ? `${hostLabel(sender.host)} has` : `the source ${h.srcIp} is a private IP with`;
      const reason = `${resourceLabel(this.igw)} drops the packet: ${who} no public IPv4 address (no Elastic IP, no auto-assigned public IP), so there is nothing to map it to`;
      ctx.record(this.ref, 'drop', reason, h);
      return { kind: 'drop', component: this.igw.id, reason, cause: this.noPublicIpFault(ctx, sender, packet) };
    }
    const after: Header = { ...h, srcIp: publicIp };
    const owner = publicOwner(ctx.topology, publicIp);
    const what = owner?.kind === 'nat' ? `${owner.nat.id}'s ENI private IP ${h.srcIp} to its Elastic IP ${publicIp}` : owner?.kind === 'host' ? `${hostLabel(owner.host)}'s private IP to its public IP ${publicIp}` : `${h.srcIp} to ${publicIp}`;
    ctx.record(this.ref, 'translate', `${this.igw.id} performs the 1:1 static NAT of ${what}; the ports are untouched`, h, after, `${h.srcIp} <-> ${publicIp}`);
    return { kind: 'forward', to: 'internet', packet: { header: after, arrival: packet.arrival } };
  }

  /**
   * The fault behind a private source reaching the gateway, said of the subnet whose table sent
   * it here (not of one host: every host there without a public IP shares it).
   */
  private noPublicIpFault(ctx: Trace, owner: PrivateOwner | undefined, packet: Packet): Fault {
    if (owner?.kind === 'nat') return { kind: 'igw-no-public-ip', igw: this.igw.id, nat: owner.nat.id, address: owner.address.privateIp };
    if (packet.arrival.kind !== 'subnet') return { kind: 'igw-no-public-ip', igw: this.igw.id };
    const subnet = packet.arrival.subnet;
    return { kind: 'igw-no-public-ip', igw: this.igw.id, subnet: subnet.id, table: routeTableForSubnet(ctx.topology, subnet).table.id };
  }

  private inbound(packet: Packet, ctx: Trace): Decision {
    const h = packet.header;
    ctx.mark('igw-in');
    const owner = publicOwner(ctx.topology, h.dstIp);
    if (!owner || owner.vpc !== this.igw.vpc) {
      const reason = `${resourceLabel(this.igw)} has no 1:1 mapping for ${h.dstIp} in ${this.igw.vpc}; the packet is dropped`;
      ctx.record(this.ref, 'drop', reason, h);
      return { kind: 'drop', component: this.igw.id, reason, cause: { kind: 'igw-no-mapping', igw: this.igw.id, address: h.dstIp } };
    }
    const privateIp = owner.kind === 'host' ? owner.host.privateIp : owner.address.privateIp;
    const after: Header = { ...h, dstIp: privateIp };
    const what = owner.kind === 'nat' ? `${owner.nat.id}'s ENI private IP ${privateIp}` : `${hostLabel(owner.host)}`;
    ctx.record(this.ref, 'translate', `${this.igw.id} applies the 1:1 mapping backwards: ${h.dstIp} -> ${what}; the ports are untouched`, h, after, `${h.dstIp} <-> ${privateIp}`);
    return { kind: 'forward', to: `router:${this.igw.vpc}`, packet: { header: after, arrival: { kind: 'internet', gateway: this.igw.id } } };
  }
}
