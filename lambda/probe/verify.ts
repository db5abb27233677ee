/**
 * `{ action: 'verify', stackName }`: the probe Lambda verifies its own lab from inside the
 * account (`natlab verify --in-account`, or `aws lambda invoke` in a pipeline with no local
 * tooling) and answers the same RunResult JSON as `natlab verify --json`. The probe and the
 * server's log are reached in-process; CloudFormation, EC2, SSM and CloudWatch Logs through
 * the SDK with the function's role. The model is bundled into the function by esbuild.
 */
import { createAwsClients } from '../../lib/aws/clients';
import { verifyInLambda, type VerifyErrorResult, type VerifyEvent } from '../../lib/aws/in-account';
import type { ProbeEvent } from '../../lib/aws/probe';
import type { RunResult } from '../../lib/model/types';

export type { VerifyEvent, VerifyErrorResult };

/** The part of the Lambda context verify uses. */
export interface VerifyContext {
  getRemainingTimeInMillis(): number;
}

/** Runs the verification; `probeHandler` is the function's own handler. */
export function verify(event: VerifyEvent, probeHandler: (e: ProbeEvent) => Promise<unknown>, context?: VerifyContext): Promise<RunResult | VerifyErrorResult> {
  return verifyInLambda(event, {
    clients: createAwsClients({ region: process.env.AWS_REGION }),
    probeHandler,
    remainingMs: context?.getRemainingTimeInMillis(),
    // The function's log: one line per step, as the CLI prints on stderr.
    progress: (line) => console.log(`natlab verify: ${line}`),
  });
}
