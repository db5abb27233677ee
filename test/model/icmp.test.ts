/** ICMP echo flows: the request and its reply, the NAT Gateway's identifier translation, and ICMP rules. */
import { headerText } from '../../lib/model/components/component';
import { evaluateNetworkAcl, evaluateSecurityGroups } from '../../lib/model/filters';
import type { Header, Hop, NetworkAcl, Topology, Walk } from '../../lib/model/types';
import { natSimulation, walk } from '../../lib/model/walk';
import { renderWalk, shortAnswer } from '../../lib/report/text';
import { seedWith, type Writable } from './topologies';

const SERVER = '44.198.164.163';
const PING = { protocol: 'icmp' as const, from: 'client-a', sourcePort: 4711, to: { host: SERVER, port: 0 } };
const RANGE = { min: 1024, max: 65535 };

/** The seed, with the server's group also admitting echo requests from the NAT's Elastic IP. */
function pingable(edit: (t: Writable<Topology>) => void = () => undefined): Topology {
  return seedWith((t) => {
    t.securityGroups.find((g) => g.id === 'sg-server')!.ingress.push({ protocol: 'icmp', icmpType: 8, cidr: '3.224.9.52/32' });
    edit(t);
  });
}

/** A subnet of the seed gets its own ACL (subnet-public: the NAT Gateway's, where replies come in from the internet). */
function withAcl(t: Writable<Topology>, subnet: string, acl: Omit<NetworkAcl, 'vpc' | 'isDefault'>): void {
  t.subnets.find((s) => s.id === subnet)!.networkAcl = acl.id;
  t.networkAcls.push({ vpc: 'vpc-lab', isDefault: false, ...acl } as Writable<NetworkAcl>);
}

function hop(hops: Hop[], component: string, action: string): Hop {
  const found = hops.find((h) => h.component.id === component && h.action === action);
  if (!found) throw new Error(`no ${action} hop at ${component}`);
  return found;
}

const echo = (over: Partial<Header> = {}): Header => ({
  protocol: 'icmp',
  srcIp: '10.0.1.32',
  srcPort: { exact: 4711 },
  dstIp: '8.8.8.8',
  dstPort: { exact: 0 },
  icmp: { type: 8, code: 0 },
  ...over,
});

