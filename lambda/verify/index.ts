/**
 * The in-account verifier: `{ action: 'verify', stackName }` verifies the lab from inside the
 * account (`natlab verify --in-account`, or `aws lambda invoke` in a pipeline with no local
 * tooling) and answers the same RunResult JSON as `natlab verify --json`.
 *
 * It is a function of its own, not a branch of the probe, so the probe's bundle carries only
 * the probe: this one carries the model, the live-topology importer and the flow log analyzer.
 * It reaches the probe exactly as the CLI does, by Lambda Invoke of the stack's probe function
 * (so the probe flow is observed from the probe's own Hyperplane ENI in the private subnet);
 * CloudFormation, EC2, SSM and CloudWatch Logs through the SDK with the function's role.
 *
 * A verification that cannot run answers `{ kind: 'verify-error', ok: false, error: { kind: 'input', message } }`.
 */
import { createAwsClients } from '../../lib/aws/clients';
import { verifyInLambda, type VerifyErrorResult, type VerifyEvent } from '../../lib/aws/in-account';
import type { RunResult } from '../../lib/model/types';

export type { VerifyEvent, VerifyErrorResult };

/** The part of the Lambda context the verifier uses. */
export interface VerifyContext {
  getRemainingTimeInMillis(): number;
}

function inputError(message: string): VerifyErrorResult {
  return { kind: 'verify-error', ok: false, error: { kind: 'input', message } };
}

/** Runs the verification the event asks for. */
export async function handler(event: VerifyEvent, context?: VerifyContext): Promise<RunResult | VerifyErrorResult> {
  if (event === null || typeof event !== 'object') return inputError('the event must be a JSON object.');
  const action = (event as { action?: unknown }).action ?? 'verify';
  if (action !== 'verify') return inputError(`event.action ${JSON.stringify(action)} is not verify (this is the verifier; probe and observations go to the probe function).`);
  return verifyInLambda(
    { ...event, action: 'verify' },
    {
      clients: createAwsClients({ region: process.env.AWS_REGION }),
      remainingMs: context?.getRemainingTimeInMillis(),
      // The function's log: one line per step, as the CLI prints on stderr.
      progress: (line) => console.log(`natlab verify: ${line}`),
    },
  );
}
