/**
 * `natlab lab --clients N --connections M`: many clients, many connections at once, all to one
 * destination and all from the same source ports, through the twin's NAT, held against the
 * model's NatTable with the same port range: every connection a distinct outside port, no two
 * clients colliding, the table never above its limit, and exhaustion at the same point.
 */
import { readFileSync } from 'node:fs';
import { InputError } from '../errors';
import { cidrSize, formatIp, parseCidr, reservedRole } from '../model/address';
import { findSubnet, resolveHost } from '../model/hosts';
import { NatTable } from '../model/nat-table';
import { predict } from '../model/predict';
import type { Check, CompareResult, FlowSpec, Host, Observation, RunResult, Topology } from '../model/types';
import { applyPlan } from './apply';
import { throwIfInterrupted } from './interrupt';
import { startCaptures } from './capture';
import { countConntrack, readConntrack } from './conntrack';
import { runIn } from './exec';
import { newRunPrefix } from './names';
import { ProcessRegistry, resolveFlows } from './observe';
import { planTwin, DEFAULT_NAT_PORT_RANGE, type TwinPlan } from './plan';
import { assertTwinPrerequisites } from './prereq';
import { PROBE_DEADLINE_MARGIN_MS, runProbe, startEchoServer } from './processes';
import { teardownRun, type ActiveRun } from './run';

export interface ScaleOptions {
  readonly clients: number;
  readonly connections: number;
  /** NAT source port range. @default [1024, 65535] */
  readonly natPortRange?: readonly [number, number];
  /** First source port of every client (connection i binds it + i). @default the flow's, else 32222 */
  readonly sourcePort?: number;
  /** Deadline for opening every connection, ms. @default 5000 + 3 ms per connection */
  readonly timeoutMs?: number;
  readonly prefix?: string;
  readonly progress?: (message: string) => void;
  readonly onStart?: (run: ActiveRun) => void;
  /** Aborted on Ctrl-C: the run stops at its next step and tears down. */
  readonly signal?: AbortSignal;
}

/** Scale figures, in `RunResult.notes` and for the benchmark. */
export interface ScaleFigures {
  readonly attempted: number;
  readonly established: number;
  readonly failed: number;
  readonly predictedEstablished: number;
  readonly predictedFailed: number;
  readonly distinctOutsidePorts: number;
  readonly peakTableSize: number;
  readonly tableLimit: number;
  /** New connections per second through the NAT (first to last connect). */
  readonly connectionsPerSecond: number;
}

export interface ScaleOutcome {
  readonly result: RunResult;
  readonly figures: ScaleFigures;
}

/** A scale run that cannot finish within a limit of this machine (time, open files): one line, exit 2. */
export class ScaleLimitError extends InputError {
  constructor(message: string) {
    super(message);
    this.name = 'ScaleLimitError';
  }
}

function attemptedOf(clients: number, connections: number): string {
  return `${clients} x ${connections} = ${clients * connections} connections`;
}

/** Open files one process may hold here (the hard limit, which Node raises its soft limit to). */
export function openFileLimit(limits: string = readProcLimits()): number | undefined {
  const m = /^Max open files\s+(\d+|unlimited)\s+(\d+|unlimited)/m.exec(limits);
  if (!m) return undefined;
  return m[2] === 'unlimited' ? Number.POSITIVE_INFINITY : Number(m[2]);
}

function readProcLimits(): string {
  try {
    return readFileSync('/proc/self/limits', 'utf8');
  } catch {
    return '';
  }
}

/** Descriptors beside the connections: node itself, stdio, the listening socket, pipes. */
const FD_HEADROOM = 64;

/**
 * Refuses a scale run the echo server cannot hold: it keeps every connection open at once,
 * one descriptor each, and the process limit is fixed for the run.
 */