describe('an echo request from client-a through the seed NAT Gateway, and its reply', () => {
  const w: Walk = walk(pingable(), PING);

  it('the request is an echo request carrying the identifier; delivered, and the reply gets back to the sender', () => {
    expect(w.hops[0].before).toEqual({ protocol: 'icmp', srcIp: '10.0.1.32', srcPort: { exact: 4711 }, dstIp: SERVER, dstPort: { exact: 0 }, icmp: { type: 8, code: 0 } });
    expect(w.verdict).toBe('delivered');
    expect(w.reply?.verdict).toBe('delivered');
    const last = w.reply!.hops[w.reply!.hops.length - 1];
    expect(last).toMatchObject({ action: 'deliver', component: { id: 'client-a' } });
    expect(w.flow).toMatchObject({ name: `client-a -> ${SERVER} (icmp echo)`, protocol: 'icmp', to: { ip: SERVER, port: 0 } });
  });

  it('the NAT Gateway translates the identifier like a source port, and says so', () => {
    const t = hop(w.hops, 'nat-xxx', 'translate');
    expect(t.after).toEqual({ protocol: 'icmp', srcIp: '10.0.0.226', srcPort: RANGE, dstIp: SERVER, dstPort: { exact: 0 }, icmp: { type: 8, code: 0 } });
    expect(t.detail).toContain('translates the source 10.0.1.32 id 4711 to its private IP 10.0.0.226 and an identifier chosen per echo query from 1024-65535');
    expect(t.detail).toContain('translation entry created: 10.0.1.32 id 4711 <-> 10.0.0.226 id <1024-65535> for 44.198.164.163');
    expect(w.observedAtDestination).toEqual({ srcIp: '3.224.9.52', srcPort: RANGE });
    expect(w.translations).toEqual([{ component: 'nat-xxx', protocol: 'icmp', inside: { ip: '10.0.1.32', port: { exact: 4711 } }, outside: { ip: '10.0.0.226', port: RANGE }, destination: { ip: SERVER, port: 0 } }]);
  });

  it('the reply is an echo reply with the addresses and identifier swapped, reverse-translated to the original identifier', () => {
    expect(w.reply!.hops[0].before).toEqual({ protocol: 'icmp', srcIp: SERVER, srcPort: { exact: 0 }, dstIp: '3.224.9.52', dstPort: RANGE, icmp: { type: 0, code: 0 } });
    const back = hop(w.reply!.hops, 'nat-xxx', 'translate');
    expect(headerText(back.before)).toBe('icmp echo-reply 44.198.164.163 -> 10.0.0.226 id <1024-65535>');
    expect(headerText(back.after)).toBe('icmp echo-reply 44.198.164.163 -> 10.0.1.32 id 4711');
    expect(back.detail).toBe('nat-xxx reverse-translates the destination 10.0.0.226 id <1024-65535> to 10.0.1.32 id 4711 (client-a (10.0.1.32)) using its translation table');
  });

  it('reads as a ping in the text report', () => {
    const text = renderWalk(w);
    expect(text).toContain(`walk client-a -> ${SERVER} (icmp echo): icmp echo client-a 10.0.1.32 id 4711 -> ${SERVER}  [delivered]`);
    expect(text).toContain('icmp echo-request 10.0.1.32 id 4711 -> 44.198.164.163  =>  icmp echo-request 10.0.0.226 id <1024-65535> -> 44.198.164.163');
    expect(text).toContain('translation (nat-xxx): icmp 10.0.1.32 id 4711 <-> 10.0.0.226 id <1024-65535> for 44.198.164.163');
    expect(shortAnswer(w)).toBe('the server sees 3.224.9.52 id <1024-65535>, an identifier chosen by nat-xxx per echo query; the reply gets back');
  });

  it('with a live NAT table the identifier is allocated exactly and the reply finds its entry', () => {
    const sim = natSimulation(pingable(), { seed: 7 });
    const live = walk(pingable(), PING, { nat: sim });
    const outside = hop(live.hops, 'nat-xxx', 'translate').after.srcPort;
    expect('exact' in outside && outside.exact >= 1024 && outside.exact <= 65535).toBe(true);
    expect(live.reply?.verdict).toBe('delivered');
    expect(hop(live.reply!.hops, 'nat-xxx', 'translate').after.dstPort).toEqual({ exact: 4711 });
    expect(shortAnswer(live)).toMatch(/^the server sees 3\.224\.9\.52 id \d+, the identifier nat-xxx allocated for this echo query; the reply gets back$/);
  });

  it('an identifier the sender leaves open is any 16-bit value, and comes back as that range', () => {
    const any = walk(pingable(), { ...PING, sourcePort: 'any' });
    expect(any.hops[0].before.srcPort).toEqual({ min: 0, max: 65535 });
    expect(hop(any.reply!.hops, 'nat-xxx', 'translate').after.dstPort).toEqual({ min: 0, max: 65535 });
  });

  it('without an ICMP rule on the server, the request is dropped there, naming the group and what it allows', () => {
    const dropped = walk(seedWith(() => undefined), PING);
    expect(dropped.verdict).toBe('dropped');
    expect(dropped.dropped?.reason).toBe('security group sg-server (server) allows ingress tcp/8080 from 3.224.9.52/32, tcp/8080 from 203.0.113.10/32 only; not icmp echo-request from 3.224.9.52');
  });
});

