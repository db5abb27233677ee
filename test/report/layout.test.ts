import { CONTAINER_KINDS, type AnyBox, type Diagram } from '../../lib/report/boxes';
import { overlaps, polylineHitsRect } from '../../lib/report/geometry';
import { layout } from '../../lib/report/layout';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { predict } from '../../lib/model/predict';
import { loadScenario } from '../../lib/sources/scenario';
import { droppedPredict, multiAzPredict, seedLab, seedPredict } from '../fixtures/report/build';

const SCENARIOS = join(__dirname, '..', '..', 'scenarios');

function ofKind(d: Diagram, kind: string): AnyBox[] {
  return d.boxes.filter((b) => b.kind === kind);
}

function inside(inner: AnyBox, outer: AnyBox): boolean {
  return inner.x >= outer.x && inner.y >= outer.y && inner.x + inner.w <= outer.x + outer.w && inner.y + inner.h <= outer.y + outer.h;
}

/** A marker (`step-3@nat-xxx`) sits beside its component's icon, inside the room for its labels. */
function attached(a: AnyBox, b: AnyBox): boolean {
  const target = (m: AnyBox) => (m.kind === 'step' || m.kind === 'drop' ? (m.kind === 'drop' ? 'drop' : m.id.split('@')[1]) : undefined);
  const marker = target(a) ? a : target(b) ? b : undefined;
  const other = marker === a ? b : a;
  if (!marker || !other.anchor) return false;
  return (target(marker) === other.id || marker.kind === 'drop') && !overlaps(marker, other.anchor);
}

function expectNoOverlaps(d: Diagram): void {
  const leaves = d.boxes.filter((b) => !CONTAINER_KINDS.has(b.kind));
  for (let i = 0; i < leaves.length; i++) {
    for (let j = i + 1; j < leaves.length; j++) {
      if (overlaps(leaves[i], leaves[j]) && !attached(leaves[i], leaves[j])) throw new Error(`${leaves[i].kind} ${leaves[i].id} overlaps ${leaves[j].kind} ${leaves[j].id}`);
    }
  }
  for (const b of d.boxes) {
    expect(b.x).toBeGreaterThanOrEqual(0);
    expect(b.y).toBeGreaterThanOrEqual(0);
    expect(b.x + b.w).toBeLessThanOrEqual(d.width);
    expect(b.y + b.h).toBeLessThanOrEqual(d.height);
  }
}

