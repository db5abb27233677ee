/** One rule of DESIGN.md section 2 per case, including the cases that break things. */
import { join } from 'node:path';
import { InputError } from '../../lib/errors';
import { NatTable } from '../../lib/model/nat-table';
import type { Walk } from '../../lib/model/types';
import { natSimulation, walk } from '../../lib/model/walk';
import { shortAnswer } from '../../lib/report/text';
import { seedTopology } from '../../lib/sources';
import { loadScenario } from '../../lib/sources/scenario';
import { addRegionalNat, seedWith, setDefaultRoute, table } from './topologies';

const TO_SERVER = { protocol: 'tcp' as const, sourcePort: 32222, to: { host: 'server', port: 8080 } };

function lastHop(w: Walk) {
  return w.hops[w.hops.length - 1];
}

describe('replies take their own path', () => {
  // An instance with a public IP in the private subnet, whose 0/0 goes to the NAT Gateway.
  const topology = seedWith((t) => {
    t.hosts.push({ id: 'web', name: 'web', kind: 'instance', subnet: 'subnet-private', privateIp: '10.0.1.50', publicIp: '203.0.113.50', securityGroups: ['sg-web'] });
    t.securityGroups.push({ id: 'sg-web', vpc: 'vpc-lab', ingress: [{ protocol: 'tcp', fromPort: 22, toPort: 22, cidr: '0.0.0.0/0' }], egress: [{ protocol: 'all', cidr: '0.0.0.0/0' }] });
  });

  it('inbound to a public IP arrives, but the reply goes to the NAT, which has no entry and drops it', () => {
    const w = walk(topology, { protocol: 'tcp', from: '198.51.100.7', sourcePort: 50000, to: { host: '203.0.113.50', port: 22 } });
    expect(w.verdict).toBe('delivered');
    expect(w.observedAtDestination).toEqual({ srcIp: '198.51.100.7', srcPort: { exact: 50000 } });
    expect(w.reply?.verdict).toBe('dropped');
    expect(w.reply?.dropped?.component).toBe('nat-xxx');
    expect(w.reply?.dropped?.cause).toEqual({ kind: 'nat-asymmetric-return', nat: 'nat-xxx', subnet: 'subnet-private', table: 'rtb-private' });
    expect(w.reply?.hops.find((h) => h.component.id === 'rtb-private')?.matched).toBe('0.0.0.0/0 -> nat-xxx');
  });

  it('outbound from the same instance works, through the NAT', () => {
    const w = walk(topology, { ...TO_SERVER, from: 'web' });
    expect(w.observedAtDestination?.srcIp).toBe('3.224.9.52');
    expect(w.reply?.verdict).toBe('delivered');
  });
});

