/**
 * NatProbe: the probe and the echo server beside a VPC you already have, so any team can see
 * what its NAT egress does to source addresses and ports. The Lambda probe goes into the
 * subnets you choose; the echo server gets a small VPC of its own standing for the internet,
 * admitting only the public IPs you list (your NAT Gateways' Elastic IPs).
 */
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { LabOutputs } from './outputs';
import { EchoServerHost } from './private/echo-server-host';
import { instanceProfile } from './private/instances';
import { probeFunction } from './private/probe-function';
import { StackOutputs } from './private/stack-outputs';
import * as validate from './private/validate';

export interface NatProbeProps {
  /** The VPC whose egress you want to see. */
  readonly vpc: ec2.IVpc;
  /**
   * The public IPv4 addresses your VPC egresses from (NAT Gateway Elastic IPs), as `a.b.c.d` or
   * CIDR; the echo server admits only these. Tokens (an `CfnEIP.attrPublicIp`) are fine.
   */
  readonly allowedSourceIps: string[];
  /**
   * The subnets the probe runs in (the ones whose egress you want to see).
   * @default - the VPC's private subnets with egress
   */
  readonly subnets?: ec2.SubnetSelection;
  /**
   * The echo server's TCP port.
   * @default 8080
   */
  readonly serverPort?: number;
  /**
   * The echo server's instance type; the AMI's architecture follows it.
   * @default ec2.InstanceType.of(ec2.InstanceClass.T4G, ec2.InstanceSize.NANO)
   */
  readonly instanceType?: ec2.InstanceType;
  /**
   * CIDR of the echo server's own VPC (not connected to yours).
   * @default '172.16.0.0/24'
   */
  readonly serverVpcCidr?: string;
  /**
   * The probe's security group.
   * @default - a new group with no inbound and all outbound rules
   */
  readonly securityGroup?: ec2.ISecurityGroup;
  /**
   * How long the probe's log is kept.
   * @default logs.RetentionDays.ONE_WEEK
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * Whether the stack outputs take the fixed names `ProbeFunctionName`, `ServerPublicIp` and
   * `ServerPort` (as a NatGatewayLabStack names them). Only one natlab construct per stack can
   * have them. Without, the outputs get logical ids under this construct's path, so several
   * probes (and labs) fit in one stack.
   * @default false
   */
  readonly fixedOutputNames?: boolean;
}

/** The Lambda probe in your VPC's subnets and an echo server on "the internet" that reports the source address and port it saw. */
export class NatProbe extends Construct {
  /** The Lambda probe (`{ action: 'probe', host, port, sourcePort }` by Lambda Invoke). */
  readonly probe: lambda.Function;
  /** The echo server and its own VPC. */
  readonly server: EchoServerHost;
  /** The echo server's public IP (a token resolved at deploy time). */
  readonly serverPublicIp: string;
  /** The echo server's TCP port. */
  readonly serverPort: number;

  constructor(scope: Construct, id: string, props: NatProbeProps) {
    super(scope, id);
    this.serverPort = props.serverPort ?? 8080;
    const serverVpcCidr = props.serverVpcCidr ?? '172.16.0.0/24';
    validate.checkPort('serverPort', this.serverPort);
    validate.checkCidr('serverVpcCidr', serverVpcCidr);
    validate.checkNotEmpty('allowedSourceIps', props.allowedSourceIps, 'the echo server must admit at least your egress address');
    for (const ip of props.allowedSourceIps) validate.checkAllowedSource('allowedSourceIps', ip);

    const securityGroup =
      props.securityGroup ??
      new ec2.SecurityGroup(this, 'ProbeSecurityGroup', { vpc: props.vpc, description: 'natlab probe: no inbound, all outbound', allowAllOutbound: true });
    this.server = new EchoServerHost(this, 'Internet', {
      vpcCidr: serverVpcCidr,
      port: this.serverPort,
      instanceType: props.instanceType ?? ec2.InstanceType.of(ec2.InstanceClass.T4G, ec2.InstanceSize.NANO),
      instanceProfile: instanceProfile(this, 'ServerRole'),
      allowedSources: props.allowedSourceIps.map((ip, i) => ({ ip, description: `allowed egress address ${i + 1}` })),
    });
    this.serverPublicIp = this.server.instance.instancePublicIp;
    this.probe = probeFunction(this, 'Probe', {
      vpc: props.vpc,
      subnets: props.subnets ?? { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      securityGroup,
      logRetention: props.logRetention ?? logs.RetentionDays.ONE_WEEK,
    });

    const outputs = new StackOutputs(this, props.fixedOutputNames ?? false);
    outputs.add(LabOutputs.probeFunctionName, this.probe.functionName, 'the Lambda probe');
    outputs.add(LabOutputs.serverPublicIp, this.serverPublicIp, "the echo server's public IP");
    outputs.add(LabOutputs.serverPort, String(this.serverPort), "the echo server's TCP port");
  }
}
