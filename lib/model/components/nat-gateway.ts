/**
 * The NAT Gateway as a component. From inside: source NAT to its ENI's private IP and a port
 * chosen per connection (a range unless a live NatTable chooses it), then its subnet's route
 * table (public zonal), straight to the VPC's IGW (public regional) or anywhere but an IGW
 * (private). From outside: only replies with a translation entry are mapped back.
 */
import { cidrMatches } from '../address';
import { findSubnet, hostLabel, resourceLabel } from '../hosts';
import { lookupRoute, routeText } from '../routing';
import { NAT_PER_DESTINATION_LIMIT, NAT_PORT_RANGE, routeTableForSubnet } from '../rules';
import type { Fault, Header, Host, NatAddress, NatGateway, PortPrediction } from '../types';
import { natPortKey } from './trace';
import { type Component, type Decision, type Packet, type Trace, type WalkTranslation, destinationText, portText, samePort, sourceText } from './component';

/** The ports a NAT Gateway chooses from, as a prediction. */
export function natPortRange(range: { readonly min: number; readonly max: number } = NAT_PORT_RANGE): PortPrediction {
  return { min: range.min, max: range.max };
}

function portFits(entry: PortPrediction, packet: PortPrediction): boolean {
  if (entry === packet || samePort(entry, packet)) return true;
  if ('exact' in entry) return false;
  // A reply's port may have been narrowed on the way (a network ACL allowing part of the range).
  return 'exact' in packet ? packet.exact >= entry.min && packet.exact <= entry.max : packet.min >= entry.min && packet.max <= entry.max;
}

/** The NAT Gateway component. */
export class NatGatewayComponent implements Component {
  readonly kind = 'nat-gateway' as const;
  readonly id: string;
  /** The router of its VPC, where what it translated is routed. */
  private readonly router: string;
  constructor(readonly nat: NatGateway) {
    this.id = nat.id;
    this.router = `router:${nat.vpc}`;
  }

  private get ref() {
    return { id: this.nat.id, kind: this.kind, ...(this.nat.name ? { name: this.nat.name } : {}) };
  }

  receive(packet: Packet, ctx: Trace): Decision {
    const own = this.nat.addresses.find((a) => a.privateIp === packet.header.dstIp || a.publicIp === packet.header.dstIp);
    return own ? this.fromOutside(packet, ctx, own) : this.fromInside(packet, ctx);
  }

  private drop(ctx: Trace, header: Header, reason: string, cause: Fault): Decision {
    ctx.record(this.ref, 'drop', reason, header);
    return { kind: 'drop', component: this.nat.id, reason, cause };
  }

