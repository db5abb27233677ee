/**
 * The internet: delivers by destination address to an external host (a server with no
 * subnet), or to the Internet Gateway that owns a public IP (including a hairpin back into
 * the VPC the packet came from). Any other public address is a host outside the topology that
 * the model assumes answers; a private address is not routable there.
 */
import { isIpv4, isPrivateIp } from '../address';
import { faultDestination } from '../faults';
import { hostLabel, publicOwner } from '../hosts';
import type { Component, Decision, Packet, Trace } from './component';

/** The internet as one component. */
export class Internet implements Component {
  readonly kind = 'internet' as const;
  readonly id = 'internet';

  receive(packet: Packet, ctx: Trace): Decision {
    const h = packet.header;
    ctx.mark('internet');
    const ref = { id: this.id, kind: this.kind };
    const external = ctx.topology.hosts.find((x) => x.subnet === undefined && x.privateIp === h.dstIp);
    if (external) {
      ctx.record(ref, 'forward', `the internet routes the packet to ${hostLabel(external)}`, h);
      return { kind: 'forward', to: `host:${external.id}`, packet: { header: h, arrival: { kind: 'internet' } } };
    }
    const owner = publicOwner(ctx.topology, h.dstIp);
    if (owner) {
      const igw = ctx.topology.internetGateways.find((g) => g.vpc === owner.vpc);
      if (!igw) {
        const reason = `${h.dstIp} belongs to ${owner.vpc}, which has no internet gateway: the packet is dropped`;
        ctx.record(ref, 'drop', reason, h);
        return { kind: 'drop', component: this.id, reason, cause: { kind: 'no-igw', vpc: owner.vpc } };
      }
      const hairpin = publicOwner(ctx.topology, h.srcIp)?.vpc === owner.vpc;
      ctx.record(ref, 'forward', `the internet routes the packet to ${h.dstIp}, a public IP behind ${igw.id}${hairpin ? ' (a hairpin: it leaves the VPC and comes back in through the same gateway)' : ''}`, h);
      return { kind: 'forward', to: `igw:${igw.id}`, packet: { header: h, arrival: { kind: 'internet' } } };
    }
    if (isPrivateIp(h.dstIp)) {
      const reason = `${h.dstIp} is a private address, which is not routable on the internet: the packet is dropped`;
      ctx.record(ref, 'drop', reason, h);
      return { kind: 'drop', component: this.id, reason, cause: { kind: 'not-routable', destination: faultDestination(ctx.topology, h.dstIp) } };
    }
    if (!isIpv4(h.dstIp)) {
      const reason = `leaves the model on the internet: no host in the model has the address ${h.dstIp}, which is known only after deploy`;
      ctx.record(ref, 'leave-model', reason, h);
      return { kind: 'leave', component: this.id, reason, cause: { kind: 'unknown-address', address: h.dstIp } };
    }
    // An address no one in the topology owns is somewhere on the internet: the model assumes a
    // host there that accepts and answers, so the reply's way back in is walked too.
    // (`host:<address>` names it: the registry makes an external host of an address it does not know.)
    ctx.record(ref, 'forward', `the internet routes the packet to ${h.dstIp}, a host outside the topology, which the model assumes accepts the connection and answers`, h);
    return { kind: 'forward', to: `host:${h.dstIp}`, packet: { header: h, arrival: { kind: 'internet' } } };
  }
}
