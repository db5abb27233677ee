/**
 * Dump folders shaped as collectors write them: a whole region (every describe call a
 * collector makes, most of which the model does not use), and a VPC shared across two
 * accounts in an accounts/<id>/<region>/ layout.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError } from '../../lib/errors';
import { resolveHost, walk } from '../../lib/model';
import type { Topology } from '../../lib/model/types';
import { loadAwsDump } from '../../lib/sources/aws-dump';

const FULL = 'test/fixtures/aws-dump/full-region';
const REGION_DIR = `${FULL}/210987654321/us-east-1`;
const SHARED = 'test/fixtures/aws-dump/shared-vpc';
const OWNER_DIR = `${SHARED}/accounts/111111111111/eu-central-1`;
const PARTICIPANT_DIR = `${SHARED}/accounts/222222222222/eu-central-1`;

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'natlab-dump-real-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function copyOf(fixture: string): string {
  const dir = mkdtempSync(join(tmp, 'case-'));
  cpSync(fixture, dir, { recursive: true });
  return dir;
}

/** The parts of describe outputs these tests edit. */
interface Eni {
  NetworkInterfaceId?: string;
  Association?: unknown;
}
interface DumpJson {
  Reservations?: Array<{ Instances: Array<{ NetworkInterfaces: Eni[] }> }>;
  NetworkInterfaces?: Eni[];
  Subnets?: Array<Record<string, unknown>>;
}

function editJson(file: string, edit: (data: DumpJson) => void): void {
  const data = JSON.parse(readFileSync(file, 'utf8')) as DumpJson;
  edit(data);
  writeFileSync(file, JSON.stringify(data, null, 4));
}

async function load(dir: string, opts: { region?: string; vpc?: string } = {}): Promise<{ t: Topology; notes: string[] }> {
  const notes: string[] = [];
  const t = await loadAwsDump(dir, { ...opts, note: (n) => notes.push(n) });
  return { t, notes };
}

