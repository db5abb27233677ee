/**
 * The "observe" step of `natlab verify`: make the clients send from their source port through
 * SSM, probe through the Lambda, read the server's log back, and collect the NAT ENI's flow log
 * records. Only this step touches instances; the transport to the probe is injected so the CLI
 * (Lambda Invoke) and the Lambda itself (a function call) share it.
 */
import type { SSMClient } from '@aws-sdk/client-ssm';
import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import type { Clock } from './clock';
import { AwsError } from './errors';
import { waitForLogEvents, type LogEvent, type LogsProgress } from './logs';
import type { ProbeTransport } from './probe';
import type { Progress } from './progress';
import { runShellCommand, waitForInstancesOnline, type NamedInstance } from './ssm';
import type { LabClient, LabStack } from './stack';

/** The source address and port the echo server reported. */
export interface ServerSaw {
  readonly srcIp: string;
  readonly srcPort: number;
}

/** One entry of the echo server's log (lib/server EchoObservation), as far as verify reads it. */
export interface ServerLogEntry extends ServerSaw {
  readonly dstIp?: string;
  readonly dstPort?: number;
  readonly time?: string;
}

/** One client's send and what the server answered. */
export interface ClientEcho {
  readonly client: LabClient;
  /** What the echo server answered (null when the connection failed). */
  readonly serverSaw: ServerSaw | null;
  /** Why there is no answer ("curl exit 28: Connection timed out"), or null. */
  readonly error: string | null;
  /** The command's standard output, for reports. */
  readonly output: string;
}

/** The Lambda probe's run. */
export interface ProbeOutcome {
  readonly ok: boolean;
  readonly serverSaw: ServerSaw | null;
  /** The function's own end of the connection (before its Hyperplane ENI). */
  readonly local: { readonly ip: string; readonly port: number } | null;
  readonly error: string | null;
}

/** Everything observed in one run, before any comparison. */
export interface LabObservations<F> {
  readonly startedAt: number;
  readonly echoes: ClientEcho[];
  readonly probe: ProbeOutcome | null;
  readonly serverLog: ServerLogEntry[];
  /** Why the server log could not be read, when it could not. */
  readonly serverLogError: string | null;
  readonly flowLogs: { readonly events: LogEvent[]; readonly value: F; readonly timedOut: boolean; readonly status: string; readonly waitedMs: number; readonly truncatedAtPages?: number } | null;
  readonly notes: string[];
}

/** Timeouts and poll intervals of the observe step, in milliseconds. */
export interface ObserveTimings {
  /** Waiting for the instances to be Online in SSM. @default 300000 */
  readonly ssmOnlineMs: number;
  /** One Run Command, from send to every invocation ending. @default 120000 */
  readonly commandMs: number;
  /** Waiting for the flow log records. @default 900000 */
  readonly flowLogsMs: number;
  /** Between SSM polls. @default 5000 */
  readonly ssmPollMs: number;
  /** Between flow log polls. @default 30000 */
  readonly flowLogsPollMs: number;
}

export const DEFAULT_TIMINGS: ObserveTimings = {
  ssmOnlineMs: 300_000,
  commandMs: 120_000,
  flowLogsMs: 900_000,
  ssmPollMs: 5_000,
  flowLogsPollMs: 30_000,
};

/** What the observe step needs. */
export interface ObserveDeps<F> {
  readonly ssm: SSMClient;
  readonly logs: CloudWatchLogsClient;
  readonly probe: ProbeTransport;
  readonly clock: Clock;
  readonly progress: Progress;
  readonly timings: ObserveTimings;
  /** Skip the flow log wait (`--skip-flow-logs`). */
  readonly skipFlowLogs: boolean;
  /** Looks at the flow log events so far: enough yet, and what is missing. */
  readonly inspectFlowLogs: (events: LogEvent[]) => LogsProgress<F>;
}

/**
 * The shell command each client runs: one GET from the fixed source port. curl's exit code is
 * printed rather than returned, so a connection the model expects to fail (a deleted route) is
 * an observation, and only a failure of SSM itself ends the run. Exit 45 (bind failed: the
 * port is still in TIME_WAIT from a run less than a minute ago) is retried for up to 60 s.
 */
