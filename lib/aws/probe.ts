/**
 * The probe Lambda as the harness uses it: `probe` (connect to the server from a source port)
 * and `observations` (read the server's connection log back from inside the lab, since the
 * server's security group admits only the lab's public IPs). The transport is the one part
 * that differs between the CLI (Lambda Invoke) and the Lambda itself (a function call).
 */
import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { AwsError, awsCall } from './errors';

/** Connect to host:port from sourcePort and report what the server saw. */
export interface ProbeRequest {
  readonly action: 'probe';
  readonly host: string;
  readonly port: number;
  readonly sourcePort: number;
}

/** Fetch the server's `/observations` log through the probe. */
export interface ObservationsRequest {
  readonly action: 'observations';
  readonly host: string;
  readonly port: number;
}

export type ProbeEvent = ProbeRequest | ObservationsRequest;

/** How the harness reaches the probe function. */
export interface ProbeTransport {
  /** Where the answer came from, for messages ("Lambda natlab-probe"). */
  readonly description: string;
  invoke(event: ProbeEvent): Promise<unknown>;
}

/** Invokes the deployed probe with Lambda Invoke (RequestResponse). */
export function lambdaProbeTransport(lambda: LambdaClient, functionName: string, timeoutMs = 120_000): ProbeTransport {
  return {
    description: `Lambda ${functionName}`,
    invoke: (event) => invokeJson(lambda, functionName, event, timeoutMs),
  };
}

/** Invokes a function with a JSON payload and returns its decoded JSON answer. */
export async function invokeJson(lambda: LambdaClient, functionName: string, event: unknown, timeoutMs: number): Promise<unknown> {
  const action = (event as { action?: string }).action ?? 'invoke';
  const out = await awsCall(
    `Lambda Invoke ${functionName} (${action})`,
    (abortSignal) =>
      lambda.send(
        new InvokeCommand({ FunctionName: functionName, InvocationType: 'RequestResponse', Payload: new TextEncoder().encode(JSON.stringify(event)) }),
        { abortSignal },
      ),
    { timeoutMs },
  );
  const text = out.Payload ? new TextDecoder().decode(out.Payload) : '';
  if (out.FunctionError) {
    let detail = text;
    try {
      const parsed = JSON.parse(text) as { errorType?: string; errorMessage?: string };
      detail = [parsed.errorType, parsed.errorMessage].filter(Boolean).join(': ') || text;
    } catch {
      // not JSON: keep the raw text
    }
    throw new AwsError(`the Lambda function ${functionName} failed on "${action}" (${out.FunctionError}): ${detail.split('\n')[0]}`);
  }
  try {
    return text ? JSON.parse(text) : null;
  } catch {
    throw new AwsError(`the Lambda function ${functionName} answered "${action}" with something that is not JSON: ${text.slice(0, 120)}`);
  }
}
