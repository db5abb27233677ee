/**
 * `natlab verify`: the lab's stack outputs and live topology, the model's prediction, the
 * observations of a real run, and the verdict, flow by flow. One orchestration for the CLI and
 * for the verifier function (`--in-account`), both reaching the probe by Lambda Invoke.
 */
import { predict } from '../model/predict';
import type { Observation, ObservedTranslation, RunResult, Topology, FlowSpec, Host } from '../model/types';
import type { FlowLogsResult } from '../observe/flowlogs';
import type { AwsClients } from './clients';
import { systemClock, type Clock } from './clock';
import { AwsError, describeAwsError } from './errors';
import { analyzeFlowLogEvents, candidateTranslations, findTranslation, LAB_FLOW_LOG_FORMAT, readFlowLogFormat } from './flowlog-table';
import type { LogEvent, LogsProgress } from './logs';
import { DEFAULT_TIMINGS, observeLab, type LabObservations, type ObserveTimings } from './observe';
import { lambdaProbeTransport, type ProbeTransport } from './probe';
import { silentProgress, type Progress } from './progress';
import { readLabStack, type LabStack } from './stack';
import { buildVerdicts } from './verdicts';

/** What to verify and how long to wait. */
export interface VerifyOptions {
  /** The lab's CloudFormation stack. */
  readonly stackName: string;
  /**
   * The AWS region the live topology is read from (the clients carry their own).
   * @default - the SDK's default region chain (AWS_REGION, the profile's region)
   */
  readonly region?: string;
  /**
   * The named AWS profile the live topology is read with (the clients carry their own).
   * @default - the SDK's default credential chain
   */
  readonly profile?: string;
  /** Waits and polls; unset fields keep their defaults. */
  readonly timings?: Partial<ObserveTimings>;
  /** Do not wait for flow logs (no translation table is rebuilt). @default false */
  readonly skipFlowLogs?: boolean;
}

/** The environment: AWS clients, time, progress, and the two replaceable steps. */
export interface VerifyDeps {
  /** The AWS SDK clients every call goes through (CloudFormation, EC2, SSM, Lambda, CloudWatch Logs). */
  readonly clients: AwsClients;
  /** @default - Lambda Invoke of the stack's probe function */
  readonly probe?: ProbeTransport;
  /** @default - the system clock */
  readonly clock?: Clock;
  /** @default - no progress lines */
  readonly progress?: Progress;
  /** The lab VPC's live topology. @default - loadLiveTopology from lib/sources/aws-live */
  readonly loadTopology?: (stack: LabStack, opts: VerifyOptions) => Promise<Topology>;
}

/** The flow name of the Lambda probe. */
export const PROBE_FLOW = 'probe';
/** Flows that start together (the article's two clients). */
export const SEED_GROUP = 'seed-clients';

/** Runs the whole verification; throws InputError (exit 2) when it cannot be run at all. */
export async function runVerify(opts: VerifyOptions, deps: VerifyDeps): Promise<RunResult> {
  const clock = deps.clock ?? systemClock;
  const progress = deps.progress ?? silentProgress;
  const started = clock.now();
  const timings = { ...DEFAULT_TIMINGS, ...opts.timings };

  progress(`reading stack ${opts.stackName}`);
  const stack = await readLabStack(deps.clients.cloudformation, opts.stackName);
  progress(`reading the live topology of ${stack.vpcId}`);
  const live = await (deps.loadTopology ?? loadLiveLabTopology)(stack, opts);
  const topology = labTopology(live, stack);

  const walks = predict(topology).walks;

  const format = opts.skipFlowLogs || !stack.flowLogGroupName ? undefined : await readFlowLogFormat(deps.clients.ec2, stack.flowLogGroupName, stack.natEniId);
  const analyze = (events: readonly LogEvent[]): FlowLogsResult =>
    analyzeFlowLogEvents(events, {
      format: format ?? LAB_FLOW_LOG_FORMAT,
      natPrivateIps: [stack.natPrivateIp],
      natEniIds: stack.natEniId ? [stack.natEniId] : undefined,
      source: stack.flowLogGroupName ?? 'flow logs',
    });
  // The EC2 clients the model sends through the NAT (the probe's inside address is its
  // Hyperplane ENI's, which the harness cannot name in advance).
  const natFlows = topology.flows.filter(
    (f) => stack.clients.some((c) => c.instanceId === f.from) && walks.find((w) => w.flow.name === f.name)?.translations?.some((t) => t.component === stack.natGatewayId),
  );

  const observed = await observeLab<FlowLogsResult>(stack, {
    ssm: deps.clients.ssm,
    logs: deps.clients.logs,
    probe: deps.probe ?? lambdaProbeTransport(deps.clients.lambda, stack.probeFunctionName),
    clock,
    progress,
    timings,
    skipFlowLogs: opts.skipFlowLogs ?? false,
    inspectFlowLogs: (events) => inspectFlowLogs(events, analyze, stack, natFlows),
  });

  const verdicts = buildVerdicts({ stack, topology, walks, observed });
  const notes = [
    ...observed.notes,
    ...pairingNotes(stack, observed),
    ...flowLogNotes(observed),
    ...(format || opts.skipFlowLogs || !stack.flowLogGroupName ? [] : ["no flow log definition found for the log group: records were read in the lab construct's format"]),
    `the server ${stack.serverPublicIp} is modelled as a host on the internet; its own security group is not part of the topology`,
  ];
  return {
    kind: 'verify',
    topology,
    walks,
    observations: observationsOf(stack, observed),
    translations: { predicted: walks.flatMap((w) => w.translations ?? []), observed: observedTranslations(stack, observed) },
    compare: verdicts,
    notes,
    startedAt: new Date(started).toISOString(),
    durationMs: clock.now() - started,
  };
}

