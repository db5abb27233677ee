/** What real dumps contain, in the model (issue 12): interfaces, requester-managed ENIs, prefix lists, own addresses, IPv6. */
import { findings } from '../../lib/model/findings';
import { walk } from '../../lib/model/walk';
import { planTwin } from '../../lib/lab/plan';
import { InputError } from '../../lib/errors';
import { splitHostPort } from '../../lib/cli/walk';
import { realEstate, S3_ADDRESS } from './real-estates';

const t = realEstate();
const tcp = (from: string, to: string, port: number, sourcePort: number | 'any' = 'any') => ({ protocol: 'tcp' as const, from, sourcePort, to: { host: to, port } });

describe('an instance with three interfaces', () => {
  it('answers on each interface, filtered by that interface\'s security groups, in its subnet', () => {
    // eth2 (private-b) admits 8443 from the client's group; eth0 (private-a) does not.
    const toEth2 = walk(t, tcp('client', '10.60.11.10', 8443));
    expect(toEth2.verdict).toBe('delivered');
    expect(toEth2.hops.find((h) => h.component.kind === 'security-group' && h.component.side === 'ingress')?.match).toEqual({ kind: 'security-group', groups: ['sg-0eth2000000000000'], side: 'ingress' });
    expect(toEth2.hops.some((h) => h.component.kind === 'network-acl')).toBe(false); // same subnet: no boundary crossed
    const toEth0 = walk(t, tcp('client', '10.60.10.10', 8443));
    expect(toEth0.dropped?.cause).toEqual({ kind: 'sg-deny', groups: ['sg-0eth0000000000000'], side: 'ingress' });
    expect(walk(t, tcp('client', '10.60.10.11', 22)).verdict).toBe('delivered'); // eth0's secondary address
  });

  it('is reached from the internet at the Elastic IP of its second interface, mapped to that interface', () => {
    const w = walk(t, tcp('198.51.100.7', '203.0.113.10', 443, 50000));
    expect(w.verdict).toBe('delivered');
    expect(w.hops.find((h) => h.component.kind === 'internet-gateway')?.after.dstIp).toBe('10.60.0.10');
    // eth1's subnet routes its reply straight to the IGW, which maps it back to the Elastic IP.
    expect(w.reply?.verdict).toBe('delivered');
    expect(w.reply?.hops.find((h) => h.component.kind === 'internet-gateway')?.after.srcIp).toBe('203.0.113.10');
  });

  it('sends from any of its interfaces: `--from` by ENI id or address', () => {
    const fromEth1 = walk(t, tcp('eni-0eth1000000000000', '8.8.8.8', 443));
    expect(fromEth1.flow.from.ip).toBe('10.60.0.10');
    expect(fromEth1.observedAtDestination?.srcIp).toBe('203.0.113.10'); // through the IGW, not the NAT
    const fromEth2 = walk(t, tcp('10.60.11.10', '8.8.8.8', 443));
    expect(fromEth2.observedAtDestination?.srcIp).toBe('198.51.100.200'); // private-b goes through the NAT
    expect(walk(t, tcp('i-0aa1b2c3d4e5f6a7b', '8.8.8.8', 443)).flow.from.ip).toBe('10.60.10.10'); // the instance: its primary interface
  });

  it('delivers a packet to its own address locally: no router, no security group', () => {
    for (const own of ['10.60.10.10', '10.60.11.10', '10.60.10.11']) {
      const w = walk(t, tcp('appliance', own, 9999));
      expect(w.verdict).toBe('delivered');
      expect(w.hops.map((h) => h.component.kind)).toEqual(['host', 'host']);
      expect(w.reply?.verdict).toBe('delivered');
    }
  });
});

describe('requester-managed interfaces', () => {
  it('a flow to a network load balancer leaves the model there, named, also at its public IP', () => {
    const inside = walk(t, tcp('client', '10.60.1.100', 443));
    expect(inside.verdict).toBe('left-model');
    expect(inside.leftModel?.reason).toBe('leaves the model at the network load balancer net/web-nlb/3f1c9a0b2d4e5f61 (eni-0nlb0b0000000000b): what it forwards to is not simulated');
    expect(inside.leftModel?.cause).toEqual({ kind: 'managed-interface', host: 'eni-0nlb0b0000000000b', hostKind: 'load-balancer' });
    const outside = walk(t, tcp('198.51.100.7', '203.0.113.100', 443, 50000));
    expect(outside.verdict).toBe('left-model');
    expect(outside.leftModel?.component).toBe('eni-0nlb0a0000000000a');
  });

  it('a flow to an interface endpoint passes its security group, then leaves the model there', () => {
    const w = walk(t, tcp('client', '10.60.10.200', 443));
    expect(w.verdict).toBe('left-model');
    expect(w.leftModel?.reason).toContain('interface endpoint vpce-0ssm00000000000a (com.amazonaws.us-east-1.ssm) (eni-0vpce0000000000a)');
    expect(walk(t, tcp('client', '10.60.10.200', 80)).dropped?.cause).toEqual({ kind: 'sg-deny', groups: ['sg-0endpoint00000000'], side: 'ingress' });
  });

  it('findings sends from instances only and lists flows to load balancers and endpoints as left-model', () => {
    const f = findings(t);
    expect(f.hosts).not.toContain('eni-0nlb0a0000000000a');
    const toNlb = f.flows.filter((x) => x.to === 'eni-0nlb0b0000000000b' && x.protocol === 'tcp');
    expect(toNlb.length).toBeGreaterThan(0);
    expect(toNlb.every((x) => x.verdict === 'left-model')).toBe(true);
  });
});

