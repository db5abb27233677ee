import { compareHops, compareResult, compareTranslations, compareWalk, distinctPortsCheck, portMatches, predictedHeaderAt } from '../../lib/model/compare';
import { predict } from '../../lib/model/predict';
import type { ObservedTranslation } from '../../lib/model/types';
import { walk } from '../../lib/model/walk';
import { seedTopology } from '../../lib/sources';
import { seedWith } from './topologies';

const prediction = predict(seedTopology());
const [a, b, direct] = prediction.walks;

describe('compareWalk', () => {
  it('passes the article observation: 3.224.9.52:27318 for client-a', () => {
    const v = compareWalk(a, { srcIp: '3.224.9.52', srcPort: 27318 });
    expect(v.ok).toBe(true);
    expect(v.checks.map((c) => c.name)).toEqual(['delivered', 'source IP', 'source port']);
  });

  it('fails a wrong source IP, a port outside the range, an exact port that differs', () => {
    expect(compareWalk(a, { srcIp: '3.224.9.53', srcPort: 27318 }).checks.find((c) => c.name === 'source IP')?.ok).toBe(false);
    expect(compareWalk(a, { srcIp: '3.224.9.52', srcPort: 80 }).ok).toBe(false);
    expect(compareWalk(direct, { srcIp: '203.0.113.10', srcPort: 32222 }).ok).toBe(true);
    expect(compareWalk(direct, { srcIp: '203.0.113.10', srcPort: 32223 }).ok).toBe(false);
  });

  it('fails when a predicted delivery was not observed, and passes a predicted drop that was not observed', () => {
    expect(compareWalk(a, null).ok).toBe(false);
    const dropped = walk(seedWith((t) => (t.securityGroups.find((g) => g.id === 'sg-server')!.ingress = [])), seedTopology().flows[0]);
    expect(compareWalk(dropped, null).ok).toBe(true);
    expect(compareWalk(dropped, { srcIp: '3.224.9.52', srcPort: 27318 }).ok).toBe(false);
  });

  it('a flow that leaves the model is not held against an observation', () => {
    const left = walk(seedWith((t) => (t.routeTables.find((r) => r.id === 'rtb-private')!.routes[1].target = { kind: 'tgw', id: 'tgw-1' })), seedTopology().flows[0]);
    const v = compareWalk(left, { srcIp: '192.0.2.1', srcPort: 5 });
    expect(v.ok).toBe(true);
    expect(v.checks).toHaveLength(1);
    expect(String(v.checks[0].expected)).toContain('leaves the model at tgw-1');
  });

  it('maps unresolved predicted addresses through resolveIp', () => {
    const unresolved = { ...a, observedAtDestination: { srcIp: '<Fn::GetAtt Eip.PublicIp>', srcPort: { min: 1024, max: 65535 } } };
    expect(compareWalk(unresolved, { srcIp: '3.224.9.52', srcPort: 2000 }).ok).toBe(false);
    expect(compareWalk(unresolved, { srcIp: '3.224.9.52', srcPort: 2000 }, { resolveIp: (v) => (v.startsWith('<') ? '3.224.9.52' : undefined) }).ok).toBe(true);
  });
});

describe('distinctPortsCheck', () => {
  it('passes the article (27318 and 10722) and fails two clients on one port', () => {
    const good = distinctPortsCheck([compareWalk(a, { srcIp: '3.224.9.52', srcPort: 27318 }), compareWalk(b, { srcIp: '3.224.9.52', srcPort: 10722 })]);
    expect(good.every((v) => v.ok && v.checks.some((c) => c.name === 'port distinct'))).toBe(true);
    const bad = distinctPortsCheck([compareWalk(a, { srcIp: '3.224.9.52', srcPort: 27318 }), compareWalk(b, { srcIp: '3.224.9.52', srcPort: 27318 })]);
    expect(bad.map((v) => v.ok)).toEqual([false, false]);
    expect(compareResult(bad).ok).toBe(false);
    expect(compareResult(good)).toEqual({ ok: true, flows: good });
  });
});

