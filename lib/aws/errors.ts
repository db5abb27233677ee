/**
 * Turns what the AWS SDK throws into one sentence a person can act on (exit 2), so that
 * `natlab verify` never ends with a stack trace: no credentials, no region, an unknown stack,
 * throttling after the SDK's retries, access denied, a call that did not answer in time.
 */
import { InputError } from '../errors';
import { explainAwsError } from '../sources/private/aws-error';

/** An AWS-side problem that stops the run: printed as one line, exit 2. */
export class AwsError extends InputError {
  constructor(message: string) {
    super(message, 2);
    this.name = 'AwsError';
  }
}

/** `operation` reads like "CloudFormation DescribeStacks NatGatewayLab". */
export function describeAwsError(operation: string, err: unknown): InputError {
  if (err instanceof InputError) return err;
  return new AwsError(explainAwsError(operation, err).sentence);
}

/** The time one AWS call may take, retries included, before it is abandoned. */
export const DEFAULT_CALL_TIMEOUT_MS = 60_000;

/**
 * Runs one SDK call with an abort signal that fires after `timeoutMs`, and turns any failure
 * into an `AwsError` naming `operation`. `map` may claim an error first (a stack that does
 * not exist, a command invocation not yet registered).
 */
export async function awsCall<T>(
  operation: string,
  call: (abortSignal: AbortSignal) => Promise<T>,
  opts: { timeoutMs?: number; map?: (err: unknown) => InputError | undefined } = {},
): Promise<T> {
  const signal = AbortSignal.timeout(opts.timeoutMs ?? DEFAULT_CALL_TIMEOUT_MS);
  try {
    return await call(signal);
  } catch (err) {
    throw opts.map?.(err) ?? describeAwsError(operation, err);
  }
}

/** The error's name as the SDK sets it (`ValidationError`, `InvocationDoesNotExist`). */
export function awsErrorName(err: unknown): string | undefined {
  const e = err as { name?: string; Code?: string } | undefined;
  return e?.name ?? e?.Code;
}