  private fromInside(packet: Packet, ctx: Trace): Decision {
    const nat = this.nat;
    const h = packet.header;
    if (ctx.isReply) {
      const replier = ctx.topology.hosts.find((x) => x.privateIp === h.srcIp && x.subnet !== undefined);
      return this.drop(ctx, h, `asymmetric return: this reply from ${replier ? `${hostLabel(replier)}${h.protocol === 'icmp' ? '' : ` port ${portText(h.srcPort)}`}` : sourceText(h)} belongs to a connection that did not start through ${resourceLabel(nat)}, which has no translation entry for it and drops it (connections must start inside the VPC)`, this.asymmetricFault(ctx, replier, packet));
    }
    const natSubnet = nat.subnet ? findSubnet(ctx.topology, nat.subnet) : undefined;
    if (natSubnet && cidrMatches(natSubnet.cidr, h.srcIp) === true) {
      const reason = `${resourceLabel(nat)} does not serve hosts in its own subnet ${resourceLabel(natSubnet)} (${natSubnet.cidr}); ${h.srcIp} must reach it from another subnet`;
      const table = packet.arrival.kind === 'subnet' ? routeTableForSubnet(ctx.topology, packet.arrival.subnet).table : undefined;
      return this.drop(ctx, h, reason, { kind: 'nat-own-subnet', nat: nat.id, subnet: natSubnet.id, ...(table ? { table: table.id } : {}) });
    }
    ctx.mark('nat-receive');
    const primary = nat.addresses.find((a) => a.isPrimary) ?? nat.addresses[0];
    if (!primary) return this.drop(ctx, h, `${nat.id} has no address in the topology`, { kind: 'nat-no-address', nat: nat.id });
    ctx.record(this.ref, 'receive', `${nat.id}'s ENI (${primary.privateIp}) receives the packet from ${sourceText(h)} for ${destinationText(h)}`, h);

    // Which addresses may serve this connection: a regional NAT Gateway serves each AZ from its own.
    let candidates = nat.addresses;
    let addressNote = nat.addresses.length > 1 ? `its primary address (secondary addresses ${nat.addresses.filter((a) => a !== primary).map((a) => a.privateIp).join(', ')} take over once ${NAT_PER_DESTINATION_LIMIT} connections to this destination are open)` : 'its private IP';
    if (nat.availabilityMode === 'regional') {
      const az = packet.arrival.kind === 'subnet' ? packet.arrival.subnet.az : undefined;
      const forAz = nat.addresses.filter((a) => a.az !== undefined && a.az === az);
      if (forAz.length > 0) {
        candidates = forAz;
        addressNote = `the address serving ${az} (regional NAT gateway: the address is chosen by the source AZ)`;
      } else {
        addressNote = `its primary address (regional NAT gateway: no address is listed for ${az ?? 'the source AZ'})`;
      }
    }
    let address: NatAddress = candidates.find((a) => a.isPrimary) ?? candidates[0];
    let port: PortPrediction = natPortRange(ctx.natPortRange);
    let evictedNote = '';
    const table = ctx.nat?.table(nat.id);
    if (table && 'exact' in h.srcPort && 'exact' in h.dstPort) {
      const result = table.open({ protocol: h.protocol, srcIp: h.srcIp, srcPort: h.srcPort.exact, dstIp: h.dstIp, dstPort: h.dstPort.exact }, ctx.nat!.now, candidates.map((a) => a.privateIp));
      if (result.kind !== 'translated') return this.drop(ctx, h, `${result.reason}; the new connection fails`, { kind: 'nat-port-allocation', nat: nat.id, detail: result.reason });
      address = nat.addresses.find((a) => a.privateIp === result.entry.natIp) ?? address;
      port = { exact: result.entry.natPort };
      const evicted = result.evicted?.length ?? 0;
      if (evicted > 0) {
        evictedNote = ` (the ports towards this destination were all taken: ${evicted} connection${evicted === 1 ? '' : 's'} idle for ${table.idleTimeoutSeconds} s or more expired first, and their hosts get an RST if they continue)`;
      }
    }
    if (!('exact' in port)) {
      // Flows of one prediction towards the same destination through the same address get distinct ports.
      const others = ctx.distinctFrom(natPortKey(nat.id, address.privateIp, h.protocol, h.dstIp, 'exact' in h.dstPort ? h.dstPort.exact : h.dstPort.min));
      if (others) port = { ...port, distinctFrom: [...others] };
    }
    ctx.mark('nat-translate');
    const after: Header = { ...h, srcIp: address.privateIp, srcPort: port };
    const translation: WalkTranslation = {
      component: nat.id,
      protocol: h.protocol,
      inside: { ip: h.srcIp, port: h.srcPort },
      outside: { ip: address.privateIp, port },
      destination: { ip: h.dstIp, port: h.dstPort },
    };
    ctx.keepTranslation(translation);
    // An ICMP echo's identifier is translated like a TCP source port (AWS: NAT gateways translate the query identifier).
    const [what, per] = h.protocol === 'icmp' ? ['identifier', 'echo query'] : ['port', 'connection'];
    const portWhy = 'exact' in port ? `${what} ${port.exact} (allocated by the simulated translation table)` : `${what === 'port' ? 'a port' : 'an identifier'} chosen per ${per} from ${port.min}-${port.max} (randomised per destination: the model cannot know which one)`;
    ctx.record(
      this.ref,
      'translate',
      `${nat.id} translates the source ${sourceText(h)} to ${addressNote} ${address.privateIp} and ${portWhy}; translation entry created: ${sourceText(h)} <-> ${sourceText(after)} for ${destinationText(h)}${evictedNote}`,
      h,
      after,
      'translation entry created',
    );
    if (nat.connectivity === 'private') {
      if (!natSubnet) return { kind: 'leave', component: nat.id, reason: `leaves the model at ${nat.id}: a private NAT gateway with no subnet is not simulated`, cause: { kind: 'unsimulated-nat', nat: nat.id } };
      const { table: rt } = routeTableForSubnet(ctx.topology, natSubnet);
      const match = lookupRoute(rt, after.dstIp);
      if (match?.route.target.kind === 'igw') {
        const reason = `${resourceLabel(nat)} is a private NAT gateway: it may not send traffic to the internet gateway ${match.route.target.id} (${resourceLabel(rt)}: ${routeText(match.route)}); the packet is dropped`;
        ctx.record({ id: rt.id, kind: 'route-table', ...(rt.name ? { name: rt.name } : {}) }, 'drop', reason, after, after, routeText(match.route), { kind: 'route', table: rt.id, destination: match.route.destination, target: match.route.target });
        return { kind: 'drop', component: nat.id, reason, cause: { kind: 'private-nat-igw', nat: nat.id, table: rt.id, destination: match.route.destination, igw: match.route.target.id } };
      }
      return { kind: 'forward', to: this.router, packet: { header: after, arrival: { kind: 'subnet', subnet: natSubnet } } };
    }
    if (nat.availabilityMode === 'regional' || !natSubnet) {
      const igw = ctx.topology.internetGateways.find((g) => g.vpc === nat.vpc);
      if (!igw) return this.drop(ctx, after, `regional NAT gateway ${nat.id} needs an internet gateway attached to ${nat.vpc}, and there is none`, { kind: 'regional-nat-no-igw', nat: nat.id, vpc: nat.vpc });
      ctx.record(this.ref, 'forward', `regional NAT gateway ${nat.id} sends the packet straight to ${igw.id}, the internet gateway of ${nat.vpc} (it needs no public subnet or route table)`, after);
      return { kind: 'forward', to: `igw:${igw.id}`, packet: { header: after, arrival: { kind: 'regional-nat', nat: nat.id, vpc: nat.vpc } } };
    }
    return { kind: 'forward', to: this.router, packet: { header: after, arrival: { kind: 'subnet', subnet: natSubnet } } };
  }