/** 0 when every check holds, 1 otherwise. */
export function verifyExitCode(result: RunResult): 0 | 1 {
  return result.compare.ok ? 0 : 1;
}

/** The ten describe calls of `--aws` may take a while on a busy account, never forever. */
export const TOPOLOGY_TIMEOUT_MS = 180_000;

async function loadLiveLabTopology(stack: LabStack, opts: VerifyOptions): Promise<Topology> {
  const { loadLiveTopology } = await import('../sources/aws-live');
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new AwsError(`the EC2 describe calls for ${stack.vpcId} did not finish within ${TOPOLOGY_TIMEOUT_MS / 1000} s`)), TOPOLOGY_TIMEOUT_MS);
  });
  try {
    return await Promise.race([loadLiveTopology({ region: opts.region, profile: opts.profile, vpcIds: [stack.vpcId] }), timeout]);
  } catch (err) {
    throw describeAwsError(`EC2 describe calls for ${stack.vpcId}`, err);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The live VPC plus what lies outside it: the server on the internet at its public IP, and
 * the flows of a verify run (the NAT clients together, the direct client, the probe).
 */
export function labTopology(live: Topology, stack: LabStack): Topology {
  const server: Host = { id: 'server', name: 'server', kind: 'server', privateIp: stack.serverPublicIp, securityGroups: [] };
  const hosts = live.hosts.some((h) => h.subnet === undefined && h.privateIp === stack.serverPublicIp) ? live.hosts : [...live.hosts, server];
  const instances = [...stack.clients, ...(stack.direct ? [stack.direct] : [])];
  for (const c of instances) {
    if (!hosts.some((h) => h.id === c.instanceId || h.instanceId === c.instanceId)) {
      throw new AwsError(`instance ${c.instanceId} (${c.name}) is not running in ${stack.vpcId}: start it or deploy the stack again`);
    }
  }
  const to = { host: stack.serverPublicIp, port: stack.serverPort };
  const flow = (name: string, from: string, group?: string): FlowSpec => ({ name, protocol: 'tcp', from, sourcePort: stack.sourcePort, to, ...(group ? { group } : {}) });
  const probeHost = hosts.find((h) => h.kind === 'lambda' && live.subnets.some((s) => s.id === h.subnet && s.vpc === stack.vpcId));
  const flows: FlowSpec[] = [
    ...stack.clients.map((c) => flow(c.name, c.instanceId, SEED_GROUP)),
    ...(stack.direct ? [flow(stack.direct.name, stack.direct.instanceId)] : []),
    ...(probeHost ? [flow(PROBE_FLOW, probeHost.id)] : []),
  ];
  return { ...live, name: stack.stackName, source: `stack ${stack.stackName}: ${live.source}`, hosts, flows };
}

function inspectFlowLogs(
  events: LogEvent[],
  analyze: (events: readonly LogEvent[]) => FlowLogsResult,
  stack: LabStack,
  natFlows: FlowSpec[],
): LogsProgress<FlowLogsResult> {
  const result = analyze(events);
  const clientIp = (f: FlowSpec) => [...stack.clients, ...(stack.direct ? [stack.direct] : [])].find((c) => c.instanceId === f.from)?.privateIp;
  const status = natFlows.map((f) => {
    const ip = clientIp(f);
    const seen = ip !== undefined && candidateTranslations(result, { ip, port: stack.sourcePort }, { ip: stack.serverPublicIp, port: stack.serverPort }).length > 0;
    return { name: f.name, seen: Boolean(seen) };
  });
  const missing = status.filter((s) => !s.seen).map((s) => s.name);
  const seen = status.filter((s) => s.seen).map((s) => s.name);
  const text = [seen.length ? `translation of ${seen.join(', ')} seen` : '', missing.length ? `${missing.join(', ')} not yet` : ''].filter(Boolean).join(', ');
  return { done: missing.length === 0, status: text || 'no NAT flows to wait for', value: result };
}

/** Each NAT client's translation in the flow logs, paired by the port the server saw when needed. */
function clientTranslations(stack: LabStack, o: LabObservations<FlowLogsResult>) {
  const destination = { ip: stack.serverPublicIp, port: stack.serverPort };
  return stack.clients.flatMap((c) => {
    const echo = o.echoes.find((e) => e.client.name === c.name);
    const t = findTranslation(o.flowLogs?.value, { ip: c.privateIp, port: stack.sourcePort }, destination, echo?.serverSaw?.srcPort);
    return t ? [{ client: c, t }] : [];
  });
}

function observationsOf(stack: LabStack, o: LabObservations<FlowLogsResult>): Observation[] {
  const at = `${stack.serverPublicIp}:${stack.serverPort}`;
  const time = new Date(o.startedAt).toISOString();
  const list: Observation[] = [];
  for (const e of o.echoes) {
    if (!e.serverSaw) continue;
    list.push({ flow: e.client.name, source: 'server', at, protocol: 'tcp', srcIp: e.serverSaw.srcIp, srcPort: e.serverSaw.srcPort, dstIp: stack.serverPublicIp, dstPort: stack.serverPort, time });
  }
  if (o.probe?.serverSaw) {
    list.push({ flow: PROBE_FLOW, source: 'probe', at, protocol: 'tcp', srcIp: o.probe.serverSaw.srcIp, srcPort: o.probe.serverSaw.srcPort, dstIp: stack.serverPublicIp, dstPort: stack.serverPort, time });
  }
  for (const { client, t } of clientTranslations(stack, o)) {
    list.push({
      flow: client.name,
      source: 'flow-log',
      at: t.interface ?? stack.natEniId ?? stack.flowLogGroupName ?? 'flow logs',
      protocol: t.protocol,
      srcIp: t.outside.ip,
      srcPort: t.outside.port,
      dstIp: t.destination.ip,
      dstPort: t.destination.port,
      ...(t.firstSeen ? { time: t.firstSeen } : {}),
    });
  }
  return list;
}

function observedTranslations(stack: LabStack, o: LabObservations<FlowLogsResult>): ObservedTranslation[] {
  const destination = { ip: stack.serverPublicIp, port: stack.serverPort };
  const list: ObservedTranslation[] = clientTranslations(stack, o).map(({ client, t }) => ({
    flow: client.name,
    source: 'flow-log',
    protocol: t.protocol,
    inside: { ip: client.privateIp, port: stack.sourcePort },
    outside: t.outside,
    destination: t.destination,
  }));
  for (const e of o.echoes) {
    if (!e.serverSaw) continue;
    list.push({ flow: e.client.name, source: 'server', protocol: 'tcp', inside: { ip: e.client.privateIp, port: stack.sourcePort }, outside: { ip: e.serverSaw.srcIp, port: e.serverSaw.srcPort }, destination });
  }
  return list;
}

/** What the flow log analyzer said, and lines that were not records of the format. */
function flowLogNotes(o: LabObservations<FlowLogsResult>): string[] {
  const r = o.flowLogs?.value;
  if (!r) return [];
  const skipped = r.skippedTotal > 0 ? [`${r.skippedTotal} flow log event(s) were not records of the format, the first: line ${r.skipped[0]?.line}: ${r.skipped[0]?.reason}`] : [];
  const unsolicited = r.unsolicited.length > 0 ? [`flow logs: ${r.unsolicited.length} unsolicited inbound flow(s) to the NAT's address (scans; no translation answers them, the NAT drops them)`] : [];
  return [...r.notes.map((n) => `flow logs: ${n}`), ...unsolicited, ...skipped];
}

/** Says how the flow log translations were paired, when the records alone could not tell. */
function pairingNotes(stack: LabStack, o: LabObservations<FlowLogsResult>): string[] {
  const ambiguous = clientTranslations(stack, o).filter(({ t }) => t.confidence === 'ambiguous');
  if (ambiguous.length === 0) return [];
  return [
    `the flow logs alone cannot tell ${ambiguous.map((a) => a.client.name).join(' and ')} apart (same destination, same aggregation window, ` +
      'no per-connection counters): each outside leg was matched to its client by the port the server saw for that client',
  ];
}