export function curlCommand(stack: LabStack): string {
  const url = `http://${stack.serverPublicIp}:${stack.serverPort}/`;
  return (
    `for try in 1 2 3 4 5 6 7; do out=$(curl -s -S --max-time 15 --local-port ${stack.sourcePort} ${url}); rc=$?; ` +
    `[ "$rc" != ${CURL_BIND_FAILED} ] && break; sleep 10; done; printf '%s\\n${CURL_EXIT}%s\\n' "$out" "$rc"`
  );
}

/** curl's exit code when it cannot bind --local-port. */
const CURL_BIND_FAILED = 45;
const CURL_EXIT = 'natlab-curl-exit=';

/** Runs the whole observe step against the deployed lab. */
export async function observeLab<F>(stack: LabStack, deps: ObserveDeps<F>): Promise<LabObservations<F>> {
  const startedAt = deps.clock.now();
  const notes: string[] = [];
  const instances: NamedInstance[] = [...stack.clients, ...(stack.direct ? [stack.direct] : [])];
  const ssmWait = { clock: deps.clock, progress: deps.progress, timeoutMs: deps.timings.ssmOnlineMs, pollMs: deps.timings.ssmPollMs };
  await waitForInstancesOnline(deps.ssm, instances, ssmWait);

  const command = curlCommand(stack);
  const cmdWait = { ...ssmWait, timeoutMs: deps.timings.commandMs };
  // Both NAT clients at once, as in the article; then the direct client on its own.
  const echoes: ClientEcho[] = [];
  for (const batch of [stack.clients, stack.direct ? [stack.direct] : []]) {
    if (batch.length === 0) continue;
    const outputs = await runShellCommand(deps.ssm, batch, command, { ...cmdWait, comment: `natlab verify ${stack.stackName}`, label: `curl --local-port ${stack.sourcePort} http://${stack.serverPublicIp}:${stack.serverPort}/` });
    for (const out of outputs) {
      const client = batch.find((c) => c.instanceId === out.instance.instanceId) as LabClient;
      echoes.push(readEcho(client, out.stdout, out.stderr));
    }
  }

  deps.progress(`probing ${stack.serverPublicIp}:${stack.serverPort} from source port ${stack.sourcePort} through ${deps.probe.description}`);
  const probe = parseProbeOutcome(
    await deps.probe.invoke({ action: 'probe', host: stack.serverPublicIp, port: stack.serverPort, sourcePort: stack.sourcePort }),
  );
  if (!probe.ok) notes.push(`the Lambda probe did not get the server's answer: ${probe.error}`);

  deps.progress(`reading the server's log through ${deps.probe.description}`);
  const log = parseServerLog(await deps.probe.invoke({ action: 'observations', host: stack.serverPublicIp, port: stack.serverPort }));
  if (log.error) notes.push(`the server's log could not be read: ${log.error}`);

  let flowLogs: LabObservations<F>['flowLogs'] = null;
  if (deps.skipFlowLogs) {
    notes.push('flow logs were not read (--skip-flow-logs): the translation table was not rebuilt');
  } else if (!stack.flowLogGroupName) {
    notes.push('the stack exports no flow log group: the translation table was not rebuilt');
  } else {
    flowLogs = await waitForLogEvents(
      deps.logs,
      {
        logGroupName: stack.flowLogGroupName,
        logStreamNamePrefix: stack.natEniId,
        // Records carry their aggregation window's start, up to a minute before the send.
        startTime: startedAt - 120_000,
      },
      deps.inspectFlowLogs,
      { clock: deps.clock, progress: deps.progress, timeoutMs: deps.timings.flowLogsMs, pollMs: deps.timings.flowLogsPollMs },
    );
    if (flowLogs.truncatedAtPages !== undefined) {
      notes.push(`flow log reading stopped at ${flowLogs.truncatedAtPages} pages of FilterLogEvents with more left: later records were not read, so the translation table may be incomplete`);
    }
    if (flowLogs.timedOut) {
      notes.push(`flow log records were still missing after ${Math.round(flowLogs.waitedMs / 1000)} s (${flowLogs.status}); raise --timeout-logs`);
    }
  }
  return { startedAt, echoes, probe, serverLog: log.entries, serverLogError: log.error, flowLogs, notes };
}

