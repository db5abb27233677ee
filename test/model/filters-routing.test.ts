import { InputError } from '../../lib/errors';
import { evaluateNetworkAcl, evaluateSecurityGroups, networkAclForSubnet, portSetOf } from '../../lib/model/filters';
import { findHosts, hostByPrivateIp, publicOwner, resolveHost } from '../../lib/model/hosts';
import { lookupRoute, mainRouteTable, routeTableForSubnet, routeText } from '../../lib/model/routing';
import type { Header, NetworkAcl, RouteTable } from '../../lib/model/types';
import { seedTopology } from '../../lib/sources';
import { seedWith } from './topologies';

const header = (over: Partial<Header> = {}): Header => ({ protocol: 'tcp', srcIp: '44.198.164.163', srcPort: { exact: 8080 }, dstIp: '10.0.0.226', dstPort: { min: 1024, max: 65535 }, ...over });

describe('longest-prefix match', () => {
  const rt: RouteTable = {
    id: 'rtb-x',
    vpc: 'vpc-lab',
    routes: [
      { destination: '0.0.0.0/0', target: { kind: 'igw', id: 'igw-1' } },
      { destination: '10.0.0.0/16', target: { kind: 'local' } },
      { destination: '10.0.5.0/24', target: { kind: 'peering', id: 'pcx-1' } },
      { destination: '44.198.164.163/32', target: { kind: 'nat', id: 'nat-1' } },
    ],
  };
  it.each([
    ['10.0.5.9', '10.0.5.0/24 -> pcx-1 (peering)'],
    ['10.0.1.32', '10.0.0.0/16 -> local'],
    ['44.198.164.163', '44.198.164.163/32 -> nat-1'],
    ['44.198.164.164', '0.0.0.0/0 -> igw-1'],
    ['<unresolved>', '0.0.0.0/0 -> igw-1'],
  ])('%s matches %s', (ip, expected) => {
    expect(routeText(lookupRoute(rt, ip)!.route)).toBe(expected);
  });

  it('returns nothing when no route matches', () => {
    expect(lookupRoute({ ...rt, routes: rt.routes.slice(1) }, '8.8.8.8')).toBeUndefined();
  });

  it('falls back to the main table, and invents a local-only one when the VPC names none', () => {
    const seed = seedTopology();
    expect(routeTableForSubnet(seed, { ...seed.subnets[0], routeTable: undefined })).toMatchObject({ table: { id: 'rtb-main' }, isMain: true });
    const noMain = seedWith((t) => delete t.vpcs[0].mainRouteTable);
    expect(mainRouteTable(noMain, 'vpc-lab').routes).toEqual([{ destination: '10.0.0.0/16', target: { kind: 'local' } }]);
  });

  it('a dangling table reference is bad input naming it', () => {
    const broken = seedWith((t) => (t.subnets[0].routeTable = 'rtb-missing'));
    expect(() => routeTableForSubnet(broken, broken.subnets[0])).toThrow('route table "rtb-missing"');
  });
});

describe('network ACL evaluation', () => {
  const acl: NetworkAcl = {
    id: 'acl-1',
    vpc: 'vpc-lab',
    isDefault: false,
    ingress: [
      { ruleNumber: 200, protocol: 'all', action: 'allow', cidr: '0.0.0.0/0' },
      { ruleNumber: 100, protocol: 'tcp', action: 'deny', cidr: '44.198.164.163/32', fromPort: 1024, toPort: 2047 },
    ],
    egress: [],
  };
  it('evaluates the lowest rule number first, even when listed later', () => {
    const r = evaluateNetworkAcl(acl, 'ingress', header());
    expect(r.verdict).toBe('partial');
    expect(r.allowedPorts).toEqual([[2048, 65535]]);
    expect(r.matched).toBe('rule 100 deny tcp 1024-2047 44.198.164.163/32; rule 200 allow all traffic 0.0.0.0/0');
  });
  it('an exact port decides cleanly', () => {
    expect(evaluateNetworkAcl(acl, 'ingress', header({ dstPort: { exact: 1500 } })).verdict).toBe('deny');
    expect(evaluateNetworkAcl(acl, 'ingress', header({ dstPort: { exact: 3000 } })).verdict).toBe('allow');
  });
  it('denies with the implicit final rule when nothing matches', () => {
    const r = evaluateNetworkAcl(acl, 'egress', header());
    expect(r.verdict).toBe('deny');
    expect(r.matched).toBe('rule * deny (implicit)');
  });
  it('the subnet uses its association, else the VPC default', () => {
    const seed = seedTopology();
    expect(networkAclForSubnet(seed, seed.subnets[0])?.id).toBe('acl-default');
  });
  it('port sets of predictions', () => {
    expect(portSetOf({ exact: 8080 })).toEqual([[8080, 8080]]);
    expect(portSetOf({ min: 1024, max: 65535 })).toEqual([[1024, 65535]]);
  });
});

describe('security group evaluation', () => {
  const seed = seedTopology();
  const server = seed.hosts.find((h) => h.id === 'server')!;
  it('any allow rule of any group lets a new connection in', () => {
    expect(evaluateSecurityGroups(seed, server, 'ingress', header({ srcIp: '3.224.9.52', dstIp: '44.198.164.163', dstPort: { exact: 8080 } })).verdict).toBe('allow');
    expect(evaluateSecurityGroups(seed, server, 'ingress', header({ srcIp: '3.224.9.53', dstIp: '44.198.164.163', dstPort: { exact: 8080 } })).verdict).toBe('deny');
    expect(evaluateSecurityGroups(seed, server, 'ingress', header({ srcIp: '3.224.9.52', dstIp: '44.198.164.163', dstPort: { exact: 22 } })).verdict).toBe('deny');
  });
  it('a missing group is bad input naming it', () => {
    expect(() => evaluateSecurityGroups(seed, { ...server, securityGroups: ['sg-gone'] }, 'ingress', header())).toThrow('security group "sg-gone"');
  });
});

describe('hosts', () => {
  const seed = seedTopology();
  it('resolves by IP, public IP, id and alias; unknown and ambiguous references are bad input', () => {
    expect(resolveHost(seed, '203.0.113.10').id).toBe('direct');
    expect(resolveHost(seed, '10.0.1.123').id).toBe('client-b');
    const aliased = seedWith((t) => {
      t.hosts[0].aliases = ['eni-0a1b'];
      t.hosts[1].aliases = ['shared'];
      t.hosts[0].aliases.push('shared');
    });
    expect(resolveHost(aliased, 'eni-0a1b').id).toBe('client-a');
    expect(() => resolveHost(aliased, 'shared')).toThrow('ambiguous');
    expect(() => resolveHost(seed, 'i-123')).toThrow(InputError);
    expect(findHosts(seed, 'nobody')).toEqual([]);
  });
  it('knows who owns public and private addresses', () => {
    expect(publicOwner(seed, '3.224.9.52')).toMatchObject({ kind: 'nat', nat: { id: 'nat-xxx' }, vpc: 'vpc-lab' });
    expect(publicOwner(seed, '203.0.113.10')).toMatchObject({ kind: 'host', host: { id: 'direct' } });
    expect(hostByPrivateIp(seed, '44.198.164.163')?.id).toBe('server');
  });
});