describe('network ACLs (stateless, both directions, ephemeral ports)', () => {
  const withPublicAcl = (ingressReplyRule: { fromPort: number; toPort: number } | null) =>
    seedWith((t) => {
      t.subnets.find((s) => s.id === 'subnet-public')!.networkAcl = 'acl-public';
      t.networkAcls.push({
        id: 'acl-public',
        vpc: 'vpc-lab',
        isDefault: false,
        ingress: [
          { ruleNumber: 100, protocol: 'all', action: 'allow', cidr: '10.0.0.0/16' },
          { ruleNumber: 110, protocol: 'tcp', action: 'allow', cidr: '0.0.0.0/0', fromPort: 443, toPort: 443 },
          ...(ingressReplyRule ? [{ ruleNumber: 120, protocol: 'tcp' as const, action: 'allow' as const, cidr: '0.0.0.0/0', ...ingressReplyRule }] : []),
        ],
        egress: [{ ruleNumber: 100, protocol: 'all', action: 'allow', cidr: '0.0.0.0/0' }],
      });
    });

  it('without ephemeral ports the reply is dropped entering the NAT subnet', () => {
    const w = walk(withPublicAcl(null), { ...TO_SERVER, from: 'client-a' });
    expect(w.verdict).toBe('delivered');
    expect(w.reply?.verdict).toBe('dropped');
    expect(w.reply?.dropped?.component).toBe('acl-public');
    expect(w.reply?.dropped?.reason).toBe('network ACL acl-public inbound has no rule allowing tcp/1024-65535 from 44.198.164.163 (the implicit * rule denies it)');
    expect(w.reply?.hops[w.reply.hops.length - 1]).toMatchObject({ step: 7, action: 'drop', component: { kind: 'network-acl' } });
  });

  it('with only part of 1024-65535 allowed, the reply goes on with the port narrowed, and the hop says who is dropped', () => {
    const w = walk(withPublicAcl({ fromPort: 32768, toPort: 65535 }), { ...TO_SERVER, from: 'client-a' });
    // Not a guessed drop: about half of real connections pass, so the walk goes on with the range that passes.
    expect(w.reply?.verdict).toBe('delivered');
    const acl = w.reply!.hops.find((h) => h.component.id === 'acl-public' && h.component.name === 'subnet-public ingress')!;
    expect(acl.action).toBe('filter');
    expect(acl.before.dstPort).toEqual({ min: 1024, max: 65535 });
    expect(acl.after.dstPort).toEqual({ min: 32768, max: 65535 });
    expect(acl.detail).toContain('only NAT ports 32768-65535 of 1024-65535 pass acl-public ingress');
    expect(acl.detail).toContain('about 51% of connections; the rest (port 1024-32767) are dropped at acl-public');
    // The NAT maps the narrowed range back to the client's port.
    const back = w.reply!.hops.find((h) => h.component.id === 'nat-xxx' && h.action === 'translate')!;
    expect(back.before.dstPort).toEqual({ min: 32768, max: 65535 });
    expect(back.after.dstPort).toEqual({ exact: 32222 });
    expect(shortAnswer(w)).toContain('the reply gets back only for connections whose port is in 32768-65535: the rest are dropped at acl-public');
  });

  it('several allowed parts: the port stays within them, and the hop names each part and the dropped rest', () => {
    const topology = seedWith((t) => {
      t.subnets.find((s) => s.id === 'subnet-public')!.networkAcl = 'acl-public';
      t.networkAcls.push({
        id: 'acl-public',
        vpc: 'vpc-lab',
        isDefault: false,
        ingress: [
          { ruleNumber: 100, protocol: 'all', action: 'allow', cidr: '10.0.0.0/16' },
          { ruleNumber: 110, protocol: 'tcp', action: 'allow', cidr: '0.0.0.0/0', fromPort: 60000, toPort: 65535 },
          { ruleNumber: 120, protocol: 'tcp', action: 'allow', cidr: '0.0.0.0/0', fromPort: 2000, toPort: 2999 },
        ],
        egress: [{ ruleNumber: 100, protocol: 'all', action: 'allow', cidr: '0.0.0.0/0' }],
      });
    });
    const w = walk(topology, { ...TO_SERVER, from: 'client-a' });
    const acl = w.reply!.hops.find((h) => h.component.id === 'acl-public' && h.component.name === 'subnet-public ingress')!;
    expect(acl.after.dstPort).toEqual({ min: 2000, max: 65535 });
    expect(acl.detail).toContain('only NAT ports 2000-2999, 60000-65535 of 1024-65535 pass');
    expect(acl.detail).toContain('about 10% of connections; the rest (port 1024-1999, 3000-59999) are dropped at acl-public');
  });

  it('scenarios/nacl-no-ephemeral.yaml (no ephemeral port allowed at all) still drops every reply', async () => {
    const topology = await loadScenario(join(__dirname, '..', '..', 'scenarios', 'nacl-no-ephemeral.yaml'));
    for (const flow of topology.flows) {
      const w = walk(topology, flow);
      expect(w.reply?.verdict).toBe('dropped');
      expect(w.reply?.dropped?.component).toBe('acl-public');
    }
  });

  it('an exact port (a live NAT table) outside the allowed part is a drop, not a narrowing', () => {
    const nat = new NatTable({ addresses: ['10.0.0.226'], portRange: { min: 20000, max: 20001 } });
    const w = walk(withPublicAcl({ fromPort: 32768, toPort: 65535 }), { ...TO_SERVER, from: 'client-a' }, { nat: { table: () => nat, now: 0 } });
    expect(w.reply?.verdict).toBe('dropped');
    expect(w.reply?.dropped?.component).toBe('acl-public');
  });

  it('with 1024-65535 allowed the reply gets back', () => {
    const w = walk(withPublicAcl({ fromPort: 1024, toPort: 65535 }), { ...TO_SERVER, from: 'client-a' });
    expect(w.reply?.verdict).toBe('delivered');
  });

  it('the lowest rule number decides: a deny at 90 beats an allow at 100', () => {
    const topology = seedWith((t) => {
      t.networkAcls[0].egress.push({ ruleNumber: 90, protocol: 'tcp', action: 'deny', cidr: '44.198.164.163/32', fromPort: 8080, toPort: 8080 });
    });
    const w = walk(topology, { ...TO_SERVER, from: 'client-a' });
    expect(w.verdict).toBe('dropped');
    expect(w.dropped).toMatchObject({ component: 'acl-default', reason: 'network ACL acl-default (default) outbound rule 90 denies tcp/8080 to 44.198.164.163' });
    expect(w.dropped?.cause).toEqual({ kind: 'nacl-deny', acl: 'acl-default', side: 'egress', rule: 90 });
    expect(lastHop(w).match).toEqual({ kind: 'network-acl', acl: 'acl-default', side: 'egress', rules: [90] });
    expect(lastHop(w).detail).toContain('leaves subnet-private');
  });

  it('a VPC with no ACL in the topology allows all', () => {
    const topology = seedWith((t) => {
      t.networkAcls = [];
      delete t.vpcs[0].defaultNetworkAcl;
    });
    const w = walk(topology, { ...TO_SERVER, from: 'client-a' });
    expect(w.reply?.verdict).toBe('delivered');
    expect(w.hops.some((h) => h.matched === 'default ACL: allow all')).toBe(true);
  });
});

