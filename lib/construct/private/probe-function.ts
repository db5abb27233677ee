/** The Lambda probe (lambda/probe/index.ts, prebuilt in dist/assets/probe), placed in a VPC subnet. */
import { Duration } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { bundledFunction } from './bundled-function';
import { acknowledge } from './nag';

export interface ProbeFunctionProps {
  readonly vpc: ec2.IVpc;
  readonly subnets: ec2.SubnetSelection;
  readonly securityGroup: ec2.ISecurityGroup;
  readonly logRetention: logs.RetentionDays;
}

export function probeFunction(scope: Construct, id: string, props: ProbeFunctionProps): lambda.Function {
  const fn = bundledFunction(scope, id, {
    asset: 'probe',
    // Longer than the probe's own deadline (5 s default, at most what the event asks).
    timeout: Duration.seconds(60),
    description: 'natlab probe: connects to the echo server from a chosen source port and reports what the server saw',
    logRetention: props.logRetention,
    network: { vpc: props.vpc, subnets: props.subnets, securityGroup: props.securityGroup },
  });
  acknowledge(
    fn,
    {
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      // The probe calls no AWS API: in-account verify runs in the verifier function, with its own role.
      reason: "The AWS-maintained minimum for writing the function's own logs; it grants no other AWS API, and the probe calls none (in-account verify runs in the separate verifier function).",
    },
    {
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole]',
      reason: 'The AWS-maintained minimum a VPC-attached function needs to manage its Hyperplane ENI in the subnet.',
    },
  );
  return fn;
}
