/**
 * Finding hosts and the other things an address can belong to (NAT Gateway addresses,
 * public IPs behind the Internet Gateway) in a topology.
 */
import { InputError } from '../errors';
import { cidrMatches, isPrivateIp, symbolicBlock } from './address';
import type { Host, IpValue, NatAddress, NatGateway, Subnet, Topology, Vpc } from './types';

/** Every name a user may call a host by (id, name, IPs, instance id, ENI ids, aliases, every interface's addresses). */
export function hostNames(host: Host): string[] {
  const names = [host.id, host.name, host.privateIp, host.publicIp, host.instanceId, host.eniId, ...(host.aliases ?? []), ...(host.secondaryPrivateIps ?? [])];
  for (const i of host.interfaces ?? []) names.push(i.eniId, i.privateIp, i.publicIp, ...(i.secondaryPrivateIps ?? []));
  return names.filter((n): n is string => typeof n === 'string' && n.length > 0);
}

/** Every private IPv4 address a host answers to: its primary interface's, then each further interface's. */
export function hostAddresses(host: Host): string[] {
  if (!host.interfaces?.length && !host.secondaryPrivateIps?.length) return [host.privateIp];
  const out = [host.privateIp, ...(host.secondaryPrivateIps ?? [])];
  for (const i of host.interfaces ?? []) out.push(i.privateIp, ...(i.secondaryPrivateIps ?? []));
  return out;
}

/** True when the host answers to this private address (any interface, secondary addresses included). */
export function ownsAddress(host: Host, ip: string): boolean {
  return host.privateIp === ip || (host.interfaces !== undefined || host.secondaryPrivateIps !== undefined ? hostAddresses(host).includes(ip) : false);
}

/**
 * The host as seen on one of its interfaces: the interface that owns `ref` (an address or ENI
 * id) with its subnet, security groups and addresses, under the host's id; the host itself
 * when `ref` names its primary interface or nothing of it.
 */
export function onInterface(host: Host, ref: string): Host {
  if (host.secondaryPrivateIps?.includes(ref)) return { ...host, privateIp: ref, publicIp: undefined };
  const i = host.interfaces?.find((x) => x.eniId === ref || x.privateIp === ref || x.publicIp === ref || x.secondaryPrivateIps?.includes(ref));
  if (!i) return host;
  const privateIp = i.secondaryPrivateIps?.includes(ref) ? ref : i.privateIp;
  return { ...host, subnet: i.subnet, privateIp, publicIp: privateIp === i.privateIp ? i.publicIp : undefined, securityGroups: i.securityGroups, eniId: i.eniId, secondaryPrivateIps: undefined };
}

/**
 * Resolves a host reference: an IP (private or public), instance id, ENI id, name or alias.
 * Unknown or ambiguous references are bad input; the message lists what exists.
 */
export function resolveHost(topology: Topology, ref: string): Host {
  const found = findHosts(topology, ref);
  if (found.length === 1) return found[0];
  const known = topology.hosts.map((h) => `${h.name ?? h.id} (${h.privateIp})`).join(', ') || 'none';
  if (found.length === 0) throw new InputError(`host "${ref}" is not in topology ${topology.name}; hosts: ${known}`);
  throw new InputError(`host "${ref}" is ambiguous in topology ${topology.name}: it names ${found.map((h) => h.id).join(', ')}`);
}

/** Hosts a reference names: exact id first, then any other name. */
export function findHosts(topology: Topology, ref: string): Host[] {
  const byId = topology.hosts.filter((h) => h.id === ref);
  if (byId.length > 0) return byId;
  return topology.hosts.filter((h) => hostNames(h).includes(ref));
}

/** The host whose private IP this is inside the VPC (or, for external hosts, on the internet). */
export function hostByPrivateIp(topology: Topology, ip: string, vpc?: string): Host | undefined {
  const host = topology.hosts.find((h) => ownsAddress(h, ip) && (vpc === undefined ? true : hostVpc(topology, onInterface(h, ip)) === vpc));
  return host && onInterface(host, ip);
}

/** The VPC a host sits in, or undefined for hosts on the internet. */
export function hostVpc(topology: Topology, host: Host): string | undefined {
  if (!host.subnet) return undefined;
  return findSubnet(topology, host.subnet).vpc;
}

/** True for a host on the internet (no subnet). */
export function isExternal(host: Host): boolean {
  return host.subnet === undefined;
}

