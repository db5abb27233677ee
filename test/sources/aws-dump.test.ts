import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError } from '../../lib/errors';
import { resolveHost } from '../../lib/model/hosts';
import type { Topology } from '../../lib/model/types';
import { seedTopology } from '../../lib/sources';
import { loadAwsDump, readAwsDumpFiles } from '../../lib/sources/aws-dump';

const FIXTURES = 'test/fixtures/aws-dump';
const SEED_LAB = `${FIXTURES}/seed-lab`;

/** The dump's ids -> the seed scenario's, so the two can be compared field by field. */
const SEED_IDS: Record<string, string> = {
  'vpc-0a1b2c3d4e5f60718': 'vpc-lab',
  'subnet-0a11b22c33d44e55f': 'subnet-public',
  'subnet-0b66c77d88e99f001': 'subnet-private',
  'rtb-0e1f2a3b4c5d6e7f8': 'rtb-main',
  'rtb-0a2b4c6d8e0f1a3b5': 'rtb-public',
  'rtb-0b3c5d7e9f1a2b4c6': 'rtb-private',
  'nat-0f1e2d3c4b5a69788': 'nat-xxx',
  'igw-0d1c2b3a4f5e6d7c8': 'igw-yyy',
  'eipalloc-0d4c3b2a1f0e9d8c7': 'eipalloc-seed',
  'i-0a1a1a1a1a1a1a1a1': 'client-a',
  'i-0b2b2b2b2b2b2b2b2': 'client-b',
  'i-0d3d3d3d3d3d3d3d3': 'direct',
  'i-0e4e4e4e4e4e4e4e4': 'server',
  'sg-0c1e2f3a4b5c6d7e8': 'sg-clients',
  'sg-0a5b6c7d8e9f0a1b2': 'sg-server',
  'acl-0a1b2c3d4e5f6a7b8': 'acl-default',
};

function renamed<T>(value: T): T {
  return JSON.parse(JSON.stringify(value), (_k, v) => (typeof v === 'string' && v in SEED_IDS ? SEED_IDS[v] : v));
}

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'natlab-dump-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A copy of a fixture folder to break one thing in. */
function copyOf(fixture: string): string {
  const dir = mkdtempSync(join(tmp, 'case-'));
  cpSync(fixture, dir, { recursive: true });
  return dir;
}