describe('routing', () => {
  it('a NAT Gateway in a subnet with no route to the IGW drops the translated packet', () => {
    const topology = seedWith((t) => setDefaultRoute(t, 'rtb-public', null));
    const w = walk(topology, { ...TO_SERVER, from: 'client-a' });
    expect(w.verdict).toBe('dropped');
    expect(w.dropped?.component).toBe('rtb-public');
    expect(w.dropped?.reason).toBe('route table rtb-public (public) of subnet-public (public), the subnet of NAT gateway nat-xxx (NAT-GW), has no route for 44.198.164.163 (no 0.0.0.0/0 entry)');
    expect(w.dropped?.fault).toBe('route table rtb-public (public) of subnet-public (public), where NAT gateway nat-xxx (NAT-GW) sits, has no route to the internet (no 0.0.0.0/0 entry)');
    expect(w.dropped?.cause).toEqual({ kind: 'no-route', table: 'rtb-public', mainTable: false, destination: { kind: 'internet' }, hasDefault: false, nat: 'nat-xxx', subnet: 'subnet-public' });
    expect(w.hops.some((h) => h.action === 'translate' && h.component.id === 'nat-xxx')).toBe(true);
  });

  it('longest prefix wins, and a NAT Gateway does not serve hosts in its own subnet', () => {
    const topology = seedWith((t) => {
      table(t, 'rtb-public').routes.push({ destination: '44.198.164.163/32', target: { kind: 'nat', id: 'nat-xxx' } });
      t.hosts.push({ id: 'nopub', name: 'nopub', kind: 'instance', subnet: 'subnet-public', privateIp: '10.0.0.20', securityGroups: ['sg-clients'] });
    });
    const w = walk(topology, { ...TO_SERVER, from: 'nopub' });
    expect(w.hops.find((h) => h.component.id === 'rtb-public')?.match).toEqual({ kind: 'route', table: 'rtb-public', destination: '44.198.164.163/32', target: { kind: 'nat', id: 'nat-xxx' } });
    expect(w.verdict).toBe('dropped');
    expect(w.dropped?.component).toBe('nat-xxx');
    expect(w.dropped?.cause).toEqual({ kind: 'nat-own-subnet', nat: 'nat-xxx', subnet: 'subnet-public', table: 'rtb-public' });
    expect(w.dropped?.reason).toContain('does not serve hosts in its own subnet subnet-public');
  });

  it('a subnet with no explicit association uses the VPC main route table', () => {
    const topology = seedWith((t) => {
      delete t.subnets.find((s) => s.id === 'subnet-private')!.routeTable;
    });
    const w = walk(topology, { ...TO_SERVER, from: 'client-a' });
    expect(w.verdict).toBe('dropped');
    expect(w.dropped?.component).toBe('rtb-main');
    expect(w.dropped?.reason).toContain('the VPC main table: no explicit association');
    const viaMainToNat = seedWith((t) => {
      delete t.subnets.find((s) => s.id === 'subnet-private')!.routeTable;
      setDefaultRoute(t, 'rtb-main', { kind: 'nat', id: 'nat-xxx' });
    });
    expect(walk(viaMainToNat, { ...TO_SERVER, from: 'client-a' }).observedAtDestination?.srcIp).toBe('3.224.9.52');
  });

  it('a blackhole route drops', () => {
    const topology = seedWith((t) => setDefaultRoute(t, 'rtb-private', { kind: 'blackhole' }));
    const w = walk(topology, { ...TO_SERVER, from: 'client-a' });
    expect(w.verdict).toBe('dropped');
    expect(w.dropped?.cause).toEqual({ kind: 'blackhole-route', table: 'rtb-private', mainTable: false, destination: '0.0.0.0/0' });
  });

  it('a route to a NAT Gateway that no longer exists is a blackhole', () => {
    const topology = seedWith((t) => setDefaultRoute(t, 'rtb-private', { kind: 'nat', id: 'nat-gone' }));
    expect(walk(topology, { ...TO_SERVER, from: 'client-a' }).dropped?.cause).toEqual({ kind: 'missing-nat', table: 'rtb-private', mainTable: false, destination: '0.0.0.0/0', nat: 'nat-gone' });
  });

  it.each([
    [{ kind: 'tgw' as const, id: 'tgw-0abc' }, 'leaves the model at tgw-0abc (transit gateway)'],
    [{ kind: 'peering' as const, id: 'pcx-1' }, 'leaves the model at pcx-1 (VPC peering connection)'],
    [{ kind: 'vgw' as const, id: 'vgw-1' }, 'leaves the model at vgw-1 (virtual private gateway)'],
    [{ kind: 'instance' as const, id: 'i-nat-instance' }, 'leaves the model at instance i-nat-instance'],
    [{ kind: 'other' as const, id: 'cagw-1', type: 'carrier gateway' }, 'leaves the model at cagw-1 (carrier gateway)'],
  ])('a route to %o leaves the model, never a guess', (target, reason) => {
    const topology = seedWith((t) => setDefaultRoute(t, 'rtb-private', target));
    const w = walk(topology, { ...TO_SERVER, from: 'client-a' });
    expect(w.verdict).toBe('left-model');
    expect(w.leftModel?.reason).toContain(reason);
    expect(w.observedAtDestination).toBeNull();
    expect(w.reply).toBeNull();
    expect(lastHop(w).action).toBe('leave-model');
  });

  it('a route to an ENI of the NAT Gateway reaches the NAT Gateway', () => {
    const topology = seedWith((t) => {
      t.natGateways[0].eniId = 'eni-nat';
      setDefaultRoute(t, 'rtb-private', { kind: 'eni', id: 'eni-nat' });
    });
    expect(walk(topology, { ...TO_SERVER, from: 'client-a' }).observedAtDestination?.srcIp).toBe('3.224.9.52');
  });
});

