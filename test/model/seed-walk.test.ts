/** The seed's walks and prediction against DESIGN.md section 1, exactly. */
import { headerText } from '../../lib/model/components/component';
import { predict } from '../../lib/model/predict';
import type { Hop, Walk } from '../../lib/model/types';
import { walk } from '../../lib/model/walk';
import { seedTopology } from '../../lib/sources';

const RANGE = { min: 1024, max: 65535 };

function steps(hops: Hop[]): Array<number | undefined> {
  return hops.map((h) => h.step);
}

/** The header after the last hop of a step. */
function afterStep(hops: Hop[], step: number): string {
  const inStep = hops.filter((h) => h.step === step);
  return headerText(inStep[inStep.length - 1].after);
}

describe('the seed flow client-a (10.0.1.32:32222 -> 44.198.164.163:8080 through nat-xxx)', () => {
  const w: Walk = walk(seedTopology(), seedTopology().flows[0]);

  it('is delivered and its reply gets back', () => {
    expect(w.verdict).toBe('delivered');
    expect(w.dropped).toBeNull();
    expect(w.reply?.verdict).toBe('delivered');
    expect(w.reply?.dropped).toBeNull();
  });

  it('walks the article steps 1-6 forward and 6-8 back, in order', () => {
    expect(steps(w.hops)).toEqual([1, 1, 1, 1, 1, 2, 2, 3, 3, 3, 4, 5, 6, 6]);
    expect(steps(w.reply!.hops)).toEqual([6, 6, 6, 7, 7, 7, 8, 8, 8, 8, 8, 8]);
    expect(w.hops.map((h) => h.index)).toEqual(w.hops.map((_, i) => i + 1));
  });

  it('step 1: the client routes to the subnet router 10.0.1.1, and rtb-private sends 0/0 to the NAT', () => {
    const s1 = w.hops.filter((h) => h.step === 1);
    expect(s1[0]).toMatchObject({ component: { id: 'client-a', kind: 'host' }, action: 'send' });
    const router = s1.find((h) => h.component.kind === 'subnet-router')!;
    expect(router.detail).toContain('10.0.1.1');
    expect(router.matched).toBe('0.0.0.0/0 via 10.0.1.1');
    const rt = s1.find((h) => h.component.kind === 'route-table')!;
    expect(rt.component.id).toBe('rtb-private');
    expect(rt.matched).toBe('0.0.0.0/0 -> nat-xxx');
    expect(afterStep(w.hops, 1)).toBe('tcp 10.0.1.32:32222 -> 44.198.164.163:8080');
  });

  it('step 2: the NAT ENI receives the untranslated packet', () => {
    const receive = w.hops.find((h) => h.step === 2 && h.component.id === 'nat-xxx')!;
    expect(receive.action).toBe('receive');
    expect(receive.detail).toContain('10.0.0.226');
    expect(headerText(receive.after)).toBe('tcp 10.0.1.32:32222 -> 44.198.164.163:8080');
  });

  it('step 3: source becomes 10.0.0.226 and a port range (never invented), entry created, rtb-public 0/0 -> igw', () => {
    const translate = w.hops.find((h) => h.step === 3 && h.action === 'translate')!;
    expect(translate.component).toEqual({ id: 'nat-xxx', kind: 'nat-gateway', name: 'NAT-GW' });
    expect(translate.before).toEqual({ protocol: 'tcp', srcIp: '10.0.1.32', srcPort: { exact: 32222 }, dstIp: '44.198.164.163', dstPort: { exact: 8080 } });
    expect(translate.after).toEqual({ protocol: 'tcp', srcIp: '10.0.0.226', srcPort: RANGE, dstIp: '44.198.164.163', dstPort: { exact: 8080 } });
    expect(translate.matched).toBe('translation entry created');
    const rt = w.hops.find((h) => h.step === 3 && h.component.kind === 'route-table')!;
    expect(rt.component.id).toBe('rtb-public');
    expect(rt.matched).toBe('0.0.0.0/0 -> igw-yyy');
  });

  it('step 4: the IGW maps 10.0.0.226 to 3.224.9.52 1:1, ports untouched', () => {
    const igw = w.hops.find((h) => h.step === 4)!;
    expect(igw).toMatchObject({ component: { id: 'igw-yyy', kind: 'internet-gateway' }, action: 'translate', matched: '10.0.0.226 <-> 3.224.9.52' });
    expect(igw.after).toEqual({ ...igw.before, srcIp: '3.224.9.52' });
    expect(igw.detail).toContain('ports are untouched');
  });

  it('steps 5-6: across the internet to the server, which sees 3.224.9.52:<1024-65535>', () => {
    expect(w.hops.find((h) => h.step === 5)!.component.kind).toBe('internet');
    const last = w.hops[w.hops.length - 1];
    expect(last).toMatchObject({ step: 6, action: 'deliver', component: { id: 'server', kind: 'server' } });
    expect(headerText(last.after)).toBe('tcp 3.224.9.52:<1024-65535> -> 44.198.164.163:8080');
    expect(w.observedAtDestination).toEqual({ srcIp: '3.224.9.52', srcPort: RANGE });
    expect(w.hops.find((h) => h.component.id === 'sg-server')?.matched).toBe('sg-server ingress tcp 8080 from 3.224.9.52/32');
  });

  it('step 6: the server replies to 3.224.9.52:P', () => {
    expect(headerText(w.reply!.hops[0].before)).toBe('tcp 44.198.164.163:8080 -> 3.224.9.52:<1024-65535>');
    expect(w.reply!.hops[0]).toMatchObject({ step: 6, action: 'send', component: { id: 'server' } });
  });

  it('step 7: the IGW maps 3.224.9.52 back to 10.0.0.226 and the main route table routes it locally', () => {
    const s7 = w.reply!.hops.filter((h) => h.step === 7);
    expect(s7[0]).toMatchObject({ component: { id: 'igw-yyy' }, action: 'translate' });
    expect(headerText(s7[0].after)).toBe('tcp 44.198.164.163:8080 -> 10.0.0.226:<1024-65535>');
    expect(s7.find((h) => h.component.kind === 'route-table')).toMatchObject({ component: { id: 'rtb-main' }, matched: '10.0.0.0/16 -> local' });
  });

  it('step 8: the NAT reverse-translates to 10.0.1.32:32222 via its table, local route to the client', () => {
    const s8 = w.reply!.hops.filter((h) => h.step === 8);
    expect(s8[0]).toMatchObject({ component: { id: 'nat-xxx' }, action: 'translate' });
    expect(headerText(s8[0].after)).toBe('tcp 44.198.164.163:8080 -> 10.0.1.32:32222');
    expect(s8.find((h) => h.component.kind === 'route-table')).toMatchObject({ component: { id: 'rtb-public' }, matched: '10.0.0.0/16 -> local' });
    expect(s8[s8.length - 1]).toMatchObject({ action: 'deliver', component: { id: 'client-a' } });
  });

  it('records the translation entry with a range, not a port', () => {
    expect(w.translations).toEqual([
      { component: 'nat-xxx', protocol: 'tcp', inside: { ip: '10.0.1.32', port: { exact: 32222 } }, outside: { ip: '10.0.0.226', port: RANGE }, destination: { ip: '44.198.164.163', port: 8080 } },
    ]);
  });

  it('names the flow and its sender', () => {
    expect(w.flow).toEqual({ name: 'client-a', protocol: 'tcp', from: { host: 'client-a', ip: '10.0.1.32', port: { exact: 32222 } }, to: { ip: '44.198.164.163', port: 8080 } });
  });
});

