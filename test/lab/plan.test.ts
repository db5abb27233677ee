/** The twin's plan step is pure: these tests need no root and hold on any machine. */
import { parseConntrack } from '../../lib/lab/conntrack';
import { parseTcpdumpLine } from '../../lib/lab/capture';
import { MAX_IFNAME, newRunPrefix, RUN_PREFIX_PATTERN } from '../../lib/lab/names';
import { planTwin, type TwinPlan } from '../../lib/lab/plan';
import { networkAclForSubnet, routeTargetOwner } from '../../lib/model/rules';
import { walk } from '../../lib/model/walk';
import { goldenSources } from '../golden/record';
import { seedWith } from '../model/topologies';
import { parseSsPeers, withScaleClients } from '../../lib/lab/scale';
import { assertTwinAddress, chooseStandIns } from '../../lib/lab/standins';
import { InputError } from '../../lib/errors';
import { cidrContains } from '../../lib/model/address';
import { seedTopology } from '../../lib/sources';

const prefix = 'nl0a1b2c-';
const plan = planTwin(seedTopology(), { prefix });

describe('planTwin on the seed', () => {
  it('makes one namespace per host, gateway and segment, all carrying the run prefix', () => {
    expect(plan.namespaces.map((n) => n.name)).toEqual(
      ['internet', 'server', 'router-vpc-lab', 'client-a', 'client-b', 'direct', 'nat-xxx', 'igw-yyy'].map((n) => `${prefix}${n}`),
    );
    expect(new Set(plan.namespaces.map((n) => n.role))).toEqual(new Set(['internet', 'server', 'router', 'host', 'nat-gateway', 'internet-gateway']));
  });

  it('names every interface with the prefix and within 15 characters', () => {
    const names = plan.links.flatMap((l) => [l.a.ifname, l.b.ifname]);
    expect(names.length).toBe(14);
    for (const n of names) {
      expect(n.startsWith(prefix)).toBe(true);
      expect(n.length).toBeLessThanOrEqual(MAX_IFNAME);
    }
    // Every veth end lives in a twin namespace: the host's namespace is never named.
    for (const l of plan.links) for (const end of [l.a, l.b]) expect(end.ns.startsWith(prefix)).toBe(true);
  });

  it('never puts a real public address on an interface: stand-ins from the documentation ranges', () => {
    const addressLines = plan.namespaces.flatMap((n) => n.ipCommands.filter((c) => c.startsWith('address add')));
    const text = plan.namespaces.map((n) => n.ipCommands.join('\n')).join('\n');
    expect(text).not.toContain('3.224.9.52');
    expect(text).not.toContain('44.198.164.163');
    expect(addressLines).toContain('address add 198.51.100.10/32 dev nl0a1b2c-s0');
    expect(plan.standIns.entries).toEqual([
      { real: '3.224.9.52', standIn: '192.0.2.10', what: 'Elastic IP of NAT-GW' },
      { real: '203.0.113.10', standIn: '203.0.113.10', what: 'public IP of direct' },
      { real: '44.198.164.163', standIn: '198.51.100.10', what: 'server on the internet' },
    ]);
    expect(plan.standIns.real('192.0.2.10')).toBe('3.224.9.52');
  });

  it('turns each subnet route table into a kernel table chosen by ingress interface', () => {
    const router = plan.namespaces.find((n) => n.role === 'router')!;
    expect(router.ipCommands).toEqual(
      expect.arrayContaining([
        'route add throw 10.0.0.0/16 table 101',
        `route add 0.0.0.0/0 via 10.0.0.226 dev ${prefix}rn0 onlink table 101`,
        `route add 0.0.0.0/0 via 169.254.0.6 dev ${prefix}rg0 table 100`,
        `rule add iif ${prefix}r0 lookup 101 pref 100`,
        `route add 10.0.1.32/32 dev ${prefix}r0 table 50`,
      ]),
    );
  });

  it('routes the stand-ins of the real addresses a route covers (a blackhole to the server\'s /24 catches its stand-in)', () => {
    const topo = seedTopology();
    const rtb = topo.routeTables.find((t) => t.id === 'rtb-private') as unknown as { routes: unknown[] };
    rtb.routes.push({ destination: '44.198.164.0/24', target: { kind: 'blackhole' } });
    const router = planTwin(topo, { prefix }).namespaces.find((n) => n.role === 'router')!;
    expect(router.ipCommands).toEqual(expect.arrayContaining(['route add blackhole 44.198.164.0/24 table 101', 'route add blackhole 198.51.100.10/32 table 101']));
    // The default route keeps the stand-in only where no longer route covers it.
    expect(router.ipCommands.filter((c) => c.includes('198.51.100.10/32') && c.startsWith('route'))).toEqual(['route add blackhole 198.51.100.10/32 table 101']);
  });

  it('SNATs at the NAT Gateway with a random port from the range, and maps 1:1 statelessly at the IGW', () => {
    const nat = plan.namespaces.find((n) => n.role === 'nat-gateway')!;
    expect(nat.nft).toContain('snat ip to 10.0.0.226:1024-65535 random');
    const igw = plan.namespaces.find((n) => n.role === 'internet-gateway')!;
    expect(igw.nft).toContain('notrack');
    expect(igw.nft).toContain(`iifname "${prefix}gi0" ip saddr 10.0.0.226 ip saddr set 192.0.2.10 accept`);
    expect(igw.nft).toContain(`iifname "${prefix}go0" ip daddr 192.0.2.10 ip daddr set 10.0.0.226 accept`);
    expect(igw.nft).not.toMatch(/sport set|dport set/);
  });

  it('makes the server security group stateful with its rules mapped to stand-ins', () => {
    const server = plan.namespaces.find((n) => n.role === 'server')!;
    expect(server.nft).toContain('ct state established,related accept');
    expect(server.nft).toContain('ip saddr { 3.224.9.52/32, 192.0.2.10/32 } tcp dport 8080 accept');
  });

  it('applies tampering only when asked', () => {
    const t = planTwin(seedTopology(), { prefix, tamper: { natKeepsSourcePort: true, igwRewritesPorts: true } });
    expect(t.namespaces.find((n) => n.role === 'nat-gateway')!.nft).toContain('snat ip to 10.0.0.226\n');
    expect(t.namespaces.find((n) => n.role === 'internet-gateway')!.nft).toContain('tcp sport set tcp sport ^ 0x1000');
  });

  it('writes network ACL rules in rule-number order with the implicit deny last', () => {
    const topo = seedTopology();
    const acl = topo.networkAcls[0] as unknown as { ingress: Array<Record<string, unknown>> };
    acl.ingress = [
      { ruleNumber: 200, protocol: 'all', action: 'allow', cidr: '0.0.0.0/0' },
      { ruleNumber: 100, protocol: 'tcp', action: 'deny', cidr: '44.198.164.163/32', fromPort: 8080, toPort: 8080 },
    ];
    const router = planTwin(topo, { prefix }).namespaces.find((n) => n.role === 'router')!;
    const chain = router.nft.split('chain acl_subnet_private_in {\n')[1].split('\n  }')[0];
    const lines = chain.split('\n').map((l) => l.trim());
    expect(lines).toEqual([
      'ip saddr { 44.198.164.163/32, 198.51.100.10/32 } tcp dport 8080 drop comment "rule 100"',
      'ip saddr 0.0.0.0/0 return comment "rule 200"',
      'drop comment "rule * (implicit deny)"',
    ]);
  });

  it('refuses a NAT port range that is not one', () => {
    expect(() => planTwin(seedTopology(), { prefix, natPortRange: [2000, 1000] })).toThrow(InputError);
  });
});

