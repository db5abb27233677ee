/**
 * The read-only actions in-account verification calls: plain data, no aws-cdk-lib, so the
 * harness (lib/aws) and the construct's grant share one list without lib/aws loading CDK code.
 */

/**
 * Read-only calls that accept no resource-level permissions (resource `*`): the ten describe
 * calls of the live topology, the flow log definition, SSM registration and command status.
 */
export const VERIFY_READ_ACTIONS = [
  'ec2:DescribeVpcs',
  'ec2:DescribeSubnets',
  'ec2:DescribeRouteTables',
  'ec2:DescribeNatGateways',
  'ec2:DescribeInternetGateways',
  'ec2:DescribeNetworkInterfaces',
  'ec2:DescribeInstances',
  'ec2:DescribeSecurityGroups',
  'ec2:DescribeNetworkAcls',
  'ec2:DescribeAddresses',
  'ec2:DescribeFlowLogs',
  'ssm:DescribeInstanceInformation',
  'ssm:GetCommandInvocation',
] as const;
