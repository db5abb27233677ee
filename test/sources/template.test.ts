import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError } from '../../lib/errors';
import { predict } from '../../lib/model';
import type { Topology } from '../../lib/model/types';
import { seedTopology } from '../../lib/sources';
import { loadTemplates } from '../../lib/sources/template';
import { walkShape } from './walk-shape';

const DIR = 'test/fixtures/templates';
const SEED_LAB = `${DIR}/seed-lab.yaml`;
const NAT_EIP = '<EIP NatEip.PublicIp, known after deploy>';
const DIRECT_EIP = '<EIP DirectEip.PublicIp, known after deploy>';

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'natlab-template-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function template(name: string, text: string): string {
  const file = join(tmp, name);
  writeFileSync(file, text);
  return file;
}

describe('a hand-written YAML template with short-form tags (seed-lab.yaml)', () => {
  let t: Topology;
  beforeAll(async () => {
    t = await loadTemplates([SEED_LAB]);
  });

  test('predicts the seed walks; where the EIP is unresolved, the server sees where it comes from', () => {
    const seed = predict(seedTopology()).walks;
    const walks = predict(t).walks;
    expect(walks.map((w) => w.flow.name)).toEqual(['client-a', 'client-b', 'direct']);
    walks.forEach((w, i) => expect(walkShape(w)).toEqual(walkShape(seed[i])));
    expect(walks.map((w) => w.observedAtDestination)).toEqual([
      { ...seed[0].observedAtDestination, srcIp: NAT_EIP },
      { ...seed[1].observedAtDestination, srcIp: NAT_EIP },
      { ...seed[2].observedAtDestination, srcIp: DIRECT_EIP },
    ]);
  });

  test('the source names the file and says the region and AZ names are assumed', () => {
    expect(t.name).toBe('seed-lab');
    expect(t.source).toBe(`CloudFormation template ${SEED_LAB}; region us-east-1 (default), AZ names assumed us-east-1a, us-east-1b, us-east-1c, ...`);
  });

  test('--region changes Fn::GetAZs and AWS::Region (and the condition on it)', async () => {
    const west = await loadTemplates([SEED_LAB], { region: 'eu-west-1' });
    expect(west.subnets.map((s) => s.az)).toEqual(['eu-west-1a', 'eu-west-1a', 'eu-west-1b']);
    expect(west.source).toContain('region eu-west-1, AZ names assumed eu-west-1a');
    // WithProbe is `AWS::Region == us-east-1`: elsewhere the probe goes and NotDeployed comes.
    expect(west.hosts.map((h) => h.id)).toContain('NotDeployed');
    expect(west.hosts.map((h) => h.id)).not.toContain('Probe');
    expect(west.hosts.find((h) => h.id === 'Direct')!.name).toBe('direct-elsewhere'); // Fn::If
  });

  test('Fn::Cidr, Fn::Select, Fn::Split, Fn::GetAZs, Ref to a parameter default, Conditions', () => {
    expect(t.subnets.map((s) => [s.id, s.cidr, s.az])).toEqual([
      ['PublicSubnet', '10.0.0.0/24', 'us-east-1a'],
      ['PrivateSubnet', '10.0.1.0/24', 'us-east-1a'],
      ['InternetSubnet', '172.16.0.0/24', 'us-east-1b'],
    ]);
    expect(t.natGateways[0].addresses[0].privateIp).toBe('10.0.0.226');
    expect(t.hosts.map((h) => h.id)).toEqual(['ClientA', 'ClientB', 'Direct', 'Server', 'Probe']);
  });

  test('each VPC gets its implicit main route table; every table starts with the local route', () => {
    expect(t.vpcs[0]).toEqual({ id: 'Vpc', name: 'lab', cidrs: ['10.0.0.0/16'], mainRouteTable: 'Vpc/MainRouteTable' });
    expect(t.routeTables.find((r) => r.id === 'Vpc/MainRouteTable')!.routes).toEqual([{ destination: '10.0.0.0/16', target: { kind: 'local' } }]);
    // The S3 prefix-list route is carried with its kind; its target is the gateway endpoint.
    expect(t.routeTables.find((r) => r.id === 'PrivateRouteTable')!.routes).toEqual([
      { destination: '10.0.0.0/16', target: { kind: 'local' } },
      { destination: '0.0.0.0/0', target: { kind: 'nat', id: 'Nat' } },
      { destination: 'pl-63a5400a', destinationKind: 'prefix-list', target: { kind: 'vpc-endpoint', id: 'vpce-0a1b2c3d4e5f6a7b8' } },
    ]);
    expect(t.routeTables.find((r) => r.id === 'PublicRouteTable')!.routes[1]).toEqual({ destination: '0.0.0.0/0', target: { kind: 'igw', id: 'Igw' } });
    expect(t.internetGateways).toEqual([{ id: 'Igw', vpc: 'Vpc' }, { id: 'InternetIgw', vpc: 'InternetVpc' }]);
  });

  test('the NAT Gateway: pinned private IPs, EIP addresses unresolved and named', () => {
    expect(t.natGateways).toEqual([
      {
        id: 'Nat',
        name: 'NAT-GW',
        vpc: 'Vpc',
        subnet: 'PublicSubnet',
        connectivity: 'public',
        availabilityMode: 'zonal',
        addresses: [
          { privateIp: '10.0.0.226', publicIp: NAT_EIP, allocationId: 'NatEip', isPrimary: true },
          { privateIp: '10.0.0.227', publicIp: '<EIP NatSecondaryEip.PublicIp, known after deploy>', allocationId: 'NatSecondaryEip', isPrimary: false },
        ],
      },
    ]);
  });

  test('hosts: instance by SubnetId or first network interface, EIP association, the server folded onto the internet, Lambda VpcConfig', () => {
    expect(t.hosts).toEqual([
      { id: 'ClientA', name: 'client-a', kind: 'instance', subnet: 'PrivateSubnet', privateIp: '10.0.1.32', securityGroups: ['ClientSg'], instanceId: 'ClientA' },
      { id: 'ClientB', name: 'client-b', kind: 'instance', subnet: 'PrivateSubnet', privateIp: '10.0.1.123', securityGroups: ['ClientSg'], instanceId: 'ClientB' },
      { id: 'Direct', name: 'direct', kind: 'instance', subnet: 'PublicSubnet', privateIp: '10.0.0.10', publicIp: DIRECT_EIP, securityGroups: ['ClientSg'], instanceId: 'Direct' },
      { id: 'Server', name: 'server', kind: 'server', privateIp: '<Instance Server.PublicIp, known after deploy>', securityGroups: ['ServerSg'], instanceId: 'Server' },
      { id: 'Probe', name: 'natlab-probe', kind: 'lambda', subnet: 'PrivateSubnet', privateIp: '<Lambda Probe ENI private IP in PrivateSubnet: any address of 10.0.1.0/24>', securityGroups: ['ClientSg'] },
    ]);
  });

  test('flows from natlab:role (tag or resource Metadata) and natlab:source-port / natlab:port tags', () => {
    expect(t.flows).toEqual([
      { name: 'client-a', protocol: 'tcp', from: 'ClientA', sourcePort: 32222, to: { host: 'Server', port: 8080 }, group: 'clients' },
      { name: 'client-b', protocol: 'tcp', from: 'ClientB', sourcePort: 32222, to: { host: 'Server', port: 8080 }, group: 'clients' },
      { name: 'direct', protocol: 'tcp', from: 'Direct', sourcePort: 32222, to: { host: 'Server', port: 8080 } },
    ]);
  });

  test('security groups: inline rules, rule resources, Fn::Sub/Fn::Join over an EIP, default egress', () => {
    const server = t.securityGroups.find((g) => g.id === 'ServerSg')!;
    expect(server.ingress).toEqual([
      { protocol: 'tcp', fromPort: 8080, toPort: 8080, cidr: `${NAT_EIP}/32`, description: "the NAT Gateway's Elastic IP" },
      { protocol: 'tcp', fromPort: 8080, toPort: 8080, cidr: `${DIRECT_EIP}/32`, description: "the direct client's Elastic IP" },
      { protocol: 'tcp', fromPort: 22, toPort: 22, securityGroup: 'ClientSg' },
    ]);
    // ClientSg lists no egress: CloudFormation's default allows all outbound.
    expect(t.securityGroups.find((g) => g.id === 'ClientSg')!.egress).toEqual([{ protocol: 'all', cidr: '0.0.0.0/0' }]);
  });

  test('network ACL entries by number, and the subnet association', () => {
    expect(t.subnets.find((s) => s.id === 'PrivateSubnet')!.networkAcl).toBe('PrivateAcl');
    expect(t.networkAcls).toEqual([
      {
        id: 'PrivateAcl',
        vpc: 'Vpc',
        isDefault: false,
        ingress: [
          { ruleNumber: 90, protocol: 'tcp', action: 'allow', cidr: '0.0.0.0/0', fromPort: 1024, toPort: 65535 },
          { ruleNumber: 100, protocol: 'all', action: 'allow', cidr: '10.0.0.0/16' },
        ],
        egress: [{ ruleNumber: 100, protocol: 'all', action: 'allow', cidr: '0.0.0.0/0' }],
      },
    ]);
  });

  test('the same template as JSON gives the same topology, except where it came from', async () => {
    const { parseTemplate } = await import('../../lib/sources/private/cfn-parse');
    const { readFileSync } = await import('node:fs');
    const json = template('seed-lab.json', JSON.stringify(parseTemplate(readFileSync(SEED_LAB, 'utf8'), SEED_LAB)));
    const fromJson = await loadTemplates([json]);
    expect({ ...fromJson, source: '' }).toEqual({ ...t, source: '' });
  });
});