describe('the seed lab as deployed (test/fixtures/aws-dump/seed-lab)', () => {
  let t: Topology;
  beforeAll(async () => {
    t = await loadAwsDump(SEED_LAB);
  });

  test('name, source and region', () => {
    expect(t.name).toBe('seed-lab');
    expect(t.source).toBe(`aws ec2 describe-* dump ${SEED_LAB} (us-east-1)`);
    expect(t.region).toBe('us-east-1');
  });

  test('the lab VPC, its route tables and its NAT Gateway are the seed scenario with real ids', () => {
    const seed = seedTopology();
    const lab = renamed(t);
    const vpc = lab.vpcs.find((v) => v.id === 'vpc-lab')!;
    expect(vpc).toMatchObject({ cidrs: ['10.0.0.0/16'], mainRouteTable: 'rtb-main', defaultNetworkAcl: 'acl-default' });
    for (const id of ['rtb-main', 'rtb-public', 'rtb-private']) {
      // The private table's S3 prefix-list route is carried besides the seed's IPv4 routes.
      const ipv4 = lab.routeTables.find((r) => r.id === id)!.routes.filter((r) => r.destinationKind === undefined);
      expect(ipv4).toEqual(seed.routeTables.find((r) => r.id === id)!.routes);
    }
    expect(lab.routeTables.find((r) => r.id === 'rtb-private')!.routes[2]).toEqual({ destination: 'pl-63a5400a', destinationKind: 'prefix-list', target: { kind: 'vpc-endpoint', id: 'vpce-0a1b2c3d4e5f6a7b8' } });
    // The dump holds no prefix list outputs: the list is named, its entries unknown.
    expect(lab.prefixLists).toEqual([{ id: 'pl-63a5400a', cidrs: [], entriesKnown: false }]);
    const { name: _n, ...nat } = lab.natGateways[0];
    const { name: _s, ...seedNat } = seed.natGateways[0];
    expect(nat).toEqual({ ...seedNat, eniId: 'eni-0a9b8c7d6e5f4a3b2' });
    for (const id of ['subnet-public', 'subnet-private']) {
      const { name: _x, networkAcl, ...subnet } = lab.subnets.find((s) => s.id === id)!;
      const { name: _y, ...seedSubnet } = seed.subnets.find((s) => s.id === id)!;
      expect(subnet).toEqual(seedSubnet);
      expect(networkAcl).toBe('acl-default');
    }
  });

  test('deleted and failed NAT Gateways are left out', () => {
    expect(t.natGateways.map((n) => n.id)).toEqual(['nat-0f1e2d3c4b5a69788']);
  });

  test('the stopped client is left out; the running ones keep their Name tags and ENIs', () => {
    expect(t.hosts.map((h) => h.name)).toEqual(['client-a', 'client-b', 'direct', 'server', 'NatGatewayLab-ProbeFunction-x1Y2z3']);
    expect(t.hosts.find((h) => h.name === 'client-a')).toEqual({
      id: 'i-0a1a1a1a1a1a1a1a1',
      name: 'client-a',
      kind: 'instance',
      subnet: 'subnet-0b66c77d88e99f001',
      privateIp: '10.0.1.32',
      securityGroups: ['sg-0c1e2f3a4b5c6d7e8'],
      instanceId: 'i-0a1a1a1a1a1a1a1a1',
      eniId: 'eni-0c1a2b3c4d5e6f7a8',
    });
  });

  test("the direct client keeps its public IP; the server (natlab:role=server) becomes an internet host at its public IP", () => {
    expect(t.hosts.find((h) => h.name === 'direct')?.publicIp).toBe('203.0.113.10');
    expect(t.hosts.find((h) => h.name === 'server')).toEqual({
      id: 'i-0e4e4e4e4e4e4e4e4',
      name: 'server',
      kind: 'server',
      privateIp: '44.198.164.163',
      securityGroups: ['sg-0a5b6c7d8e9f0a1b2'],
      instanceId: 'i-0e4e4e4e4e4e4e4e4',
      eniId: 'eni-0c4d5e6f7a8b9c0d1',
    });
  });

  test('the Lambda ENI is a host of kind lambda named after its function', () => {
    expect(t.hosts.find((h) => h.kind === 'lambda')).toEqual({
      id: 'eni-0f1e2d3c4b5a6f7e8',
      name: 'NatGatewayLab-ProbeFunction-x1Y2z3',
      kind: 'lambda',
      subnet: 'subnet-0b66c77d88e99f001',
      privateIp: '10.0.1.200',
      securityGroups: ['sg-0b1c2d3e4f5a6b7c8'],
      eniId: 'eni-0f1e2d3c4b5a6f7e8',
    });
  });

  test('flows come from the natlab:role tags, as the seed defines them', () => {
    expect(renamed(t.flows)).toEqual(seedTopology().flows.map((f) => ({ ...f, group: f.group && 'clients' })).map(({ group, ...f }) => (group ? { ...f, group } : f)));
  });

  test('security group rules: one per peer, incl. group pairs and prefix lists; the implicit NACL deny is left to the model', () => {
    const byId = (id: string) => t.securityGroups.find((g) => g.id === id)!;
    expect(renamed(byId('sg-0a5b6c7d8e9f0a1b2')).ingress).toEqual(seedTopology().securityGroups[1].ingress);
    expect(byId('sg-0d9e8f7a6b5c4d3e2').ingress).toEqual([{ protocol: 'all', securityGroup: 'sg-0d9e8f7a6b5c4d3e2' }]);
    expect(byId('sg-0b1c2d3e4f5a6b7c8').egress).toEqual([
      { protocol: 'tcp', fromPort: 8080, toPort: 8080, cidr: '0.0.0.0/0', description: 'to the echo server' },
      { protocol: 'tcp', fromPort: 443, toPort: 443, prefixList: 'pl-63a5400a', description: 'S3 gateway endpoint' },
    ]);
    expect(renamed(t.networkAcls[0])).toEqual({ ...seedTopology().networkAcls[0], name: undefined });
  });

  test.each([
    ['private IP', '10.0.1.32'],
    ['instance id', 'i-0a1a1a1a1a1a1a1a1'],
    ['ENI id', 'eni-0c1a2b3c4d5e6f7a8'],
    ['Name tag', 'client-a'],
  ])('a host can be named by its %s', (_what, ref) => {
    expect(resolveHost(t, ref).id).toBe('i-0a1a1a1a1a1a1a1a1');
  });

  test('the direct client by its public IP, the server by its public IP and the probe by its ENI id', () => {
    expect(resolveHost(t, '203.0.113.10').name).toBe('direct');
    expect(resolveHost(t, '44.198.164.163').name).toBe('server');
    expect(resolveHost(t, 'eni-0f1e2d3c4b5a6f7e8').kind).toBe('lambda');
  });

  test('--vpc keeps one VPC and what lives in it', async () => {
    const only = await loadAwsDump(SEED_LAB, { vpc: 'vpc-0a1b2c3d4e5f60718' });
    expect(only.vpcs.map((v) => v.id)).toEqual(['vpc-0a1b2c3d4e5f60718']);
    expect(only.internetGateways.map((g) => g.id)).toEqual(['igw-0d1c2b3a4f5e6d7c8']);
    expect(only.hosts.map((h) => h.name)).toEqual(['client-a', 'client-b', 'direct', 'NatGatewayLab-ProbeFunction-x1Y2z3']);
    expect(only.subnets).toHaveLength(2);
  });
});