describe('a whole region as a collector gathers it (test/fixtures/aws-dump/full-region)', () => {
  let t: Topology;
  let notes: string[];
  beforeAll(async () => {
    ({ t, notes } = await load(FULL));
  });

  test('found two folders down (<account>/<region>/), its region from the folder name', () => {
    expect(t.region).toBe('us-east-1');
    expect(t.vpcs.map((v) => v.id)).toEqual(['vpc-0f1a2b3c4d5e6f701']);
    expect(t.subnets).toHaveLength(5);
  });

  test('every describe output the model does not use is named once, by kind and command; the collector metadata is skipped', () => {
    const kinds = notes.map((n) => /^--aws-dump: (\w+)/.exec(n)?.[1]);
    expect(kinds.filter((k) => k !== 'skipped')).toEqual([
      'AvailabilityZones',
      'CarrierGateways',
      'ClientVpnEndpoints',
      'CustomerGateways',
      'DhcpOptions',
      'FlowLogs',
      'Images',
      'InstanceStatuses',
      'KeyPairs',
      'LaunchTemplates',
      'Listeners',
      'LoadBalancers',
      'Regions',
      'SecurityGroupRules',
      'Snapshots',
      'TargetGroups',
      'TransitGatewayAttachments',
      'TransitGatewayRouteTables',
      'TransitGateways',
      'Volumes',
      'VpcPeeringConnections',
      'VpnConnections',
      'VpnGateways',
    ]);
    expect(notes).toContain(`--aws-dump: LoadBalancers (elbv2 describe-load-balancers) read, not used by the model: ${REGION_DIR}/elbv2-describe-load-balancers.json`);
    expect(notes.filter((n) => n.startsWith('--aws-dump: skipped'))).toEqual([
      `--aws-dump: skipped ${FULL}/collection.json: not a describe-* output (top-level keys "collector", "account", "regions", "started", "calls")`,
    ]);
  });

  test('an instance with three interfaces: the primary is the host, the others carry their own subnet, groups and addresses (the EIP on the second)', () => {
    const web = resolveHost(t, 'web-1');
    expect(web).toMatchObject({
      id: 'i-0a40b1b1b1b1b1b1b',
      subnet: 'subnet-0a40a00000000a0a1',
      privateIp: '10.40.10.25',
      securityGroups: ['sg-0a1b2c3d4e5f6a7b1'],
      eniId: 'eni-0b11111111111111b',
      ipv6Addresses: ['2600:1f18:4a3:6e0a:8d3e:21f0:6b4c:19a2'],
    });
    expect(web.publicIp).toBeUndefined();
    expect(web.interfaces).toEqual([
      { eniId: 'eni-0b22222222222222b', subnet: 'subnet-0a40a0000000000a1', privateIp: '10.40.0.25', publicIp: '198.51.100.41', securityGroups: ['sg-0a1b2c3d4e5f6a7b1'], deviceIndex: 1 },
      { eniId: 'eni-0b33333333333333b', subnet: 'subnet-0a40a00000000d0a1', privateIp: '10.40.20.25', secondaryPrivateIps: ['10.40.20.26'], securityGroups: ['sg-0a1b2c3d4e5f6a7b4'], deviceIndex: 2 },
    ]);
    // Each further interface still names the host.
    expect(resolveHost(t, 'eni-0b33333333333333b').id).toBe('i-0a40b1b1b1b1b1b1b');
  });

  test("an interface's EIP comes from describe-addresses when the interface does not list it", async () => {
    const dir = copyOf(FULL);
    const edit = (data: DumpJson) => {
      for (const r of data.Reservations ?? []) for (const i of r.Instances) for (const e of i.NetworkInterfaces) delete e.Association;
      for (const e of data.NetworkInterfaces ?? []) if (e.NetworkInterfaceId === 'eni-0b22222222222222b') delete e.Association;
    };
    editJson(join(dir, '210987654321/us-east-1/ec2-describe-instances.json'), edit);
    editJson(join(dir, '210987654321/us-east-1/ec2-describe-network-interfaces.json'), edit);
    const { t: edited } = await load(dir);
    expect(resolveHost(edited, 'web-1').interfaces?.[0].publicIp).toBe('198.51.100.41');
  });

  test('a network load balancer: one host per interface, of kind load-balancer, named after the balancer and its AZ', () => {
    const nlb = t.hosts.filter((h) => h.kind === 'load-balancer');
    expect(nlb).toEqual([
      { id: 'eni-0c1111111111111c1', name: 'shop-nlb-us-east-1a', kind: 'load-balancer', subnet: 'subnet-0a40a0000000000a1', privateIp: '10.40.0.60', publicIp: '198.51.100.43', securityGroups: [], eniId: 'eni-0c1111111111111c1', service: 'ELB net/shop-nlb/50dc6c495c0c9188' },
      { id: 'eni-0c2222222222222c2', name: 'shop-nlb-us-east-1b', kind: 'load-balancer', subnet: 'subnet-0a40a0000000000b1', privateIp: '10.40.1.60', publicIp: '198.51.100.44', securityGroups: [], eniId: 'eni-0c2222222222222c2', service: 'ELB net/shop-nlb/50dc6c495c0c9188' },
    ]);
  });

  test('an interface endpoint: hosts of kind interface-endpoint naming the endpoint and its service; the endpoint lists them', () => {
    const hosts = t.hosts.filter((h) => h.kind === 'interface-endpoint');
    expect(hosts.map((h) => [h.name, h.privateIp, h.securityGroups, h.service])).toEqual([
      ['vpce-0c3d4e5f6a7b8c9d0-us-east-1a', '10.40.10.200', ['sg-0a1b2c3d4e5f6a7b3'], 'vpce-0c3d4e5f6a7b8c9d0 (com.amazonaws.us-east-1.ssm)'],
      ['vpce-0c3d4e5f6a7b8c9d0-us-east-1b', '10.40.11.200', ['sg-0a1b2c3d4e5f6a7b3'], 'vpce-0c3d4e5f6a7b8c9d0 (com.amazonaws.us-east-1.ssm)'],
    ]);
    expect(t.vpcEndpoints?.find((e) => e.type === 'interface')).toEqual({
      id: 'vpce-0c3d4e5f6a7b8c9d0',
      vpc: 'vpc-0f1a2b3c4d5e6f701',
      type: 'interface',
      serviceName: 'com.amazonaws.us-east-1.ssm',
      networkInterfaces: ['eni-0d1111111111111d1', 'eni-0d2222222222222d2'],
    });
  });

  test("the NAT Gateway's interface stays the NAT's; Lambda, transit gateway and an unattached interface are hosts of their kind; a stopped instance's interface is no host", () => {
    expect(t.hosts.some((h) => h.eniId === 'eni-0a11111111111111a')).toBe(false);
    expect(t.natGateways[0]).toMatchObject({ id: 'nat-0e6f7a8b9c0d1e2f3', eniId: 'eni-0a11111111111111a', addresses: [{ privateIp: '10.40.0.150', publicIp: '198.51.100.40' }] });
    const byEni = (id: string) => t.hosts.find((h) => h.eniId === id);
    expect(byEni('eni-0f1111111111111f1')).toMatchObject({ kind: 'lambda', name: 'shop-order-worker', privateIp: '10.40.11.150' });
    expect(byEni('eni-0e1111111111111e1')).toMatchObject({ kind: 'transit-gateway-attachment', name: 'tgw-attach-0a8b9c0d1e2f3a4b5', privateIp: '10.40.10.5' });
    expect(byEni('eni-0f2222222222222f2')).toMatchObject({ kind: 'network-interface', privateIp: '10.40.10.99', service: 'spare interface for failover' });
    expect(byEni('eni-0b66666666666666b')).toBeUndefined();
    expect(t.hosts.map((h) => h.kind)).toEqual(['instance', 'instance', 'instance', 'load-balancer', 'load-balancer', 'interface-endpoint', 'interface-endpoint', 'transit-gateway-attachment', 'lambda', 'network-interface']);
  });

  test('an S3 gateway endpoint: a prefix-list route to it, the endpoint with its route tables, the list with its CIDRs', () => {
    const data = t.routeTables.find((r) => r.name === 'shop-data')!;
    expect(data.routes).toEqual([
      { destination: '10.40.0.0/16', target: { kind: 'local' } },
      { destination: 'pl-63a5400a', destinationKind: 'prefix-list', target: { kind: 'vpc-endpoint', id: 'vpce-0b2c3d4e5f6a7b8c9' } },
    ]);
    expect(t.vpcEndpoints?.find((e) => e.type === 'gateway')).toEqual({
      id: 'vpce-0b2c3d4e5f6a7b8c9',
      name: 'shop-s3',
      vpc: 'vpc-0f1a2b3c4d5e6f701',
      type: 'gateway',
      serviceName: 'com.amazonaws.us-east-1.s3',
      routeTables: ['rtb-0a400000000000a01', 'rtb-0a400000000000d01'],
      prefixList: 'pl-63a5400a',
    });
    expect(t.prefixLists?.find((p) => p.id === 'pl-63a5400a')).toEqual({ id: 'pl-63a5400a', name: 'com.amazonaws.us-east-1.s3', cidrs: ['198.51.100.128/25', '203.0.113.128/25'] });
  });

  test("a customer-managed prefix list: its name from describe-managed-prefix-lists, its entries from the file named after it; a rule names it", () => {
    expect(t.prefixLists?.find((p) => p.id === 'pl-0e1f2a3b4c5d6e7f8')).toEqual({ id: 'pl-0e1f2a3b4c5d6e7f8', name: 'office-ranges', cidrs: ['192.0.2.0/24', '198.51.100.0/28'] });
    expect(t.securityGroups.find((g) => g.name === 'shop-bastion')!.ingress).toEqual([{ protocol: 'tcp', fromPort: 22, toPort: 22, prefixList: 'pl-0e1f2a3b4c5d6e7f8', description: 'office ranges' }]);
  });

  test('IPv6: VPC and subnet blocks, ::/0 routes to the IGW and the egress-only IGW, IPv6 rule peers -- carried', () => {
    expect(t.vpcs[0]).toMatchObject({ ipv6Cidrs: ['2600:1f18:4a3:6e00::/56'], ownerId: '210987654321' });
    expect(t.subnets.find((s) => s.name === 'shop-public-a')).toMatchObject({ ipv6Cidr: '2600:1f18:4a3:6e00::/64', assignIpv6OnCreation: true });
    expect(t.subnets.find((s) => s.name === 'shop-data-a')!.ipv6Cidr).toBeUndefined();
    const app = t.routeTables.find((r) => r.name === 'shop-app')!;
    expect(app.routes.filter((r) => r.destinationKind === 'ipv6')).toEqual([
      { destination: '2600:1f18:4a3:6e00::/56', destinationKind: 'ipv6', target: { kind: 'local' } },
      { destination: '::/0', destinationKind: 'ipv6', target: { kind: 'egress-only-igw', id: 'eigw-0d5e6f7a8b9c0d1e2' } },
    ]);
    expect(t.egressOnlyInternetGateways).toEqual([{ id: 'eigw-0d5e6f7a8b9c0d1e2', name: 'shop-eigw', vpc: 'vpc-0f1a2b3c4d5e6f701' }]);
    expect(t.securityGroups.find((g) => g.name === 'shop-web')!.ingress).toContainEqual({ protocol: 'tcp', fromPort: 443, toPort: 443, cidrIpv6: '::/0' });
  });

  test('walks from every host to the internet, to every other host and to the S3 prefix list end in a verdict, never an exception', () => {
    const destinations = ['198.51.100.99', '203.0.113.130', ...t.hosts.map((h) => h.privateIp)];
    for (const from of t.hosts) {
      for (const to of destinations) {
        const w = walk(t, { protocol: 'tcp', from: from.id, sourcePort: 40000, to: { host: to, port: 443 } });
        expect(['delivered', 'dropped', 'left-model']).toContain(w.verdict);
      }
    }
    // The three-legged instance reaches the internet through the NAT with the NAT's EIP.
    const out = walk(t, { protocol: 'tcp', from: 'web-1', sourcePort: 40000, to: { host: '198.51.100.99', port: 443 } });
    expect(out.verdict).toBe('delivered');
    expect(out.observedAtDestination?.srcIp).toBe('198.51.100.40');
  });
});

