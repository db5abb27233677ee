/**
 * The local twin for real: namespaces, veths, nftables and conntrack on this kernel, the echo
 * server and the probe inside them, held against the model. Needs root (see root.ts).
 */
import { loadScenario } from '../../lib/sources/scenario';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { OWNER_DIR } from '../../lib/lab/apply';
import { LabInterrupted } from '../../lib/lab/interrupt';
import { newRunPrefix } from '../../lib/lab/names';
import { runLab } from '../../lib/lab/run';
import { predict } from '../../lib/model/predict';
import type { FlowVerdict, RunResult } from '../../lib/model/types';
import { seedTopology } from '../../lib/sources';
import { describeRoot, hostInterfacesWith, namespacesWith, processesWith, requireTwinPrerequisites } from './root';

jest.setTimeout(120_000);

function flow(result: RunResult, name: string): FlowVerdict {
  const v = result.compare.flows.find((f) => f.name === name);
  if (!v) throw new Error(`no verdict for ${name}`);
  return v;
}

function failedChecks(result: RunResult): string[] {
  return result.compare.flows.flatMap((f) => f.checks.filter((c) => !c.ok).map((c) => `${f.name}: ${c.name}`));
}

describeRoot('natlab lab on the seed', () => {
  requireTwinPrerequisites();

  it('shows the article with real packets: every check green, nothing left behind, nothing in the host namespace', async () => {
    const prefix = newRunPrefix();
    const during: string[][] = [];
    const { result } = await runLab(seedTopology(), {
      prefix,
      afterBuild: () => {
        during.push(hostInterfacesWith(prefix), hostInterfacesWith('nl'));
        expect(namespacesWith(prefix).length).toBe(8);
      },
    });
    expect(failedChecks(result)).toEqual([]);
    expect(result.compare.ok).toBe(true);
    // What the server saw, mapped back to the real addresses.
    const a = flow(result, 'client-a');
    const b = flow(result, 'client-b');
    expect(a.observed?.srcIp).toBe('3.224.9.52');
    expect(b.observed?.srcIp).toBe('3.224.9.52');
    expect(a.observed?.srcPort).not.toBe(b.observed?.srcPort);
    expect(flow(result, 'direct').observed).toEqual({ srcIp: '203.0.113.10', srcPort: 32222 });
    // The translation table is conntrack's, one entry per private client.
    expect(result.translations.observed.map((t) => `${t.inside.ip}:${t.inside.port} -> ${t.outside.ip}`).sort()).toEqual([
      '10.0.1.123:32222 -> 10.0.0.226',
      '10.0.1.32:32222 -> 10.0.0.226',
    ]);
    // Every hop of every walk (forward and reply) was held against a captured header.
    for (const v of result.compare.flows) {
      const walk = result.walks.find((w) => w.flow.name === v.name)!;
      const hopChecks = v.checks.filter((c) => / hop \d+/.test(c.name));
      expect(hopChecks.length).toBe(walk.hops.length + (walk.reply?.hops.length ?? 0));
    }
    // Steps 1-8 each have an observed header.
    const steps = new Set(result.observations.filter((o) => o.flow === 'client-a' && o.source === 'capture').map((o) => o.at));
    expect([...steps].sort()).toEqual(['forward host:client-a', 'forward host:server', 'forward igw-out:igw-yyy', 'forward nat:nat-xxx', 'reply host:client-a', 'reply host:server', 'reply igw-in:igw-yyy', 'reply igw-out:igw-yyy', 'reply nat:nat-xxx']);
    expect(result.standIns?.map((s) => s.standIn)).toEqual(['192.0.2.10', '203.0.113.10', '198.51.100.10']);
    expect(during).toEqual([[], []]);
    expect(namespacesWith(prefix)).toEqual([]);
    expect(hostInterfacesWith('nl')).toEqual([]);
    expect(processesWith(prefix)).toEqual([]);
  });

  it('leaves nothing behind when a run fails half-way', async () => {
    const prefix = newRunPrefix();
    await expect(
      runLab(seedTopology(), {
        prefix,
        afterBuild: () => {
          throw new Error('injected failure after the build');
        },
      }),
    ).rejects.toThrow('injected failure');
    expect(namespacesWith(prefix)).toEqual([]);
    expect(processesWith(prefix)).toEqual([]);
  });

  it('leaves nothing behind when one nft -f fails inside the build', async () => {
    const prefix = newRunPrefix();
    let built = false;
    await expect(runLab(seedTopology(), { prefix, tamper: { invalidRouterRule: true }, afterBuild: () => void (built = true) })).rejects.toThrow(/nft -f - failed/);
    expect(built).toBe(false);
    expect(namespacesWith(prefix)).toEqual([]);
    expect(processesWith(prefix)).toEqual([]);
    expect(hostInterfacesWith(prefix)).toEqual([]);
    expect(existsSync(join(OWNER_DIR, `${prefix}pid`))).toBe(false);
  });

  it('stops at its next step when interrupted and tears down before rejecting', async () => {
    const prefix = newRunPrefix();
    const controller = new AbortController();
    await expect(
      runLab(seedTopology(), {
        prefix,
        signal: controller.signal,
        afterBuild: () => {
          expect(namespacesWith(prefix).length).toBe(8);
          controller.abort();
        },
      }),
    ).rejects.toBeInstanceOf(LabInterrupted);
    expect(namespacesWith(prefix)).toEqual([]);
    expect(processesWith(prefix)).toEqual([]);
    expect(existsSync(join(OWNER_DIR, `${prefix}pid`))).toBe(false);
  });

  it('runs two twins at once, both passing', async () => {
    const [one, two] = await Promise.all([runLab(seedTopology()), runLab(seedTopology())]);
    expect(failedChecks(one.result)).toEqual([]);
    expect(failedChecks(two.result)).toEqual([]);
    expect(one.plan.prefix).not.toBe(two.plan.prefix);
    expect(namespacesWith(one.plan.prefix)).toEqual([]);
    expect(namespacesWith(two.plan.prefix)).toEqual([]);
  });
});