describe('security group rules for ICMP types', () => {
  it('an egress rule for type 8 only lets a ping out (and the stateful reply back in)', () => {
    const t = pingable((x) => {
      x.securityGroups.find((g) => g.id === 'sg-clients')!.egress = [{ protocol: 'icmp', icmpType: 8, icmpCode: -1, cidr: '0.0.0.0/0' }];
    });
    const w = walk(t, PING);
    expect(hop(w.hops, 'sg-clients', 'filter').detail).toBe('security group sg-clients (clients) allows egress icmp echo-request to 44.198.164.163');
    expect(w.reply?.verdict).toBe('delivered');
  });

  it('an egress rule for another type (3, destination unreachable) does not', () => {
    const t = pingable((x) => {
      x.securityGroups.find((g) => g.id === 'sg-clients')!.egress = [{ protocol: 'icmp', icmpType: 3, cidr: '0.0.0.0/0' }];
    });
    const r = evaluateSecurityGroups(t, t.hosts[0], 'egress', echo());
    expect(r).toMatchObject({ verdict: 'deny', detail: 'security group sg-clients (clients) allows egress icmp type 3 only; not icmp echo-request to 8.8.8.8', fault: 'security group sg-clients (clients) allows egress icmp type 3 only' });
  });

  it('the code decides too: a rule for echo-request code 0 does not admit code 1; -1 and absent admit any', () => {
    const rule = (icmpCode?: number) =>
      pingable((x) => {
        x.securityGroups.find((g) => g.id === 'sg-clients')!.egress = [{ protocol: 'icmp', icmpType: 8, ...(icmpCode !== undefined ? { icmpCode } : {}), cidr: '0.0.0.0/0' }];
      });
    const code1 = echo({ icmp: { type: 8, code: 1 } });
    expect(evaluateSecurityGroups(rule(0), rule(0).hosts[0], 'egress', code1).verdict).toBe('deny');
    expect(evaluateSecurityGroups(rule(0), rule(0).hosts[0], 'egress', echo()).verdict).toBe('allow');
    expect(evaluateSecurityGroups(rule(-1), rule(-1).hosts[0], 'egress', code1).verdict).toBe('allow');
    expect(evaluateSecurityGroups(rule(), rule().hosts[0], 'egress', code1).verdict).toBe('allow');
  });

  it('an identifier range is never split: ICMP passes or not as a whole, whatever the tcp/udp port rules say', () => {
    const t = pingable((x) => {
      x.securityGroups.find((g) => g.id === 'sg-clients')!.egress = [{ protocol: 'tcp', fromPort: 0, toPort: 0, cidr: '0.0.0.0/0' }];
    });
    const r = evaluateSecurityGroups(t, t.hosts[0], 'egress', echo({ srcPort: { min: 0, max: 65535 } }));
    expect(r.verdict).toBe('deny');
  });

  describe('egress restricted to tcp/80 (security group SgApp, Name tag picnic-sg-app)', () => {
    const t = pingable((x) => {
      x.securityGroups.push({ id: 'SgApp', name: 'picnic-sg-app', vpc: 'vpc-lab', ingress: [], egress: [{ protocol: 'tcp', fromPort: 80, toPort: 80, cidr: '0.0.0.0/0' }] });
      x.hosts.find((h) => h.id === 'client-a')!.securityGroups = ['SgApp'];
    });
    const fault = 'security group SgApp (picnic-sg-app) allows egress tcp/80 only';

    it('drops a ping, naming the group, what it allows and what this packet is', () => {
      const w = walk(t, PING);
      expect(w.verdict).toBe('dropped');
      expect(w.dropped).toMatchObject({ component: 'SgApp', reason: `${fault}; not icmp echo-request to server (44.198.164.163)` });
      expect(evaluateSecurityGroups(t, t.hosts[0], 'egress', echo()).fault).toBe(fault);
    });

    it('drops tcp/443 with the same fault, and lets tcp/80 through with no fault', () => {
      const w = walk(t, { protocol: 'tcp', from: 'client-a', sourcePort: 40000, to: { host: SERVER, port: 443 } });
      expect(w.dropped?.reason).toBe(`${fault}; not tcp/443 to server (44.198.164.163)`);
      const r443 = evaluateSecurityGroups(t, t.hosts[0], 'egress', { protocol: 'tcp', srcIp: '10.0.1.32', srcPort: { exact: 40000 }, dstIp: '8.8.8.8', dstPort: { exact: 443 } });
      expect(r443).toMatchObject({ verdict: 'deny', detail: `${fault}; not tcp/443 to 8.8.8.8`, fault });
      const r80 = evaluateSecurityGroups(t, t.hosts[0], 'egress', { protocol: 'tcp', srcIp: '10.0.1.32', srcPort: { exact: 40000 }, dstIp: '8.8.8.8', dstPort: { exact: 80 } });
      expect(r80).toMatchObject({ verdict: 'allow', detail: 'security group SgApp (picnic-sg-app) allows egress tcp/80 to 8.8.8.8', fault: '' });
    });

    it('a tcp range that the rule allows in part is partial, with the same fault', () => {
      const r = evaluateSecurityGroups(t, t.hosts[0], 'egress', { protocol: 'tcp', srcIp: '10.0.1.32', srcPort: { exact: 40000 }, dstIp: '8.8.8.8', dstPort: { min: 79, max: 81 } });
      expect(r).toMatchObject({ verdict: 'partial', allowedPorts: [[80, 80]], detail: `${fault}; not tcp/79, 81 to 8.8.8.8`, fault });
    });
  });

  it('a group with no rule in a direction says so', () => {
    const t = pingable((x) => {
      x.securityGroups.find((g) => g.id === 'sg-clients')!.egress = [];
    });
    expect(evaluateSecurityGroups(t, t.hosts[0], 'egress', echo())).toMatchObject({ verdict: 'deny', fault: 'security group sg-clients (clients) allows no egress' });
  });
});