describe('timestamps', () => {
  test('ISO (CLI v2) and space form (CLI v1) both become Dates, as the SDK returns them', async () => {
    const [seedFiles, regionFiles] = await Promise.all([readAwsDumpFiles(SEED_LAB), readAwsDumpFiles(`${FIXTURES}/multi-region`)]);
    const nat = seedFiles.find((f) => f.outputs.NatGateways)!.outputs.NatGateways![0];
    expect(nat.CreateTime).toEqual(new Date('2026-11-20T09:10:41Z'));
    const west = regionFiles.find((f) => f.path.endsWith('eu-west-1/ec2-nat-gateways.json'))!.outputs.NatGateways![0];
    expect(west.CreateTime).toEqual(new Date('2026-11-03T10:15:42Z'));
    const instance = (regionFiles.find((f) => f.path.endsWith('eu-west-1/ec2-instances.json'))!.outputs.Reservations![0].Instances as Array<Record<string, unknown>>)[0];
    expect(instance.LaunchTime).toEqual(new Date('2026-11-03T10:20:05Z'));
    expect((instance.NetworkInterfaces as Array<{ Attachment: { AttachTime: Date } }>)[0].Attachment.AttachTime).toBeInstanceOf(Date);
  });

  test('a timestamp in neither form names the file and the field', async () => {
    const dir = copyOf(`${FIXTURES}/replies-through-nat`);
    writeFileSync(join(dir, 'nat-gateways.json'), JSON.stringify({ NatGateways: [{ NatGatewayId: 'nat-1', VpcId: 'vpc-03e1e1e1e1e1e1e1e', CreateTime: '03/03/2020 01:21' }] }));
    await expect(loadAwsDump(dir)).rejects.toThrow(
      new InputError(`${join(dir, 'nat-gateways.json')}: NatGateways[0].CreateTime: "03/03/2020 01:21" is not a timestamp (expected ISO 8601 or 2020-03-03 01:21:01+00:00)`),
    );
  });
});