describeRoot('natlab lab where the packet dies', () => {
  requireTwinPrerequisites();

  it('private route table without its default route: the model and the captures agree the packet dies at the route table', async () => {
    const topology = await loadScenario('scenarios/broken-private-route.yaml');
    const model = predict(topology).walks.find((w) => w.flow.name === 'client-a')!;
    expect(model.verdict).toBe('dropped');
    const diesAt = model.dropped!.component;
    const { result } = await runLab(topology, { timeoutMs: 1500 });
    expect(failedChecks(result)).toEqual([]);
    const a = flow(result, 'client-a');
    expect(a.observed).toBeNull();
    const dies = a.checks.find((c) => c.name.includes('the packet dies here'))!;
    expect(dies.name).toContain(diesAt);
    expect(dies.ok).toBe(true);
    expect(a.checks.find((c) => c.name === 'forward packet goes no further than the model says')).toMatchObject({ ok: true, observed: 'no further' });
    // The direct client is unaffected.
    expect(flow(result, 'direct').observed).toEqual({ srcIp: '203.0.113.10', srcPort: 32222 });
  });

  it('a blackhole route to the server\'s real /24: the twin drops at rtb-private as the model does', async () => {
    const topology = seedTopology();
    const rtb = topology.routeTables.find((t) => t.id === 'rtb-private') as unknown as { routes: unknown[] };
    rtb.routes.push({ destination: '44.198.164.0/24', target: { kind: 'blackhole' } });
    const model = predict(topology).walks.find((w) => w.flow.name === 'client-a')!;
    expect(model.verdict).toBe('dropped');
    expect(model.dropped!.component).toContain('rtb-private');
    const { result } = await runLab(topology, { timeoutMs: 1500 });
    expect(failedChecks(result)).toEqual([]);
    const a = flow(result, 'client-a');
    expect(a.observed).toBeNull();
    expect(a.checks.find((c) => c.name.includes('the packet dies here'))?.name).toContain('rtb-private');
    expect(flow(result, 'direct').observed).toEqual({ srcIp: '203.0.113.10', srcPort: 32222 });
  });

  it('network ACL without ephemeral ports: the request arrives, the reply dies at the ACL', async () => {
    const topology = await loadScenario('scenarios/nacl-no-ephemeral.yaml');
    const model = predict(topology).walks.find((w) => w.flow.name === 'client-a')!;
    expect(model.verdict).toBe('delivered');
    expect(model.reply?.verdict).toBe('dropped');
    const { result } = await runLab(topology, { timeoutMs: 1500 });
    expect(failedChecks(result)).toEqual([]);
    const a = flow(result, 'client-a');
    const dies = a.checks.find((c) => c.name.startsWith('reply') && c.name.includes('the packet dies here'))!;
    expect(dies.name).toContain(model.reply!.dropped!.component);
    expect(a.checks.find((c) => c.name === 'reply packet goes no further than the model says')?.ok).toBe(true);
    expect(a.checks.find((c) => c.name === 'connection completes both ways')?.observed).toMatch(/^fails/);
  });
});

