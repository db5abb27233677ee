/**
 * The verdict of a verify run, flow by flow: the model's compare helpers (delivered, source
 * IP, source port, distinct ports, translations) plus what only a deployed lab can show: the
 * server's own log, and the translation table rebuilt from the NAT ENI's flow logs held
 * against what the server saw.
 */
import { compareResult, compareTranslations, compareWalk, distinctPortsCheck, portMatches } from '../model/compare';
import type { Check, CompareResult, FlowVerdict, ObservedTranslation, Topology, Walk } from '../model/types';
import type { FlowLogsResult } from '../observe/flowlogs';
import { candidateTranslations, findTranslation } from './flowlog-table';
import type { LabObservations, ServerSaw } from './observe';
import type { LabStack } from './stack';

/** Everything a verdict is built from. */
export interface VerdictInput {
  readonly stack: LabStack;
  readonly topology: Topology;
  readonly walks: Walk[];
  readonly observed: LabObservations<FlowLogsResult>;
}

/** One verdict per flow, then the distinct-port checks across the flows that must differ. */
export function buildVerdicts(input: VerdictInput): CompareResult {
  const { stack, walks, observed } = input;
  // Log entries already explained by an answer the client got; a flow whose reply never came
  // back can only be found in the server's log among the rest.
  const claimed: ServerSaw[] = [...observed.echoes.map((e) => e.serverSaw), observed.probe?.serverSaw ?? null].filter((s): s is ServerSaw => s !== null);
  const verdicts: FlowVerdict[] = walks.map((walk) => {
    const name = walk.flow.name;
    const echo = observed.echoes.find((e) => e.client.name === name);
    const answered: ServerSaw | null = echo ? echo.serverSaw : name === 'probe' ? observed.probe?.serverSaw ?? null : null;
    if (isReplyDropped(walk) && (echo || name === 'probe')) return replyDroppedVerdict(walk, echo, answered, claimed, input);
    const base = compareWalk(walk, answered);
    const checks: Check[] = [...base.checks];
    if (echo?.error) checks.push({ name: 'client', expected: 'the server answers', observed: echo.error, ok: walk.verdict !== 'delivered' });
    if (answered) checks.push(serverLogCheck(answered, observed));
    if (echo && observed.flowLogs) checks.push(...flowLogChecks(walk, echo.client.privateIp, answered, stack, observed.flowLogs));
    return { ...base, checks, ok: checks.every((c) => c.ok) };
  });
  return compareResult(distinctPortsCheck(verdicts));
}

/** The model's "request delivered, reply dropped" (e.g. a NACL without the ephemeral ports). */
function isReplyDropped(walk: Walk): boolean {
  return walk.verdict === 'delivered' && walk.reply?.verdict === 'dropped';
}

/**
 * A flow whose request the model delivers but whose reply it drops: the client must get no
 * answer, and what the server saw can only come from its log. For TCP the dropped SYN-ACK
 * means the handshake never completes, so the server's application usually logs nothing;
 * when its log does hold an unclaimed connection from the predicted source, that entry is
 * held against the predicted source IP and port.
 */
function replyDroppedVerdict(
  walk: Walk,
  echo: LabObservations<FlowLogsResult>['echoes'][number] | undefined,
  answered: ServerSaw | null,
  claimed: ServerSaw[],
  input: VerdictInput,
): FlowVerdict {
  const { stack, observed } = input;
  const where = walk.reply?.dropped?.component ?? 'an unknown component';
  const certainPort = echo && observed.flowLogs ? certainOutsidePort(observed.flowLogs.value, echo.client.privateIp, stack) : undefined;
  const logged = answered ? null : loggedConnection(walk, observed.serverLog, claimed, certainPort);
  if (logged) claimed.push(logged);
  const base = compareWalk(walk, answered ?? logged);
  const why = echo ? echo.error ?? 'no answer' : observed.probe?.error ?? 'no answer';
  const delivered: Check = {
    name: 'delivered',
    expected: `request delivered, reply dropped at ${where}: no answer at the client`,
    observed: answered
      ? `the client got an answer (${answered.srcIp}:${answered.srcPort})`
      : `no answer (${why}); ${logged ? `the server logged ${logged.srcIp}:${logged.srcPort}` : "nothing of it in the server's log (a TCP server whose reply is dropped never completes the handshake)"}`,
    ok: answered === null,
  };
  const checks: Check[] = [delivered, ...base.checks.filter((c) => c.name !== 'delivered')];
  if (echo?.error) checks.push({ name: 'client', expected: `no answer (reply dropped at ${where})`, observed: echo.error, ok: true });
  if (echo && observed.flowLogs) checks.push(...flowLogChecks(walk, echo.client.privateIp, answered ?? logged, stack, observed.flowLogs));
  return { ...base, observed: answered ?? logged, checks, ok: checks.every((c) => c.ok) };
}