describe('several regions (test/fixtures/aws-dump/multi-region)', () => {
  test('one topology over all regions, no single region', async () => {
    const t = await loadAwsDump(`${FIXTURES}/multi-region`);
    expect(t.region).toBeUndefined();
    expect(t.source).toBe(`aws ec2 describe-* dump ${FIXTURES}/multi-region (eu-west-1, us-east-1)`);
    expect(t.vpcs.map((v) => v.id).sort()).toEqual(['vpc-01e1e1e1e1e1e1e1e', 'vpc-02e1e1e1e1e1e1e1e']);
    expect(t.hosts.map((h) => h.name).sort()).toEqual(['east-app', 'west-app']);
  });

  test('--region picks one folder', async () => {
    const t = await loadAwsDump(`${FIXTURES}/multi-region`, { region: 'eu-west-1' });
    expect(t.region).toBe('eu-west-1');
    expect(t.vpcs.map((v) => v.id)).toEqual(['vpc-02e1e1e1e1e1e1e1e']);
    expect(t.subnets.map((s) => s.az)).toEqual(['eu-west-1a', 'eu-west-1b']);
  });

  test('--region with a region the dump lacks lists the ones it has', async () => {
    await expect(loadAwsDump(`${FIXTURES}/multi-region`, { region: 'ap-south-1' })).rejects.toThrow(
      `--region ap-south-1: the dump in ${FIXTURES}/multi-region has no resources in that region (regions: eu-west-1, us-east-1)`,
    );
  });

  test('--region in a flat folder keeps the VPCs whose subnets are in that region', async () => {
    const flat = mkdtempSync(join(tmp, 'flat-'));
    cpSync(`${FIXTURES}/multi-region/us-east-1`, flat, { recursive: true });
    cpSync(`${FIXTURES}/multi-region/eu-west-1`, flat, { recursive: true });
    const all = await loadAwsDump(flat);
    expect(all.vpcs).toHaveLength(2);
    const east = await loadAwsDump(flat, { region: 'us-east-1' });
    expect(east.vpcs.map((v) => v.id)).toEqual(['vpc-01e1e1e1e1e1e1e1e']);
    expect(east.natGateways.map((n) => n.id)).toEqual(['nat-01c1c1c1c1c1c1c1c']);
  });

  test('a regional NAT Gateway keeps its mode and the AZ of each address', async () => {
    const t = await loadAwsDump(`${FIXTURES}/multi-region`, { region: 'eu-west-1' });
    expect(t.natGateways).toEqual([
      {
        id: 'nat-02c1c1c1c1c1c1c1c',
        name: 'west-regional-nat',
        vpc: 'vpc-02e1e1e1e1e1e1e1e',
        connectivity: 'public',
        availabilityMode: 'regional',
        addresses: [
          { privateIp: '10.20.1.9', publicIp: '203.0.113.21', allocationId: 'eipalloc-02e2e2e2e2e2e2e2e', isPrimary: true, az: 'eu-west-1a' },
          { privateIp: '10.20.2.9', publicIp: '203.0.113.22', allocationId: 'eipalloc-02a3a3a3a3a3a3a3a', isPrimary: false, az: 'eu-west-1b' },
        ],
        eniId: 'eni-02f2f2f2f2f2f2f2f',
      },
    ]);
  });

  test("a secondary NAT address gets its public IP from describe-addresses; a deleting NAT and a terminated instance are left out", async () => {
    const t = await loadAwsDump(`${FIXTURES}/multi-region`, { region: 'us-east-1' });
    expect(t.natGateways).toHaveLength(1);
    expect(t.natGateways[0].addresses).toEqual([
      { privateIp: '10.10.0.100', publicIp: '198.51.100.10', allocationId: 'eipalloc-01e2e2e2e2e2e2e2e', isPrimary: true },
      { privateIp: '10.10.0.101', publicIp: '198.51.100.11', allocationId: 'eipalloc-01b3b3b3b3b3b3b3b', isPrimary: false },
    ]);
    expect(t.hosts.map((h) => h.id)).toEqual(['i-01b4b4b4b4b4b4b4b']);
  });

  test('secondary VPC CIDRs, blackhole and transit gateway routes, a detached IGW', async () => {
    const t = await loadAwsDump(`${FIXTURES}/multi-region`, { region: 'us-east-1' });
    expect(t.vpcs[0].cidrs).toEqual(['10.10.0.0/16', '100.64.0.0/16']);
    expect(t.routeTables.find((r) => r.id === 'rtb-01b2b2b2b2b2b2b2b')!.routes.slice(2)).toEqual([
      { destination: '0.0.0.0/0', target: { kind: 'nat', id: 'nat-01c1c1c1c1c1c1c1c' } },
      { destination: '172.16.0.0/12', target: { kind: 'tgw', id: 'tgw-0a1b2c3d4e5f6a7b8' } },
      { destination: '192.168.50.0/24', target: { kind: 'blackhole' } },
    ]);
    expect(t.internetGateways).toEqual([{ id: 'igw-01d1d1d1d1d1d1d1d', name: 'east-igw', vpc: 'vpc-01e1e1e1e1e1e1e1e' }, { id: 'igw-01f3f3f3f3f3f3f3f', name: 'spare' }]);
  });
});

