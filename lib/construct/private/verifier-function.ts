/**
 * The in-account verifier (lambda/verify/index.ts): a function of its own, bundled like the
 * probe, outside the VPC. It reaches AWS APIs through Lambda's own network (not the lab's NAT
 * Gateway, whose flow log it reads) and the probe by Lambda Invoke, exactly as the CLI does.
 */
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { join } from 'node:path';
import { acknowledge } from './nag';
import { packageRoot } from './package-root';
import { PROBE_BUNDLING } from './probe-function';

export interface VerifierFunctionProps {
  readonly logRetention: logs.RetentionDays;
}

/** The verifier function; its permissions come from `grantInAccountVerify`. */
export function verifierFunction(scope: Construct, id: string, props: VerifierFunctionProps): NodejsFunction {
  const root = packageRoot();
  const logGroup = new logs.LogGroup(scope, `${id}Logs`, { retention: props.logRetention, removalPolicy: RemovalPolicy.DESTROY });
  const fn = new NodejsFunction(scope, id, {
    entry: join(root, 'lambda/verify/index.ts'),
    handler: 'handler',
    projectRoot: root,
    depsLockFilePath: join(root, 'package-lock.json'),
    // The newest Node.js runtime Lambda offers (cdk-nag AwsSolutions-L1); it ships the AWS SDK v3 the verifier calls.
    runtime: lambda.Runtime.NODEJS_24_X,
    architecture: lambda.Architecture.ARM_64,
    memorySize: 256,
    // Lambda's own maximum: verify waits for flow logs that arrive minutes late, capped by the time it has left.
    timeout: Duration.minutes(15),
    logGroup,
    description: 'natlab verifier: verifies the lab from inside the account (natlab verify --in-account) and answers the RunResult',
    bundling: { ...PROBE_BUNDLING },
  });
  acknowledge(fn, {
    id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
    reason:
      "The AWS-maintained minimum for writing the function's own logs; it grants no other AWS API. The verifier's AWS calls come from separate statements scoped to the lab where IAM allows.",
  });
  return fn;
}
