/** The settings every natlab instance shares: AL2023 via SSM parameter, IMDSv2, no key pair, SSM access. */
import { Tags } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { acknowledge } from './nag';

export interface LabInstanceProps {
  readonly vpc: ec2.IVpc;
  readonly subnets: ec2.SubnetSelection;
  readonly instanceType: ec2.InstanceType;
  readonly securityGroup: ec2.ISecurityGroup;
  readonly instanceProfile: iam.IInstanceProfile;
  /** Name tag, also the host name the model uses (client-a, direct, server). */
  readonly name: string;
  readonly privateIpAddress?: string;
  readonly userData?: ec2.UserData;
}

/** The profile every lab instance shares: its role has only what SSM Run Command and Session Manager need. */
export function instanceProfile(scope: Construct, id: string): iam.InstanceProfile {
  const role = new iam.Role(scope, id, {
    assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com'),
    description: 'natlab instances: SSM Run Command and Session Manager only',
    managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('AmazonSSMManagedInstanceCore')],
  });
  acknowledge(role, {
    id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/AmazonSSMManagedInstanceCore]',
    reason: 'AmazonSSMManagedInstanceCore is the AWS-maintained minimum for SSM Run Command, which is how the harness drives the clients (no SSH, no key pairs).',
  });
  return new iam.InstanceProfile(scope, `${id}Profile`, { role });
}

export function labInstance(scope: Construct, id: string, props: LabInstanceProps): ec2.Instance {
  const cpuType = props.instanceType.architecture === ec2.InstanceArchitecture.ARM_64 ? ec2.AmazonLinuxCpuType.ARM_64 : ec2.AmazonLinuxCpuType.X86_64;
  const instance = new ec2.Instance(scope, id, {
    vpc: props.vpc,
    vpcSubnets: props.subnets,
    instanceType: props.instanceType,
    // Resolved from the public SSM parameter at deploy time: no AMI lookup at synth.
    machineImage: ec2.MachineImage.latestAmazonLinux2023({ cpuType }),
    securityGroup: props.securityGroup,
    instanceProfile: props.instanceProfile,
    privateIpAddress: props.privateIpAddress,
    userData: props.userData,
    blockDevices: [{ deviceName: '/dev/xvda', volume: ec2.BlockDeviceVolume.ebs(8, { encrypted: true, volumeType: ec2.EbsDeviceVolumeType.GP3 }) }],
  });
  // IMDSv2 only, set on the L1 (AWS::EC2::Instance MetadataOptions) rather than through the L2's
  // requireImdsv2, which adds a launch template per instance with a fixed name.
  (instance.node.defaultChild as ec2.CfnInstance).metadataOptions = { httpTokens: 'required', httpEndpoint: 'enabled', httpPutResponseHopLimit: 1 };
  Tags.of(instance).add('Name', props.name);
  // Boot only once the subnet's default route exists: user data and the SSM agent reach out at once.
  for (const subnet of props.vpc.selectSubnets(props.subnets).subnets) instance.node.addDependency(subnet.internetConnectivityEstablished);
  return instance;
}

/** The AwsSolutions rules that do not fit a short-lived lab instance, each with its reason. */
export function acknowledgeInstanceRules(instance: ec2.Instance): void {
  acknowledge(
    instance,
    { id: 'AwsSolutions-EC28', reason: 'A lab instance lives for minutes to hours; detailed monitoring would cost more than the instance and the lab reads no instance metrics.' },
    { id: 'AwsSolutions-EC29', reason: 'The lab is meant to be destroyed with `cdk destroy`; termination protection and an Auto Scaling group would get in the way and add nothing.' },
  );
}

/**
 * Marks an instance's role for natlab's topology sources: resource metadata for `--template`,
 * and EC2 tags, which `describe-instances` (`--aws-dump`, `--aws`, `verify`) can see.
 */
export function markRole(instance: ec2.Instance, role: 'client' | 'direct-client' | 'server', tags: Record<string, string | number> = {}): void {
  (instance.node.defaultChild as ec2.CfnInstance).addMetadata('natlab:role', role);
  Tags.of(instance).add('natlab:role', role);
  for (const [key, value] of Object.entries(tags)) Tags.of(instance).add(key, String(value));
}
