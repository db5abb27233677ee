/**
 * What the AWS SDK throws, as one sentence a person can act on: the one wording shared by the
 * `--aws` source (lib/sources/aws-live.ts) and the verify harness (lib/aws/errors.ts), which
 * each add their own context (the flag, the permissions they need).
 */

/** What went wrong, for callers that add advice of their own. */
export type AwsFailureKind = 'no-credentials' | 'no-region' | 'rejected-credentials' | 'throttled' | 'access-denied' | 'timeout' | 'unreachable' | 'other';

/** An SDK failure explained. */
export interface AwsFailure {
  /** What went wrong. */
  readonly kind: AwsFailureKind;
  /** The error's name as the SDK sets it (`AccessDenied`, `TimeoutError`). */
  readonly name: string;
  /** One sentence, no trailing period, naming the operation where it helps. */
  readonly sentence: string;
}

const THROTTLING = new Set(['ThrottlingException', 'Throttling', 'ThrottledException', 'TooManyRequestsException', 'RequestLimitExceeded', 'RequestThrottled', 'RequestThrottledException', 'SlowDown']);

const ACCESS_DENIED = new Set(['AccessDenied', 'AccessDeniedException', 'UnauthorizedOperation']);

const REJECTED_CREDENTIALS = new Set(['AuthFailure', 'ExpiredToken', 'ExpiredTokenException', 'InvalidClientTokenId', 'UnrecognizedClientException', 'RequestExpired', 'SignatureDoesNotMatch']);

const NETWORK_CODES = /ENOTFOUND|ECONNREFUSED|EAI_AGAIN|ECONNRESET|EHOSTUNREACH|ENETUNREACH|getaddrinfo/;

/** `operation` reads like "CloudFormation DescribeStacks NatGatewayLab" or "ec2:DescribeVpcs". */
export function explainAwsError(operation: string, err: unknown): AwsFailure {
  const e = (err ?? {}) as { name?: string; message?: string; Code?: string; code?: string };
  const name = e.name ?? e.Code ?? 'Error';
  const message = (e.message ?? String(err)).split('\n')[0];
  const code = e.code ?? '';
  if (name === 'CredentialsProviderError' || /Could not load credentials/i.test(message)) {
    return { kind: 'no-credentials', name, sentence: 'no AWS credentials found: set AWS_PROFILE or pass --profile, or export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY' };
  }
  if (/Region is missing/i.test(message)) return { kind: 'no-region', name, sentence: 'no AWS region: pass --region or set AWS_REGION' };
  if (REJECTED_CREDENTIALS.has(name)) return { kind: 'rejected-credentials', name, sentence: `the AWS credentials were rejected (${name}): refresh them and run again` };
  if (THROTTLING.has(name)) return { kind: 'throttled', name, sentence: `AWS kept throttling ${operation} (${name}) after the SDK's retries: wait a minute and run again` };
  if (ACCESS_DENIED.has(name)) return { kind: 'access-denied', name, sentence: `access denied for ${operation}: ${message}` };
  if (name === 'AbortError' || name === 'TimeoutError' || code === 'ETIMEDOUT' || /timed? ?out/i.test(message)) {
    return { kind: 'timeout', name, sentence: `${operation} did not answer in time (${message})` };
  }
  if (NETWORK_CODES.test(code) || NETWORK_CODES.test(message)) return { kind: 'unreachable', name, sentence: `cannot reach AWS for ${operation} (${message})` };
  return { kind: 'other', name, sentence: `${operation} failed: ${name}: ${message}` };
}
