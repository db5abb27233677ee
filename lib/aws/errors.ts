/**
 * Turns what the AWS SDK throws into one sentence a person can act on (exit 2), so that
 * `natlab verify` never ends with a stack trace: no credentials, no region, an unknown stack,
 * throttling after the SDK's retries, access denied, a call that did not answer in time.
 */
import { InputError } from '../errors';

/** An AWS-side problem that stops the run: printed as one line, exit 2. */
export class AwsError extends InputError {
  constructor(message: string) {
    super(message, 2);
    this.name = 'AwsError';
  }
}

const THROTTLING = new Set([
  'ThrottlingException',
  'Throttling',
  'ThrottledException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'SlowDown',
]);

const ACCESS_DENIED = new Set(['AccessDenied', 'AccessDeniedException', 'UnauthorizedOperation', 'AuthFailure']);

const EXPIRED = new Set(['ExpiredToken', 'ExpiredTokenException', 'InvalidClientTokenId', 'UnrecognizedClientException']);

/** `operation` reads like "CloudFormation DescribeStacks NatGatewayLab". */
export function describeAwsError(operation: string, err: unknown): InputError {
  if (err instanceof InputError) return err;
  const e = (err ?? {}) as { name?: string; message?: string; Code?: string };
  const name = e.name ?? e.Code ?? 'Error';
  const message = (e.message ?? String(err)).split('\n')[0];
  if (name === 'CredentialsProviderError' || /Could not load credentials/i.test(message)) {
    return new AwsError('no AWS credentials found: set AWS_PROFILE or pass --profile, or export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY');
  }
  if (/Region is missing/i.test(message)) return new AwsError('no AWS region: pass --region or set AWS_REGION');
  if (EXPIRED.has(name)) return new AwsError(`the AWS credentials were rejected (${name}): refresh them and run again`);
  if (THROTTLING.has(name)) return new AwsError(`AWS kept throttling ${operation} (${name}) after the SDK's retries: wait a minute and run again`);
  if (ACCESS_DENIED.has(name)) return new AwsError(`access denied for ${operation}: ${message}`);
  if (name === 'AbortError' || name === 'TimeoutError' || /timed? ?out/i.test(message)) {
    return new AwsError(`${operation} did not answer in time (${message})`);
  }
  if (/ENOTFOUND|ECONNREFUSED|EAI_AGAIN|ECONNRESET|getaddrinfo/.test(message)) {
    return new AwsError(`cannot reach AWS for ${operation} (${message})`);
  }
  return new AwsError(`${operation} failed: ${name}: ${message}`);
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
