/**
 * What the probe Lambda's role needs for `{ action: 'verify' }` (in-account verification),
 * granted in one call from the construct (or an integ test). Imports aws-cdk-lib: use it only
 * from CDK code, never from the CLI or lib/aws (they take VERIFY_READ_ACTIONS from ../verify-actions).
 */
import { Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { VERIFY_READ_ACTIONS } from '../verify-actions';

/** What the grant needs to know about the lab. */
export interface VerifyGrantTarget {
  /** The probe function that runs `{ action: 'verify' }`. */
  readonly probe: lambda.Function;
  /** The instances verify drives through SSM Run Command (the clients and the direct client). */
  readonly instances: ec2.Instance[];
  /** The NAT ENI's flow log group. */
  readonly flowLogGroup: logs.ILogGroup;
}

/**
 * Grants the probe what in-account verification calls, scoped where IAM allows:
 * cloudformation:DescribeStacks on this stack, ssm:SendCommand on the lab's instances and the
 * AWS-RunShellScript document, logs:FilterLogEvents on the flow log group, and the read-only
 * calls above. Also raises the function's timeout to Lambda's 15-minute maximum, since verify
 * waits for flow logs that arrive minutes late.
 */
export function grantInAccountVerify(target: VerifyGrantTarget): void {
  const stack = Stack.of(target.probe);
  target.probe.addToRolePolicy(new iam.PolicyStatement({ actions: ['cloudformation:DescribeStacks'], resources: [stack.stackId] }));
  target.probe.addToRolePolicy(new iam.PolicyStatement({ actions: [...VERIFY_READ_ACTIONS], resources: ['*'] }));
  target.probe.addToRolePolicy(
    new iam.PolicyStatement({
      actions: ['ssm:SendCommand'],
      resources: [
        ...target.instances.map((i) => stack.formatArn({ service: 'ec2', resource: 'instance', resourceName: i.instanceId })),
        stack.formatArn({ service: 'ssm', account: '', resource: 'document', resourceName: 'AWS-RunShellScript' }),
      ],
    }),
  );
  target.flowLogGroup.grant(target.probe, 'logs:FilterLogEvents');
  // Lambda's own maximum: the flow log wait is capped by the time the function has left.
  const fn = target.probe.node.defaultChild as lambda.CfnFunction;
  fn.timeout = Duration.minutes(15).toSeconds();
}