describe('an instance with a public IP behind a NAT (test/fixtures/aws-dump/replies-through-nat)', () => {
  let t: Topology;
  beforeAll(async () => {
    t = await loadAwsDump(`${FIXTURES}/replies-through-nat`);
  });

  test('the instance keeps its public IP while its subnet sends 0.0.0.0/0 to the NAT', () => {
    const web = resolveHost(t, 'web-behind-nat');
    expect(web.publicIp).toBe('203.0.113.50');
    const subnet = t.subnets.find((s) => s.id === web.subnet)!;
    const table = t.routeTables.find((r) => r.id === subnet.routeTable)!;
    expect(table.routes.find((r) => r.destination === '0.0.0.0/0')!.target).toEqual({ kind: 'nat', id: 'nat-03c1c1c1c1c1c1c1c' });
  });

  test('a subnet with no explicit association uses the main route table', () => {
    const pub = t.subnets.find((s) => s.name === 'asym-public')!;
    expect(pub.routeTable).toBeUndefined();
    expect(t.vpcs[0].mainRouteTable).toBe('rtb-03f1f1f1f1f1f1f1f');
  });

  test('NACL entries sorted by number, IPv6 and the implicit deny left out; protocol numbers mapped', () => {
    expect(t.networkAcls[0].ingress).toEqual([
      { ruleNumber: 90, protocol: 'tcp', action: 'deny', cidr: '192.0.2.0/24', fromPort: 22, toPort: 22 },
      { ruleNumber: 100, protocol: 'tcp', action: 'allow', cidr: '0.0.0.0/0', fromPort: 8080, toPort: 8080 },
      { ruleNumber: 110, protocol: 'tcp', action: 'allow', cidr: '0.0.0.0/0', fromPort: 1024, toPort: 65535 },
      { ruleNumber: 120, protocol: 'all', action: 'allow', cidr: '10.30.0.0/16' },
    ]);
  });

  test('ICMP -1 means any type; protocols the model does not simulate (ESP, 50) are left out', () => {
    expect(t.securityGroups[0].ingress).toEqual([
      { protocol: 'tcp', fromPort: 8080, toPort: 8080, cidr: '0.0.0.0/0' },
      { protocol: 'icmp', cidr: '10.30.0.0/16' },
    ]);
  });
});

