/**
 * `findings` on a broken multi-stack VPC (test/fixtures/templates/picnic: network, security and
 * app stacks importing from each other, five planted faults): every fault is listed once, by
 * the resource to fix, with the flows it breaks; fixing it in the template removes it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../../lib/errors';
import { type FindingFlow, type FindingsResult, findings } from '../../lib/model/findings';
import { hostClasses } from '../../lib/model/host-classes';
import { parseTemplate } from '../../lib/sources/private/cfn-parse';
import { topologyFromTemplates } from '../../lib/sources/template';
import { seedTopology } from '../../lib/sources';
import { largeVpcTemplate } from '../fixtures/templates/large-vpc';

const DIR = join(__dirname, '..', 'fixtures', 'templates', 'picnic');
const STACKS = ['network', 'security', 'app'] as const;
type Stack = (typeof STACKS)[number];

/** The picnic VPC, with `edits` applied to a stack's text first (a fix, for the tests that need one). */
function picnic(edits: Partial<Record<Stack, (text: string) => string>> = {}) {
  return topologyFromTemplates(
    STACKS.map((stack) => {
      const file = join(DIR, `${stack}.yaml`);
      const original = readFileSync(file, 'utf8');
      const text = edits[stack]?.(original) ?? original;
      if (edits[stack] && text === original) throw new Error(`the edit of ${stack}.yaml changed nothing`);
      return { file, stack, template: parseTemplate(text, file) };
    }),
  );
}

function cause(result: FindingsResult, fault: string) {
  return result.causes.find((c) => c.fault === fault);
}

function flowNames(flows: readonly FindingFlow[]): string[] {
  return flows.map((f) => `${f.from} -> ${f.to} ${f.protocol}`).sort();
}

function flow(result: FindingsResult, from: string, to: string, protocol: string): FindingFlow {
  const found = result.flows.find((f) => f.from === from && f.to === to && f.protocol === protocol);
  if (!found) throw new Error(`no flow ${from} -> ${to} ${protocol}`);
  return found;
}

const FAULTS = {
  missingDefaultRoute: 'route table network/RouteTablePrivateB (picnic-rt-private-b) has no route to the internet (no 0.0.0.0/0 entry)',
  natSubnetWithoutIgw:
    'route table network/RouteTablePublicC (picnic-rt-public-c) of network/SubnetPublicC (picnic-public-c), where NAT gateway network/NatGatewayC (picnic-nat-c) sits, has no route to the internet (no 0.0.0.0/0 entry)',
  naclDeniesIcmp: 'network ACL security/NaclWebC (picnic-nacl-webc) inbound rule 100 denies icmp',
  sgEgressOnePort: 'security group security/SgApp (picnic-sg-app) allows egress tcp/80 only',
  publicIpBehindNat:
    'route table network/RouteTablePrivateA (picnic-rt-private-a) of network/SubnetAppA (picnic-app-a) sends replies to NAT gateway network/NatGatewayA (picnic-nat-a), which never saw those connections and drops them: connections from outside to hosts there (a public IP on a host behind a NAT route) fail; give the subnet an internet gateway route, or reach its hosts through the NAT',
};