describe('the Internet Gateway', () => {
  it('drops outbound traffic from a private IP with no public IP', () => {
    const topology = seedWith((t) => {
      t.hosts.push({ id: 'nopub', name: 'nopub', kind: 'instance', subnet: 'subnet-public', privateIp: '10.0.0.20', securityGroups: ['sg-clients'] });
    });
    const w = walk(topology, { ...TO_SERVER, from: 'nopub' });
    expect(w.verdict).toBe('dropped');
    expect(w.dropped?.component).toBe('igw-yyy');
    expect(w.dropped?.reason).toBe('igw-yyy (IGW) drops the packet: nopub (10.0.0.20) has no public IPv4 address (no Elastic IP, no auto-assigned public IP), so there is nothing to map it to');
    expect(w.dropped?.fault).toMatch(/^route table rtb-public \S* ?of subnet-public \(public\) sends internet traffic straight to igw-yyy \(IGW\), but hosts there without a public IP/);
    expect(w.dropped?.cause).toEqual({ kind: 'igw-no-public-ip', igw: 'igw-yyy', subnet: 'subnet-public', table: 'rtb-public' });
  });

  it('maps inbound traffic to a public IP onto the private IP and delivers it', () => {
    const topology = seedWith((t) => {
      t.securityGroups.find((g) => g.id === 'sg-clients')!.ingress.push({ protocol: 'tcp', fromPort: 8080, toPort: 8080, cidr: '0.0.0.0/0' });
    });
    const w = walk(topology, { protocol: 'tcp', from: '198.51.100.7', sourcePort: 40000, to: { host: '203.0.113.10', port: 8080 } });
    expect(w.verdict).toBe('delivered');
    expect(w.hops.find((h) => h.component.id === 'igw-yyy')?.after.dstIp).toBe('10.0.0.10');
    expect(w.reply?.verdict).toBe('delivered');
    expect(w.hops.every((h) => h.step === undefined)).toBe(true);
  });

  it('hairpins traffic to a public IP of the same VPC: out and back in through the IGW', () => {
    const topology = seedWith((t) => {
      t.securityGroups.find((g) => g.id === 'sg-clients')!.ingress.push({ protocol: 'tcp', fromPort: 8080, toPort: 8080, cidr: '0.0.0.0/0' });
    });
    const w = walk(topology, { protocol: 'tcp', from: 'client-a', sourcePort: 32222, to: { host: '203.0.113.10', port: 8080 } });
    expect(w.verdict).toBe('delivered');
    expect(w.observedAtDestination?.srcIp).toBe('3.224.9.52');
    expect(w.hops.filter((h) => h.component.id === 'igw-yyy').map((h) => h.action)).toEqual(['translate', 'translate']);
    expect(w.hops.find((h) => h.component.kind === 'internet')?.detail).toContain('hairpin');
    expect(w.reply?.verdict).toBe('delivered');
  });

  it("the NAT Gateway's own address accepts no connection, from outside or inside", () => {
    const outside = walk(seedTopology(), { protocol: 'tcp', from: '8.8.8.8', sourcePort: 40000, to: { host: '3.224.9.52', port: 27318 } });
    expect(outside.verdict).toBe('dropped');
    expect(outside.dropped?.component).toBe('nat-xxx');
    expect(outside.dropped?.reason).toContain('unsolicited inbound traffic is dropped');
    const inside = walk(seedTopology(), { protocol: 'tcp', from: 'client-a', sourcePort: 32222, to: { host: '10.0.0.226', port: 80 } });
    expect(inside.verdict).toBe('dropped');
    expect(inside.dropped?.component).toBe('nat-xxx');
  });
});

