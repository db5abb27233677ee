/**
 * A natlab Lambda function (the probe, the verifier): a NodejsFunction bundled by the local
 * esbuild from this package, on the newest Node.js runtime, arm64, with a log group of its own.
 */
import { type Duration, RemovalPolicy } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { join } from 'node:path';
import { packageRoot } from './package-root';

/**
 * How natlab's functions are bundled. The AWS SDK v3 stays out (`externalModules` unset:
 * NodejsFunction's default `@aws-sdk/*` for Node 18+ runtimes, which ship it); the
 * bundle-size test uses these.
 */
export const PROBE_BUNDLING = { forceDockerBundling: false, minify: true, sourceMap: false, target: 'node24', format: OutputFormat.CJS } as const;

export interface BundledFunctionProps {
  /** The handler's file, from the package root ("lambda/probe/index.ts"). */
  readonly entry: string;
  readonly timeout: Duration;
  readonly description: string;
  readonly logRetention: logs.RetentionDays;
  /** Where a VPC-attached function sits; absent for one outside any VPC. */
  readonly network?: { readonly vpc: ec2.IVpc; readonly subnets: ec2.SubnetSelection; readonly securityGroup: ec2.ISecurityGroup };
}

export function bundledFunction(scope: Construct, id: string, props: BundledFunctionProps): NodejsFunction {
  const root = packageRoot();
  const logGroup = new logs.LogGroup(scope, `${id}Logs`, { retention: props.logRetention, removalPolicy: RemovalPolicy.DESTROY });
  return new NodejsFunction(scope, id, {
    entry: join(root, props.entry),
    handler: 'handler',
    projectRoot: root,
    depsLockFilePath: join(root, 'package-lock.json'),
    // The newest Node.js runtime Lambda offers (cdk-nag AwsSolutions-L1); it ships the AWS SDK v3 the verifier calls.
    runtime: lambda.Runtime.NODEJS_24_X,
    architecture: lambda.Architecture.ARM_64,
    memorySize: 256,
    timeout: props.timeout,
    ...(props.network ? { vpc: props.network.vpc, vpcSubnets: props.network.subnets, securityGroups: [props.network.securityGroup] } : {}),
    logGroup,
    description: props.description,
    bundling: { ...PROBE_BUNDLING },
  });
}