describe('findings on the broken picnic VPC (three stacks)', () => {
  const result = findings(picnic());

  it('walks every host to the internet and to every other host, for tcp and icmp, and the internet to hosts with a public IP', () => {
    expect(result.hosts).toEqual(['picnic-instance-appa', 'picnic-bastion', 'picnic-instance-appb', 'picnic-instance-appc', 'picnic-web-c', 'internet']);
    // 5 hosts x (internet + 4 others) x 2 protocols, then the internet to the 2 hosts with a public IP.
    expect(result.flows).toHaveLength(5 * 5 * 2 + 2 * 2);
    expect(result.flows.every((f) => f.verdict !== 'left-model')).toBe(true);
  });

  it('a missing default route in one AZ: the table of that AZ, for its hosts\' internet flows only', () => {
    const c = cause(result, FAULTS.missingDefaultRoute)!;
    expect(c.component).toBe('network/RouteTablePrivateB');
    expect(flowNames(c.flows)).toEqual(['picnic-instance-appb -> internet icmp', 'picnic-instance-appb -> internet tcp']);
    expect(c.flows[0].dropped?.reason).toBe('route table network/RouteTablePrivateB (picnic-rt-private-b) of network/SubnetAppB (picnic-app-b) has no route for 8.8.8.8 (no 0.0.0.0/0 entry)');
    // The other AZs' hosts are unaffected by it: AZ a's bastion leaves through NatGatewayA.
    expect(flow(result, 'picnic-bastion', 'internet', 'tcp').verdict).toBe('delivered');
  });

  it('a NAT gateway in a subnet whose route table has no internet gateway route: named as that NAT\'s table', () => {
    const c = cause(result, FAULTS.natSubnetWithoutIgw)!;
    expect(c.component).toBe('network/RouteTablePublicC');
    expect(flowNames(c.flows)).toEqual(['picnic-instance-appc -> internet icmp', 'picnic-instance-appc -> internet tcp']);
    expect(c.flows[0].dropped?.reason).toContain('the subnet of NAT gateway network/NatGatewayC (picnic-nat-c), has no route for 8.8.8.8');
  });

  it('a NACL that denies ICMP one way: requests into the subnet and replies back into it, said per path', () => {
    const c = cause(result, FAULTS.naclDeniesIcmp)!;
    expect(c.component).toBe('security/NaclWebC');
    expect(c.paths).toEqual(['reply', 'request']);
    expect(c.flows.every((f) => f.protocol === 'icmp')).toBe(true);
    // Out to the internet the request passes (outbound allows all); the echo reply dies coming in.
    const out = flow(result, 'picnic-web-c', 'internet', 'icmp');
    expect(out.dropped).toMatchObject({ path: 'reply', component: 'security/NaclWebC' });
    expect(out.dropped?.reason).toContain('network ACL security/NaclWebC (picnic-nacl-webc) inbound rule 100 denies icmp echo-reply from 8.8.8.8');
    // Pinging in dies on the request; tcp in is untouched by the ACL.
    expect(flow(result, 'internet', 'picnic-web-c', 'icmp').dropped).toMatchObject({ path: 'request', component: 'security/NaclWebC' });
    expect(flow(result, 'picnic-bastion', 'picnic-web-c', 'icmp').dropped?.path).toBe('request');
    expect(flow(result, 'picnic-web-c', 'internet', 'tcp').verdict).toBe('delivered');
  });

  it('security group egress restricted to one port: every flow of its host but tcp/80, at the group', () => {
    const c = cause(result, FAULTS.sgEgressOnePort)!;
    expect(c.component).toBe('security/SgApp');
    expect(c.flows.every((f) => f.from === 'picnic-instance-appa')).toBe(true);
    expect(c.flows).toHaveLength(10); // internet and four hosts, tcp and icmp
    expect(flow(result, 'picnic-instance-appa', 'internet', 'tcp').dropped?.reason).toBe('security group security/SgApp (picnic-sg-app) allows egress tcp/80 only; not tcp/443 to 8.8.8.8');
  });

  it('an instance with a public IP behind a NAT route: out works, in dies on the reply path at the NAT', () => {
    const c = cause(result, FAULTS.publicIpBehindNat)!;
    expect(c.component).toBe('network/NatGatewayA');
    expect(c.paths).toEqual(['reply']);
    expect(flowNames(c.flows)).toEqual(['internet -> picnic-bastion icmp', 'internet -> picnic-bastion tcp']);
    expect(flow(result, 'picnic-bastion', 'internet', 'tcp').verdict).toBe('delivered');
  });

  it('the planted faults are exactly the causes outside the receivers\' own security groups', () => {
    const stages = Object.fromEntries(result.causes.map((c) => [c.fault, c.stage]));
    expect(stages[FAULTS.missingDefaultRoute]).toBe('route-table');
    expect(stages[FAULTS.natSubnetWithoutIgw]).toBe('route-table');
    expect(stages[FAULTS.naclDeniesIcmp]).toBe('network-acl');
    expect(stages[FAULTS.sgEgressOnePort]).toBe('security-group-egress');
    expect(stages[FAULTS.publicIpBehindNat]).toBe('nat-gateway');
    const faults = result.causes.filter((c) => c.stage !== 'security-group-ingress').map((c) => c.fault);
    expect([...faults].sort()).toEqual(Object.values(FAULTS).sort());
    // The rest is each receiver admitting ssh only from the bastion's group.
    for (const c of result.causes.filter((x) => x.stage === 'security-group-ingress')) expect(c.fault).toMatch(/tcp\/22 from security\/SgBastion/);
  });

  it('lists each fault once, the one breaking most flows first', () => {
    const faults = result.causes.map((c) => c.fault);
    expect(new Set(faults).size).toBe(faults.length);
    for (const fault of Object.values(FAULTS)) expect(faults).toContain(fault);
    const sizes = result.causes.map((c) => c.flows.length);
    expect([...sizes].sort((a, b) => b - a)).toEqual(sizes);
    // Every dropped flow is in exactly one cause.
    expect(result.causes.reduce((n, c) => n + c.flows.length, 0)).toBe(result.flows.filter((f) => f.verdict === 'dropped').length);
  });
});

