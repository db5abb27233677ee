/**
 * The Lambda probe handler. Runs in the lab's private subnet and reaches the echo server
 * through the NAT Gateway.
 *
 * - `{ action?: 'probe', host, port, sourcePort?, timeoutMs? }` -> a ProbeResult plus a `note`
 *   on why the source port may not survive (the function's Hyperplane ENI).
 * - `{ action: 'observations', host, port, timeoutMs? }` -> the server's `/observations` log
 *   (the harness cannot reach the server directly: its security group admits only the lab's
 *   public addresses, so it reads the log through the probe).
 *
 * In-account verification is not served here: it runs in the lab's verifier function
 * (lambda/verify), which invokes this probe, so this bundle carries only the probe.
 *
 * Bad events come back as `{ ok: false, error: { kind: 'input', message } }`, never a throw.
 */
import { httpGet, probe, ProbeFailure, type ProbeError, type ProbeResult } from './probe';

export interface ProbeEvent {
  readonly action?: 'probe';
  readonly host: string;
  readonly port: number;
  readonly sourcePort?: number;
  readonly timeoutMs?: number;
}

export interface ObservationsEvent {
  readonly action: 'observations';
  readonly host: string;
  readonly port: number;
  readonly timeoutMs?: number;
}

export type ProbeHandlerEvent = ProbeEvent | ObservationsEvent | { readonly action: string; readonly [key: string]: unknown };

export interface LambdaProbeResult extends ProbeResult {
  /** Why `sourcePortKept` is what it is, for a reader of the result. */
  readonly note: string;
}

export interface ObservationsResult {
  readonly ok: boolean;
  readonly target: string;
  /** The server's log, oldest first (empty on error). */
  readonly observations: unknown[];
  readonly error: ProbeError | { readonly kind: 'input'; readonly message: string } | null;
}

export interface InputErrorResult {
  readonly ok: false;
  readonly error: { readonly kind: 'input'; readonly message: string };
}

/**
 * A VPC-attached Lambda function does not own its network interface: its traffic leaves
 * through a Hyperplane ENI shared by the function's execution environments, which translates
 * addresses and ports itself before the packet reaches the subnet's route table.
 */
export const HYPERPLANE_NOTE =
  'This probe ran in a VPC-attached Lambda function: its packets leave through a Hyperplane ENI that ' +
  'translates addresses and ports before the subnet route table and the NAT Gateway, so the source ' +
  'port the function bound (local.port) is not guaranteed to reach even the NAT Gateway unchanged. ' +
  'serverSaw is what left the NAT Gateway; use the EC2 clients for a source port that must be exact.';

function inputError(message: string): InputErrorResult {
  return { ok: false, error: { kind: 'input', message } };
}

function checkTarget(event: Record<string, unknown>): string | null {
  if (typeof event.host !== 'string' || event.host.length === 0) return 'event.host must be a non-empty string.';
  if (!Number.isInteger(event.port) || (event.port as number) < 1 || (event.port as number) > 65535) {
    return `event.port ${JSON.stringify(event.port)} must be an integer from 1 to 65535.`;
  }
  if (event.sourcePort !== undefined && (!Number.isInteger(event.sourcePort) || (event.sourcePort as number) < 1 || (event.sourcePort as number) > 65535)) {
    return `event.sourcePort ${JSON.stringify(event.sourcePort)} must be an integer from 1 to 65535.`;
  }
  if (event.timeoutMs !== undefined && (!Number.isInteger(event.timeoutMs) || (event.timeoutMs as number) < 1)) {
    return `event.timeoutMs ${JSON.stringify(event.timeoutMs)} must be a positive integer.`;
  }
  return null;
}

async function readObservations(event: ObservationsEvent): Promise<ObservationsResult> {
  const target = `${event.host}:${event.port}`;
  try {
    const exchange = await httpGet({ host: event.host, port: event.port, path: '/observations', timeoutMs: event.timeoutMs });
    if (exchange.status !== 200) {
      return { ok: false, target, observations: [], error: { kind: 'protocol', message: `the server answered HTTP ${exchange.status}, not 200` } };
    }
    const parsed: unknown = JSON.parse(exchange.body);
    if (!Array.isArray(parsed)) {
      return { ok: false, target, observations: [], error: { kind: 'protocol', message: 'the server did not answer a JSON array' } };
    }
    return { ok: true, target, observations: parsed, error: null };
  } catch (err) {
    const error = err instanceof ProbeFailure ? { kind: err.kind, message: err.message } : { kind: 'protocol' as const, message: String(err) };
    return { ok: false, target, observations: [], error };
  }
}

/** What the probe answers `{ action: 'verify' }`: a deployment from before the verifier was split off would have run it. */
export const VERIFY_MOVED_MESSAGE =
  'event.action "verify" is not served by the probe: in-account verification runs in the verifier function ' +
  '(stack output VerifierFunctionName, deployed with inAccountVerify); invoke that function instead.';

export async function handler(event: ProbeHandlerEvent): Promise<LambdaProbeResult | ObservationsResult | InputErrorResult> {
  if (event === null || typeof event !== 'object') return inputError('the event must be a JSON object.');
  const action = (event as { action?: unknown }).action ?? 'probe';
  if (action === 'verify') return inputError(VERIFY_MOVED_MESSAGE);
  if (action !== 'probe' && action !== 'observations') {
    return inputError(`event.action ${JSON.stringify(action)} is not one of probe, observations.`);
  }
  const problem = checkTarget(event as Record<string, unknown>);
  if (problem) return inputError(problem);
  if (action === 'observations') return readObservations(event as ObservationsEvent);
  const e = event as ProbeEvent;
  const result = await probe({ host: e.host, port: e.port, sourcePort: e.sourcePort, timeoutMs: e.timeoutMs });
  return { ...result, note: HYPERPLANE_NOTE };
}