export function checkOpenFiles(clients: number, connections: number, limit = openFileLimit()): void {
  if (limit === undefined) return;
  const needed = clients * connections + FD_HEADROOM;
  if (needed > limit) {
    throw new ScaleLimitError(`--clients ${clients} --connections ${connections}: ${attemptedOf(clients, connections)} held open at once need about ${needed} open files in the echo server, past this machine's limit of ${limit} (ulimit -n); lower --clients or --connections`);
  }
}

/** The template flow: the first one the model sends through a NAT Gateway. */
function templateFlow(topology: Topology): FlowSpec {
  const walks = predict(topology).walks;
  const natWalk = walks.find((w) => (w.translations ?? []).length > 0);
  const flow = topology.flows.find((f) => f.name === natWalk?.flow.name) ?? topology.flows.find((f) => f.protocol === 'tcp');
  if (!flow) throw new InputError(`topology ${topology.name} defines no TCP flow to scale up`);
  return flow;
}

/** Adds `count` clients beside the template flow's source host, at free addresses of its subnet. */
export function withScaleClients(topology: Topology, flow: FlowSpec, count: number): { topology: Topology; clients: Host[] } {
  const source = resolveHost(topology, flow.from);
  if (!source.subnet) throw new InputError(`flow ${flow.name} starts on the internet; scale runs start inside a VPC`);
  const subnet = findSubnet(topology, source.subnet);
  const block = parseCidr(subnet.cidr);
  const used = new Set(topology.hosts.map((h) => h.privateIp));
  for (const n of topology.natGateways) for (const a of n.addresses) used.add(a.privateIp);
  const clients: Host[] = [];
  for (let i = 0; i < cidrSize(block) && clients.length < count; i++) {
    const ip = formatIp(block.network + i);
    if (used.has(ip) || reservedRole(block, ip)) continue;
    clients.push({ id: `scale-${clients.length + 1}`, name: `scale-${clients.length + 1}`, kind: 'instance', subnet: subnet.id, privateIp: ip, securityGroups: source.securityGroups });
  }
  if (clients.length < count) throw new InputError(`--clients ${count}: subnet ${subnet.id} (${subnet.cidr}) has only ${clients.length} free addresses`);
  const others = topology.hosts.filter((h) => !h.subnet || h.id === source.id || h.subnet !== subnet.id);
  return { topology: { ...topology, hosts: [...others, ...clients], flows: [flow] }, clients };
}

/** What the model says for the same load: a NatTable with the same port range, filled in order. */
export function modelScale(natIp: string, range: readonly [number, number], clients: Host[], connections: number, sourcePort: number, dst: { ip: string; port: number }) {
  const table = new NatTable({ addresses: [natIp], portRange: { min: range[0], max: range[1] } });
  let established = 0;
  let firstFailure: number | null = null;
  let n = 0;
  for (let j = 0; j < connections; j++) {
    for (const c of clients) {
      n += 1;
      const r = table.open({ protocol: 'tcp', srcIp: c.privateIp, srcPort: sourcePort + j, dstIp: dst.ip, dstPort: dst.port });
      if (r.kind === 'translated') established += 1;
      else if (firstFailure === null) firstFailure = n;
    }
  }
  return { established, failed: n - established, firstFailure, capacity: table.capacity, errorPortAllocation: table.stats.errorPortAllocation };
}

function check(name: string, expected: unknown, observed: unknown, ok: boolean): Check {
  return { name, expected, observed, ok };
}

/** Peers of `ss -Htn state established` lines (the last column, `ip:port`). */
export function parseSsPeers(text: string): Array<{ ip: string; port: number }> {
  const out: Array<{ ip: string; port: number }> = [];
  for (const line of text.split('\n')) {
    const peer = line.trim().split(/\s+/).pop() ?? '';
    const m = /^(?:::ffff:)?(\d+\.\d+\.\d+\.\d+):(\d+)$/.exec(peer);
    if (m) out.push({ ip: m[1], port: Number(m[2]) });
  }
  return out;
}

/** Holds back requests (packets with payload) to the server's port; handshakes pass. */
function gateRuleset(port: number): string {
  return ['table ip natlab_gate {', '  chain input {', '    type filter hook input priority filter - 10; policy accept;', `    tcp dport ${port} ip length > 64 drop`, '  }', '}', ''].join('\n');
}

