/**
 * `--in-account`: the same verification run by the lab's verifier function inside the account.
 * The Lambda side (`verifyInLambda`) runs `runVerify` exactly as the CLI does, the probe reached
 * by Lambda Invoke of the stack's probe function; the CLI side (`invokeVerifyInAccount`) invokes
 * the deployed verifier (stack output `VerifierFunctionName`) with `{ action: 'verify' }` and
 * returns its RunResult.
 */
import { LabOutputs } from '../construct/outputs';
import { InputError } from '../errors';
import type { RunResult } from '../model/types';
import type { AwsClients } from './clients';
import { AwsError } from './errors';
import type { ObserveTimings } from './observe';
import { invokeJson, type ProbeTransport } from './probe';
import type { Progress } from './progress';
import { readLabStack } from './stack';
import { runVerify } from './verify';

/** The event that asks the verifier function to verify its lab. */
export interface VerifyEvent {
  readonly action: 'verify';
  /** The lab's stack name. */
  readonly stackName: string;
  /** Skip the flow log wait. @default false */
  readonly skipFlowLogs?: boolean;
  /** Longest wait for the instances in SSM, seconds. @default 300 */
  readonly timeoutSsmSeconds?: number;
  /** Longest wait for flow log records, seconds (capped by the function's remaining time). @default 600 */
  readonly timeoutLogsSeconds?: number;
}

/** What the Lambda returns when the verification cannot run (the CLI exits 2 with the message). */
export interface VerifyErrorResult {
  readonly kind: 'verify-error';
  readonly ok: false;
  readonly error: { readonly kind: 'input'; readonly message: string };
}

/** Time kept back from the function's deadline for comparing and answering. */
export const LAMBDA_RESERVE_MS = 45_000;

function seconds(value: unknown, what: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) throw new InputError(`event.${what} ${JSON.stringify(value)} must be a whole number of seconds, 0 or more`);
  return value * 1000;
}

/** What the verifier function hands `verifyInLambda`. */
export interface InLambdaDeps {
  /** The SDK clients, with the function's region and role. */
  readonly clients: AwsClients;
  /** Time the function has left; bounds every wait so it answers before its timeout. @default - no bound */
  readonly remainingMs?: number;
  /** @default - no progress lines */
  readonly progress?: Progress;
  /** @default - Lambda Invoke of the stack's probe function, as the CLI does */
  readonly probe?: ProbeTransport;
}

/**
 * Runs the verification inside the verifier function. The probe is invoked as the CLI invokes
 * it (its own function, in the lab's private subnet), so the verdicts are the CLI's.
 */
export async function verifyInLambda(event: VerifyEvent, deps: InLambdaDeps): Promise<RunResult | VerifyErrorResult> {
  try {
    if (typeof event.stackName !== 'string' || event.stackName.length === 0) throw new InputError('event.stackName must name the lab stack');
    const budget = deps.remainingMs === undefined ? Infinity : Math.max(0, deps.remainingMs - LAMBDA_RESERVE_MS);
    const timings: Partial<ObserveTimings> = {
      ssmOnlineMs: Math.min(seconds(event.timeoutSsmSeconds, 'timeoutSsmSeconds') ?? 300_000, budget),
      flowLogsMs: Math.min(seconds(event.timeoutLogsSeconds, 'timeoutLogsSeconds') ?? 600_000, budget),
      commandMs: Math.min(120_000, budget),
    };
    return await runVerify(
      { stackName: event.stackName, region: process.env.AWS_REGION, skipFlowLogs: event.skipFlowLogs === true, timings },
      { clients: deps.clients, probe: deps.probe, progress: deps.progress },
    );
  } catch (err) {
    if (err instanceof InputError) return { kind: 'verify-error', ok: false, error: { kind: 'input', message: err.message } };
    throw err;
  }
}

/** Invokes the deployed verifier with `{ action: 'verify' }` and returns its RunResult. */
export async function invokeVerifyInAccount(
  clients: AwsClients,
  event: VerifyEvent,
  opts: { progress?: Progress } = {},
): Promise<RunResult> {
  const stack = await readLabStack(clients.cloudformation, event.stackName);
  const verifier = stack.verifierFunctionName;
  if (!verifier) {
    throw new InputError(
      `stack ${event.stackName} has no ${LabOutputs.verifierFunctionName} output: deploy it with inAccountVerify (the default) and this natlab version to verify in-account, or run natlab verify without --in-account`,
    );
  }
  opts.progress?.(`running the verification inside the account: invoking ${verifier} (this takes as long as the flow logs need, up to the function's timeout)`);
  // A synchronous invoke lasts at most 15 minutes (Lambda's own limit), plus a margin.
  const answer = (await invokeJson(clients.lambda, verifier, event, 16 * 60_000)) as Partial<RunResult> & Partial<VerifyErrorResult>;
  if (answer?.kind === 'verify') return answer as RunResult;
  if (answer?.kind === 'verify-error' && answer.error) throw new AwsError(`the in-account verification could not run: ${answer.error.message}`);
  const other = answer as { error?: { message?: string } } | null;
  throw new AwsError(`the verifier function ${verifier} did not answer with a verify result${other?.error?.message ? `: ${other.error.message}` : ''} (is it deployed with this natlab version?)`);
}