describe('fixing a planted fault in its template removes it, and the flows it broke work', () => {
  it.each([
    ['the default route of AZ b', 'network', FAULTS.missingDefaultRoute, (t: string) => t.replace('  AppBAssociation:', '  RoutePrivateBDefault:\n    Type: AWS::EC2::Route\n    Properties: { RouteTableId: !Ref RouteTablePrivateB, DestinationCidrBlock: 0.0.0.0/0, NatGatewayId: !Ref NatGatewayB }\n  AppBAssociation:'), ['picnic-instance-appb']],
    ['the internet gateway route of NatGatewayC\'s subnet', 'network', FAULTS.natSubnetWithoutIgw, (t: string) => t.replace('PublicCAssociation:\n    Type: AWS::EC2::SubnetRouteTableAssociation\n    Properties: { SubnetId: !Ref SubnetPublicC, RouteTableId: !Ref RouteTablePublicC }', 'PublicCAssociation:\n    Type: AWS::EC2::SubnetRouteTableAssociation\n    Properties: { SubnetId: !Ref SubnetPublicC, RouteTableId: !Ref RouteTablePublic }'), ['picnic-instance-appc']],
    ['SgApp\'s egress', 'security', FAULTS.sgEgressOnePort, (t: string) => t.replace("- { IpProtocol: tcp, FromPort: 80, ToPort: 80, CidrIp: 0.0.0.0/0 }", "- { IpProtocol: '-1', CidrIp: 0.0.0.0/0 }"), ['picnic-instance-appa']],
  ] as const)('%s', (_what, stack, fault, edit, hosts) => {
    const fixed = findings(picnic({ [stack]: edit }));
    expect(cause(fixed, fault)).toBeUndefined();
    for (const host of hosts) {
      expect(flow(fixed, host, 'internet', 'tcp').verdict).toBe('delivered');
      expect(flow(fixed, host, 'internet', 'icmp').verdict).toBe('delivered');
    }
  });

  it('the ICMP deny of NaclWebC: pings in and out of the web subnet work', () => {
    const fixed = findings(picnic({ security: (t) => t.replace('RuleAction: deny', 'RuleAction: allow') }));
    expect(cause(fixed, FAULTS.naclDeniesIcmp)).toBeUndefined();
    expect(flow(fixed, 'picnic-web-c', 'internet', 'icmp').verdict).toBe('delivered');
    expect(flow(fixed, 'internet', 'picnic-web-c', 'icmp').verdict).toBe('delivered');
  });

  it('the bastion moved to a public subnet: reachable from the internet, replies through the internet gateway', () => {
    const fixed = findings(
      picnic({
        network: (t) => t.replace('  SubnetAppC:\n    Value', '  SubnetPublicA:\n    Value: !Ref SubnetPublicA\n    Export: { Name: !Sub \'${EnvName}-SubnetPublicA\' }\n  SubnetAppC:\n    Value'),
        app: (t) => t.replace("SubnetId: { 'Fn::ImportValue': !Sub '${EnvName}-SubnetAppA' }\n          AssociatePublicIpAddress", "SubnetId: { 'Fn::ImportValue': !Sub '${EnvName}-SubnetPublicA' }\n          AssociatePublicIpAddress"),
      }),
    );
    expect(cause(fixed, FAULTS.publicIpBehindNat)).toBeUndefined();
    expect(flow(fixed, 'internet', 'picnic-bastion', 'tcp').verdict).toBe('delivered');
  });
});