describe('layout: the seed in the article\'s arrangement', () => {
  const d = layout(seedLab());

  it('places one region, VPC and AZ, the public subnet above the private one', () => {
    expect(ofKind(d, 'region')).toHaveLength(1);
    expect(ofKind(d, 'vpc').map((b) => b.id)).toEqual(['vpc-lab']);
    expect(ofKind(d, 'az')).toHaveLength(1);
    const pub = d.boxes.find((b) => b.id === 'subnet-public')!;
    const priv = d.boxes.find((b) => b.id === 'subnet-private')!;
    expect(pub.y).toBeLessThan(priv.y);
    expect(inside(pub, ofKind(d, 'az')[0])).toBe(true);
  });

  it('puts the NAT Gateway and the direct client in the public subnet and the clients in the private one', () => {
    const pub = d.boxes.find((b) => b.id === 'subnet-public')!;
    const priv = d.boxes.find((b) => b.id === 'subnet-private')!;
    expect(inside(d.boxes.find((b) => b.id === 'nat-xxx')!, pub)).toBe(true);
    expect(inside(d.boxes.find((b) => b.id === 'direct')!, pub)).toBe(true);
    expect(inside(d.boxes.find((b) => b.id === 'client-a')!, priv)).toBe(true);
    expect(inside(d.boxes.find((b) => b.id === 'client-b')!, priv)).toBe(true);
  });

  it('orders the path left to right: VPC, IGW, internet, server', () => {
    const x = (id: string) => d.boxes.find((b) => b.id === id)!.x;
    const vpc = d.boxes.find((b) => b.id === 'vpc-lab')!;
    expect(x('igw-yyy')).toBeGreaterThan(vpc.x + vpc.w);
    expect(x('internet')).toBeGreaterThan(x('igw-yyy'));
    expect(x('server')).toBeGreaterThan(x('internet'));
    expect(ofKind(d, 'route-table')[0].x).toBeLessThan(vpc.x);
  });

  it('marks steps 1-8 at the component that performs each', () => {
    const steps = ofKind(d, 'step') as Array<AnyBox & { data: { n: number } }>;
    expect([...new Set(steps.map((s) => s.data.n))].sort()).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    const at = (n: number) => steps.filter((s) => s.data.n === n).map((s) => s.id.split('@')[1]);
    expect(at(2)).toContain('nat-xxx');
    expect(at(3)).toContain('nat-xxx');
    expect(at(4)).toContain('igw-yyy');
    expect(at(5)).toContain('internet');
    expect(at(6)).toContain('server');
    expect(at(7)).toContain('igw-yyy');
    expect(at(8)).toContain('nat-xxx');
    expect(at(1)).toEqual(expect.arrayContaining(['client-a', 'client-b']));
  });

  it('draws the way out and the reply between the components the walk visits', () => {
    const pairs = (kind: string) => d.arrows.filter((a) => a.kind === kind).flatMap((a) => a.flows);
    expect(pairs('forward')).toEqual(expect.arrayContaining(['client-a', 'client-b', 'direct']));
    expect(pairs('reply')).toEqual(expect.arrayContaining(['client-a', 'client-b', 'direct']));
    // Arrows never run through a box they do not start or end at.
    const icons = d.boxes.filter((b) => ['host', 'nat-gateway', 'internet-gateway', 'internet', 'server'].includes(b.kind));
    for (const a of d.arrows.filter((x) => x.kind === 'forward' || x.kind === 'reply')) {
      const [first, last] = [a.points[0], a.points[a.points.length - 1]];
      const crossed = icons.filter((b) => polylineHitsRect(a.points, b) && !near(first, b) && !near(last, b));
      expect(crossed.map((b) => b.id)).toEqual([]);
    }
  });

  it('keeps every box inside the canvas and apart from its neighbours', () => {
    expectNoOverlaps(d);
  });

  it('fills the NAT table with the observed ports and the server table with what it saw', () => {
    const nat = d.boxes.find((b) => b.kind === 'nat-table')!;
    const rows = (nat.data as { rows: string[][] }).rows;
    expect(rows).toEqual([
      ['10.0.1.32', '32222', '10.0.0.226', '27318'],
      ['10.0.1.123', '32222', '10.0.0.226', '10722'],
    ]);
    const server = d.boxes.find((b) => b.kind === 'server-table')!;
    expect((server.data as { rows: string[][] }).rows).toContainEqual(['client-a', '3.224.9.52:27318']);
  });
});

function near(p: { x: number; y: number }, b: AnyBox): boolean {
  return p.x >= b.x - 1 && p.x <= b.x + b.w + 1 && p.y >= b.y - 1 && p.y <= b.y + b.h + 1;
}