describe('the direct client (10.0.0.10, public IP 203.0.113.10) straight through the IGW', () => {
  const w = walk(seedTopology(), seedTopology().flows[2]);
  it('the server sees 203.0.113.10:32222, port unchanged, no NAT Gateway involved', () => {
    expect(w.verdict).toBe('delivered');
    expect(w.observedAtDestination).toEqual({ srcIp: '203.0.113.10', srcPort: { exact: 32222 } });
    expect(w.hops.some((h) => h.component.kind === 'nat-gateway')).toBe(false);
    expect(w.translations).toEqual([]);
    expect(w.hops.find((h) => h.component.kind === 'route-table')?.matched).toBe('0.0.0.0/0 -> igw-yyy');
    expect(steps(w.hops)).toEqual([1, 1, 1, 1, 1, 4, 5, 6, 6]);
    expect(w.reply?.verdict).toBe('delivered');
    expect(headerText(w.reply!.hops[w.reply!.hops.length - 1].after)).toBe('tcp 44.198.164.163:8080 -> 10.0.0.10:32222');
  });
});

describe('predict on the seed', () => {
  const result = predict(seedTopology());
  it('walks the three flows; both NAT flows get ranges distinct from each other', () => {
    expect(result.kind).toBe('predict');
    expect(result.walks.map((w) => [w.flow.name, w.verdict, w.reply?.verdict])).toEqual([
      ['client-a', 'delivered', 'delivered'],
      ['client-b', 'delivered', 'delivered'],
      ['direct', 'delivered', 'delivered'],
    ]);
    expect(result.walks[0].observedAtDestination).toEqual({ srcIp: '3.224.9.52', srcPort: { ...RANGE, distinctFrom: ['client-b'] } });
    expect(result.walks[1].observedAtDestination).toEqual({ srcIp: '3.224.9.52', srcPort: { ...RANGE, distinctFrom: ['client-a'] } });
    expect(result.walks[2].observedAtDestination).toEqual({ srcIp: '203.0.113.10', srcPort: { exact: 32222 } });
  });

  it('carries distinctFrom into the hops and translations, and not onto the client port', () => {
    const a = result.walks[0];
    const translate = a.hops.find((h) => h.action === 'translate' && h.component.id === 'nat-xxx')!;
    expect(translate.after.srcPort).toEqual({ ...RANGE, distinctFrom: ['client-b'] });
    expect(translate.before.srcPort).toEqual({ exact: 32222 });
    expect(a.translations?.[0].outside.port).toEqual({ ...RANGE, distinctFrom: ['client-b'] });
    expect(a.reply!.hops[0].before.dstPort).toEqual({ ...RANGE, distinctFrom: ['client-b'] });
  });

  it('is plain JSON (round-trips unchanged)', () => {
    expect(JSON.parse(JSON.stringify(result))).toEqual(result);
  });
});