describe('twin safety and names', () => {
  it('accepts private, link-local and documentation addresses only', () => {
    for (const ok of ['10.0.1.32', '169.254.0.1', '192.0.2.10', '198.51.100.7', '203.0.113.10']) expect(() => assertTwinAddress(ok, 'test')).not.toThrow();
    for (const bad of ['3.224.9.52', '44.198.164.163', '8.8.8.8', 'x']) expect(() => assertTwinAddress(bad, 'test')).toThrow(InputError);
  });

  it('refuses a topology whose VPC uses public addresses', () => {
    const topo = seedTopology();
    (topo.hosts[0] as { privateIp: string }).privateIp = '8.8.8.8';
    expect(() => planTwin(topo, { prefix })).toThrow(/8\.8\.8\.8/);
  });

  it('never hands out a stand-in the VPC itself uses (a VPC block inside a documentation range)', () => {
    const topo = seedTopology() as unknown as { vpcs: Array<{ cidrs: string[] }>; subnets: unknown[]; hosts: unknown[] };
    topo.vpcs[0].cidrs.push('192.0.2.0/28');
    topo.subnets.push({ id: 'subnet-doc', vpc: 'vpc-lab', cidr: '192.0.2.0/28', az: 'us-east-1a', routeTable: 'rtb-private', mapPublicIp: false });
    topo.hosts.push({ id: 'doc-host', kind: 'instance', subnet: 'subnet-doc', privateIp: '192.0.2.10', securityGroups: [] });
    const standIns = chooseStandIns(topo as unknown as Parameters<typeof chooseStandIns>[0]);
    expect(standIns.entries.find((e) => e.real === '3.224.9.52')?.standIn).toBe('192.0.2.16');
    expect(standIns.entries.filter((e) => cidrContains('192.0.2.0/28', e.standIn))).toEqual([]);
  });

  it('makes fresh run prefixes', () => {
    const a = newRunPrefix();
    expect(a).toMatch(RUN_PREFIX_PATTERN);
    expect(a).toHaveLength(9);
    expect(newRunPrefix()).not.toBe(a);
  });

  it('places scale clients at free, unreserved addresses of the flow source subnet', () => {
    const topo = seedTopology();
    const { clients } = withScaleClients(topo, topo.flows[0], 3);
    expect(clients.map((c) => c.privateIp)).toEqual(['10.0.1.4', '10.0.1.5', '10.0.1.6']);
    expect(() => withScaleClients(topo, topo.flows[0], 300)).toThrow(/free addresses/);
  });
});