/** One client's command output: the echo, or why the connection failed. */
export function readEcho(client: LabClient, stdout: string, stderr: string): ClientEcho {
  const lines = stdout.trim().split('\n');
  const exitLine = lines.findIndex((l) => l.startsWith(CURL_EXIT));
  if (exitLine < 0) throw new AwsError(`${client.name} (${client.instanceId}) did not run curl: ${JSON.stringify((stderr || stdout).trim().slice(0, 160))}`);
  const rc = Number(lines[exitLine].slice(CURL_EXIT.length));
  if (rc === CURL_BIND_FAILED) {
    throw new AwsError(
      `${client.name} (${client.instanceId}) could not bind its source port for 60 s (curl exit 45): a connection from that port may still be in TIME_WAIT; run again in a minute`,
    );
  }
  const body = lines.slice(0, exitLine).join('\n');
  const serverSaw = rc === 0 ? parseServerSaw(body) : null;
  const why = stderr.trim().split('\n').pop() ?? '';
  const error = serverSaw ? null : rc !== 0 ? `curl exit ${rc}${why ? `: ${why}` : ''}` : `the server's answer is not the echo JSON: ${JSON.stringify(body.slice(0, 120))}`;
  return { client, serverSaw, error, output: body };
}

function isServerSaw(v: unknown): v is ServerSaw {
  const o = v as ServerSaw | null;
  return typeof o?.srcIp === 'string' && Number.isInteger(o?.srcPort);
}

/** The echo server's JSON answer (`{"srcIp":..,"srcPort":..}`) in a command's output. */
export function parseServerSaw(stdout: string): ServerSaw | null {
  const text = stdout.trim();
  for (const candidate of [text, text.split('\n').pop() ?? '']) {
    try {
      const parsed: unknown = JSON.parse(candidate);
      if (isServerSaw(parsed)) return { srcIp: parsed.srcIp, srcPort: parsed.srcPort };
    } catch {
      // not this line
    }
  }
  return null;
}

/** The probe handler's answer (lambda/probe LambdaProbeResult). */
export function parseProbeOutcome(answer: unknown): ProbeOutcome {
  const a = (answer ?? {}) as { ok?: unknown; serverSaw?: unknown; local?: unknown; error?: { kind?: string; message?: string } | null };
  const local = a.local as { ip?: unknown; port?: unknown } | null | undefined;
  return {
    ok: a.ok === true && isServerSaw(a.serverSaw),
    serverSaw: isServerSaw(a.serverSaw) ? { srcIp: a.serverSaw.srcIp, srcPort: a.serverSaw.srcPort } : null,
    local: typeof local?.ip === 'string' && Number.isInteger(local?.port) ? { ip: local.ip, port: local.port as number } : null,
    error: a.error ? `${a.error.kind ?? 'error'}: ${a.error.message ?? ''}` : a.ok === true ? null : 'the probe answered without serverSaw',
  };
}

/** The probe's `observations` answer: the server's log entries. */
export function parseServerLog(answer: unknown): { entries: ServerLogEntry[]; error: string | null } {
  const a = (answer ?? {}) as { ok?: unknown; observations?: unknown; error?: { kind?: string; message?: string } | null };
  if (a.ok !== true || !Array.isArray(a.observations)) {
    return { entries: [], error: a.error ? `${a.error.kind ?? 'error'}: ${a.error.message ?? ''}` : 'the probe answered without observations' };
  }
  const entries = a.observations.filter(isServerSaw).map((o) => {
    const e = o as ServerLogEntry;
    return { srcIp: e.srcIp, srcPort: e.srcPort, dstIp: e.dstIp, dstPort: e.dstPort, time: e.time };
  });
  return { entries, error: null };
}