describe('layout: other topologies get their own picture', () => {
  it('draws a multi-AZ VPC with both AZs, both subnets per AZ and both NAT Gateways', () => {
    const d = layout(multiAzPredict());
    const azs = ofKind(d, 'az');
    expect(azs.map((b) => b.id)).toEqual(['vpc-multi/us-east-1a', 'vpc-multi/us-east-1b']);
    expect(azs[1].x).toBeGreaterThan(azs[0].x + azs[0].w);
    expect(ofKind(d, 'subnet')).toHaveLength(4);
    expect(ofKind(d, 'nat-gateway').map((b) => b.id).sort()).toEqual(['nat-a', 'nat-b']);
    expect(inside(d.boxes.find((b) => b.id === 'nat-a')!, azs[0])).toBe(true);
    expect(inside(d.boxes.find((b) => b.id === 'nat-b')!, azs[1])).toBe(true);
    expect(ofKind(d, 'nat-table').map((b) => b.id).sort()).toEqual(['nat-table-nat-a', 'nat-table-nat-b']);
    expect(ofKind(d, 'route-table').map((b) => b.id)).toEqual(expect.arrayContaining(['rtb-private-a', 'rtb-private-b', 'rtb-public']));
    const steps = ofKind(d, 'step').map((s) => s.id);
    expect(steps).toEqual(expect.arrayContaining(['step-2@nat-a', 'step-2@nat-b', 'step-3@nat-a', 'step-3@nat-b']));
    expectNoOverlaps(d);
  });

  it('draws a dropped flow up to the component that dropped it, with the reason', () => {
    const input = droppedPredict();
    expect(input.walks[0].dropped?.component).toBe('rtb-private');
    const d = layout(input);
    const rtb = d.boxes.find((b) => b.id === 'rtb-private')!;
    const dropped = d.arrows.find((a) => a.kind === 'dropped')!;
    expect(dropped.flows).toEqual(['client-a']);
    expect(near(dropped.points[dropped.points.length - 1], rtb)).toBe(true);
    const mark = ofKind(d, 'drop')[0];
    expect(Math.hypot(mark.x + mark.w / 2 - (rtb.x + rtb.w / 2), mark.y - rtb.y)).toBeLessThan(rtb.w);
    const note = ofKind(d, 'drop-note')[0] as AnyBox & { data: { title: string; lines: string[] } };
    expect(note.data.title).toBe('client-a dropped at rtb-private');
    expect(note.data.lines.join(' ')).toBe(input.walks[0].dropped!.reason);
    // Nothing is drawn past the drop: no arrow reaches the NAT, the IGW or the server.
    expect(d.arrows.filter((a) => a.kind === 'forward' || a.kind === 'reply')).toEqual([]);
    expectNoOverlaps(d);
  });

  it('draws the seed prediction from the model with the same steps', () => {
    const d = layout(seedPredict());
    const steps = ofKind(d, 'step') as Array<AnyBox & { data: { n: number } }>;
    expect([...new Set(steps.map((s) => s.data.n))].sort()).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expectNoOverlaps(d);
  });

  it('draws a dropped reply up to where it was dropped: a public IP behind a NAT Gateway', async () => {
    const input = predict(await loadScenario(join(SCENARIOS, 'public-ip-behind-nat.yaml')));
    const inbound = input.walks.find((w) => w.flow.name === 'inbound')!;
    expect(inbound.reply?.dropped?.component).toBe('nat-xxx');
    const d = layout(input);
    const dropped = d.arrows.find((a) => a.kind === 'dropped')!;
    expect(dropped.flows).toEqual(['inbound (reply)']);
    expect(near(dropped.points[dropped.points.length - 1], d.boxes.find((b) => b.id === 'nat-xxx')!)).toBe(true);
    const note = ofKind(d, 'drop-note')[0] as AnyBox & { data: { title: string; lines: string[] } };
    expect(note.data.title).toBe('inbound (reply) dropped at nat-xxx');
    expect(note.data.lines.join(' ')).toBe(inbound.reply!.dropped!.reason);
    expectNoOverlaps(d);
  });

  it('gives flows dropped at the same place one cross and one note', async () => {
    const input = predict(await loadScenario(join(SCENARIOS, 'nacl-no-ephemeral.yaml')));
    const d = layout(input);
    expect(ofKind(d, 'drop')).toHaveLength(1);
    const notes = ofKind(d, 'drop-note') as Array<AnyBox & { data: { title: string; lines: string[] } }>;
    expect(notes).toHaveLength(1);
    for (const w of input.walks) expect(notes[0].data.title.replace(/\n/g, ' ')).toContain(`${w.flow.name} (reply)`);
  });

  it.each(readdirSync(SCENARIOS))('lays out scenario %s with every box apart', async (file) => {
    expectNoOverlaps(layout(predict(await loadScenario(join(SCENARIOS, file)))));
  });
});
