/** The Lambda probe (lambda/probe/index.ts) bundled by the local esbuild, placed in a VPC subnet. */
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { join } from 'node:path';
import { acknowledge } from './nag';
import { packageRoot } from './package-root';

export interface ProbeFunctionProps {
  readonly vpc: ec2.IVpc;
  readonly subnets: ec2.SubnetSelection;
  readonly securityGroup: ec2.ISecurityGroup;
  readonly logRetention: logs.RetentionDays;
}

/**
 * How the probe (and the verifier) are bundled. The AWS SDK v3 stays out (`externalModules`
 * unset: NodejsFunction's default `@aws-sdk/*` for Node 18+ runtimes, which ship it); the
 * bundle-size test uses these.
 */
export const PROBE_BUNDLING = { forceDockerBundling: false, minify: true, sourceMap: false, target: 'node24', format: OutputFormat.CJS } as const;

export function probeFunction(scope: Construct, id: string, props: ProbeFunctionProps): NodejsFunction {
  const root = packageRoot();
  const logGroup = new logs.LogGroup(scope, `${id}Logs`, { retention: props.logRetention, removalPolicy: RemovalPolicy.DESTROY });
  const fn = new NodejsFunction(scope, id, {
    entry: join(root, 'lambda/probe/index.ts'),
    handler: 'handler',
    projectRoot: root,
    depsLockFilePath: join(root, 'package-lock.json'),
    // The newest Node.js runtime Lambda offers (cdk-nag AwsSolutions-L1); the probe uses only node built-ins.
    runtime: lambda.Runtime.NODEJS_24_X,
    architecture: lambda.Architecture.ARM_64,
    memorySize: 256,
    // Longer than the probe's own deadline (5 s default, at most what the event asks).
    timeout: Duration.seconds(60),
    vpc: props.vpc,
    vpcSubnets: props.subnets,
    securityGroups: [props.securityGroup],
    logGroup,
    description: 'natlab probe: connects to the echo server from a chosen source port and reports what the server saw',
    bundling: { ...PROBE_BUNDLING },
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
