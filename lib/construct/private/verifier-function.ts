/**
 * The in-account verifier (lambda/verify/index.ts): a function of its own, prebuilt like the
 * probe (dist/assets/verify), outside the VPC. It reaches AWS APIs through Lambda's own network (not the lab's NAT
 * Gateway, whose flow log it reads) and the probe by Lambda Invoke, exactly as the CLI does.
 */
import { Duration } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { bundledFunction } from './bundled-function';
import { acknowledge } from './nag';

export interface VerifierFunctionProps {
  readonly logRetention: logs.RetentionDays;
}

/** The verifier function; its permissions come from `grantInAccountVerify`. */
export function verifierFunction(scope: Construct, id: string, props: VerifierFunctionProps): lambda.Function {
  const fn = bundledFunction(scope, id, {
    asset: 'verify',
    // Lambda's own maximum: verify waits for flow logs that arrive minutes late, capped by the time it has left.
    timeout: Duration.minutes(15),
    description: 'natlab verifier: verifies the lab from inside the account (natlab verify --in-account) and answers the RunResult',
    logRetention: props.logRetention,
  });
  acknowledge(fn, {
    id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
    reason:
      "The AWS-maintained minimum for writing the function's own logs; it grants no other AWS API. The verifier's AWS calls come from separate statements scoped to the lab where IAM allows.",
  });
  return fn;
}
