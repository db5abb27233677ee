/**
 * Templates in the shapes people publish (test/fixtures/templates/published, written for these
 * tests after reading the AWS Quick Start VPC, widdix's vpc-*azs and a training course's
 * multi-stack VPC): each loads, keeps what is known only at deploy as a named value, and walks.
 */
import { spawnSync } from 'node:child_process';
import { InputError } from '../../lib/errors';
import { walk } from '../../lib/model';
import type { Topology } from '../../lib/model/types';
import { loadTopology } from '../../lib/sources';
import { loadTemplates } from '../../lib/sources/template';

const DIR = 'test/fixtures/templates/published';
const QUICKSTART = `${DIR}/quickstart-vpc.yaml`;
const VPC_3AZS = `${DIR}/vpc-3azs.yaml`;
const NAT_STACK = `${DIR}/vpc-nat-gateway.yaml`;
const A4L_VPC = `${DIR}/training/a4l-vpc.yaml`;
const A4L_APP = `${DIR}/training/a4l-app.yaml`;
const ENV = `${DIR}/env-conditions.yaml`;
const APP = `${DIR}/app-into-vpc.yaml`;
const APP_PARAMETERS = `${DIR}/app-into-vpc.parameters.json`;
const SEED_DUMP = 'test/fixtures/aws-dump/seed-lab';

/** Walks TCP from a host to a documentation address on the internet. */
function walkOut(t: Topology, from: string, port = 443) {
  return walk(t, { protocol: 'tcp', from, sourcePort: 'any', to: { host: '198.51.100.20', port } });
}

