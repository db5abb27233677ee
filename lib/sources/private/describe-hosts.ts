/**
 * Hosts from describe outputs: an instance with every network interface it has (each with its
 * own subnet, security groups and addresses), and the interfaces no instance owns -- Lambda's,
 * load balancers', interface endpoints', transit gateway attachments' and any other -- as hosts
 * of their own kind. NAT Gateway interfaces stay the NAT's.
 */
import type { Address, Instance, InstanceNetworkInterface, NetworkInterface, Tag, VpcEndpoint } from '@aws-sdk/client-ec2';
import type { Host, HostInterface, HostKind } from '../../model/types';

type AnyEni = NetworkInterface | InstanceNetworkInterface;

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';

export function tag(tags: Tag[] | undefined, key: string): string | undefined {
  return tags?.find((t) => t.Key === key)?.Value;
}

/** describe-network-interfaces indexed once, so that a large account is not scanned per instance. */
export interface InterfaceIndex {
  readonly byId: ReadonlyMap<string, NetworkInterface>;
  readonly byInstance: ReadonlyMap<string, NetworkInterface[]>;
}

export function indexInterfaces(enis: readonly NetworkInterface[]): InterfaceIndex {
  const byId = new Map<string, NetworkInterface>();
  const byInstance = new Map<string, NetworkInterface[]>();
  for (const e of enis) {
    if (e.NetworkInterfaceId) byId.set(e.NetworkInterfaceId, e);
    const owner = e.Attachment?.InstanceId;
    if (owner) byInstance.set(owner, [...(byInstance.get(owner) ?? []), e]);
  }
  return { byId, byInstance };
}

/** An instance as a host: its primary interface (device 0) first, the others in `interfaces`. */
export function hostFromInstance(i: Instance, enis: InterfaceIndex, addresses: readonly Address[]): Host {
  // describe-instances lists the interfaces; describe-network-interfaces may know more (or only it).
  const own = new Map<string, AnyEni>();
  for (const e of i.NetworkInterfaces ?? []) if (e.NetworkInterfaceId) own.set(e.NetworkInterfaceId, e);
  for (const e of enis.byInstance.get(i.InstanceId!) ?? []) if (e.NetworkInterfaceId && !own.has(e.NetworkInterfaceId)) own.set(e.NetworkInterfaceId, e);
  const interfaces = [...own.values()].sort((a, b) => (a.Attachment?.DeviceIndex ?? 0) - (b.Attachment?.DeviceIndex ?? 0));
  const primary = interfaces[0];
  const privateIp = i.PrivateIpAddress ?? primary?.PrivateIpAddress;
  const eniId = primary?.NetworkInterfaceId;
  const described = (id: string | undefined) => (id === undefined ? undefined : enis.byId.get(id));
  const publicIp = i.PublicIpAddress ?? publicIpOf(primary, described(eniId), privateIp, addresses, i.InstanceId);
  // With several interfaces the instance lists every interface's groups; the primary's are its own.
  const groups = ((interfaces.length > 1 && primary?.Groups) || i.SecurityGroups || primary?.Groups || []).map((g) => g.GroupId!).filter(Boolean);
  const secondaryPrivateIps = secondaryIps(primary);
  const ipv6Addresses = ipv6Of(primary, i.Ipv6Address);
  const further: HostInterface[] = interfaces.slice(1).flatMap((e) => {
    const ip = e.PrivateIpAddress;
    const subnet = e.SubnetId ?? described(e.NetworkInterfaceId)?.SubnetId;
    if (!ip || !subnet || !e.NetworkInterfaceId) return [];
    const pub = publicIpOf(e, described(e.NetworkInterfaceId), ip, addresses, undefined);
    const secondary = secondaryIps(e);
    const v6 = ipv6Of(e, undefined);
    return [
      {
        eniId: e.NetworkInterfaceId,
        subnet,
        privateIp: ip,
        ...(secondary.length ? { secondaryPrivateIps: secondary } : {}),
        ...(pub ? { publicIp: pub } : {}),
        securityGroups: (e.Groups ?? []).map((g) => g.GroupId!).filter(Boolean),
        ...(v6.length ? { ipv6Addresses: v6 } : {}),
        ...(e.Attachment?.DeviceIndex !== undefined ? { deviceIndex: e.Attachment.DeviceIndex } : {}),
      },
    ];
  });
  // Other names a person may use: further ENIs and secondary private IPs.
  const aliases = [...interfaces.slice(1).map((e) => e.NetworkInterfaceId), ...secondaryPrivateIps].filter((x): x is string => !!x);
  const name = tag(i.Tags, 'Name');
  return {
    id: i.InstanceId!,
    ...(name ? { name } : {}),
    kind: 'instance',
    subnet: i.SubnetId ?? primary?.SubnetId,
    privateIp: privateIp!,
    ...(publicIp ? { publicIp } : {}),
    securityGroups: groups,
    instanceId: i.InstanceId!,
    ...(eniId ? { eniId } : {}),
    ...(aliases.length ? { aliases } : {}),
    ...(secondaryPrivateIps.length ? { secondaryPrivateIps } : {}),
    ...(ipv6Addresses.length ? { ipv6Addresses } : {}),
    ...(further.length ? { interfaces: further } : {}),
  };
}