describe('several templates: exports and imports', () => {
  test('Fn::ImportValue resolves across the given templates; ids are qualified by stack', async () => {
    const t = await loadTemplates([`${DIR}/network.json`, `${DIR}/app.yaml`]);
    expect(t.name).toBe('network+app');
    const app = t.hosts.find((h) => h.name === 'app')!;
    expect(app).toMatchObject({ id: 'app/App', subnet: 'network/Private', securityGroups: ['app/AppSg'] });
    expect(t.securityGroups.find((g) => g.id === 'app/AppSg')!.vpc).toBe('network/Vpc');
    // A literal allocation id: the address is still only known after deploy.
    expect(t.natGateways[0].addresses[0].publicIp).toBe('<Elastic IP eipalloc-0fixedfixedfixed01, address known after deploy>');
  });

  test('an import no given template exports names what is missing', async () => {
    await expect(loadTemplates([`${DIR}/app.yaml`])).rejects.toThrow(
      new InputError(`${DIR}/app.yaml: Resources.App.Properties.SubnetId: Fn::ImportValue network-PrivateSubnet, exported by none of the given templates, but natlab needs it to build the topology`),
    );
  });
});

describe('bad templates', () => {
  test('a missing file', async () => {
    const file = join(tmp, 'absent.yaml');
    await expect(loadTemplates([file])).rejects.toThrow(new InputError(`${file}: cannot read the template (no such file)`));
  });

  test('bad YAML names the line', async () => {
    const file = template('bad.yaml', 'Resources:\n  Vpc:\n    Type: [AWS::EC2::VPC\n');
    await expect(loadTemplates([file])).rejects.toThrow(/^.*bad\.yaml: not valid YAML at line \d+, column \d+: /);
  });

  test('bad JSON', async () => {
    const file = template('bad.json', '{ "Resources": { ');
    await expect(loadTemplates([file])).rejects.toThrow(/bad\.json: not valid JSON \(.+\)$/);
  });

  test('no Resources section', async () => {
    const file = template('empty.yaml', 'Description: nothing\n');
    await expect(loadTemplates([file])).rejects.toThrow(`${file}: not a CloudFormation template (no "Resources" section)`);
  });

  test('a resource without a Type', async () => {
    const file = template('notype.yaml', 'Resources:\n  Vpc:\n    Properties: {}\n');
    await expect(loadTemplates([file])).rejects.toThrow(`${file}: Resources.Vpc: has no "Type"`);
  });

  test('Ref to nothing names the path', async () => {
    const file = template('ref.yaml', 'Resources:\n  Vpc:\n    Type: AWS::EC2::VPC\n    Properties:\n      CidrBlock: !Ref VpcCidr\n');
    await expect(loadTemplates([file])).rejects.toThrow(`${file}: Resources.Vpc.Properties.CidrBlock: Ref names "VpcCidr", which is neither a parameter nor a resource`);
  });

  test('a VPC whose CIDR comes from IPAM', async () => {
    const file = template('ipam.yaml', 'Resources:\n  Vpc:\n    Type: AWS::EC2::VPC\n    Properties:\n      Ipv4IpamPoolId: ipam-pool-0123\n      Ipv4NetmaskLength: 16\n');
    await expect(loadTemplates([file])).rejects.toThrow(`${file}: Resources.Vpc.Properties.CidrBlock: is missing (IPAM-allocated VPCs are not supported)`);
  });

  test('an undefined condition', async () => {
    const file = template('cond.yaml', 'Resources:\n  Vpc:\n    Type: AWS::EC2::VPC\n    Condition: Nope\n    Properties: { CidrBlock: 10.0.0.0/16 }\n');
    await expect(loadTemplates([file])).rejects.toThrow(`${file}: condition "Nope" is not defined in Conditions`);
  });

  test('Fn::Select out of range', async () => {
    const file = template('select.yaml', "Resources:\n  Vpc:\n    Type: AWS::EC2::VPC\n    Properties: { CidrBlock: !Select [3, [a, b]] }\n");
    await expect(loadTemplates([file])).rejects.toThrow(`${file}: Resources.Vpc.Properties.CidrBlock: Fn::Select index 3 is outside the list of 2`);
  });

  test('a route to a table the templates lack', async () => {
    const file = template(
      'route.yaml',
      'Resources:\n  R:\n    Type: AWS::EC2::Route\n    Properties: { RouteTableId: rtb-0123, DestinationCidrBlock: 0.0.0.0/0, GatewayId: igw-0123 }\n',
    );
    await expect(loadTemplates([file])).rejects.toThrow(`${file}: Resources.R.Properties.RouteTableId: names "rtb-0123", which is not a route table in the given templates`);
  });
});