/** The subnet with this id, or bad input naming it. */
export function findSubnet(topology: Topology, id: string): Subnet {
  const subnet = topology.subnets.find((s) => s.id === id);
  if (!subnet) throw new InputError(`subnet "${id}" is referenced but not in topology ${topology.name}`);
  return subnet;
}

/** The VPC with this id, or bad input naming it. */
export function findVpc(topology: Topology, id: string): Vpc {
  const vpc = topology.vpcs.find((v) => v.id === id);
  if (!vpc) throw new InputError(`VPC "${id}" is referenced but not in topology ${topology.name}`);
  return vpc;
}

/** The NAT Gateway with this id, or undefined. */
export function findNatGateway(topology: Topology, id: string): NatGateway | undefined {
  return topology.natGateways.find((n) => n.id === id || n.eniId === id);
}

/** What owns a private IP inside a VPC: a host or a NAT Gateway address. */
export type PrivateOwner =
  | { readonly kind: 'host'; readonly host: Host }
  | { readonly kind: 'nat'; readonly nat: NatGateway; readonly address: NatAddress };

/** The owner of a private IP in a VPC, if the model knows one. */
export function privateOwner(topology: Topology, vpc: string, ip: string): PrivateOwner | undefined {
  const host = hostByPrivateIp(topology, ip, vpc);
  if (host) return { kind: 'host', host };
  for (const nat of topology.natGateways) {
    if (nat.vpc !== vpc) continue;
    const address = nat.addresses.find((a) => a.privateIp === ip);
    if (address) return { kind: 'nat', nat, address };
  }
  return undefined;
}

/** What owns a public IP behind an Internet Gateway: a host's public IP or a NAT's Elastic IP. */
export type PublicOwner =
  | { readonly kind: 'host'; readonly host: Host; readonly vpc: string }
  | { readonly kind: 'nat'; readonly nat: NatGateway; readonly address: NatAddress; readonly vpc: string };

/** The VPC resource mapped to a public IP, if any. */
export function publicOwner(topology: Topology, ip: string): PublicOwner | undefined {
  for (const host of topology.hosts) {
    if (host.publicIp === ip && host.subnet) return { kind: 'host', host, vpc: findSubnet(topology, host.subnet).vpc };
    // A further interface's public IP (an Elastic IP on eth1) maps to that interface.
    const i = host.interfaces?.find((x) => x.publicIp === ip);
    if (i) return { kind: 'host', host: onInterface(host, i.eniId), vpc: findSubnet(topology, i.subnet).vpc };
  }
  for (const nat of topology.natGateways) {
    const address = nat.addresses.find((a) => a.publicIp === ip);
    if (address) return { kind: 'nat', nat, address, vpc: nat.vpc };
  }
  return undefined;
}

/** The public IP mapped to a private IP of a VPC (a host's or a NAT address's), if any. */
export function publicIpOf(topology: Topology, vpc: string, privateIp: string): string | undefined {
  const owner = privateOwner(topology, vpc, privateIp);
  if (!owner) return undefined;
  return owner.kind === 'host' ? owner.host.publicIp : owner.address.publicIp;
}

/**
 * How a resource is named in sentences: its id (a logical id for templates, `rtb-...` for an
 * account) and its Name tag when it has a different one: "RouteTablePrivateB (picnic-rt-b)".
 */
export function resourceLabel(resource: { readonly id: string; readonly name?: string }): string {
  return resource.name && resource.name !== resource.id ? `${resource.id} (${resource.name})` : resource.id;
}

/**
 * What a destination is, in a fault that must not depend on one flow's address: "the internet"
 * for a public address, the VPC (and block) a private one lies in, else the address itself.
 */
export function destinationName(topology: Topology, ip: IpValue): string {
  if (!isPrivateIp(ip)) return 'the internet';
  for (const vpc of topology.vpcs) {
    const block = vpc.cidrs.find((cidr) => cidrMatches(cidr, ip) === true);
    if (block) return `${resourceLabel(vpc)} (${block})`;
  }
  return ip;
}

/** A short label for a host in sentences ("client-a (10.0.1.32)"). */
export function hostLabel(host: Host): string {
  const name = host.name ?? host.id;
  if (name === host.privateIp) return name;
  // An address chosen at deploy is a long token; its block says all a reader needs.
  const block = symbolicBlock(host.privateIp);
  return `${name} (${block ? `an address of ${block.text}` : host.privateIp})`;
}