/** The public IPv4 of an interface's primary address: its association, else an EIP describe-addresses maps to it. */
function publicIpOf(e: AnyEni | undefined, described: NetworkInterface | undefined, privateIp: string | undefined, addresses: readonly Address[], instanceId: string | undefined): string | undefined {
  const eniId = e?.NetworkInterfaceId;
  return (
    e?.Association?.PublicIp ??
    described?.Association?.PublicIp ??
    addresses.find((a) => ((instanceId && a.InstanceId === instanceId) || (eniId && a.NetworkInterfaceId === eniId)) && a.PrivateIpAddress === privateIp)?.PublicIp
  );
}

function secondaryIps(e: AnyEni | undefined): string[] {
  return (e?.PrivateIpAddresses ?? []).filter((p) => !p.Primary && p.PrivateIpAddress).map((p) => p.PrivateIpAddress!);
}

function ipv6Of(e: AnyEni | undefined, extra: string | undefined): string[] {
  const all = [...(e?.Ipv6Addresses ?? []).map((a) => a.Ipv6Address), extra].filter((x): x is string => !!x);
  return [...new Set(all)];
}

/**
 * Interfaces no (described) instance owns, as hosts of their kind; NAT Gateway interfaces and
 * interfaces without an IPv4 address are left out. A load balancer or endpoint has one
 * interface per AZ: a name several interfaces share gets the AZ ("web-nlb-us-east-1b").
 */
export function hostsFromInterfaces(enis: readonly NetworkInterface[], instanceIds: ReadonlySet<string>, natEniIds: ReadonlySet<string>, endpoints: readonly VpcEndpoint[]): Host[] {
  const own = enis
    .filter((e) => e.NetworkInterfaceId && e.PrivateIpAddress && e.SubnetId)
    .filter((e) => !(e.Attachment?.InstanceId && instanceIds.has(e.Attachment.InstanceId)) && !isNatEni(e, natEniIds))
    .map((e) => {
      const kind = kindOf(e);
      const endpoint = kind === 'interface-endpoint' ? endpoints.find((p) => (p.NetworkInterfaceIds ?? []).includes(e.NetworkInterfaceId!)) : undefined;
      return { e, kind, endpoint, base: tag(e.TagSet, 'Name') ?? baseName(e, kind, endpoint) };
    });
  const uses = new Map<string, number>();
  for (const { base } of own) if (base) uses.set(base, (uses.get(base) ?? 0) + 1);
  const hosts: Host[] = [];
  for (const { e, kind, endpoint, base } of own) {
    const name = base && uses.get(base)! > 1 ? `${base}-${e.AvailabilityZone ?? e.SubnetId}` : base;
    const service = serviceOf(e, kind, endpoint);
    const secondary = secondaryIps(e);
    const v6 = ipv6Of(e, undefined);
    hosts.push({
      id: e.NetworkInterfaceId!,
      ...(name ? { name } : {}),
      kind,
      subnet: e.SubnetId!,
      privateIp: e.PrivateIpAddress!,
      ...(e.Association?.PublicIp ? { publicIp: e.Association.PublicIp } : {}),
      securityGroups: (e.Groups ?? []).map((g) => g.GroupId!).filter(Boolean),
      eniId: e.NetworkInterfaceId!,
      ...(secondary.length ? { secondaryPrivateIps: secondary } : {}),
      ...(v6.length ? { ipv6Addresses: v6 } : {}),
      ...(service ? { service } : {}),
    });
  }
  return hosts;
}

