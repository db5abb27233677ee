/**
 * The verdict of a verify run, flow by flow: the model's compare helpers (delivered, source
 * IP, source port, distinct ports, translations) plus what only a deployed lab can show: the
 * server's own log, and the translation table rebuilt from the NAT ENI's flow logs held
 * against what the server saw.
 */
import { compareResult, compareTranslations, compareWalk, distinctPortsCheck } from '../model/compare';
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
  const verdicts: FlowVerdict[] = walks.map((walk) => {
    const name = walk.flow.name;
    const echo = observed.echoes.find((e) => e.client.name === name);
    const seen: ServerSaw | null = echo ? echo.serverSaw : name === 'probe' ? observed.probe?.serverSaw ?? null : null;
    const base = compareWalk(walk, seen);
    const checks: Check[] = [...base.checks];
    if (echo?.error) checks.push({ name: 'client', expected: 'the server answers', observed: echo.error, ok: walk.verdict !== 'delivered' });
    if (seen) checks.push(serverLogCheck(seen, observed));
    if (echo && observed.flowLogs) checks.push(...flowLogChecks(walk, echo.client.privateIp, seen, stack, observed.flowLogs));
    return { ...base, checks, ok: checks.every((c) => c.ok) };
  });
  return compareResult(distinctPortsCheck(verdicts));
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
  const t = findTranslation(flowLogs.value, inside, destination, seen?.srcPort);
  const predicted = (walk.translations ?? []).filter((p) => p.component === stack.natGatewayId);
  const late = flowLogs.timedOut ? ` (flow logs still missing after ${Math.round(flowLogs.waitedMs / 1000)} s)` : '';
  const others = candidateTranslations(flowLogs.value, inside, destination).map((c) => c.outside.port);
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
  if (t && seen) {
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