describe('NAT Gateway flavours', () => {
  it('a private NAT Gateway translates to its private IP and may not use the IGW', () => {
    const topology = seedWith((t) => {
      t.natGateways[0].connectivity = 'private';
      delete t.natGateways[0].addresses[0].publicIp;
    });
    const w = walk(topology, { ...TO_SERVER, from: 'client-a' });
    expect(w.hops.find((h) => h.action === 'translate')?.after.srcIp).toBe('10.0.0.226');
    expect(w.verdict).toBe('dropped');
    expect(w.dropped?.cause).toEqual({ kind: 'private-nat-igw', nat: 'nat-xxx', table: 'rtb-public', destination: '0.0.0.0/0', igw: 'igw-yyy' });
  });

  it('a private NAT Gateway towards a transit gateway leaves the model there', () => {
    const topology = seedWith((t) => {
      t.natGateways[0].connectivity = 'private';
      setDefaultRoute(t, 'rtb-public', { kind: 'tgw', id: 'tgw-1' });
    });
    const w = walk(topology, { ...TO_SERVER, from: 'client-a' });
    expect(w.verdict).toBe('left-model');
    expect(w.translations?.[0].outside.ip).toBe('10.0.0.226');
  });

  it('a regional NAT Gateway needs no public subnet and picks the address by the source AZ', () => {
    const topology = seedWith((t) => {
      addRegionalNat(t);
      t.securityGroups.find((g) => g.id === 'sg-server')!.ingress.push({ protocol: 'tcp', fromPort: 8080, toPort: 8080, cidr: '3.224.9.0/24' });
    });
    const b = walk(topology, { ...TO_SERVER, from: 'client-c' });
    expect(b.observedAtDestination?.srcIp).toBe('3.224.9.61');
    expect(b.hops.find((h) => h.component.id === 'nat-regional' && h.action === 'forward')?.detail).toContain('straight to igw-yyy');
    expect(b.reply?.verdict).toBe('delivered');
    const a = walk(topology, { ...TO_SERVER, from: 'client-a' });
    expect(a.observedAtDestination?.srcIp).toBe('3.224.9.60');
    expect(a.reply?.verdict).toBe('delivered');
  });
});