function isNatEni(e: NetworkInterface, natEniIds: ReadonlySet<string>): boolean {
  return natEniIds.has(e.NetworkInterfaceId!) || (e.InterfaceType as string | undefined) === 'nat_gateway' || (e.Description ?? '').startsWith('Interface for NAT Gateway');
}

/** What an interface belongs to, from its InterfaceType, else (older records) its description. */
function kindOf(e: NetworkInterface): HostKind {
  const type = (e.InterfaceType as string | undefined) ?? '';
  const description = e.Description ?? '';
  if (type === 'lambda' || (e.RequesterManaged && description.startsWith('AWS Lambda VPC ENI'))) return 'lambda';
  if (['network_load_balancer', 'gateway_load_balancer', 'load_balancer'].includes(type) || /^ELB /.test(description)) return 'load-balancer';
  if (['vpc_endpoint', 'gateway_load_balancer_endpoint'].includes(type) || /^VPC Endpoint Interface /.test(description)) return 'interface-endpoint';
  if (type === 'transit_gateway' || /Transit Gateway Attachment/i.test(description)) return 'transit-gateway-attachment';
  return 'network-interface';
}

function baseName(e: NetworkInterface, kind: HostKind, endpoint: VpcEndpoint | undefined): string | undefined {
  const description = e.Description ?? '';
  switch (kind) {
    case 'lambda':
      // "AWS Lambda VPC ENI-<function name>-<uuid>": the function is the name a person knows.
      return new RegExp(`^AWS Lambda VPC ENI-(.+?)-${UUID}$`).exec(description)?.[1];
    case 'load-balancer':
      // "ELB net/<name>/<id>", "ELB app/<name>/<id>", "ELB gwy/<name>/<id>" or a classic "ELB <name>".
      return /^ELB (?:(?:net|app|gwy)\/([^/]+)\/|([^/\s]+)$)/.exec(description)?.slice(1).find(Boolean);
    case 'interface-endpoint':
      return (endpoint && tag(endpoint.Tags, 'Name')) ?? endpoint?.VpcEndpointId ?? /vpce-[0-9a-f]+/.exec(description)?.[0];
    case 'transit-gateway-attachment':
      return /tgw-attach-[0-9a-f]+/.exec(description)?.[0];
    default:
      return undefined;
  }
}

function serviceOf(e: NetworkInterface, kind: HostKind, endpoint: VpcEndpoint | undefined): string | undefined {
  if (kind === 'lambda') return undefined;
  if (endpoint) return `${endpoint.VpcEndpointId} (${endpoint.ServiceName ?? 'unknown service'})`;
  // Another account's instance in a shared subnet: the owner's dump sees only its interface.
  if (e.Attachment?.InstanceId && !e.Description) return `instance ${e.Attachment.InstanceId}, which the dump does not describe`;
  return e.Description || (e.InterfaceType as string | undefined) || e.RequesterId || undefined;
}
