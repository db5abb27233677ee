/* eslint-disable @typescript-eslint/no-explicit-any -- each case mutates plain scenario data loosely, as a hand-edited file would be */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { InputError } from '../../lib/errors';
import { seedTopology } from '../../lib/sources';
import { loadScenario, parseScenario } from '../../lib/sources/scenario';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'natlab-scenario-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, content: string): string {
  const file = join(dir, name);
  writeFileSync(file, content);
  return file;
}

/** The seed as plain data, to mutate one field per case. */
function seedData(): Record<string, any> {
  return JSON.parse(JSON.stringify(seedTopology()));
}

function messageOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(InputError);
    return (err as Error).message;
  }
  throw new Error('expected an InputError');
}

describe('scenario files', () => {
  test('scenarios/seed.json loads deep-equal to the built-in seed', async () => {
    // toEqual: structuredClone in the seed builds objects of another realm under jest.
    expect(await loadScenario('scenarios/seed.json')).toEqual(seedTopology());
  });

  test('the same topology as YAML loads to the same value', async () => {
    const file = write('seed.yaml', stringify(seedData()));
    expect(await loadScenario(file)).toEqual(seedTopology());
  });

  test.each(['broken-private-route.yaml', 'nacl-no-ephemeral.yaml', 'multi-az.yaml', 'public-ip-behind-nat.yaml'])('scenarios/%s validates', async (name) => {
    const t = await loadScenario(`scenarios/${name}`);
    expect(t.source).toBe(`scenarios/${name}`);
    expect(t.flows.length).toBeGreaterThan(0);
  });

  test('defaults: arrays, host kind, NAT connectivity, availability mode, first address primary, name from the file', () => {
    const t = parseScenario(
      `vpcs: [{ id: v, cidrs: [10.0.0.0/16] }]
subnets: [{ id: s, vpc: v, cidr: 10.0.0.0/24, az: us-east-1a }]
natGateways:
  - { id: n, vpc: v, subnet: s, addresses: [{ privateIp: 10.0.0.5 }, { privateIp: 10.0.0.6 }] }
hosts: [{ id: h, subnet: s, privateIp: 10.0.0.9 }]
flows: [{ name: f, from: h, to: { host: 198.51.100.1, port: 80 } }]
`,
      'dir/tiny.yaml',
    );
    expect(t.name).toBe('tiny');
    expect(t.source).toBe('dir/tiny.yaml');
    expect(t.securityGroups).toEqual([]);
    expect(t.networkAcls).toEqual([]);
    expect(t.routeTables).toEqual([]);
    expect(t.hosts[0]).toEqual({ id: 'h', kind: 'instance', subnet: 's', privateIp: '10.0.0.9', securityGroups: [] });
    expect(t.natGateways[0].connectivity).toBe('public');
    expect(t.natGateways[0].availabilityMode).toBe('zonal');
    expect(t.natGateways[0].addresses.map((a) => a.isPrimary)).toEqual([true, false]);
    expect(t.flows[0]).toEqual({ name: 'f', protocol: 'tcp', from: 'h', sourcePort: 'any', to: { host: '198.51.100.1', port: 80 } });
  });

  test('a missing file names the file', async () => {
    const file = join(dir, 'absent.yaml');
    await expect(loadScenario(file)).rejects.toThrow(new InputError(`${file}: cannot read the scenario file (no such file)`));
  });

  test('a directory instead of a file says so', async () => {
    await expect(loadScenario(dir)).rejects.toThrow(`${dir}: cannot read the scenario file (it is a directory)`);
  });

  test('bad YAML names the line and column', () => {
    expect(messageOf(() => parseScenario('vpcs:\n  - id: [a\n  b: 1\n', 'bad.yaml'))).toMatch(/^bad\.yaml: not valid YAML at line \d+, column \d+: \S.*$/);
  });

  test('bad JSON is reported as JSON with its line', () => {
    expect(messageOf(() => parseScenario('{\n  "vpcs": [,\n}', 'bad.json'))).toMatch(/^bad\.json: not valid JSON at line 2, column \d+: /);
  });

  test('a .json file must be strict JSON, even where YAML would accept it', () => {
    expect(messageOf(() => parseScenario('{"vpcs": [],}', 'lenient.json'))).toMatch(/^lenient\.json: not valid JSON: \S/);
  });

  test('an empty file', () => {
    expect(messageOf(() => parseScenario('\n', 'empty.yaml'))).toBe('empty.yaml: the scenario file is empty');
  });

  test('a missing field names its path', () => {
    const data = seedData();
    delete data.subnets[1].cidr;
    expect(messageOf(() => parseScenario(JSON.stringify(data), 's.json'))).toBe('s.json: subnets[1].cidr: is missing (expected string)');
  });

  test('a wrong type names its path and what it got', () => {
    const data = seedData();
    data.flows[0].sourcePort = 'high';
    data.hosts[0].privateIp = 10;
    expect(messageOf(() => parseScenario(JSON.stringify(data), 's.json'))).toBe(
      's.json: hosts[0].privateIp: must be a string, got number; flows[0].sourcePort: must be a port (0-65535) or "any"',
    );
  });

  test('an unknown field (a typo) is an error, not ignored', () => {
    const data = seedData();
    data.subnets[0].cidrr = data.subnets[0].cidr;
    expect(messageOf(() => parseScenario(JSON.stringify(data), 's.json'))).toBe('s.json: subnets[0]: has unknown field "cidrr"');
  });

  test('an unknown route target kind lists the kinds', () => {
    const data = seedData();
    data.routeTables[1].routes[1].target = { kind: 'gateway', id: 'igw-yyy' };
    expect(messageOf(() => parseScenario(JSON.stringify(data), 's.json'))).toMatch(/^s\.json: routeTables\[1\]\.routes\[1\]\.target\.kind: must be one of "local", "igw", "nat", .*"other"$/);
  });

  test('an out-of-range port', () => {
    const data = seedData();
    data.flows[2].to.port = 70000;
    expect(messageOf(() => parseScenario(JSON.stringify(data), 's.json'))).toBe('s.json: flows[2].to.port: must be at most 65535');
  });

  test.each([
    ['a CIDR that does not parse', (d: any) => (d.subnets[1].cidr = '10.0.1.0/33'), 'subnets[1].cidr: "10.0.1.0/33" is not an IPv4 CIDR'],
    ['a CIDR with host bits', (d: any) => (d.subnets[1].cidr = '10.0.1.7/24'), 'subnets[1].cidr: "10.0.1.7/24" has host bits set (the network address is needed)'],
    ['a subnet outside its VPC', (d: any) => (d.subnets[1].cidr = '10.1.1.0/24'), 'subnets[1].cidr: 10.1.1.0/24 is not inside VPC "vpc-lab" (10.0.0.0/16)'],
    ['overlapping subnets', (d: any) => (d.subnets[1].cidr = '10.0.0.128/25'), 'subnets[1].cidr: 10.0.0.128/25 overlaps subnet "subnet-public"'],
    ['a subnet naming an unknown VPC', (d: any) => (d.subnets[0].vpc = 'vpc-nope'), 'subnets[0].vpc: names VPC "vpc-nope", which is not defined'],
    ['a subnet naming an unknown route table', (d: any) => (d.subnets[1].routeTable = 'rtb-nope'), 'subnets[1].routeTable: names route table "rtb-nope", which is not defined'],
    ['a route to an unknown NAT', (d: any) => (d.routeTables[2].routes[1].target.id = 'nat-nope'), 'routeTables[2].routes[1].target.id: names NAT gateway "nat-nope", which is not defined'],
    ['a route to an IGW of another VPC', (d: any) => (d.internetGateways[0].vpc = undefined), 'routeTables[1].routes[1].target.id: internet gateway "igw-yyy" is not attached to VPC "vpc-lab"'],
    ['a route to an unknown ENI', (d: any) => (d.routeTables[2].routes[1].target = { kind: 'eni', id: 'eni-nope' }), 'routeTables[2].routes[1].target.id: names network interface "eni-nope", which no host has'],
    ['a host outside its subnet', (d: any) => (d.hosts[0].privateIp = '10.0.2.32'), 'hosts[0].privateIp: 10.0.2.32 is not inside subnet "subnet-private" (10.0.1.0/24)'],
    ['a host address that does not parse', (d: any) => (d.hosts[1].privateIp = '10.0.1.300'), 'hosts[1].privateIp: "10.0.1.300" is not an IPv4 address'],
    // The model reads addresses: a leading zero (octal in some tools) is no address to it either.
    ['a host address with a leading zero', (d: any) => (d.hosts[1].privateIp = '10.0.1.012'), 'hosts[1].privateIp: "10.0.1.012" is not an IPv4 address'],
    ['an instance with no subnet', (d: any) => delete d.hosts[2].subnet, 'hosts[2].subnet: is missing (a host of kind instance sits in a subnet, hosts on the internet are kind server or external)'],
    ['a host naming an unknown security group', (d: any) => (d.hosts[0].securityGroups = ['sg-nope']), 'hosts[0].securityGroups[0]: names security group "sg-nope", which is not defined'],
    ['a NAT address outside its subnet', (d: any) => (d.natGateways[0].addresses[0].privateIp = '10.0.1.226'), 'natGateways[0].addresses[0].privateIp: 10.0.1.226 is not inside subnet "subnet-public" (10.0.0.0/24)'],
    // AWS keeps five addresses of every subnet; a scenario using one would predict the impossible.
    ['a host at the subnet router', (d: any) => (d.hosts[0].privateIp = '10.0.1.1'), 'hosts[0].privateIp: 10.0.1.1 is reserved by AWS in 10.0.1.0/24 (the subnet router, network + 1), subnet "subnet-private"'],
    ['a host at the network address', (d: any) => (d.hosts[1].privateIp = '10.0.1.0'), 'hosts[1].privateIp: 10.0.1.0 is reserved by AWS in 10.0.1.0/24 (the network address), subnet "subnet-private"'],
    ['a host at the Amazon DNS', (d: any) => (d.hosts[2].privateIp = '10.0.0.2'), 'hosts[2].privateIp: 10.0.0.2 is reserved by AWS in 10.0.0.0/24 (the Amazon-provided DNS, network + 2), subnet "subnet-public"'],
    ['a NAT at the broadcast address', (d: any) => (d.natGateways[0].addresses[0].privateIp = '10.0.0.255'), 'natGateways[0].addresses[0].privateIp: 10.0.0.255 is reserved by AWS in 10.0.0.0/24 (the broadcast address), subnet "subnet-public"'],
    ['a NAT at the address kept for future use', (d: any) => (d.natGateways[0].addresses[0].privateIp = '10.0.0.3'), 'natGateways[0].addresses[0].privateIp: 10.0.0.3 is reserved by AWS in 10.0.0.0/24 (reserved for future use, network + 3), subnet "subnet-public"'],
    ['a NAT with two primaries', (d: any) => d.natGateways[0].addresses.push({ privateIp: '10.0.0.227', isPrimary: true }), 'natGateways[0].addresses: has 2 primary addresses (exactly one is needed)'],
    ['duplicate ids', (d: any) => (d.hosts[1].id = 'client-a'), 'hosts[1].id: "client-a" is used twice'],
    ['a flow from an unknown host', (d: any) => (d.flows[0].from = 'client-z'), 'flows[0].from: "client-z" is not a host id, name, IP, instance id or ENI id'],
    ['a flow to neither host nor IP', (d: any) => (d.flows[0].to.host = 'somewhere'), 'flows[0].to.host: "somewhere" is neither an IPv4 address nor a host'],
    ['a security group rule with two peers', (d: any) => (d.securityGroups[1].ingress[0].securityGroup = 'sg-clients'), 'securityGroups[1].ingress[0]: needs exactly one of cidr, securityGroup, prefixList'],
    ['a reversed port range', (d: any) => Object.assign(d.securityGroups[1].ingress[0], { fromPort: 9000, toPort: 8080 }), 'securityGroups[1].ingress[0].fromPort: 9000 is greater than toPort 8080'],
    ['a repeated NACL rule number', (d: any) => d.networkAcls[0].ingress.push({ ruleNumber: 100, protocol: 'tcp', action: 'deny', cidr: '0.0.0.0/0' }), 'networkAcls[0].ingress[1].ruleNumber: 100 is used twice in ingress'],
  ])('%s', (_what, mutate, expected) => {
    const data = seedData();
    mutate(data);
    // The problem is named first; a consequence may follow after "; ".
    const message = messageOf(() => parseScenario(JSON.stringify(data), 'lab.json'));
    expect(message.split('; ')[0]).toBe(`lab.json: ${expected}`);
  });

  test('several problems: the first three, then how many more, on one line', () => {
    const data = seedData();
    for (const h of data.hosts.slice(0, 3)) h.securityGroups = ['sg-nope'];
    data.flows[0].from = 'nobody';
    data.flows[1].from = 'nobody';
    const message = messageOf(() => parseScenario(JSON.stringify(data), 'lab.json'));
    expect(message).toBe(
      'lab.json: hosts[0].securityGroups[0]: names security group "sg-nope", which is not defined; ' +
        'hosts[1].securityGroups[0]: names security group "sg-nope", which is not defined; ' +
        'hosts[2].securityGroups[0]: names security group "sg-nope", which is not defined; and 2 more problems',
    );
    expect(message).not.toContain('\n');
  });
});