describeRoot('natlab lab on other scenarios', () => {
  requireTwinPrerequisites();

  it('a public IP behind a NAT route: inbound arrives through the IGW, its reply dies where the model says', async () => {
    const topology = await loadScenario('scenarios/public-ip-behind-nat.yaml');
    const model = predict(topology).walks.find((w) => w.flow.name === 'inbound')!;
    expect(model.verdict).toBe('delivered');
    expect(model.reply?.verdict).toBe('dropped');
    const { result } = await runLab(topology, { timeoutMs: 1500 });
    expect(failedChecks(result)).toEqual([]);
    const inbound = flow(result, 'inbound');
    expect(inbound.observed?.srcIp).toBe('198.51.100.7');
    expect(inbound.checks.find((c) => c.name.startsWith('reply') && c.name.includes('the packet dies here'))?.name).toContain(model.reply!.dropped!.component);
  });

  it('two VPC AZs with a NAT Gateway each (multi-az): every check green', async () => {
    const { result } = await runLab(await loadScenario('scenarios/multi-az.yaml'));
    expect(failedChecks(result)).toEqual([]);
    expect(result.translations.observed.length).toBe(2);
  });
});

describeRoot('natlab lab on a twin tampered with on purpose', () => {
  requireTwinPrerequisites();

  it('a NAT that keeps the source port turns the comparison red', async () => {
    const { result } = await runLab(seedTopology(), { tamper: { natKeepsSourcePort: true } });
    expect(result.compare.ok).toBe(false);
    const kept = ['client-a', 'client-b'].map((n) => flow(result, n).checks.find((c) => c.name === 'nat-xxx chooses a new source port')!);
    expect(kept.some((c) => !c.ok && c.observed === 32222)).toBe(true);
  });

  it('an IGW that rewrites ports turns the comparison red', async () => {
    const { result } = await runLab(seedTopology(), { tamper: { igwRewritesPorts: true } });
    expect(result.compare.ok).toBe(false);
    const direct = flow(result, 'direct');
    expect(direct.observed).toEqual({ srcIp: '203.0.113.10', srcPort: 32222 ^ 0x1000 });
    expect(direct.checks.find((c) => c.name === 'source port')?.ok).toBe(false);
    expect(direct.checks.find((c) => c.name === 'igw-yyy leaves ports untouched (forward)')?.ok).toBe(false);
    expect(flow(result, 'client-a').checks.find((c) => c.name === 'igw-yyy leaves ports untouched (forward)')?.ok).toBe(false);
  });
});
