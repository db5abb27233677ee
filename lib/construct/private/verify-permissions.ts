/**
 * What the verifier function's role needs for in-account verification (`{ action: 'verify' }`),
 * granted in one call from the construct (or an integ test). Imports aws-cdk-lib: use it only
 * from CDK code, never from the CLI or lib/aws (they take VERIFY_READ_ACTIONS from ../verify-actions).
 */
import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { VERIFY_READ_ACTIONS } from '../verify-actions';
import { acknowledge } from './nag';

/** What the grant needs to know about the lab. */
export interface VerifyGrantTarget {
  /** The verifier function that runs `{ action: 'verify' }` (lambda/verify). */
  readonly verifier: lambda.Function;
  /** The probe function the verifier invokes (probe and observations). */
  readonly probe: lambda.IFunction;
  /** The instances verify drives through SSM Run Command (the clients and the direct client). */
  readonly instances: ec2.Instance[];
  /** The NAT ENI's flow log group. */
  readonly flowLogGroup: logs.ILogGroup;
}

/**
 * Grants the verifier what in-account verification calls, scoped where IAM allows:
 * cloudformation:DescribeStacks on this stack, lambda:InvokeFunction on the probe alone,
 * ssm:SendCommand on the lab's instances and the AWS-RunShellScript document,
 * logs:FilterLogEvents on the flow log group, and the read-only calls of VERIFY_READ_ACTIONS
 * (which accept no resource-level permissions; acknowledged for cdk-nag with that reason).
 */
export function grantInAccountVerify(target: VerifyGrantTarget): void {
  const { verifier } = target;
  const stack = Stack.of(verifier);
  verifier.addToRolePolicy(new iam.PolicyStatement({ actions: ['cloudformation:DescribeStacks'], resources: [stack.stackId] }));
  verifier.addToRolePolicy(new iam.PolicyStatement({ actions: [...VERIFY_READ_ACTIONS], resources: ['*'] }));
  verifier.addToRolePolicy(
    new iam.PolicyStatement({
      actions: ['ssm:SendCommand'],
      resources: [
        ...target.instances.map((i) => stack.formatArn({ service: 'ec2', resource: 'instance', resourceName: i.instanceId })),
        stack.formatArn({ service: 'ssm', account: '', resource: 'document', resourceName: 'AWS-RunShellScript' }),
      ],
    }),
  );
  // The function ARN alone (grantInvoke would add `<arn>:*`, every version and alias).
  verifier.addToRolePolicy(new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [target.probe.functionArn] }));
  target.flowLogGroup.grant(verifier, 'logs:FilterLogEvents');
  acknowledge(verifier, {
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason:
      'In-account verify reads the live topology (ec2:Describe*), SSM registration and command status: read-only calls that accept no resource-level permissions; every write (ssm:SendCommand) is scoped to the lab instances and the one invoke to the probe function.',
  });
}
