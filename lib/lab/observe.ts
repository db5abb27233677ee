/**
 * Sending the scenario's flows through a built twin and collecting what happened: the probe's
 * results (with what the server saw), the NAT namespaces' conntrack tables and the captures
 * on every segment. Everything here is still in twin addresses; `run.ts` maps back.
 */
import type { ChildProcess } from 'node:child_process';
import { InputError } from '../errors';
import { isIpv4 } from '../model/address';
import { findHosts, resolveHost } from '../model/hosts';
import type { FlowSpec, Topology } from '../model/types';
import { startCaptures, type CapturedPacket, type CaptureSet } from './capture';
import { readAccepted, readConntrack, type ConntrackEntry } from './conntrack';
import type { TwinHost, TwinPlan } from './plan';
import { runProbe, startEchoServer, type ProbeLine } from './processes';

/** A flow of the scenario as the twin sends it. */
export interface TwinFlow {
  readonly spec: FlowSpec;
  readonly from: TwinHost;
  /** The host that answers (its namespace runs the echo server). */
  readonly to: TwinHost;
  /** Destination address in the twin (a stand-in for public addresses). */
  readonly dstTwinIp: string;
}

/** What one flow produced in the twin. */
export interface FlowRun {
  readonly flow: TwinFlow;
  readonly probe: ProbeLine | null;
}

export interface TwinObservations {
  readonly runs: FlowRun[];
  /** Source-NAT entries per NAT Gateway id. */
  readonly conntrack: Map<string, ConntrackEntry[]>;
  /** What each destination's namespace accepted (its conntrack table), per namespace. */
  readonly accepted: Map<string, ConntrackEntry[]>;
  readonly packets: CapturedPacket[];
  /** Flows the twin could not send (not TCP), with why. */
  readonly skipped: Array<{ flow: string; reason: string }>;
}

/** Tracks every child process of a run so teardown and signal handlers can kill them. */
export class ProcessRegistry {
  readonly children = new Set<ChildProcess>();
  private stopped = false;
  add = (child: ChildProcess): void => {
    // After stop() (Ctrl-C) a process spawned by a step still under way dies at once.
    if (this.stopped) child.kill('SIGKILL');
    this.children.add(child);
    child.on('exit', () => this.children.delete(child));
  };
  killAll(): void {
    for (const child of this.children) child.kill('SIGKILL');
  }
  /** Kills every process and every one added later (the run was interrupted). */
  stop(): void {
    this.stopped = true;
    this.killAll();
  }
}

/** Resolves the scenario's flows to twin hosts; flows the twin cannot send are reported. */
export function resolveFlows(topology: Topology, plan: TwinPlan, flows: FlowSpec[]): { flows: TwinFlow[]; skipped: Array<{ flow: string; reason: string }> } {
  const out: TwinFlow[] = [];
  const skipped: Array<{ flow: string; reason: string }> = [];
  const twinHost = (id: string): TwinHost | undefined => plan.hosts.find((h) => h.hostId === id);
  for (const spec of flows) {
    if (spec.protocol !== 'tcp') {
      skipped.push({ flow: spec.name, reason: `${spec.protocol} flows are not sent in the twin (the probe speaks TCP)` });
      continue;
    }
    const fromHost = twinHost(resolveHost(topology, spec.from).id);
    if (!fromHost) throw new InputError(`flow ${spec.name}: source "${spec.from}" has no place in the twin`);
    let target = findHosts(topology, spec.to.host);
    if (target.length === 0 && !isIpv4(spec.to.host)) target = [resolveHost(topology, spec.to.host)];
    const toHost = target.length === 1 ? twinHost(target[0].id) : undefined;
    if (!toHost) {
      skipped.push({ flow: spec.name, reason: `destination ${spec.to.host} is no host of the topology, so nothing in the twin would answer` });
      continue;
    }
    const real = isIpv4(spec.to.host) ? spec.to.host : target[0].privateIp;
    out.push({ spec, from: fromHost, to: toHost, dstTwinIp: plan.standIns.twin(real) });
  }
  return { flows: out, skipped };
}

/** Batches in scenario order: flows of one group together, other flows one at a time. */
export function flowBatches(flows: TwinFlow[]): TwinFlow[][] {
  const batches: TwinFlow[][] = [];
  const byGroup = new Map<string, TwinFlow[]>();
  for (const f of flows) {
    const group = f.spec.group;
    if (group === undefined) {
      batches.push([f]);
      continue;
    }
    const batch = byGroup.get(group);
    if (batch) batch.push(f);
    else {
      const fresh = [f];
      byGroup.set(group, fresh);
      batches.push(fresh);
    }
  }
  return batches;
}

export interface ObserveOptions {
  /** Probe deadline per connection (dropped flows wait this long). */
  readonly timeoutMs: number;
  readonly processes: ProcessRegistry;
  readonly progress?: (message: string) => void;
}

/** Echo servers and captures of a run, started before any flow is sent. */
export interface Listeners {
  readonly captures: CaptureSet;
  readonly servers: ChildProcess[];
}

/** Starts one echo server per destination (namespace, port) and a capture on every segment. */
export async function startListeners(plan: TwinPlan, flows: TwinFlow[], options: ObserveOptions): Promise<Listeners> {
  const servers = new Map<string, { ns: string; port: number }>();
  for (const f of flows) servers.set(`${f.to.ns}:${f.spec.to.port}`, { ns: f.to.ns, port: f.spec.to.port });
  options.progress?.(`starting ${servers.size} echo server(s) and ${plan.captures.length} captures`);
  const [captures, ...started] = await Promise.all([startCaptures(plan.captures, options.processes.add), ...[...servers.values()].map((s) => startEchoServer(s.ns, s.port, options.processes.add))]);
  return { captures, servers: started };
}

/** Sends every flow through running listeners, reads conntrack, stops the listeners. */
export async function observeFlows(plan: TwinPlan, flows: TwinFlow[], listeners: Listeners, options: ObserveOptions): Promise<Omit<TwinObservations, 'skipped'>> {
  const { captures } = listeners;
  try {
    const runs: FlowRun[] = [];
    let packets: CapturedPacket[];
    try {
      for (const batch of flowBatches(flows)) {
        options.progress?.(`sending ${batch.map((f) => f.spec.name).join(' + ')}`);
        const results = await Promise.all(
          batch.map((f) =>
            runProbe(
              f.from.ns,
              { host: f.dstTwinIp, port: f.spec.to.port, sourcePort: f.spec.sourcePort === 'any' ? undefined : f.spec.sourcePort, timeoutMs: options.timeoutMs },
              options.processes.add,
            ),
          ),
        );
        batch.forEach((f, i) => runs.push({ flow: f, probe: results[i][0] ?? null }));
      }
    } finally {
      packets = await captures.stop();
    }
    const conntrack = new Map<string, ConntrackEntry[]>();
    for (const nat of plan.nats) conntrack.set(nat.id, await readConntrack(nat.ns));
    const accepted = new Map<string, ConntrackEntry[]>();
    for (const ns of new Set(flows.map((f) => f.to.ns))) accepted.set(ns, await readAccepted(ns));
    return { runs, conntrack, accepted, packets };
  } finally {
    for (const s of listeners.servers) s.kill('SIGTERM');
  }
}