describe('a VPC shared across two accounts (test/fixtures/aws-dump/shared-vpc, accounts/<id>/<region>/)', () => {
  test("the VPC, its IGW, the shared subnet, its route table and the participant's interface are each one resource, with the owner's tags", async () => {
    const { t, notes } = await load(SHARED);
    expect(notes).toEqual([]);
    expect(t.region).toBe('eu-central-1');
    expect(t.vpcs).toEqual([{ id: 'vpc-0aa1b2c3d4e5f6a70', name: 'shared-network', cidrs: ['10.50.0.0/16'], mainRouteTable: 'rtb-0aa9b0c1d2e3f4a58', defaultNetworkAcl: 'acl-0aa0b1c2d3e4f5a69', ownerId: '111111111111' }]);
    expect(t.internetGateways).toEqual([{ id: 'igw-0aa2b3c4d5e6f7a81', name: 'shared-igw', vpc: 'vpc-0aa1b2c3d4e5f6a70' }]);
    expect(t.subnets.map((s) => s.name)).toEqual(['shared-public', 'shared-app']);
    expect(t.routeTables.map((r) => r.id)).toEqual(['rtb-0aa9b0c1d2e3f4a58', 'rtb-0aa7b8c9d0e1f2a36', 'rtb-0aa8b9c0d1e2f3a47']);
    expect(t.hosts.map((h) => [h.name, h.kind, h.subnet, h.securityGroups])).toEqual([['orders-app-1', 'instance', 'subnet-0aa6b7c8d9e0f1a25', ['sg-0bb1c2d3e4f5a6b71']]]);
    expect(t.securityGroups.map((g) => g.name).sort()).toEqual(['default', 'orders-app']);
  });

  test("the participant's instance leaves through the owner's NAT Gateway", async () => {
    const { t } = await load(SHARED, { region: 'eu-central-1' });
    const w = walk(t, { protocol: 'tcp', from: 'orders-app-1', sourcePort: 40000, to: { host: '198.51.100.99', port: 443 } });
    expect(w.verdict).toBe('delivered');
    expect(w.observedAtDestination?.srcIp).toBe('203.0.113.50');
  });

  test('a real difference between the two sightings names both files and the field', async () => {
    const dir = copyOf(SHARED);
    const participant = join(dir, 'accounts/222222222222/eu-central-1/subnets.json');
    editJson(participant, (d) => {
      d.Subnets![0].MapPublicIpOnLaunch = true;
    });
    await expect(load(dir)).rejects.toThrow(
      new InputError(
        `${participant}: SubnetId subnet-0aa6b7c8d9e0f1a25 is also in ${join(dir, 'accounts/111111111111/eu-central-1/subnets.json')} with different content (Subnets.MapPublicIpOnLaunch: true here, false there); the same resource in two dumps must agree`,
      ),
    );
  });

  test("each account alone loads too: the owner sees the participant's interface only; the participant sees no NAT Gateway, so its 0.0.0.0/0 route names one the dump lacks", async () => {
    // The owner sees the participant's interface, not its instance.
    const { t: owner } = await load(OWNER_DIR);
    expect(owner.hosts).toEqual([
      {
        id: 'eni-0bb3c4d5e6f7a8b93',
        kind: 'network-interface',
        subnet: 'subnet-0aa6b7c8d9e0f1a25',
        privateIp: '10.50.1.40',
        securityGroups: ['sg-0bb1c2d3e4f5a6b71'],
        eniId: 'eni-0bb3c4d5e6f7a8b93',
        service: 'instance i-0bb2c3d4e5f6a7b82, which the dump does not describe',
      },
    ]);
    const { t: participant } = await load(PARTICIPANT_DIR);
    expect(participant.natGateways).toEqual([]);
    const w = walk(participant, { protocol: 'tcp', from: 'orders-app-1', sourcePort: 40000, to: { host: '198.51.100.99', port: 443 } });
    expect(w.verdict).not.toBe('delivered');
  });
});

describe('security group rules whose peer is a managed prefix list with its entries in the dump', () => {
  it("the bastion admits ssh from the office list's entries and refuses any other address, naming the list", async () => {
    const { t } = await load(FULL);
    const bastion = resolveHost(t, 'bastion');
    expect(bastion.publicIp).toBeDefined();
    const ssh = (from: string) => walk(t, { name: `${from} -> bastion`, protocol: 'tcp', from, sourcePort: 40000, to: { host: bastion.publicIp!, port: 22 } });
    // 192.0.2.0/24 is an entry of pl-0e1f2a3b4c5d6e7f8 (office-ranges).
    expect(ssh('192.0.2.10').verdict).toBe('delivered');
    const refused = ssh('203.0.113.7');
    expect(refused.verdict).toBe('dropped');
    expect(refused.dropped?.reason).toContain('pl-0e1f2a3b4c5d6e7f8');
  });
});
