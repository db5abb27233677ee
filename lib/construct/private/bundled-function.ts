/**
 * A natlab Lambda function (the probe, the verifier) from the bundle scripts/build.mjs made when
 * natlab was built (dist/assets/<name>/index.js, shipped in the package): `lambda.Code.fromAsset`,
 * so synth only copies and hashes a folder (no esbuild, Docker or child process), on the newest
 * Node.js runtime, arm64, with a log group of its own.
 */
import { type Duration, RemovalPolicy } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { builtAsset } from './assets';

export interface BundledFunctionProps {
  /** The asset folder under dist/assets ("probe", "verify"). */
  readonly asset: 'probe' | 'verify';
  readonly timeout: Duration;
  readonly description: string;
  readonly logRetention: logs.RetentionDays;
  /** Where a VPC-attached function sits; absent for one outside any VPC. */
  readonly network?: { readonly vpc: ec2.IVpc; readonly subnets: ec2.SubnetSelection; readonly securityGroup: ec2.ISecurityGroup };
}

export function bundledFunction(scope: Construct, id: string, props: BundledFunctionProps): lambda.Function {
  const logGroup = new logs.LogGroup(scope, `${id}Logs`, { retention: props.logRetention, removalPolicy: RemovalPolicy.DESTROY });
  return new lambda.Function(scope, id, {
    code: lambda.Code.fromAsset(builtAsset(props.asset)),
    handler: 'index.handler',
    // The newest Node.js runtime Lambda offers (cdk-nag AwsSolutions-L1); it ships the AWS SDK v3 the verifier calls.
    runtime: lambda.Runtime.NODEJS_24_X,
    architecture: lambda.Architecture.ARM_64,
    memorySize: 256,
    timeout: props.timeout,
    ...(props.network ? { vpc: props.network.vpc, vpcSubnets: props.network.subnets, securityGroups: [props.network.securityGroup] } : {}),
    logGroup,
    description: props.description,
  });
}