/** The outside port of the client's translation when the flow logs pair it for certain. */
function certainOutsidePort(flowLogs: FlowLogsResult, clientIp: string, stack: LabStack): number | undefined {
  const t = findTranslation(flowLogs, { ip: clientIp, port: stack.sourcePort }, { ip: stack.serverPublicIp, port: stack.serverPort });
  return t?.inside ? t.outside.port : undefined;
}

/** The server log entry from the predicted source that no answered flow explains (the flow logs' port first). */
function loggedConnection(walk: Walk, log: readonly ServerSaw[], claimed: readonly ServerSaw[], preferPort?: number): ServerSaw | null {
  const predicted = walk.observedAtDestination;
  if (!predicted) return null;
  const free = log.filter(
    (e) => e.srcIp === predicted.srcIp && portMatches(predicted.srcPort, e.srcPort) && !claimed.some((c) => c.srcIp === e.srcIp && c.srcPort === e.srcPort),
  );
  const entry = free.find((e) => e.srcPort === preferPort) ?? free[0];
  return entry ? { srcIp: entry.srcIp, srcPort: entry.srcPort } : null;
}

function serverLogCheck(seen: ServerSaw, o: LabObservations<FlowLogsResult>): Check {
  const expected = `${seen.srcIp}:${seen.srcPort} in the server's log`;
  if (o.serverLogError) return { name: 'server log', expected, observed: `unreadable: ${o.serverLogError}`, ok: false };
  const found = o.serverLog.some((e) => e.srcIp === seen.srcIp && e.srcPort === seen.srcPort);
  return { name: 'server log', expected, observed: found ? 'logged' : `not among ${o.serverLog.length} logged connection(s)`, ok: found };
}

/**
 * For a flow the model sends through this lab's NAT Gateway: the flow logs' translation of the
 * client's connection exists (an outside leg whose inside candidates include the client), has
 * the predicted outside address and a port in range (the model's compareTranslations), and its
 * port is the one the server saw (the IGW leaves ports alone). For a flow that does not cross the NAT: no translation of it.
 */
function flowLogChecks(
  walk: Walk,
  clientIp: string,
  seen: ServerSaw | null,
  stack: LabStack,
  flowLogs: NonNullable<LabObservations<FlowLogsResult>['flowLogs']>,
): Check[] {
  const destination = { ip: stack.serverPublicIp, port: stack.serverPort };
  const inside = { ip: clientIp, port: stack.sourcePort };
  const candidates = candidateTranslations(flowLogs.value, inside, destination);
  // Without a port from the server (a reply that never came back), an ambiguous leg is the best the records give.
  const t = findTranslation(flowLogs.value, inside, destination, seen?.srcPort) ?? (seen ? undefined : candidates[0]);
  const predicted = (walk.translations ?? []).filter((p) => p.component === stack.natGatewayId);
  const late = flowLogs.timedOut ? ` (flow logs still missing after ${Math.round(flowLogs.waitedMs / 1000)} s)` : '';
  const others = candidates.map((c) => c.outside.port);
  const missing = others.length > 0 && seen ? ` at port ${seen.srcPort}, the port the server saw (outside legs that may be this client's: ${others.join(', ')})` : late;
  if (predicted.length === 0) {
    return [
      {
        name: 'flow log: no NAT translation',
        expected: `no translation of ${clientIp}:${stack.sourcePort} on ${stack.natGatewayId}`,
        observed: t ? `${t.outside.ip}:${t.outside.port}` : 'none',
        ok: !t,
      },
    ];
  }
  const checks: Check[] = [];
  const observedT: ObservedTranslation[] = t ? [{ source: 'flow-log', protocol: t.protocol, inside, outside: t.outside, destination: t.destination }] : [];
  for (const c of compareTranslations(predicted, observedT)) {
    checks.push({ ...c, name: `flow log: ${c.name}`, observed: c.observed ?? `not found${missing}` });
  }
  if (seen && t?.inside == null && candidates.length > 0) {
    // Ambiguous: a leg is chosen because its port is the server's, so comparing the two ports
    // would hold by construction. Say only what the records establish.
    const ports = candidates.map((c) => c.outside.port);
    checks.push({
      name: `flow log: an outside leg with the server's port exists (pairing ambiguous: ${candidates.length} candidates)`,
      expected: seen.srcPort,
      observed: ports.join(', '),
      ok: ports.includes(seen.srcPort),
    });
  } else if (t?.inside && seen) {
    // The IGW leaves ports alone: the port the NAT chose is the port the server saw.
    checks.push({
      name: 'flow log: NAT port = port at server',
      expected: seen.srcPort,
      observed: t.outside.port,
      ok: seen.srcPort === t.outside.port,
    });
  }
  return checks;
}