describe('cfn-lint accepts every fixture (they are templates CloudFormation takes)', () => {
  test.each([QUICKSTART, VPC_3AZS, NAT_STACK, A4L_VPC, ENV, APP])('%s', (file) => {
    const result = spawnSync('cfn-lint', ['--', file], { encoding: 'utf8' });
    if (result.error) throw new Error(`cfn-lint could not run (${(result.error as NodeJS.ErrnoException).code}): put it on PATH (pip install cfn-lint)`);
    expect(result.stdout + result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  test('the training app stack is refused by cfn-lint only for the host-bits CIDR that EC2 accepts and masks', () => {
    const all = spawnSync('cfn-lint', ['--', A4L_APP], { encoding: 'utf8' });
    expect(all.stdout).toContain("E3002 '10.16.112.0/16' is not a 'ipv4-network'");
    const rest = spawnSync('cfn-lint', ['--ignore-checks', 'E3002', '--', A4L_APP], { encoding: 'utf8' });
    expect(rest.status).toBe(0);
  });
});

describe('a Quick-Start-like VPC: AZs from a List<AWS::EC2::AvailabilityZone::Name> parameter without default, IPv6', () => {
  let t: Topology;
  beforeAll(async () => {
    t = await loadTemplates([QUICKSTART]);
  });

  test('each AZ is the named item of the parameter list, not a refusal', () => {
    const az = Object.fromEntries(t.subnets.map((s) => [s.id, s.az]));
    expect(az).toEqual({
      PublicSubnet1: '<item 0 of Parameter AvailabilityZones, given at deploy>',
      PublicSubnet2: '<item 1 of Parameter AvailabilityZones, given at deploy>',
      PrivateSubnet1A: '<item 0 of Parameter AvailabilityZones, given at deploy>',
      PrivateSubnet2A: '<item 1 of Parameter AvailabilityZones, given at deploy>',
    });
  });

  test('conditions on parameters with defaults decide: two AZs, two public NAT gateways, no third subnet', () => {
    expect(t.natGateways.map((n) => [n.id, n.connectivity, n.subnet])).toEqual([
      ['NATGateway1', 'public', 'PublicSubnet1'],
      ['NATGateway2', 'public', 'PublicSubnet2'],
    ]);
    expect(t.subnets.map((s) => s.id)).not.toContain('PublicSubnet3');
  });

  test('IPv6: the VPC block, each subnet block carved by Fn::Cidr from it, ::/0 routes, the egress-only gateway', () => {
    expect(t.vpcs[0].ipv6Cidrs).toEqual(['<VPCCidrBlock IPv6Block IPv6 block, known after deploy>']);
    const sub = t.subnets.find((s) => s.id === 'PrivateSubnet1A')!;
    expect(sub).toMatchObject({ ipv6Cidr: '<item 3 of Fn::Cidr [item 0 of VPC VPC.Ipv6CidrBlocks, known after deploy, 6, 64]>', assignIpv6OnCreation: true });
    expect(t.egressOnlyInternetGateways).toEqual([{ id: 'EgressOnlyInternetGateway', vpc: 'VPC' }]);
    const priv = t.routeTables.find((r) => r.id === 'PrivateSubnet1ARouteTable')!.routes;
    expect(priv).toContainEqual({ destination: '::/0', destinationKind: 'ipv6', target: { kind: 'egress-only-igw', id: 'EgressOnlyInternetGateway' } });
    const pub = t.routeTables.find((r) => r.id === 'PublicSubnetRouteTable')!.routes;
    expect(pub).toContainEqual({ destination: '::/0', destinationKind: 'ipv6', target: { kind: 'igw', id: 'InternetGateway' } });
    expect(t.securityGroups.find((g) => g.id === 'TestInstanceSecurityGroup')!.egress).toEqual([
      { protocol: 'all', cidr: '0.0.0.0/0' },
      { protocol: 'all', cidrIpv6: '::/0' },
    ]);
  });

  test('the S3 gateway endpoint adds a prefix-list route to each of its route tables', () => {
    expect(t.vpcEndpoints).toEqual([
      {
        id: 'S3GatewayEndpoint',
        vpc: 'VPC',
        type: 'gateway',
        serviceName: 'com.amazonaws.us-east-1.s3',
        routeTables: ['PrivateSubnet1ARouteTable', 'PrivateSubnet2ARouteTable'],
        prefixList: '<prefix list of com.amazonaws.us-east-1.s3>',
      },
    ]);
    for (const id of ['PrivateSubnet1ARouteTable', 'PrivateSubnet2ARouteTable']) {
      expect(t.routeTables.find((r) => r.id === id)!.routes).toContainEqual({ destination: '<prefix list of com.amazonaws.us-east-1.s3>', destinationKind: 'prefix-list', target: { kind: 'vpc-endpoint', id: 'S3GatewayEndpoint' } });
    }
  });

  test('the test instance walks out through its AZ NAT gateway', () => {
    const w = walkOut(t, 'test-instance');
    expect(w.verdict).toBe('delivered');
    expect(w.hops.map((h) => h.component.id)).toContain('NATGateway1');
    expect(w.observedAtDestination?.srcIp).toBe('<EIP NAT1EIP.PublicIp, known after deploy>');
  });

  test('--parameter NumberOfAZs=3 and an AZ list: the third AZ and its private NAT gateway appear, the AZs are the given ones', async () => {
    const three = await loadTemplates([QUICKSTART], { parameters: [{ key: 'NumberOfAZs', value: '3', origin: '--parameter NumberOfAZs=3' }, { key: 'AvailabilityZones', value: 'eu-west-1a,eu-west-1b,eu-west-1c', origin: 'test' }] });
    expect(three.subnets.find((s) => s.id === 'PublicSubnet3')).toMatchObject({ az: 'eu-west-1c', cidr: '10.0.160.0/20' });
    expect(three.natGateways.find((n) => n.id === 'NATGateway3')).toMatchObject({ connectivity: 'private', subnet: 'PublicSubnet3' });
  });
});

describe('a widdix-like 3-AZ VPC with a NAT gateway stack importing it', () => {
  let t: Topology;
  beforeAll(async () => {
    t = await loadTemplates([VPC_3AZS, NAT_STACK]);
  });

  test('six subnets, each with its IPv6 block from Fn::Cidr over !GetAtt VPC.Ipv6CidrBlocks; Fn::GetAZs names assumed AZs', () => {
    expect(t.subnets).toHaveLength(6);
    expect(t.subnets.map((s) => s.ipv6Cidr)).toEqual([0, 1, 2, 3, 4, 5].map((i) => `<item ${i} of Fn::Cidr [item 0 of VPC VPC.Ipv6CidrBlocks, known after deploy, 6, 64]>`));
    expect(new Set(t.subnets.map((s) => s.az))).toEqual(new Set(['us-east-1a', 'us-east-1b', 'us-east-1c']));
    expect(t.source).toContain('AZ names assumed');
  });

  test('IPv6 network ACL entries are carried next to the IPv4 ones, in rule order', () => {
    const acl = t.networkAcls.find((a) => a.id === 'vpc-3azs/NetworkAclPrivate')!;
    expect(acl.ingress).toEqual([
      { ruleNumber: 98, protocol: 'all', action: 'allow', cidr: '::/0' },
      { ruleNumber: 99, protocol: 'all', action: 'allow', cidr: '0.0.0.0/0' },
    ]);
  });

  test('the NAT stack puts its gateway into the imported subnet and its route into the imported table; the worker walks out through it', () => {
    expect(t.natGateways[0]).toMatchObject({ id: 'vpc-nat-gateway/NatGateway', subnet: 'vpc-3azs/SubnetAPublic', vpc: 'vpc-3azs/VPC' });
    expect(t.routeTables.find((r) => r.id === 'vpc-3azs/RouteTablePrivate')!.routes).toContainEqual({ destination: '0.0.0.0/0', target: { kind: 'nat', id: 'vpc-nat-gateway/NatGateway' } });
    const w = walkOut(t, 'worker');
    expect(w.verdict).toBe('delivered');
    expect(w.observedAtDestination?.srcIp).toBe('<EIP EIP.PublicIp, known after deploy>');
  });
});

describe('a two-stack training VPC: IPv6 subnets from !Sub/!Select/!Split over !GetAtt VPC.Ipv6CidrBlocks, a host-bits rule', () => {
  let t: Topology;
  const notes: string[] = [];
  beforeAll(async () => {
    t = await loadTemplates([A4L_VPC, A4L_APP], { note: (m) => notes.push(m) });
  });

  test('each subnet IPv6 block is one named deploy-time value built from the VPC block', () => {
    expect(t.subnets.find((s) => s.id === 'a4l-vpc/SubnetWebA')!.ipv6Cidr).toBe(
      '<Subnet SubnetWebA.Ipv6CidrBlock: <item 0 of item 0 of VPC VPC.Ipv6CidrBlocks, known after deploy split at "00::/56">03::/64>',
    );
  });

  test('10.16.112.0/16 is masked to 10.16.0.0/16 as EC2 stores it, with one note naming the file and the rule', () => {
    expect(t.securityGroups.find((g) => g.id === 'a4l-app/AppSecurityGroup')!.ingress).toEqual([
      { protocol: 'tcp', fromPort: 8080, toPort: 8080, cidr: '10.16.0.0/16', description: 'web tier (10.16.48.0/20), written loosely' },
    ]);
    expect(notes).toEqual([`${A4L_APP}: Resources.AppFromWebTier.Properties.CidrIp: "10.16.112.0/16" has host bits set; EC2 stores it as 10.16.0.0/16, and so does natlab`]);
  });

  test('the bastion (auto-assigned public IP in the web subnet) reaches the internet directly; the app has no way out', () => {
    expect(walkOut(t, 'A4L-Bastion').verdict).toBe('delivered');
    const app = walkOut(t, 'A4L-App');
    expect(app.verdict).toBe('dropped');
    expect(app.dropped!.reason).toMatch(/route/i);
  });
});

describe('conditions on a parameter without default', () => {
  test('name the parameter to pass, and its allowed values, in one line', async () => {
    await expect(loadTemplates([ENV])).rejects.toThrow(
      new InputError(`${ENV}: Conditions.IsProduction: depends on parameter EnvironmentType, which has no default: pass --parameter EnvironmentType=VALUE (one of dev, prod)`),
    );
  });

  test.each([
    ['prod', 'delivered'],
    ['dev', 'dropped'],
  ])('--parameter EnvironmentType=%s decides them (the app walks out: %s)', async (env, verdict) => {
    const t = await loadTopology({ template: [ENV], parameter: [`EnvironmentType=${env}`] });
    expect(t.natGateways).toHaveLength(env === 'prod' ? 1 : 0);
    expect(t.vpcs[0].name).toBe(`${env}-vpc`);
    expect(walkOut(t, 'app').verdict).toBe(verdict);
  });

  test.each([
    [{ parameter: ['EnvironmentType=test'] }, `--parameter EnvironmentType=test: "test" is not one of the AllowedValues of ${ENV} Parameters.EnvironmentType (dev, prod)`],
    [{ parameter: ['Environment=prod'] }, '--parameter Environment=prod: no given template declares parameter "Environment"'],
    [{ parameter: ['prod'] }, '--parameter "prod": expected Key=Value'],
  ])('%j is bad input', async (opts, message) => {
    await expect(loadTopology({ template: [ENV], ...opts })).rejects.toThrow(new InputError(message));
  });
});

describe('an application placed into an existing VPC: --template with --aws-dump and the subnet as a parameter', () => {
  test('without a value, the subnet names the parameter to pass', async () => {
    await expect(loadTemplates([APP])).rejects.toThrow(
      new InputError(`${APP}: Resources.Worker.Properties.SubnetId: Parameter SubnetId, given at deploy, but natlab needs it to build the topology: pass --parameter SubnetId=VALUE (and --aws-dump DIR when the value names a resource outside the templates)`),
    );
  });

  test('with the dump and a parameters file, the worker sits in the dumped subnet and walks out through the dumped NAT gateway', async () => {
    const t = await loadTopology({ template: [APP], awsDump: SEED_DUMP, parameters: APP_PARAMETERS });
    expect(t.name).toBe('seed-lab+app-into-vpc');
    const worker = t.hosts.find((h) => h.id === 'Worker')!;
    expect(worker).toMatchObject({ subnet: 'subnet-0b66c77d88e99f001', securityGroups: ['WorkerSecurityGroup', 'sg-0c1e2f3a4b5c6d7e8'], privateIp: '<Worker private IP: any address of 10.0.1.0/24>' });
    expect(t.securityGroups.find((g) => g.id === 'WorkerSecurityGroup')!.vpc).toBe('vpc-0a1b2c3d4e5f60718');
    const w = walkOut(t, 'worker');
    expect(w.verdict).toBe('delivered');
    expect(w.observedAtDestination?.srcIp).toBe('3.224.9.52');
  });

  test('--parameter wins over the file; a subnet the dump lacks is bad input naming the template path', async () => {
    await expect(loadTopology({ template: [APP], awsDump: SEED_DUMP, parameters: APP_PARAMETERS, parameter: ['SubnetId=subnet-0000000000000000a'] })).rejects.toThrow(
      new InputError(`${APP}: Resources.Worker.Properties.SubnetId: names "subnet-0000000000000000a", which is neither in the templates nor in the dump`),
    );
  });

  test('--parameter without --template is bad input', async () => {
    await expect(loadTopology({ awsDump: SEED_DUMP, parameter: ['A=b'] })).rejects.toThrow(new InputError('--parameter applies only to --template'));
  });
});