describe('bad dumps', () => {
  test('a missing folder', async () => {
    const dir = join(tmp, 'nope');
    await expect(loadAwsDump(dir)).rejects.toThrow(new InputError(`${dir}: cannot read the dump folder (no such file)`));
  });

  test('a file instead of a folder', async () => {
    const file = `${SEED_LAB}/vpcs.json`;
    await expect(loadAwsDump(file)).rejects.toThrow(`${file}: not a folder (--aws-dump takes a folder of describe-* JSON outputs)`);
  });

  test('a .json file that is not JSON names the file', async () => {
    const dir = copyOf(SEED_LAB);
    writeFileSync(join(dir, 'subnets.json'), '{ "Subnets": [ ');
    await expect(loadAwsDump(dir)).rejects.toThrow(/^.*\/subnets\.json: not valid JSON \(.+\)$/);
  });

  test('a JSON file that is no describe output is skipped with a note naming the file and the keys it has', async () => {
    const dir = copyOf(SEED_LAB);
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'collector', version: '1.0.0' }));
    writeFileSync(join(dir, 'regions.json'), JSON.stringify(['us-east-1', 'eu-west-1']));
    const notes: string[] = [];
    expect((await loadAwsDump(dir, { note: (n) => notes.push(n) })).vpcs).toHaveLength(2);
    expect(notes).toEqual([
      `--aws-dump: skipped ${join(dir, 'package.json')}: not a describe-* output (top-level keys "name", "version")`,
      `--aws-dump: skipped ${join(dir, 'regions.json')}: not a describe-* output (a JSON array, not an object)`,
    ]);
  });

  test('an output of another API (cloudformation describe-stacks) is read past with a note', async () => {
    const dir = copyOf(SEED_LAB);
    writeFileSync(join(dir, 'stack.json'), JSON.stringify({ Stacks: [] }));
    const notes: string[] = [];
    await loadAwsDump(dir, { note: (n) => notes.push(n) });
    expect(notes).toEqual([`--aws-dump: Stacks read, not used by the model: ${join(dir, 'stack.json')}`]);
  });

  test('non-JSON files (a README, a shell history) are skipped', async () => {
    const dir = copyOf(SEED_LAB);
    writeFileSync(join(dir, 'commands.sh'), 'aws ec2 describe-vpcs > vpcs.json\n');
    expect((await loadAwsDump(dir)).vpcs).toHaveLength(2);
  });

  test('an item without its id names the file and the path', async () => {
    const dir = copyOf(SEED_LAB);
    writeFileSync(join(dir, 'vpcs.json'), JSON.stringify({ Vpcs: [{ VpcId: 'vpc-1', CidrBlock: '10.0.0.0/16' }, { CidrBlock: '10.1.0.0/16' }] }));
    await expect(loadAwsDump(dir)).rejects.toThrow(`${join(dir, 'vpcs.json')}: Vpcs[1].VpcId: is missing (expected string)`);
  });

  test('a list that is not a list', async () => {
    const dir = copyOf(SEED_LAB);
    writeFileSync(join(dir, 'vpcs.json'), JSON.stringify({ Vpcs: { VpcId: 'vpc-1' } }));
    await expect(loadAwsDump(dir)).rejects.toThrow(`${join(dir, 'vpcs.json')}: Vpcs: must be an array, got object`);
  });

  test('the same resource in two files, identical, is one resource', async () => {
    const dir = copyOf(SEED_LAB);
    cpSync(join(dir, 'vpcs.json'), join(dir, 'vpcs-again.json'));
    expect((await loadAwsDump(dir)).vpcs).toEqual((await loadAwsDump(SEED_LAB)).vpcs);
  });

  test('the same resource in two files with different content names both files and the field', async () => {
    const dir = copyOf(SEED_LAB);
    const again = join(dir, 'z-vpcs.json');
    writeFileSync(again, readFileSync(join(dir, 'vpcs.json'), 'utf8').replaceAll('"CidrBlock": "10.0.0.0/16"', '"CidrBlock": "10.7.0.0/16"'));
    await expect(loadAwsDump(dir)).rejects.toThrow(
      new InputError(`${again}: VpcId vpc-0a1b2c3d4e5f60718 is also in ${join(dir, 'vpcs.json')} with different content (Vpcs.CidrBlock: "10.7.0.0/16" here, "10.0.0.0/16" there); the same resource in two dumps must agree`),
    );
  });

  test('no describe-vpcs output', async () => {
    const dir = mkdtempSync(join(tmp, 'novpc-'));
    mkdirSync(join(dir, 'us-east-1'));
    cpSync(`${SEED_LAB}/subnets.json`, join(dir, 'us-east-1', 'subnets.json'));
    await expect(loadAwsDump(dir)).rejects.toThrow(`${dir}: no describe-vpcs output found (a .json file with a top-level "Vpcs" key)`);
  });

  test('a NAT address outside its subnet names the file and the NAT gateway', async () => {
    const dir = copyOf(SEED_LAB);
    const file = join(dir, 'nat.json');
    writeFileSync(file, readFileSync(file, 'utf8').replace('"PrivateIp": "10.0.0.226"', '"PrivateIp": "10.0.1.226"'));
    await expect(loadAwsDump(dir)).rejects.toThrow(new InputError(`${file}: nat-0f1e2d3c4b5a69788: 10.0.1.226 is not inside subnet "subnet-0a11b22c33d44e55f" (10.0.0.0/24)`));
  });

  test('an instance at a reserved address names the file and the instance', async () => {
    const dir = copyOf(SEED_LAB);
    const file = join(dir, 'instances.json');
    writeFileSync(file, readFileSync(file, 'utf8').replaceAll('10.0.1.32', '10.0.1.255'));
    await expect(loadAwsDump(dir)).rejects.toThrow(/instances\.json: i-\w+: 10\.0\.1\.255 is reserved by AWS in 10\.0\.1\.0\/24 \(the broadcast address\), subnet "subnet-\w+"$/);
  });

  test('--vpc that the dump lacks lists the VPCs it has', async () => {
    await expect(loadAwsDump(SEED_LAB, { vpc: 'vpc-0000' })).rejects.toThrow(`--vpc vpc-0000: not in the dump in ${SEED_LAB} (VPCs: vpc-0a1b2c3d4e5f60718, vpc-0f9e8d7c6b5a40321)`);
  });
});