describe('host classes: one walk per pair of classes gives the same answer as walking every flow', () => {
  it.each([
    ['picnic', () => picnic()],
    ['the seed', () => seedTopology()],
    [
      'the seed with client-b in a group of its own (same subnet, other rules)',
      () => {
        const seed = seedTopology();
        seed.securityGroups.push({ id: 'sg-b', vpc: 'vpc-lab', ingress: [{ protocol: 'all', cidr: '10.0.0.0/16' }], egress: [{ protocol: 'tcp', fromPort: 8080, toPort: 8080, cidr: '0.0.0.0/0' }] });
        seed.hosts.find((h) => h.id === 'client-b')!.securityGroups.splice(0, 1, 'sg-b');
        return seed;
      },
    ],
    [
      'the seed with a /32 rule that admits client-a only (same subnet and group as client-b)',
      () => {
        const seed = seedTopology();
        seed.securityGroups.find((g) => g.id === 'sg-clients')!.ingress.push({ protocol: 'tcp', fromPort: 22, toPort: 22, cidr: '10.0.1.32/32' });
        return seed;
      },
    ],
    [
      'the seed with the private subnet routed straight to the internet gateway (hosts without a public IP, one fault for the subnet)',
      () => {
        const seed = seedTopology();
        const routes = seed.routeTables.find((t) => t.id === 'rtb-private')!.routes;
        routes.splice(routes.findIndex((r) => r.destination === '0.0.0.0/0'), 1, { destination: '0.0.0.0/0', target: { kind: 'igw', id: 'igw-yyy' } });
        return seed;
      },
    ],
    [
      'the seed with public IPs on both clients behind the NAT route (replies die at the NAT, one fault for the subnet)',
      () => {
        const seed = seedTopology();
        for (const [id, publicIp] of [['client-a', '198.51.100.1'], ['client-b', '198.51.100.2']]) {
          const i = seed.hosts.findIndex((h) => h.id === id);
          seed.hosts.splice(i, 1, { ...seed.hosts[i], publicIp });
        }
        seed.securityGroups.find((g) => g.id === 'sg-clients')!.ingress.push({ protocol: 'all', cidr: '0.0.0.0/0' });
        return seed;
      },
    ],
    ['a generated VPC of 2 AZs x 4 subnets x 3 hosts', () => topologyFromTemplates([{ file: 'large.json', stack: 'large', template: largeVpcTemplate({ azs: 2, hostsPerSubnet: 3 }) as never }])],
  ])('%s', (_name, load) => {
    const topology = load();
    const derived = findings(topology);
    const exhaustive = findings(topology, { exhaustive: true });
    // Every field, reasons included (a derived flow's reason is its own walk's, naming its own host).
    expect(JSON.parse(JSON.stringify(derived.flows))).toEqual(JSON.parse(JSON.stringify(exhaustive.flows)));
    expect(derived.causes.map((c) => [c.fault, c.flows.length])).toEqual(exhaustive.causes.map((c) => [c.fault, c.flows.length]));
  });

  it('hosts of one subnet and group are one class; a host a route points at, or a /32 rule singles out, is its own', () => {
    const topology = topologyFromTemplates([{ file: 'large.json', stack: 'large', template: largeVpcTemplate({ azs: 1, hostsPerSubnet: 3 }) as never }]);
    const classes = hostClasses(topology);
    const ofName = (name: string) => classes.get(topology.hosts.find((h) => h.name === name)!);
    expect(ofName('app-a-0')).toBe(ofName('app-a-2'));
    expect(ofName('app-a-0')).not.toBe(ofName('data-a-0'));
    const seed = seedTopology();
    seed.securityGroups.find((g) => g.id === 'sg-clients')!.ingress.push({ protocol: 'tcp', fromPort: 22, toPort: 22, cidr: '10.0.1.32/32' });
    seed.routeTables.find((t) => t.id === 'rtb-private')!.routes.push({ destination: '192.168.0.0/16', target: { kind: 'instance', id: 'client-b' } });
    const seedClasses = hostClasses(seed);
    const [a, b] = ['client-a', 'client-b'].map((id) => seedClasses.get(seed.hosts.find((h) => h.id === id)!));
    expect(a).not.toBe(b);
  });

  it('reasons: first-per-cause skips the derived flows\' own walks, and changes nothing else', () => {
    const topology = topologyFromTemplates([{ file: 'large.json', stack: 'large', template: largeVpcTemplate({ azs: 1, hostsPerSubnet: 3 }) as never }]);
    const every = findings(topology);
    const first = findings(topology, { reasons: 'first-per-cause' });
    const strip = (flows: readonly FindingFlow[]) => flows.map((f) => ({ ...f, dropped: f.dropped && { ...f.dropped, reason: undefined } }));
    expect(strip(first.flows)).toEqual(strip(every.flows));
    expect(first.flows.filter((f) => f.dropped && f.dropped.reason === undefined).length).toBeGreaterThan(0);
    for (const c of first.causes) expect(c.flows[0].dropped?.reason).toBe(every.causes.find((x) => x.fault === c.fault)!.flows[0].dropped?.reason);
  });

  it('a derived flow is a plain object: spreads, clones and JSON see its reason', () => {
    const result = findings(seedTopology());
    const derived = result.flows.find((f) => f.from === 'client-b' && f.to === 'direct' && f.protocol === 'tcp')!;
    expect({ ...derived.dropped }).toEqual({ component: 'sg-clients', reason: 'security group sg-clients (clients) allows no ingress; not tcp/22 from client-b (10.0.1.123)', fault: 'security group sg-clients (clients) allows no ingress', cause: { kind: 'sg-deny', groups: ['sg-clients'], side: 'ingress' }, path: 'request', stage: 'security-group-ingress' });
    expect(structuredClone(derived)).toEqual(JSON.parse(JSON.stringify(derived)));
  });

  it('a derived flow\'s reason names its own sender, not the walked one', () => {
    const topology = topologyFromTemplates([{ file: 'large.json', stack: 'large', template: largeVpcTemplate({ azs: 1, hostsPerSubnet: 2 }) as never }]);
    const result = findings(topology);
    const [first, second] = ['data-a-0', 'data-a-1'].map((from) => result.flows.find((f) => f.from === from && f.to === 'app-a-0' && f.protocol === 'tcp')!);
    expect(first.dropped?.fault).toBe(second.dropped?.fault);
    expect(first.dropped?.reason).toContain('not tcp/22 from data-a-0 (an address of 10.50.2.0/24)');
    expect(second.dropped?.reason).toContain('not tcp/22 from data-a-1 (an address of 10.50.2.0/24)');
  });
});