describe('security groups (stateful)', () => {
  it("drops at the server when its group does not allow the NAT's Elastic IP", () => {
    const topology = seedWith((t) => {
      const sg = t.securityGroups.find((g) => g.id === 'sg-server')!;
      sg.ingress = sg.ingress.filter((r) => r.cidr !== '3.224.9.52/32');
    });
    const w = walk(topology, { ...TO_SERVER, from: 'client-a' });
    expect(w.verdict).toBe('dropped');
    expect(w.dropped?.component).toBe('sg-server');
    expect(walk(topology, { ...TO_SERVER, from: 'direct' }).verdict).toBe('delivered');
  });

  it('lets the reply of an allowed connection through without a rule', () => {
    const w = walk(seedTopology(), { ...TO_SERVER, from: 'client-a' });
    const sgReply = w.reply!.hops.filter((h) => h.component.kind === 'security-group');
    expect(sgReply.map((h) => h.matched)).toEqual(['stateful: reply of an allowed connection', 'stateful: reply of an allowed connection']);
  });

  it('matches a rule that references a security group by its members private IPs', () => {
    const topology = seedWith((t) => {
      t.securityGroups.find((g) => g.id === 'sg-clients')!.ingress.push({ protocol: 'tcp', fromPort: 22, toPort: 22, securityGroup: 'sg-clients' });
      t.hosts.push({ id: 'other', name: 'other', kind: 'instance', subnet: 'subnet-private', privateIp: '10.0.1.60', securityGroups: ['sg-other'] });
      t.securityGroups.push({ id: 'sg-other', vpc: 'vpc-lab', ingress: [], egress: [{ protocol: 'all', cidr: '0.0.0.0/0' }] });
    });
    expect(walk(topology, { protocol: 'tcp', from: 'client-a', sourcePort: 40000, to: { host: 'direct', port: 22 } }).verdict).toBe('delivered');
    const denied = walk(topology, { protocol: 'tcp', from: 'other', sourcePort: 40000, to: { host: 'direct', port: 22 } });
    expect(denied.verdict).toBe('dropped');
    expect(denied.dropped?.component).toBe('sg-clients');
  });

  it('a VPC host whose groups the topology does not list is not filtered, and says so', () => {
    const topology = seedWith((t) => (t.hosts.find((h) => h.id === 'client-a')!.securityGroups = []));
    const w = walk(topology, { ...TO_SERVER, from: 'client-a' });
    expect(w.verdict).toBe('delivered');
    expect(w.hops.find((h) => h.component.kind === 'security-group')?.matched).toBe('no security group listed');
  });

  it('a rule on a prefix list it cannot resolve leaves the model instead of guessing', () => {
    const topology = seedWith((t) => {
      const sg = t.securityGroups.find((g) => g.id === 'sg-server')!;
      sg.ingress = [{ protocol: 'tcp', fromPort: 8080, toPort: 8080, prefixList: 'pl-123' }];
    });
    expect(walk(topology, { ...TO_SERVER, from: 'client-a' }).verdict).toBe('left-model');
  });
});

describe('walks driven by a live NAT table', () => {
  it('allocates exact ports, maps the reply back, and fails new connections past the limit', () => {
    const table = new NatTable({ addresses: ['10.0.0.226'], portRange: { min: 20000, max: 20001 }, seed: 9 });
    const nat = { table: (id: string) => (id === 'nat-xxx' ? table : undefined), now: 0 };
    const a = walk(seedTopology(), { ...TO_SERVER, from: 'client-a' }, { nat });
    const b = walk(seedTopology(), { ...TO_SERVER, from: 'client-b' }, { nat });
    const ports = [a, b].map((w) => w.observedAtDestination?.srcPort);
    expect(ports.every((p) => p && 'exact' in p && p.exact >= 20000 && p.exact <= 20001)).toBe(true);
    expect(new Set(ports.map((p) => p && 'exact' in p && p.exact)).size).toBe(2);
    expect(a.reply?.verdict).toBe('delivered');
    const c = walk(seedTopology(), { ...TO_SERVER, from: 'client-a', sourcePort: 40000 }, { nat });
    expect(c.verdict).toBe('dropped');
    expect(c.dropped?.reason).toContain('ErrorPortAllocation');
    expect(table.stats.errorPortAllocation).toBe(1);
  });
});

