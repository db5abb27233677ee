/**
 * The model's seams: no import cycle in lib/model, no component importing another, and a new
 * component kind is its file plus one registry line (shown with a toy kind).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import type { Component, Decision, Packet, Trace } from '../../lib/model/components/component';
import { DEFAULT_REGISTRY, parseRef } from '../../lib/model/components/registry';
import { articleStep } from '../../lib/model/article-steps';
import { walk } from '../../lib/model/walk';
import { seedTopology } from '../../lib/sources';
import { seedWith, setDefaultRoute } from './topologies';

const MODEL = join(__dirname, '..', '..', 'lib', 'model');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : path.endsWith('.ts') ? [path] : [];
  });
}

/** The model modules each module imports (type-only imports included), by path relative to lib/model. */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of files(MODEL)) {
    const text = readFileSync(file, 'utf8');
    const targets = [...text.matchAll(/^\s*(?:import|export)\b[^;]*?\bfrom '([^']+)'/gm)]
      .map((m) => m[1])
      .filter((s) => s.startsWith('.'))
      .map((s) => resolve(dirname(file), s))
      .filter((p) => p.startsWith(MODEL + '/'))
      .map((p) => relative(MODEL, p.endsWith('.ts') ? p : `${p}.ts`));
    graph.set(relative(MODEL, file), targets.map((t) => (graph.has(t) || files(MODEL).some((f) => relative(MODEL, f) === t) ? t : t.replace(/\.ts$/, '/index.ts'))));
  }
  return graph;
}

/** Every cycle's first occurrence, as a path of modules (a depth-first walk). */
function cycles(graph: Map<string, string[]>): string[][] {
  const found: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (node: string): void => {
    state.set(node, 'open');
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      if (state.get(next) === 'open') found.push([...stack.slice(stack.indexOf(next)), next]);
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(node, 'done');
  };
  for (const node of graph.keys()) if (!state.has(node)) visit(node);
  return found;
}

describe('lib/model imports', () => {
  const graph = importGraph();

  it('sees the modules and their imports', () => {
    expect(graph.get('walk.ts')).toEqual(expect.arrayContaining(['components/registry.ts', 'faults.ts']));
    expect(graph.get('components/registry.ts')).toEqual(expect.arrayContaining(['components/vpc-router.ts', 'components/nat-gateway.ts']));
  });

  it('finds a cycle when there is one', () => {
    expect(cycles(new Map([['a.ts', ['b.ts']], ['b.ts', ['c.ts']], ['c.ts', ['a.ts']]]))).toEqual([['a.ts', 'b.ts', 'c.ts', 'a.ts']]);
  });

  it('has no import cycle', () => {
    expect(cycles(graph)).toEqual([]);
  });

  it('no component imports another: only the registry knows them all', () => {
    const components = [...graph.keys()].filter((f) => f.startsWith('components/') && !['components/registry.ts', 'components/component.ts', 'components/trace.ts'].includes(f));
    expect(components.length).toBeGreaterThanOrEqual(5);
    for (const file of components) {
      expect([file, (graph.get(file) ?? []).filter((t) => components.includes(t))]).toEqual([file, []]);
    }
  });
});