describe('walking dumped topologies (lib/model)', () => {
  test('the deployed seed lab predicts exactly the seed walks, the same addresses the article saw', async () => {
    const { predict } = await import('../../lib/model');
    const { walkShape } = await import('./walk-shape');
    const seed = predict(seedTopology()).walks;
    const walks = predict(await loadAwsDump(SEED_LAB)).walks;
    expect(walks.map((w) => w.flow.name)).toEqual(['client-a', 'client-b', 'direct']);
    walks.forEach((w, i) => {
      expect(walkShape(w)).toEqual(walkShape(seed[i]));
      expect(w.observedAtDestination).toEqual(seed[i].observedAtDestination);
    });
    expect(walks[0].observedAtDestination?.srcIp).toBe('3.224.9.52');
  });

  test('inbound to the public IP of an instance behind a NAT: delivered, but the reply dies at the NAT', async () => {
    const { walk } = await import('../../lib/model');
    const t = await loadAwsDump(`${FIXTURES}/replies-through-nat`);
    const inbound = walk(t, { protocol: 'tcp', from: '198.51.100.7', sourcePort: 40000, to: { host: '203.0.113.50', port: 8080 } });
    expect(inbound.verdict).toBe('delivered');
    expect(inbound.reply?.verdict).toBe('dropped');
    expect(inbound.reply?.dropped?.component).toBe('nat-03c1c1c1c1c1c1c1c');
    // Outbound it leaves through the NAT with the NAT's EIP, not the instance's own public IP;
    // the destination is in no VPC of the dump: an internet host the model assumes answers.
    const outbound = walk(t, { protocol: 'tcp', from: 'web-behind-nat', sourcePort: 32222, to: { host: '44.198.164.163', port: 8080 } });
    expect(outbound.verdict).toBe('delivered');
    expect(outbound.observedAtDestination?.srcIp).toBe('198.51.100.30');
    expect(outbound.hops.find((h) => h.component.kind === 'internet')?.detail).toContain('a host outside the topology, which the model assumes accepts the connection and answers');
    expect(outbound.reply?.verdict).toBe('delivered');
  });
});