describe('other senders', () => {
  it.each([
    ['10.0.0.226', 'private'],
    ['3.224.9.52', 'public'],
  ])('a NAT gateway address (%s) is no sender: InputError saying it starts no connection', (from, which) => {
    const attempt = () => walk(seedTopology(), { ...TO_SERVER, from });
    expect(attempt).toThrow(InputError);
    expect(attempt).toThrow(`--from ${from} is NAT gateway nat-xxx's ${which} address, which starts and accepts no connection`);
  });

  it('a Lambda function: the Hyperplane ENI may rewrite its source port already', () => {
    const topology = seedWith((t) => {
      t.hosts.push({ id: 'probe', name: 'probe', kind: 'lambda', subnet: 'subnet-private', privateIp: '10.0.1.77', eniId: 'eni-hyperplane', securityGroups: ['sg-clients'] });
    });
    const w = walk(topology, { ...TO_SERVER, from: 'probe' });
    const hyperplane = w.hops.find((h) => h.component.name === 'Hyperplane ENI')!;
    expect(hyperplane.after.srcPort).toEqual({ min: 1024, max: 65535 });
    expect(w.reply?.verdict).toBe('delivered');
    expect(w.reply!.hops[w.reply!.hops.length - 1].after.dstPort).toEqual({ exact: 32222 });
  });

  it("'any' source port is a range, not a guess", () => {
    const w = walk(seedTopology(), { ...TO_SERVER, sourcePort: 'any', from: 'direct' });
    expect(w.observedAtDestination?.srcPort).toEqual({ min: 1024, max: 65535 });
  });

  it('an unknown host is bad input listing the hosts', () => {
    expect(() => walk(seedTopology(), { ...TO_SERVER, from: 'nope' })).toThrow(InputError);
    expect(() => walk(seedTopology(), { ...TO_SERVER, from: 'nope' })).toThrow('hosts: client-a (10.0.1.32)');
    expect(() => walk(seedTopology(), { ...TO_SERVER, from: '10.0.1.99' })).toThrow('host "10.0.1.99" is not in topology seed');
  });

  it('a bad port or protocol is bad input', () => {
    expect(() => walk(seedTopology(), { ...TO_SERVER, from: 'client-a', sourcePort: 70000 })).toThrow('source port "70000"');
    expect(() => walk(seedTopology(), { ...TO_SERVER, from: 'client-a', protocol: 'sctp' as 'tcp' })).toThrow('protocol "sctp"');
  });

  it('resolves hosts by IP, id and name alike', () => {
    for (const from of ['client-a', '10.0.1.32']) {
      expect(walk(seedTopology(), { ...TO_SERVER, from }).flow.from.ip).toBe('10.0.1.32');
    }
    expect(walk(seedTopology(), { ...TO_SERVER, from: 'client-a', to: { host: '44.198.164.163', port: 8080 } }).verdict).toBe('delivered');
  });
});

describe('a server in a VPC of its own (how the CDK lab stands for the internet)', () => {
  const topology = seedWith((t) => {
    t.vpcs.push({ id: 'vpc-internet', cidrs: ['172.31.0.0/16'], mainRouteTable: 'rtb-internet' });
    t.subnets.push({ id: 'subnet-internet', vpc: 'vpc-internet', cidr: '172.31.0.0/24', az: 'us-east-1a' });
    t.routeTables.push({ id: 'rtb-internet', vpc: 'vpc-internet', routes: [{ destination: '172.31.0.0/16', target: { kind: 'local' } }, { destination: '0.0.0.0/0', target: { kind: 'igw', id: 'igw-internet' } }] });
    t.internetGateways.push({ id: 'igw-internet', vpc: 'vpc-internet' });
    const server = t.hosts.find((h) => h.id === 'server')!;
    server.subnet = 'subnet-internet';
    server.privateIp = '172.31.0.10';
    server.publicIp = '44.198.164.163';
  });

  it('reaches it by its public IP through both gateways, and the reply comes back the same way', () => {
    const w = walk(topology, { ...TO_SERVER, from: 'client-a' });
    expect(w.flow.to.ip).toBe('44.198.164.163');
    expect(w.verdict).toBe('delivered');
    expect(w.observedAtDestination).toEqual({ srcIp: '3.224.9.52', srcPort: { min: 1024, max: 65535 } });
    expect(w.hops.filter((h) => h.component.kind === 'internet-gateway').map((h) => h.component.id)).toEqual(['igw-yyy', 'igw-internet']);
    expect(w.reply?.verdict).toBe('delivered');
    expect(w.reply?.hops.filter((h) => h.action === 'translate').map((h) => h.component.id)).toEqual(['igw-internet', 'igw-yyy', 'nat-xxx']);
  });
});

