/**
 * From CloudWatch Logs events to the NAT translation table: the lab's flow log format (read
 * from EC2 DescribeFlowLogs, so a format changed by hand is still parsed right) and the
 * `natlab flowlogs` analyzer, which does the classifying and pairing.
 */
import { DescribeFlowLogsCommand, type EC2Client } from '@aws-sdk/client-ec2';
import { analyzeNatFlowLogs, parseFlowLogRecords, type FlowLogsResult, type FlowLogTranslation } from '../observe/flowlogs';
import { awsCall } from './errors';
import type { LogEvent } from './logs';

/**
 * The LogFormat of the flow log that writes to this group (the NAT ENI's first), if any; a lab
 * whose flow log definition cannot be found is read in the format the construct writes.
 */
export async function readFlowLogFormat(ec2: EC2Client, logGroupName: string, eniId?: string): Promise<string | undefined> {
  const out = await awsCall(`EC2 DescribeFlowLogs ${logGroupName}`, (abortSignal) =>
    ec2.send(new DescribeFlowLogsCommand({ Filter: [{ Name: 'log-group-name', Values: [logGroupName] }] }), { abortSignal }),
  );
  const logs = out.FlowLogs ?? [];
  const mine = logs.find((f) => eniId !== undefined && f.ResourceId === eniId) ?? logs[0];
  return mine?.LogFormat;
}

/** The format the lab's construct writes, for when DescribeFlowLogs finds no definition. */
export { LAB_FLOW_LOG_FORMAT } from '../construct/flow-log-format';

/** Rebuilds the translation table from the events (each event's message is one record). */
export function analyzeFlowLogEvents(
  events: readonly LogEvent[],
  opts: { format?: string; natPrivateIps: string[]; natEniIds?: string[]; source: string },
): FlowLogsResult {
  const parsed = parseFlowLogRecords(events, { format: opts.format, source: opts.source });
  return analyzeNatFlowLogs(parsed, { natPrivateIps: opts.natPrivateIps, natEniIds: opts.natEniIds, source: opts.source });
}

/**
 * The rebuilt translation of inside ip:port towards destination ip:port. Two clients that talk
 * to the same server in the same minute cannot be told apart by the flow logs alone (the
 * analyzer says `ambiguous` and lists both as candidates); an ambiguous outside leg counts for
 * this client only when its port is `outsidePort`, the port the server saw for the client.
 * Certain and likely pairings come first, then the latest.
 */
export function findTranslation(
  result: FlowLogsResult | null | undefined,
  inside: { ip: string; port: number },
  destination: { ip: string; port: number },
  outsidePort?: number,
): FlowLogTranslation | undefined {
  const matches = candidateTranslations(result, inside, destination).filter((t) => t.inside !== null || (outsidePort !== undefined && t.outside.port === outsidePort));
  const rank = (t: FlowLogTranslation): number => (t.inside ? 0 : 1) + (outsidePort !== undefined && t.outside.port !== outsidePort ? 2 : 0);
  return matches.sort((a, b) => rank(a) - rank(b) || (b.lastSeen ?? '').localeCompare(a.lastSeen ?? ''))[0];
}

/** Every rebuilt translation that is, or may be (ambiguous), this client's connection. */
export function candidateTranslations(
  result: FlowLogsResult | null | undefined,
  inside: { ip: string; port: number },
  destination: { ip: string; port: number },
): FlowLogTranslation[] {
  return (result?.translations ?? []).filter(
    (t) =>
      t.destination.ip === destination.ip &&
      t.destination.port === destination.port &&
      (t.inside ? t.inside.ip === inside.ip && t.inside.port === inside.port : (t.candidates ?? []).some((c) => c.ip === inside.ip && c.port === inside.port)),
  );
}