describe('the component registry', () => {
  const TO_SERVER = { protocol: 'tcp' as const, from: 'client-a', sourcePort: 32222, to: { host: 'server', port: 8080 } };

  it('resolves the model kinds by reference', () => {
    const t = seedTopology();
    expect(parseRef('nat:nat-xxx')).toEqual({ kind: 'nat', id: 'nat-xxx' });
    expect(parseRef('internet')).toEqual({ kind: 'internet', id: '' });
    for (const ref of ['router:vpc-lab', 'nat:nat-xxx', 'igw:igw-yyy', 'internet', 'host:server', 'host:198.51.100.9']) expect(DEFAULT_REGISTRY.resolve(ref, t)).toBeDefined();
    expect(() => DEFAULT_REGISTRY.resolve('tgw:tgw-1', t)).toThrow('no component kind resolves');
  });

  it('a new kind is one registration: a toy transit gateway the router forwards to', () => {
    const topology = seedWith((t) => {
      setDefaultRoute(t, 'rtb-private', { kind: 'tgw', id: 'tgw-toy' });
      t.securityGroups.find((g) => g.id === 'sg-server')!.ingress.push({ protocol: 'tcp', fromPort: 8080, toPort: 8080, cidr: '10.0.1.0/24' });
    });
    // Without the kind, the walk leaves the model at the transit gateway.
    expect(walk(topology, TO_SERVER).leftModel?.cause).toEqual({ kind: 'unsimulated-target', target: { kind: 'tgw', id: 'tgw-toy' }, table: 'rtb-private' });
    // A toy kind: sends everything to the internet (an egress VPC behind it, without NAT).
    class ToyTransitGateway implements Component {
      constructor(readonly id: string) {}
      receive(packet: Packet, trace: Trace): Decision {
        trace.record({ id: this.id, kind: 'route-table', name: 'toy transit gateway' }, 'forward', `${this.id} sends it to the internet`, packet.header);
        return { kind: 'forward', to: 'internet', packet };
      }
    }
    const registry = DEFAULT_REGISTRY.with('tgw', (id) => new ToyTransitGateway(id));
    const w = walk(topology, TO_SERVER, { registry });
    expect(w.hops.map((h) => h.component.id)).toContain('tgw-toy');
    expect(w.verdict).toBe('delivered');
    // Nothing translated on the way: the server sees the client's private address.
    expect(w.observedAtDestination).toEqual({ srcIp: '10.0.1.32', srcPort: { exact: 32222 } });
    // The reply to a private address dies on the internet, with a typed fault.
    expect(w.reply?.dropped?.cause).toEqual({ kind: 'not-routable', destination: { kind: 'vpc', vpc: 'vpc-lab', block: '10.0.0.0/16' } });
  });
});

describe('the article steps are given at the edge', () => {
  it('numbers the request 1-6 and the reply 6-8 from milestones', () => {
    expect(articleStep(undefined, 'send', false)).toBe(1);
    expect(articleStep(1, 'nat-translate', false)).toBe(3);
    expect(articleStep(5, 'igw-in', false)).toBe(5); // a hairpin's way back in keeps the request's step
    expect(articleStep(undefined, 'nat-ingress', true)).toBe(8);
    expect(articleStep(7, 'nat-ingress', true)).toBe(7);
    expect(articleStep(6, 'igw-in', true)).toBe(7);
  });

  it('gives the seed walk the article steps, request then reply', () => {
    const w = walk(seedTopology(), { protocol: 'tcp', from: 'client-a', sourcePort: 32222, to: { host: 'server', port: 8080 } });
    const steps = (hops: typeof w.hops) => [...new Set(hops.map((h) => h.step))];
    expect(steps(w.hops)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(steps(w.reply!.hops)).toEqual([6, 7, 8]);
  });
});

describe('the public API', () => {
  it('lists its names one by one and keeps component classes and the trace out of sight', async () => {
    for (const index of ['lib/index.ts', 'lib/model/index.ts']) expect(readFileSync(join(__dirname, '..', '..', index), 'utf8')).not.toMatch(/^export \* from/m);
    const api: Record<string, unknown> = await import('../../lib/index');
    for (const internal of ['WalkContext', 'DirectionTrace', 'HostSender', 'HostReceiver', 'NatGatewayComponent', 'InternetGatewayComponent', 'Internet', 'VpcRouter', 'markDistinctPorts', 'resolveSource']) expect([internal, internal in api]).toEqual([internal, false]);
    for (const name of ['walk', 'predict', 'findings', 'planTwin', 'NatGatewayLab', 'ComponentRegistry', 'explainFault', 'NAT_PORT_RANGE', 'NAT_IDLE_TIMEOUT_SECONDS', 'networkAclForSubnet']) expect([name, name in api]).toEqual([name, true]);
  });
});