describe('compareHops', () => {
  it('holds each observed step header against the predicted one', () => {
    const checks = compareHops(a, [
      { step: 1, header: { protocol: 'tcp', srcIp: '10.0.1.32', srcPort: 32222, dstIp: '44.198.164.163', dstPort: 8080 } },
      { step: 3, header: { protocol: 'tcp', srcIp: '10.0.0.226', srcPort: 27318, dstIp: '44.198.164.163', dstPort: 8080 } },
      { step: 4, header: { srcIp: '3.224.9.52', srcPort: 27318, dstIp: '44.198.164.163', dstPort: 8080 } },
      { step: 7, header: { protocol: 'tcp', srcIp: '44.198.164.163', srcPort: 8080, dstIp: '10.0.0.226', dstPort: 27318 } },
      { step: 8, header: { protocol: 'tcp', srcIp: '44.198.164.163', srcPort: 8080, dstIp: '10.0.1.32', dstPort: 32222 } },
    ]);
    expect(checks.map((c) => [c.name, c.ok])).toEqual([
      ['step 1 header', true],
      ['step 3 header', true],
      ['step 4 header', true],
      ['step 7 header', true],
      ['step 8 header', true],
    ]);
  });

  it('fails a header that differs, an unknown hop, and a port another flow already uses', () => {
    const checks = compareHops(a, [
      { step: 4, header: { srcIp: '10.0.0.226', srcPort: 27318, dstIp: '44.198.164.163', dstPort: 8080 } },
      { hopIndex: 99, header: { srcIp: '1.1.1.1', srcPort: 1, dstIp: '2.2.2.2', dstPort: 2 } },
      { step: 3, header: { srcIp: '10.0.0.226', srcPort: 10722, dstIp: '44.198.164.163', dstPort: 8080 }, otherFlows: { 'client-b': { ip: '10.0.0.226', port: 10722 } } },
    ]);
    expect(checks.map((c) => [c.name, c.ok])).toEqual([
      ['step 4 header', false],
      ['hop 99 header', false],
      ['step 3 header', true],
      ['step 3 source port distinct', false],
    ]);
  });

  it('finds hops by index in either direction', () => {
    expect(predictedHeaderAt(a, { hopIndex: 1 })?.srcIp).toBe('10.0.1.32');
    expect(predictedHeaderAt(a, { hopIndex: 1, reply: true })?.srcIp).toBe('44.198.164.163');
    expect(portMatches({ min: 1024, max: 65535 }, 1023)).toBe(false);
  });
});

describe('compareTranslations', () => {
  const predicted = [...(a.translations ?? []), ...(b.translations ?? [])];
  const observed = (portA: number, portB: number): ObservedTranslation[] => [
    { source: 'conntrack', protocol: 'tcp', inside: { ip: '10.0.1.32', port: 32222 }, outside: { ip: '10.0.0.226', port: portA }, destination: { ip: '44.198.164.163', port: 8080 } },
    { source: 'conntrack', protocol: 'tcp', inside: { ip: '10.0.1.123', port: 32222 }, outside: { ip: '10.0.0.226', port: portB }, destination: { ip: '44.198.164.163', port: 8080 } },
  ];
  it("passes the article's NAT table", () => {
    const checks = compareTranslations(predicted, observed(27318, 10722));
    expect(checks).toHaveLength(3);
    expect(checks.every((c) => c.ok)).toBe(true);
  });
  it('fails a shared port, a missing entry and a wrong address', () => {
    expect(compareTranslations(predicted, observed(27318, 27318)).filter((c) => !c.ok).map((c) => c.name)).toEqual(['distinct ports on 10.0.0.226 towards 44.198.164.163:8080/tcp']);
    expect(compareTranslations(predicted, observed(27318, 10722).slice(0, 1)).filter((c) => !c.ok)).toHaveLength(1);
    const wrong = observed(27318, 10722).map((o) => ({ ...o, outside: { ...o.outside, ip: '10.0.0.227' } }));
    expect(compareTranslations(predicted, wrong).filter((c) => !c.ok)).toHaveLength(2);
  });
  it('does not count one connection seen by two sources as a clash', () => {
    const twice = [...observed(27318, 10722), { ...observed(27318, 10722)[0], source: 'flow-log' as const }];
    expect(compareTranslations(predicted, twice).every((c) => c.ok)).toBe(true);
  });
});