  /**
   * The fault behind a reply that reaches the NAT although its connection did not start there,
   * said of the replying host's subnet (typically hosts with a public IP behind a NAT route).
   */
  private asymmetricFault(ctx: Trace, host: Host | undefined, packet: Packet): Fault {
    const subnet = packet.arrival.kind === 'subnet' ? packet.arrival.subnet : host?.subnet ? findSubnet(ctx.topology, host.subnet) : undefined;
    if (!subnet) return { kind: 'nat-asymmetric-return', nat: this.nat.id };
    return { kind: 'nat-asymmetric-return', nat: this.nat.id, subnet: subnet.id, table: routeTableForSubnet(ctx.topology, subnet).table.id };
  }

  private fromOutside(packet: Packet, ctx: Trace, own: NatAddress): Decision {
    const nat = this.nat;
    const h = packet.header;
    ctx.mark('nat-reverse');
    let inside: { ip: string; port: PortPrediction } | undefined;
    const table = ctx.nat?.table(nat.id);
    let reason = `no translation entry matches ${sourceText(h)} -> ${destinationText(h)}: unsolicited inbound traffic is dropped (connections must start inside the VPC; a NAT gateway's own address accepts no connection)`;
    if (table && 'exact' in h.srcPort && 'exact' in h.dstPort) {
      const result = table.inbound({ protocol: h.protocol, srcIp: h.srcIp, srcPort: h.srcPort.exact, dstIp: own.privateIp, dstPort: h.dstPort.exact }, ctx.nat!.now);
      if (result.kind === 'translated') inside = { ip: result.entry.insideIp, port: { exact: result.entry.insidePort } };
      else reason = `${result.reason}; the packet is dropped`;
    } else {
      const t = ctx.translations.find(
        (x) => x.component === nat.id && x.protocol === h.protocol && x.outside.ip === own.privateIp && x.destination.ip === h.srcIp && samePort(x.destination.port, h.srcPort) && portFits(x.outside.port, h.dstPort),
      );
      if (t) inside = t.inside;
    }
    if (!inside) return this.drop(ctx, h, reason, ctx.isReply ? { kind: 'nat-no-entry', nat: nat.id, detail: reason } : { kind: 'nat-unsolicited', nat: nat.id, address: h.dstIp });
    const after: Header = { ...h, dstIp: inside.ip, dstPort: inside.port };
    const host = ctx.topology.hosts.find((x) => x.privateIp === inside!.ip);
    ctx.record(
      this.ref,
      'translate',
      `${nat.id} reverse-translates the destination ${destinationText(h)} to ${destinationText(after)}${host ? ` (${hostLabel(host)})` : ''} using its translation table`,
      h,
      after,
      `translation entry ${destinationText(after)} <-> ${destinationText({ ...h, dstIp: own.privateIp })}`,
    );
    if (!nat.subnet) return { kind: 'forward', to: this.router, packet: { header: after, arrival: { kind: 'regional-nat', nat: nat.id, vpc: nat.vpc } } };
    return { kind: 'forward', to: this.router, packet: { header: after, arrival: { kind: 'subnet', subnet: findSubnet(ctx.topology, nat.subnet) } } };
  }
}