describe('findings on the seed', () => {
  it('tries the server on the port the seed\'s flows use (8080), and other hosts on tcp/22', () => {
    const result = findings(seedTopology());
    expect(flow(result, 'client-a', 'server', 'tcp')).toMatchObject({ port: 8080, verdict: 'delivered', toIp: '44.198.164.163' });
    expect(flow(result, 'client-a', 'client-b', 'tcp')).toMatchObject({ port: 22, verdict: 'dropped' });
    expect(flow(result, 'client-a', 'internet', 'icmp')).toMatchObject({ port: null, verdict: 'delivered', toIp: '8.8.8.8' });
  });

  it.each([
    [{ internet: { ip: '10.1.2.3', port: 443 } }, '--internet "10.1.2.3" must be a public unicast IPv4 address'],
    [{ internet: { ip: '44.198.164.163', port: 443 } }, '--internet "44.198.164.163" belongs to server'],
    [{ internet: { ip: '8.8.8.8', port: 70000 } }, '--internet port "70000" is not a port number'],
    [{ internet: { ip: '169.254.169.254', port: 80 } }, '--internet "169.254.169.254" must be a public unicast IPv4 address'],
    [{ internet: { ip: '224.0.0.5', port: 80 } }, '--internet "224.0.0.5" must be a public unicast IPv4 address'],
    [{ hostPort: 0 }, '--port "0" is not a port number'],
  ])('bad options are bad input: %o', (options, message) => {
    expect(() => findings(seedTopology(), options)).toThrow(InputError);
    expect(() => findings(seedTopology(), options)).toThrow(message);
  });
});