describe('templates get the address checks of a scenario (cfn-lint makes none of them)', () => {
  const seedLab = readFileSync(SEED_LAB, 'utf8');
  const broken = (name: string, from: string, to: string): string => {
    expect(seedLab).toContain(from);
    return template(name, seedLab.replace(from, to));
  };

  test('a NAT private IP in the private subnet, not its own', async () => {
    const file = broken('nat-wrong-subnet.yaml', 'Default: 10.0.0.226', 'Default: 10.0.1.226');
    await expect(loadTemplates([file])).rejects.toThrow(new InputError(`${file}: Resources.Nat.Properties.PrivateIpAddress: 10.0.1.226 is not inside subnet "PublicSubnet" (10.0.0.0/24)`));
  });

  test('a secondary NAT address at the broadcast address', async () => {
    const file = broken('nat-broadcast.yaml', 'SecondaryPrivateIpAddresses: [10.0.0.227]', 'SecondaryPrivateIpAddresses: [10.0.0.255]');
    await expect(loadTemplates([file])).rejects.toThrow(
      new InputError(`${file}: Resources.Nat.Properties.SecondaryPrivateIpAddresses[0]: 10.0.0.255 is reserved by AWS in 10.0.0.0/24 (the broadcast address), subnet "PublicSubnet"`),
    );
  });

  test('an instance at the subnet router', async () => {
    const file = broken('client-router.yaml', "'10.0.1.32,10.0.1.33'", "'10.0.1.1,10.0.1.33'");
    await expect(loadTemplates([file])).rejects.toThrow(new InputError(`${file}: Resources.ClientA.Properties.PrivateIpAddress: 10.0.1.1 is reserved by AWS in 10.0.1.0/24 (the subnet router, network + 1), subnet "PrivateSubnet"`));
  });

  test('values known only after deploy pass: the seed lab (EIPs, auto-assigned IPs, Lambda ENIs) loads', async () => {
    await expect(loadTemplates([SEED_LAB])).resolves.toMatchObject({ name: 'seed-lab' });
  });
});