/** Waits until every client namespace has `count` sockets towards the server (or the deadline). */
async function waitForSockets(namespaces: string[], dstIp: string, count: number, deadlineMs: number, signal?: AbortSignal): Promise<void> {
  const until = Date.now() + deadlineMs;
  let pending = namespaces;
  while (pending.length && Date.now() < until) {
    throwIfInterrupted(signal);
    const counts = await Promise.all(pending.map((ns) => runIn(ns, ['ss', '-Htn', 'dst', dstIp], { allowFail: true })));
    pending = pending.filter((_, i) => counts[i].stdout.split('\n').filter((l) => l.trim()).length < count);
    if (pending.length) await new Promise((r) => setTimeout(r, 100));
  }
}

/** Polls `conntrack -C` in a namespace until stopped; `stop` takes one last sample and returns the largest. */
interface TableSampler {
  stop(): Promise<{ max: number; samples: number }>;
}

function sampleTableSize(ns: string): TableSampler {
  let running = true;
  let max = 0;
  let samples = 0;
  const sample = async (): Promise<void> => {
    max = Math.max(max, await countConntrack(ns));
    samples++;
  };
  const loop = (async () => {
    while (running) {
      await sample();
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  return {
    async stop() {
      if (!running) return { max, samples };
      running = false;
      await loop;
      await sample();
      return { max, samples };
    },
  };
}

/** Runs the scale scenario through the twin and compares it with the model. */
export async function runScale(topology: Topology, options: ScaleOptions): Promise<ScaleOutcome> {
  assertTwinPrerequisites();
  if (!Number.isInteger(options.clients) || options.clients < 1) throw new InputError(`--clients ${options.clients} must be a whole number of at least 1`);
  if (!Number.isInteger(options.connections) || options.connections < 1) throw new InputError(`--connections ${options.connections} must be a whole number of at least 1`);
  checkOpenFiles(options.clients, options.connections);
  const started = Date.now();
  const flow = templateFlow(topology);
  const sourcePort = options.sourcePort ?? (flow.sourcePort === 'any' ? 32222 : flow.sourcePort);
  if (sourcePort + options.connections - 1 > 65535) throw new InputError(`--connections ${options.connections} from source port ${sourcePort} would go past port 65535`);
  const { topology: scaled, clients } = withScaleClients(topology, flow, options.clients);
  const prefix = options.prefix ?? newRunPrefix();
  const range = options.natPortRange ?? DEFAULT_NAT_PORT_RANGE;
  const full = planTwin(scaled, { prefix, natPortRange: range });
  const scaleFlows = clients.map((c) => ({ ...flow, name: c.id, from: c.id }));
  const { flows } = resolveFlows(scaled, full, scaleFlows);
  // One capture only: the server's segment, where every connection's SYN arrives.
  const serverCapture = full.captures.filter((c) => c.id === `host:${flows[0]?.to.hostId}`);
  const plan: TwinPlan = { ...full, captures: serverCapture };
  if (flows.length === 0) throw new InputError(`flow ${flow.name} cannot be sent in the twin`);
  const walk = predict({ ...scaled, flows: [scaleFlows[0]] }, { natPortRange: { min: range[0], max: range[1] } }).walks[0];
  const translation = walk.translations?.[0];
  const natId = translation?.component;
  const nat = plan.nats.find((n) => n.id === natId);
  const active: ActiveRun = { prefix, processes: new ProcessRegistry() };
  options.onStart?.(active);
  let sampler: TableSampler | undefined;
  try {
    options.progress?.(`building the twin with ${clients.length} clients (prefix ${prefix})`);
    await applyPlan(plan, undefined, options.signal);
    throwIfInterrupted(options.signal);
    const target = flows[0];
    await startEchoServer(target.to.ns, target.spec.to.port, active.processes.add);
    throwIfInterrupted(options.signal);
    // The gate: requests (packets with payload) to the server wait until every connection of
    // every client has been opened, so all translations sit in the NAT table at once.
    await runIn(target.to.ns, ['nft', '-f', '-'], { input: gateRuleset(target.spec.to.port) });
    options.progress?.(`opening ${clients.length} x ${options.connections} connections at once to ${target.dstTwinIp}:${target.spec.to.port}`);
    // Opening takes about a second per few thousand connections on 2 cores (plus one node
    // start per client); the deadline only bounds a run whose connections never all open.
    const timeoutMs = options.timeoutMs ?? 10_000 + 10 * clients.length * options.connections;
    throwIfInterrupted(options.signal);
    const capture = await startCaptures(plan.captures, active.processes.add);
    throwIfInterrupted(options.signal);
    const probesStarted = Date.now();
    // The table's size is sampled the whole time connections open, so the limit check sees
    // every size the table went through (at this sampling rate), not only the final one.
    sampler = nat ? sampleTableSize(nat.ns) : undefined;
    // Settled from the start: a probe that fails while the others still open (its deadline
    // passed) must not be an unhandled rejection that kills natlab before the teardown.
    const running = Promise.allSettled(
      flows.map((f) => runProbe(f.from.ns, { host: f.dstTwinIp, port: f.spec.to.port, sourcePort, count: options.connections, hold: true, timeoutMs }, active.processes.add)),
    );
    await waitForSockets(flows.map((f) => f.from.ns), target.dstTwinIp, options.connections, Math.max(timeoutMs - 1000, 1000), options.signal);
    await new Promise((r) => setTimeout(r, 300));
    const placedAt = Date.now();
    options.progress?.(`all connections opened after ${placedAt - probesStarted} ms; reading the NAT table, then letting requests through`);
    const snapshot = nat ? (await readConntrack(nat.ns)).filter((e) => e.original.dstIp === target.dstTwinIp && e.original.dstPort === target.spec.to.port) : [];
    const sampled = sampler ? await sampler.stop() : { max: 0, samples: 0 };
    const peak = sampled.max;
    // What the server sees: the source of every SYN that reached its segment.
    const syns = (await capture.stop()).filter((p) => p.flags === 'S' && p.dstIp === target.dstTwinIp && p.dstPort === target.spec.to.port);
    const serverView = [...new Map(syns.map((p) => [`${p.srcIp}:${p.srcPort}`, { ip: p.srcIp, port: p.srcPort }])).values()];
    active.processes.killAll();
    const late = (await running).filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    throwIfInterrupted(options.signal);
    if (late.length) throw new ScaleLimitError(`${late.length} of ${flows.length} scale clients did not finish within their deadline (--timeout ${timeoutMs} ms per connection, plus ${PROBE_DEADLINE_MARGIN_MS} ms to start): this machine cannot open ${attemptedOf(clients.length, options.connections)} in time; raise --timeout or lower --clients/--connections`);

    const real = (ip: string): string => plan.standIns.real(ip);
    const clientByIp = new Map(clients.map((c) => [c.privateIp, c.id]));
    const outside = new Map<number, string[]>();
    for (const e of snapshot) outside.set(e.reply.dstPort, [...(outside.get(e.reply.dstPort) ?? []), clientByIp.get(e.original.srcIp) ?? e.original.srcIp]);
    const shared = [...outside].filter(([, owners]) => owners.length > 1);
    const collisions = shared.filter(([, owners]) => new Set(owners).size > 1);
    const natPorts = snapshot.map((e) => e.reply.dstPort);
    const serverPorts = new Set(serverView.map((p) => p.port));
    const unseen = natPorts.filter((p) => !serverPorts.has(p));
    const span = (placedAt - probesStarted) / 1000;
    const model = modelScale(nat?.privateIp ?? '0.0.0.0', range, clients, options.connections, sourcePort, { ip: walk.flow.to.ip, port: walk.flow.to.port });
    const predictedIp = walk.observedAtDestination?.srcIp;
    const attempted = clients.length * options.connections;
    const checks: Check[] = [
      check('connections placed in the NAT table at once (model: NatTable, same port range)', model.established, snapshot.length, snapshot.length === model.established),
      check('connections refused for want of a port (ErrorPortAllocation)', model.failed, attempted - snapshot.length, attempted - snapshot.length === model.failed),
      check('every connection gets its own outside port', `${snapshot.length} distinct`, `${outside.size} distinct`, shared.length === 0),
      check('no two clients share an outside port', 'none', collisions.length ? collisions.slice(0, 3).map(([p, o]) => `${p} (${[...new Set(o)].join(', ')})`).join('; ') : 'none', collisions.length === 0),
      check('outside ports within the range', `${range[0]}-${range[1]}`, natPorts.length ? `${Math.min(...natPorts)}-${Math.max(...natPorts)}` : 'none', natPorts.every((p) => p >= range[0] && p <= range[1])),
      check(`translation table at most its limit while connections open (largest of ${sampled.samples} conntrack -C samples)`, `<= ${model.capacity}`, peak, sampled.samples > 0 && peak <= model.capacity),
      check('the server sees exactly the ports conntrack holds', `${natPorts.length} connections`, `${serverView.length} connections, ${unseen.length} of conntrack's ports not seen`, unseen.length === 0 && serverView.length === natPorts.length),
    ];
    if (predictedIp) {
      const seenIps = [...new Set(serverView.map((p) => real(p.ip)))];
      checks.push(check('source IP at server', predictedIp, seenIps.join(', ') || 'none', seenIps.length > 0 && seenIps.every((ip) => ip === predictedIp)));
    }
    if (model.firstFailure !== null) {
      checks.push(check('exhaustion point', `connection ${model.firstFailure} is the first without a port`, `${snapshot.length} placed, the rest refused`, snapshot.length === model.firstFailure - 1));
    }
    const figures: ScaleFigures = {
      attempted,
      established: snapshot.length,
      failed: attempted - snapshot.length,
      predictedEstablished: model.established,
      predictedFailed: model.failed,
      distinctOutsidePorts: outside.size,
      peakTableSize: peak,
      tableLimit: model.capacity,
      connectionsPerSecond: span > 0 ? snapshot.length / span : 0,
    };
    const compare: CompareResult = { ok: checks.every((c) => c.ok), flows: [{ name: `scale ${clients.length} x ${options.connections}`, predicted: walk.observedAtDestination, observed: null, checks, ok: checks.every((c) => c.ok) }] };
    const observations: Observation[] = serverView.map((p) => ({
      flow: `scale ${clients.length} x ${options.connections}`,
      source: 'server' as const,
      at: target.to.hostId,
      protocol: 'tcp' as const,
      srcIp: real(p.ip),
      srcPort: p.port,
      dstIp: real(target.dstTwinIp),
      dstPort: target.spec.to.port,
    }));
    await teardownRun(active);
    const result: RunResult = {
      kind: 'lab',
      topology: scaled,
      walks: [walk],
      observations,
      translations: { predicted: walk.translations ?? [], observed: [] },
      compare,
      standIns: plan.standIns.entries,
      notes: [
        `scale: ${figures.attempted} connections (${clients.length} clients x ${options.connections}, source ports ${sourcePort}-${sourcePort + options.connections - 1} on every client), ${figures.established} established, ${figures.failed} refused; model ${figures.predictedEstablished} / ${figures.predictedFailed}`,
        'the server\'s view is the SYNs captured on its segment; requests are held back until every connection is open, conntrack is read at that moment, and the probes stop after it',
        `peak translation table ${figures.peakTableSize} of ${figures.tableLimit}; ${figures.connectionsPerSecond.toFixed(0)} new connections/s through the twin's NAT`,
        ...plan.notes,
      ],
      startedAt: new Date(started).toISOString(),
      durationMs: Date.now() - started,
    };
    return { result, figures };
  } finally {
    await sampler?.stop();
    await teardownRun(active);
  }
}
