/**
 * `natlab lab` end to end: plan, build, send the flows, observe, compare with the model,
 * tear down (always, also on error; the CLI adds SIGINT/SIGTERM).
 */
import { InputError } from '../errors';
import { predict } from '../model/predict';
import type { Observation, RunResult, Topology } from '../model/types';
import { applyPlan, teardownPrefix } from './apply';
import { compareTwin, type FlowComparison } from './compare';
import { throwIfInterrupted } from './interrupt';
import { newRunPrefix } from './names';
import { observeFlows, ProcessRegistry, resolveFlows, startListeners, type Listeners } from './observe';
import { DEFAULT_NAT_PORT_RANGE, planTwin, type TwinPlan, type TwinTamper } from './plan';
import { assertTwinPrerequisites } from './prereq';

export interface LabOptions {
  /** Run prefix. @default a fresh `nlXXXXXX-` */
  readonly prefix?: string;
  /** NAT source port range. @default [1024, 65535] */
  readonly natPortRange?: readonly [number, number];
  /** Probe deadline per connection, ms (flows the model says die wait this long). @default 2000 */
  readonly timeoutMs?: number;
  /** Deliberate faults (tests). @default none */
  readonly tamper?: TwinTamper;
  /** Progress lines (stderr in the CLI). @default none */
  readonly progress?: (message: string) => void;
  /** Called once the run is registered, so a signal handler can kill its processes. */
  readonly onStart?: (run: ActiveRun) => void;
  /** Aborted on Ctrl-C: the run stops at its next step and tears down (`runLabInterruptibly`). */
  readonly signal?: AbortSignal;
  /** Test hook: called after the twin is built and before any flow is sent. */
  readonly afterBuild?: (plan: TwinPlan) => Promise<void> | void;
}

/** A run in progress: what a signal handler needs to clean up. */
export interface ActiveRun {
  readonly prefix: string;
  readonly processes: ProcessRegistry;
}

export interface LabOutcome {
  readonly result: RunResult;
  readonly comparisons: FlowComparison[];
  readonly plan: TwinPlan;
}

/** Tears down one run: kills its processes, deletes its namespaces. */
export async function teardownRun(run: ActiveRun): Promise<void> {
  run.processes.killAll();
  await teardownPrefix(run.prefix);
}

/** Builds the twin of `topology`, runs its flows, compares with the model, tears down. */
export async function runLab(topology: Topology, options: LabOptions = {}): Promise<LabOutcome> {
  assertTwinPrerequisites();
  const started = Date.now();
  const startedAt = new Date(started).toISOString();
  const prefix = options.prefix ?? newRunPrefix();
  const plan = planTwin(topology, { prefix, natPortRange: options.natPortRange, tamper: options.tamper });
  // The model predicts the twin's NAT: the same port range as the twin's nftables rule.
  const range = options.natPortRange ?? DEFAULT_NAT_PORT_RANGE;
  const prediction = predict(topology, { natPortRange: { min: range[0], max: range[1] } });
  const { flows, skipped } = resolveFlows(topology, plan, topology.flows);
  if (flows.length === 0) {
    const why = skipped.length ? `: ${skipped.map((s) => `${s.flow}: ${s.reason}`).join('; ')}` : '';
    throw new InputError(`topology ${topology.name} defines no flow the twin can send${why}`);
  }
  const active: ActiveRun = { prefix, processes: new ProcessRegistry() };
  options.onStart?.(active);
  try {
    options.progress?.(`building the twin: ${plan.namespaces.length} namespaces, ${plan.links.length} veth pairs (prefix ${prefix})`);
    const observeOptions = { timeoutMs: options.timeoutMs ?? 2000, processes: active.processes, progress: options.progress };
    let listeners: Listeners | undefined;
    await applyPlan(
      plan,
      async () => {
        throwIfInterrupted(options.signal);
        listeners = await startListeners(plan, flows, observeOptions);
      },
      options.signal,
    );
    throwIfInterrupted(options.signal);
    await options.afterBuild?.(plan);
    throwIfInterrupted(options.signal);
    const observed = await observeFlows(plan, flows, listeners!, observeOptions);
    throwIfInterrupted(options.signal);
    const comparisons = compareTwin({ walks: prediction.walks, runs: observed.runs, packets: observed.packets, conntrack: observed.conntrack, accepted: observed.accepted, standIns: plan.standIns });
    const real = (ip: string): string => plan.standIns.real(ip);
    const observations: Observation[] = [];
    for (const run of observed.runs) {
      const saw = run.probe?.serverSaw;
      if (saw) {
        observations.push({ flow: run.flow.spec.name, source: 'server', at: run.flow.to.hostId, protocol: 'tcp', srcIp: real(saw.srcIp), srcPort: saw.srcPort, dstIp: real(run.flow.dstTwinIp), dstPort: run.flow.spec.to.port });
      }
      if (run.probe?.local) {
        observations.push({ flow: run.flow.spec.name, source: 'probe', at: run.flow.from.hostId, protocol: 'tcp', srcIp: run.probe.local.ip, srcPort: run.probe.local.port, dstIp: real(run.flow.dstTwinIp), dstPort: run.flow.spec.to.port });
      }
    }
    for (const c of comparisons) {
      for (const h of c.hops) {
        if (!h.observed) continue;
        observations.push({ flow: c.verdict.name, source: 'capture', at: `${h.direction} ${h.point}`, protocol: 'tcp', srcIp: h.observed.srcIp, srcPort: h.observed.srcPort, dstIp: h.observed.dstIp, dstPort: h.observed.dstPort });
      }
      for (const t of c.translations) {
        observations.push({ flow: c.verdict.name, source: 'conntrack', at: t.outside.ip, protocol: t.protocol, srcIp: t.outside.ip, srcPort: t.outside.port, dstIp: t.destination.ip, dstPort: t.destination.port });
      }
    }
    const verdicts = comparisons.map((c) => c.verdict);
    const notes = [...plan.notes, ...skipped.map((s) => `${s.flow}: ${s.reason}`)];
    notes.push(`public addresses in the twin are documentation stand-ins: ${plan.standIns.entries.map((s) => `${s.real} -> ${s.standIn}`).join(', ') || 'none'}`);
    const result: RunResult = {
      kind: 'lab',
      topology,
      walks: prediction.walks,
      observations,
      translations: { predicted: prediction.walks.flatMap((w) => w.translations ?? []), observed: comparisons.flatMap((c) => c.translations) },
      compare: { ok: verdicts.length > 0 && verdicts.every((v) => v.ok), flows: verdicts },
      standIns: plan.standIns.entries,
      notes,
      startedAt,
      durationMs: 0,
    };
    options.progress?.('tearing down');
    await teardownRun(active);
    return { result: { ...result, durationMs: Date.now() - started }, comparisons, plan };
  } finally {
    await teardownRun(active);
  }
}