describe('prefix lists and gateway endpoints', () => {
  it('a route to the S3 prefix list matches its CIDRs and leaves the model at the gateway endpoint, named', () => {
    const w = walk(t, tcp('client', S3_ADDRESS, 443));
    expect(w.verdict).toBe('left-model');
    expect(w.hops.find((h) => h.component.kind === 'route-table')?.match).toEqual({ kind: 'route', table: 'rtb-0private00000000', destination: 'pl-63a5400a', target: { kind: 'vpc-endpoint', id: 'vpce-0s3gateway000000' } });
    expect(w.leftModel?.reason).toBe('leaves the model at the gateway endpoint vpce-0s3gateway000000 (com.amazonaws.us-east-1.s3): what lies behind it is not simulated');
    // Another public address still goes through the NAT gateway.
    expect(walk(t, tcp('client', '8.8.8.8', 443)).observedAtDestination?.srcIp).toBe('198.51.100.200');
  });

  it("a gateway endpoint's prefix list with unknown entries holds only its service: other destinations go on, and the route hop says what was assumed", () => {
    const w = walk(realEstate({ prefixListEntries: false }), tcp('client', '8.8.8.8', 443));
    expect(w.verdict).toBe('delivered');
    expect(w.observedAtDestination?.srcIp).toBe('198.51.100.200');
    const route = w.hops.find((h) => h.component.kind === 'route-table');
    expect(route?.match).toMatchObject({ kind: 'route', destination: '0.0.0.0/0' });
    expect(route?.detail).toContain('assumed not an address of gateway endpoint vpce-0s3gateway000000');
    expect(route?.detail).toContain('pl-63a5400a');
    // Inside the VPC the local route decides, with nothing assumed.
    const inside = walk(realEstate({ prefixListEntries: false }), tcp('client', '10.60.11.10', 8443));
    expect(inside.verdict).toBe('delivered');
    expect(inside.hops.find((h) => h.component.kind === 'route-table')?.detail).not.toContain('assumed');
  });

  it('any other route to a prefix list whose entries are unknown cannot decide the route: the walk leaves the model naming the list', () => {
    const base = realEstate({ prefixListEntries: false });
    const toNat = base.routeTables.map((rt) => ({
      ...rt,
      routes: rt.routes.map((r) => (r.destinationKind === 'prefix-list' ? { ...r, target: { kind: 'tgw' as const, id: 'tgw-0aaaa1111bbbb2222' } } : r)),
    }));
    const w = walk({ ...base, routeTables: toNat }, tcp('client', '8.8.8.8', 443));
    expect(w.verdict).toBe('left-model');
    expect(w.leftModel?.cause).toEqual({ kind: 'undecidable-route', table: 'rtb-0private00000000', destination: 'pl-63a5400a' });
    expect(w.leftModel?.reason).toContain('pl-63a5400a');
  });
});

describe('IPv6', () => {
  it('an IPv6 destination leaves the model with that reason', () => {
    const w = walk(t, tcp('client', '2001:db8::1', 443));
    expect(w.verdict).toBe('left-model');
    expect(w.leftModel?.reason).toContain('IPv6 walks are not modelled yet');
  });
});

describe('the twin', () => {
  it('refuses what it cannot build faithfully in one line', () => {
    expect(() => planTwin(t, { prefix: 'nl0a1b2c-' })).toThrow(InputError);
    expect(() => planTwin(t, { prefix: 'nl0a1b2c-' })).toThrow(/^the local twin does not build /);
  });
});

describe('walk --to with an IPv6 address', () => {
  it('reads 2001:db8::1:443 and [2001:db8::1]:443 as the address and the port', () => {
    expect(splitHostPort('2001:db8::1:443', '--to', true)).toEqual({ host: '2001:db8::1', port: 443 });
    expect(splitHostPort('[2001:db8::1]:443', '--to', true)).toEqual({ host: '2001:db8::1', port: 443 });
    expect(splitHostPort('[2001:db8::1]', '--to', false)).toEqual({ host: '2001:db8::1' });
    expect(() => splitHostPort('[2001:db8::1]', '--to', true)).toThrow('--to "[2001:db8::1]" needs a port');
    expect(() => splitHostPort('[2001:db8::1]:99999', '--to', true)).toThrow('has port "99999"');
  });
});