describe('natSimulation', () => {
  it('builds one table per NAT Gateway; an entry outlives 300 s of quiet, and expire() removes it after 350 s', () => {
    const sim = natSimulation(seedTopology(), { seed: 5 });
    expect([...sim.tables.keys()]).toEqual(['nat-xxx']);
    const first = walk(seedTopology(), { ...TO_SERVER, from: 'client-a' }, { nat: sim });
    const port = first.observedAtDestination?.srcPort;
    expect(port && 'exact' in port).toBe(true);
    // The same connection within 350 s keeps its port; a table entry exists for the reply.
    const again = walk(seedTopology(), { ...TO_SERVER, from: 'client-a' }, { nat: { ...sim, now: 300 } });
    expect(again.observedAtDestination?.srcPort).toEqual(port);
    // An unsolicited packet to that port from elsewhere is still dropped: the entry is per destination.
    const stranger = walk(seedTopology(), { protocol: 'tcp', from: '8.8.8.8', sourcePort: 8080, to: { host: '3.224.9.52', port: (port as { exact: number }).exact } }, { nat: { ...sim, now: 300 } });
    expect(stranger.verdict).toBe('dropped');
    expect(sim.tables.get('nat-xxx')!.expire(650 + 1)).toHaveLength(1);
  });

  it('a later walk on a full destination succeeds once the old connections have been idle 350 s', () => {
    const sim = natSimulation(seedTopology(), { perDestinationLimit: 2, seed: 5 });
    expect(walk(seedTopology(), { ...TO_SERVER, from: 'client-a' }, { nat: sim }).verdict).toBe('delivered');
    expect(walk(seedTopology(), { ...TO_SERVER, from: 'client-b' }, { nat: sim }).verdict).toBe('delivered');
    const full = walk(seedTopology(), { ...TO_SERVER, from: 'client-a', sourcePort: 40000 }, { nat: { ...sim, now: 100 } });
    expect(full.dropped?.reason).toContain('ErrorPortAllocation');
    // No expire() call: the walk itself finds the pool full and frees the idle entries.
    const later = walk(seedTopology(), { ...TO_SERVER, from: 'client-a', sourcePort: 40000 }, { nat: { ...sim, now: 400 } });
    expect(later.verdict).toBe('delivered');
    expect(later.reply?.verdict).toBe('delivered');
    expect(later.hops.find((h) => h.action === 'translate' && h.component.id === 'nat-xxx')?.detail).toContain('2 connections idle for 350 s or more expired first');
  });
});

describe('addresses known only after deploy (a CloudFormation template)', () => {
  const EIP = '<Fn::GetAtt LabNatEip.PublicIp>';
  it('carry through the walk as themselves and match a rule written with the same value', () => {
    const topology = seedWith((t) => {
      t.natGateways[0].addresses[0].publicIp = EIP;
      t.securityGroups.find((g) => g.id === 'sg-server')!.ingress.push({ protocol: 'tcp', fromPort: 8080, toPort: 8080, cidr: `${EIP}/32` });
    });
    const w = walk(topology, { ...TO_SERVER, from: 'client-a' });
    expect(w.verdict).toBe('delivered');
    expect(w.observedAtDestination?.srcIp).toBe(EIP);
    expect(w.reply?.verdict).toBe('delivered');
  });

  it('leave the model when a rule with a concrete address would decide', () => {
    const topology = seedWith((t) => (t.natGateways[0].addresses[0].publicIp = EIP));
    const w = walk(topology, { ...TO_SERVER, from: 'client-a' });
    expect(w.verdict).toBe('left-model');
    expect(w.leftModel?.reason).toContain('cannot resolve');
  });
});