describe('parsers', () => {
  it('reads conntrack source-NAT entries', () => {
    const text = 'tcp      6 117 TIME_WAIT src=10.0.1.32 dst=198.51.100.10 sport=32222 dport=8080 src=198.51.100.10 dst=10.0.0.226 sport=8080 dport=27318 [ASSURED] mark=0 use=1\n';
    expect(parseConntrack(text)).toEqual([
      {
        protocol: 'tcp',
        state: 'TIME_WAIT',
        original: { srcIp: '10.0.1.32', srcPort: 32222, dstIp: '198.51.100.10', dstPort: 8080 },
        reply: { srcIp: '198.51.100.10', srcPort: 8080, dstIp: '10.0.0.226', dstPort: 27318 },
      },
    ]);
    expect(parseConntrack('conntrack v1.4.7 (conntrack-tools): 0 flow entries have been shown.\n')).toEqual([]);
  });

  it('reads tcpdump SYN and SYN-ACK lines', () => {
    expect(parseTcpdumpLine('p', '1700000000.400258 IP 192.0.2.10.32222 > 198.51.100.10.8080: Flags [S], seq 3876021347, win 64240, length 0')).toEqual({
      point: 'p', time: 1700000000.400258, srcIp: '192.0.2.10', srcPort: 32222, dstIp: '198.51.100.10', dstPort: 8080, flags: 'S', seq: 3876021347, ack: undefined,
    });
    expect(parseTcpdumpLine('p', '1700000000.4 IP 198.51.100.10.8080 > 192.0.2.10.32222: Flags [S.], seq 2703864145, ack 3876021348, win 65160')?.ack).toBe(3876021348);
    expect(parseTcpdumpLine('p', 'listening on x, link-type EN10MB')).toBeUndefined();
  });

  it('reads socket peers from ss', () => {
    expect(parseSsPeers('0  0  198.51.100.10:8080  192.0.2.10:20055\n0 0 [::ffff:198.51.100.10]:8080 ::ffff:192.0.2.10:1025\n')).toEqual([
      { ip: '192.0.2.10', port: 20055 },
      { ip: '192.0.2.10', port: 1025 },
    ]);
  });
});

