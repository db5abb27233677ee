/**
 * The AWS SDK clients the harness uses, made in one place so tests (aws-sdk-client-mock) and
 * the Lambda (its own region and role) share the orchestration and differ only here.
 */
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { EC2Client } from '@aws-sdk/client-ec2';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SSMClient } from '@aws-sdk/client-ssm';
import { quietSdkNodeVersionWarning } from '../sources/private/aws-settings';

/** One client per AWS service `natlab verify` talks to. */
export interface AwsClients {
  /** Stack outputs (DescribeStacks). */
  readonly cloudformation: CloudFormationClient;
  /** The lab VPC's topology (describe-*). */
  readonly ec2: EC2Client;
  /** Run Command on the client instances. */
  readonly ssm: SSMClient;
  /** The probe function. */
  readonly lambda: LambdaClient;
  /** The NAT ENI's flow log records. */
  readonly logs: CloudWatchLogsClient;
}

/** Where and as whom the clients act. */
export interface AwsClientOptions {
  /** AWS region; absent: the SDK's default chain (AWS_REGION, the profile's region). */
  readonly region?: string;
  /** Shared-config profile; absent: the SDK's default credential chain. */
  readonly profile?: string;
  /** Per-request socket timeout in milliseconds, so no call can hang. @default 30000 */
  readonly requestTimeoutMs?: number;
  /** Attempts per call including the SDK's own retries of throttling and 5xx. @default 5 */
  readonly maxAttempts?: number;
}

/** The configuration every natlab SDK client shares: region, profile, timeouts, adaptive retries. */
export function awsClientConfig(opts: AwsClientOptions = {}): {
  region?: string;
  profile?: string;
  maxAttempts: number;
  retryMode: string;
  requestHandler: { requestTimeout: number; connectionTimeout: number };
} {
  quietSdkNodeVersionWarning();
  return {
    region: opts.region,
    profile: opts.profile,
    maxAttempts: opts.maxAttempts ?? 5,
    retryMode: 'adaptive',
    requestHandler: { requestTimeout: opts.requestTimeoutMs ?? 30_000, connectionTimeout: 10_000 },
  };
}

/** Makes the five clients with a bounded request timeout and the SDK's adaptive retries. */
export function createAwsClients(opts: AwsClientOptions = {}): AwsClients {
  const config = awsClientConfig(opts);
  return {
    cloudformation: new CloudFormationClient(config),
    ec2: new EC2Client(config),
    ssm: new SSMClient(config),
    lambda: new LambdaClient(config),
    logs: new CloudWatchLogsClient(config),
  };
}