describe('network ACL rules for ICMP', () => {
  it('an ACL that allows inbound tcp only drops the echo reply on the reply path, naming the ACL and the implicit rule', () => {
    const t = pingable((x) =>
      withAcl(x, 'subnet-public', {
        id: 'NaclPublic',
        name: 'picnic-nacl-public',
        ingress: [
          { ruleNumber: 100, protocol: 'all', action: 'allow', cidr: '10.0.0.0/16' },
          { ruleNumber: 110, protocol: 'tcp', action: 'allow', cidr: '0.0.0.0/0', fromPort: 0, toPort: 65535 },
        ],
        egress: [{ ruleNumber: 100, protocol: 'all', action: 'allow', cidr: '0.0.0.0/0' }],
      }),
    );
    const w = walk(t, PING);
    expect(w.verdict).toBe('delivered');
    expect(w.reply?.verdict).toBe('dropped');
    expect(w.reply?.dropped).toMatchObject({
      component: 'NaclPublic',
      reason: 'network ACL NaclPublic (picnic-nacl-public) inbound has no rule allowing icmp echo-reply from 44.198.164.163 (the implicit * rule denies it)',
    });
    expect(shortAnswer(w)).toContain('but the reply is dropped at NaclPublic');
    // The same ACL lets tcp replies in: the fault is ICMP's alone.
    expect(walk(t, { protocol: 'tcp', from: 'client-a', sourcePort: 32222, to: { host: 'server', port: 8080 } }).reply?.verdict).toBe('delivered');
  });

  describe('rule 100 denies icmp inbound (NaclWebC, Name tag picnic-nacl-webc)', () => {
    const acl: NetworkAcl = {
      id: 'NaclWebC',
      name: 'picnic-nacl-webc',
      vpc: 'vpc-lab',
      isDefault: false,
      ingress: [
        { ruleNumber: 100, protocol: 'icmp', action: 'deny', cidr: '0.0.0.0/0' },
        { ruleNumber: 200, protocol: 'all', action: 'allow', cidr: '0.0.0.0/0' },
      ],
      egress: [{ ruleNumber: 100, protocol: 'all', action: 'allow', cidr: '0.0.0.0/0' }],
    };
    const reply = echo({ srcIp: '8.8.8.8', srcPort: { exact: 0 }, dstIp: '10.0.0.226', dstPort: RANGE, icmp: { type: 0, code: 0 } });

    it('the reply is denied whole (an identifier range is never narrowed), naming the rule', () => {
      expect(evaluateNetworkAcl(acl, 'ingress', reply)).toEqual({
        verdict: 'deny',
        matched: 'rule 100 deny icmp all types 0.0.0.0/0',
        detail: 'network ACL NaclWebC (picnic-nacl-webc) inbound rule 100 denies icmp echo-reply from 8.8.8.8',
        allowedPorts: [],
        fault: 'network ACL NaclWebC (picnic-nacl-webc) inbound rule 100 denies icmp',
        cause: { kind: 'nacl-deny', acl: 'NaclWebC', side: 'ingress', rule: 100 },
        rules: [100],
      });
    });

    it('tcp passes the same ACL (rule 200)', () => {
      const tcp = evaluateNetworkAcl(acl, 'ingress', { protocol: 'tcp', srcIp: '8.8.8.8', srcPort: { exact: 443 }, dstIp: '10.0.0.226', dstPort: RANGE });
      expect(tcp).toMatchObject({ verdict: 'allow', allowedPorts: [[1024, 65535]], fault: '' });
    });

    it('in a walk, on the private subnet, the request leaves and the reply dies coming back in', () => {
      const t = pingable((x) => withAcl(x, 'subnet-private', acl));
      const w = walk(t, PING);
      expect(w.reply?.verdict).toBe('dropped');
      expect(w.reply?.dropped?.reason).toBe('network ACL NaclWebC (picnic-nacl-webc) inbound rule 100 denies icmp echo-reply from 44.198.164.163');
      expect(w.reply!.hops[w.reply!.hops.length - 1]).toMatchObject({ action: 'drop', component: { id: 'NaclWebC', kind: 'network-acl' } });
    });
  });

  it('a rule for one type matches that type only; the next rule decides the others', () => {
    const acl: NetworkAcl = {
      id: 'acl-x',
      vpc: 'vpc-lab',
      isDefault: false,
      ingress: [
        { ruleNumber: 90, protocol: 'icmp', action: 'allow', cidr: '0.0.0.0/0', icmpType: 0, icmpCode: -1 },
        { ruleNumber: 100, protocol: 'icmp', action: 'deny', cidr: '0.0.0.0/0', icmpType: 8 },
      ],
      egress: [],
    };
    const reply = echo({ icmp: { type: 0, code: 0 }, dstPort: RANGE });
    expect(evaluateNetworkAcl(acl, 'ingress', reply)).toMatchObject({ verdict: 'allow', matched: 'rule 90 allow icmp type 0 code any 0.0.0.0/0', allowedPorts: [[1024, 65535]] });
    expect(evaluateNetworkAcl(acl, 'ingress', echo())).toMatchObject({ verdict: 'deny', fault: 'network ACL acl-x inbound rule 100 denies icmp echo-request' });
    expect(evaluateNetworkAcl(acl, 'ingress', echo({ icmp: { type: 3, code: 4 } }))).toMatchObject({
      verdict: 'deny',
      detail: 'network ACL acl-x inbound has no rule allowing icmp type 3 code 4 from 10.0.1.32 (the implicit * rule denies it)',
      fault: 'network ACL acl-x inbound has no rule allowing icmp type 3 code 4 (the implicit * rule denies it)',
    });
  });

  it('tcp keeps its partial verdicts, with the fault of the rule that denies part', () => {
    const acl: NetworkAcl = {
      id: 'acl-1',
      name: 'picnic-nacl',
      vpc: 'vpc-lab',
      isDefault: false,
      ingress: [
        { ruleNumber: 100, protocol: 'tcp', action: 'deny', cidr: '44.198.164.163/32', fromPort: 1024, toPort: 2047 },
        { ruleNumber: 200, protocol: 'all', action: 'allow', cidr: '0.0.0.0/0' },
      ],
      egress: [{ ruleNumber: 100, protocol: 'tcp', action: 'allow', cidr: '0.0.0.0/0', fromPort: 443, toPort: 443 }],
    };
    const r = evaluateNetworkAcl(acl, 'ingress', { protocol: 'tcp', srcIp: SERVER, srcPort: { exact: 8080 }, dstIp: '10.0.0.226', dstPort: RANGE });
    expect(r).toMatchObject({
      verdict: 'partial',
      allowedPorts: [[2048, 65535]],
      detail: 'network ACL acl-1 (picnic-nacl) inbound allows only tcp/2048-65535 of tcp/1024-65535 from 44.198.164.163 (rule 100 deny tcp 1024-2047 44.198.164.163/32; rule 200 allow all traffic 0.0.0.0/0); a connection on another port is dropped',
      fault: 'network ACL acl-1 (picnic-nacl) inbound rule 100 denies tcp/1024-2047 from 44.198.164.163/32',
    });
    const out = evaluateNetworkAcl(acl, 'egress', { protocol: 'tcp', srcIp: '10.0.1.32', srcPort: { exact: 40000 }, dstIp: '8.8.8.8', dstPort: { exact: 80 } });
    expect(out).toMatchObject({
      verdict: 'deny',
      detail: 'network ACL acl-1 (picnic-nacl) outbound has no rule allowing tcp/80 to 8.8.8.8 (the implicit * rule denies it)',
      fault: 'network ACL acl-1 (picnic-nacl) outbound has no rule allowing tcp/80 (the implicit * rule denies it)',
    });
  });
});