describe('the twin and the model give the same answers to the AWS rules', () => {
  // Every scenario and fixture topology of the golden set whose twin can be built.
  const sources = goldenSources();

  it.each(sources.map((s) => [s.name, s] as const))('%s: ACL of each subnet, owner of each route target', async (_name, source) => {
    const t = await source.load();
    let twin: TwinPlan;
    try {
      twin = planTwin(t, { prefix });
    } catch (err) {
      // A topology the twin refuses (deploy-time addresses) is refused in one line, never built wrong.
      expect(err).toBeInstanceOf(InputError);
      return;
    }
    for (const { subnet, acl } of twin.decisions.subnetAcls) {
      expect([subnet, acl]).toEqual([subnet, networkAclForSubnet(t, t.subnets.find((s) => s.id === subnet)!)?.id ?? null]);
    }
    for (const { table, destination, to } of twin.decisions.routeTargets) {
      const route = t.routeTables.find((r) => r.id === table)!.routes.find((r) => r.destination === destination)!;
      const owner = routeTargetOwner(t, route.target);
      const built = owner && (owner.kind === 'nat' ? twin.nats.some((n) => n.id === owner.nat.id) : twin.hosts.some((h) => h.hostId === owner.host.id));
      expect([table, destination, to]).toEqual([table, destination, built ? (owner.kind === 'nat' ? `nat:${owner.nat.id}` : `host:${owner.host.id}`) : null]);
    }
  });

  it('guards a subnet with the ACL marked isDefault when the VPC names no default ACL, as the walk does', () => {
    const t = seedWith((x) => void delete x.vpcs[0].defaultNetworkAcl);
    const aclHop = walk(t, { protocol: 'tcp', from: 'client-a', sourcePort: 32222, to: { host: 'server', port: 8080 } }).hops.find((h) => h.component.kind === 'network-acl')!;
    const twin = planTwin(t, { prefix });
    expect(twin.decisions.subnetAcls.find((d) => d.subnet === 'subnet-private')?.acl).toBe(aclHop.component.id);
    expect(aclHop.component.id).toBe('acl-default');
    expect(twin.namespaces.find((n) => n.role === 'router')!.nft).toContain('chain acl_subnet_private_in');
  });

  it('routes to a host named by its alias (a template logical id), as the walk does', () => {
    const t = seedWith((x) => {
      x.hosts.push({ id: 'appliance', name: 'appliance', kind: 'instance', subnet: 'subnet-public', privateIp: '10.0.0.30', aliases: ['Appliance'], securityGroups: ['sg-clients'] });
      x.routeTables.find((r) => r.id === 'rtb-private')!.routes.push({ destination: '10.0.0.30/32', target: { kind: 'eni', id: 'Appliance' } });
    });
    const twin = planTwin(t, { prefix });
    expect(twin.decisions.routeTargets).toContainEqual({ table: 'rtb-private', destination: '10.0.0.30/32', to: 'host:appliance' });
    const router = twin.namespaces.find((n) => n.role === 'router')!;
    expect(router.ipCommands).toContainEqual(expect.stringMatching(/^route add 10\.0\.0\.30\/32 via 10\.0\.0\.30 dev \S+ onlink table \d+$/));
    expect(router.ipCommands.some((c) => c.startsWith('route add unreachable 10.0.0.30/32'))).toBe(false);
  });
});
