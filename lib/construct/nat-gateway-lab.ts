/**
 * NatGatewayLab: the seed article's topology, deployable. A VPC in one AZ with a public subnet
 * (0/0 -> IGW) and a private subnet (0/0 -> NAT Gateway pinned at a chosen private IP), EC2
 * clients at chosen private IPs, a direct client with its own Elastic IP, the Lambda probe, an
 * echo server in a VPC of its own standing for the internet, VPC Flow Logs on the NAT Gateway's
 * ENI, and (with `inAccountVerify`) the verifier function that runs `natlab verify` in the
 * account. Built on `ec2.Vpc`; what the L2 lacks is set on its L1 children.
 */
import { Fn, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import type { FlowSpec } from '../model/types';
import { LAB_FLOW_LOG_FIELDS } from './flow-log-format';
import { LabOutputs } from './outputs';
import { EchoServerHost } from './private/echo-server-host';
import { grantInAccountVerify } from './private/verify-permissions';
import { acknowledgeInstanceRules, instanceProfile, labInstance, markRole } from './private/instances';
import { acknowledge } from './private/nag';
import { packageVersion } from './private/package-root';
import { probeFunction } from './private/probe-function';
import { StackOutputs } from './private/stack-outputs';
import { verifierFunction } from './private/verifier-function';
import * as validate from './private/validate';

/** The seed scenario's values (DESIGN.md section 1): every prop defaults to the article. */
export const LAB_DEFAULTS = {
  vpcCidr: '10.0.0.0/16',
  publicSubnetCidr: '10.0.0.0/24',
  privateSubnetCidr: '10.0.1.0/24',
  natPrivateIp: '10.0.0.226',
  clientIps: ['10.0.1.32', '10.0.1.123'],
  directClientIp: '10.0.0.10',
  sourcePort: 32222,
  serverPort: 8080,
  instanceType: 't4g.nano',
  serverVpcCidr: '172.16.0.0/24',
} as const;

/** The template metadata key under which the lab lists its flows (FlowSpec[]) for `natlab predict --template`. */
export const FLOWS_METADATA_KEY = 'natlab:flows';

export interface NatGatewayLabProps {
  /**
   * The lab VPC's CIDR block.
   * @default '10.0.0.0/16'
   */
  readonly vpcCidr?: string;
  /**
   * The public subnet (route 0.0.0.0/0 -> Internet Gateway) holding the NAT Gateway and the direct client.
   * @default '10.0.0.0/24'
   */
  readonly publicSubnetCidr?: string;
  /**
   * The private subnet (route 0.0.0.0/0 -> NAT Gateway) holding the clients and the Lambda probe.
   * @default '10.0.1.0/24'
   */
  readonly privateSubnetCidr?: string;
  /**
   * The NAT Gateway's private IP (its ENI's primary address) in the public subnet.
   * @default '10.0.0.226'
   */
  readonly natPrivateIp?: string;
  /**
   * An existing Elastic IP allocation for the NAT Gateway, so its public address stays the same
   * across deployments (and allow-lists keep working). Its address is read at deploy time.
   * @default - a new Elastic IP is allocated and released with the stack
   */
  readonly eipAllocationId?: string;
  /**
   * Private IPs of the EC2 clients in the private subnet, one instance each (named client-a, client-b, ...).
   * @default ['10.0.1.32', '10.0.1.123']
   */
  readonly clientIps?: string[];
  /**
   * Whether to add the direct client: an instance in the public subnet with its own Elastic IP,
   * whose traffic goes straight through the Internet Gateway (the contrast to the NAT path).
   * @default true
   */
  readonly directClient?: boolean;
  /**
   * The direct client's private IP in the public subnet.
   * @default '10.0.0.10'
   */
  readonly directClientIp?: string;
  /**
   * The TCP source port the clients bind (the harness runs `curl --local-port <sourcePort>`).
   * @default 32222
   */
  readonly sourcePort?: number;
  /**
   * The echo server's TCP port.
   * @default 8080
   */
  readonly serverPort?: number;
  /**
   * Instance type of every lab instance; the AMI's architecture follows it (Graviton types get arm64).
   * @default ec2.InstanceType.of(ec2.InstanceClass.T4G, ec2.InstanceSize.NANO)
   */
  readonly instanceType?: ec2.InstanceType;
  /**
   * CIDR of the echo server's own VPC (the stand-in for the internet; not connected to the lab VPC).
   * @default '172.16.0.0/24'
   */
  readonly serverVpcCidr?: string;
  /**
   * How long the flow log and the probe's (and verifier's) logs are kept.
   * @default logs.RetentionDays.ONE_WEEK
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * Whether to add the verifier function, which verifies the lab from inside the account
   * (`natlab verify --in-account`, or `{ action: 'verify', stackName }` by Lambda Invoke) and is
   * named by the stack output `VerifierFunctionName`. A Lambda function of its own, outside the
   * VPC, with a 15-minute timeout; its role may call read-only describe APIs, SSM Run Command on
   * the lab's instances, FilterLogEvents on the flow log group and InvokeFunction on the probe.
   * The probe's role is the same with or without it (logs and its VPC interface only).
   * @default true
   */
  readonly inAccountVerify?: boolean;
  /**
   * Whether the stack outputs take the fixed names `natlab verify --stack` reads (`NatlabLab`,
   * `VpcId`, `ProbeFunctionName`, ...). Only one natlab construct per stack can have them.
   * Without, the same outputs get logical ids under this construct's path, so several labs
   * (and probes) fit in one stack.
   * @default false (NatGatewayLabStack, the stack `cdk deploy` of natlab's own app creates, sets it)
   */
  readonly fixedOutputNames?: boolean;
}

/** One EC2 client of the lab. */
export interface LabClient {
  /** The flow and host name ("client-a", "client-b", "direct"). */
  readonly name: string;
  /** Its fixed private address in its subnet. */
  readonly privateIp: string;
  /** The instance; verify drives it through SSM Run Command. */
  readonly instance: ec2.Instance;
}

/** The direct client: a lab client in the public subnet with its own Elastic IP. */
export interface DirectLabClient extends LabClient {
  /** Its Elastic IP: a token resolved at deploy time. */
  readonly publicIp: string;
}

/** The article's lab: one VPC whose private clients reach an echo server through a NAT Gateway, and a direct client through the IGW. */
export class NatGatewayLab extends Construct {
  /** The lab VPC (one AZ, the given CIDRs). */
  readonly vpc: ec2.Vpc;
  /** The subnet that holds the NAT Gateway and the direct client; its default route goes to the IGW. */
  readonly publicSubnet: ec2.PublicSubnet;
  /** The subnet of the NAT clients and the probe; its default route goes to the NAT Gateway. */
  readonly privateSubnet: ec2.PrivateSubnet;
  /** The NAT Gateway (with its fixed private address and Elastic IP). */
  readonly natGateway: ec2.CfnNatGateway;
  /** The NAT Gateway's public address: a token resolved at deploy time. */
  readonly natPublicIp: string;
  /** The private clients whose connections the NAT Gateway translates. */
  readonly clients: LabClient[];
  /** The public-subnet client that reaches the server through the IGW only; absent when `directClient` is false. */
  readonly directClient?: DirectLabClient;
  /** The echo server, in its own VPC: the stand-in for a host on the internet. */
  readonly server: EchoServerHost;
  /** The Lambda probe in the private subnet. */
  readonly probe: lambda.Function;
  /** The in-account verifier (lambda/verify), outside the VPC; absent when `inAccountVerify` is false. */
  readonly verifier?: lambda.Function;
  /** The CloudWatch Logs group of the NAT ENI's flow log. */
  readonly flowLogGroup: logs.LogGroup;
  /** The flows the lab runs, as the model reads them (also in the stack's `natlab:flows` metadata). */
  readonly flows: FlowSpec[];

  constructor(scope: Construct, id: string, props: NatGatewayLabProps = {}) {
    super(scope, id);
    const p = {
      vpcCidr: props.vpcCidr ?? LAB_DEFAULTS.vpcCidr,
      publicSubnetCidr: props.publicSubnetCidr ?? LAB_DEFAULTS.publicSubnetCidr,
      privateSubnetCidr: props.privateSubnetCidr ?? LAB_DEFAULTS.privateSubnetCidr,
      natPrivateIp: props.natPrivateIp ?? LAB_DEFAULTS.natPrivateIp,
      clientIps: props.clientIps ?? [...LAB_DEFAULTS.clientIps],
      withDirectClient: props.directClient ?? true,
      directClientIp: props.directClientIp ?? LAB_DEFAULTS.directClientIp,
      sourcePort: props.sourcePort ?? LAB_DEFAULTS.sourcePort,
      serverPort: props.serverPort ?? LAB_DEFAULTS.serverPort,
      instanceType: props.instanceType ?? ec2.InstanceType.of(ec2.InstanceClass.T4G, ec2.InstanceSize.NANO),
      serverVpcCidr: props.serverVpcCidr ?? LAB_DEFAULTS.serverVpcCidr,
      logRetention: props.logRetention ?? logs.RetentionDays.ONE_WEEK,
    };
    validateLabProps(p, props.eipAllocationId);

    // ---- the VPC: ec2.Vpc with one AZ and the exact CIDRs
    const publicPrefix = Token.isUnresolved(p.publicSubnetCidr) ? 24 : Number(p.publicSubnetCidr.split('/')[1]);
    const privatePrefix = Token.isUnresolved(p.privateSubnetCidr) ? 24 : Number(p.privateSubnetCidr.split('/')[1]);
    this.vpc = new ec2.Vpc(this, 'Vpc', {
      ipAddresses: ec2.IpAddresses.cidr(p.vpcCidr),
      // Environment-agnostic: the AZ is Fn::Select [0, Fn::GetAZs ""], no lookup at synth.
      maxAzs: 1,
      natGateways: 1,
      natGatewayProvider: ec2.NatProvider.gateway(props.eipAllocationId ? { eipAllocationIds: [props.eipAllocationId] } : {}),
      restrictDefaultSecurityGroup: false,
      subnetConfiguration: [
        { name: 'Public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: publicPrefix, mapPublicIpOnLaunch: false },
        { name: 'Private', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: privatePrefix },
      ],
    });
    acknowledge(this.vpc, {
      id: 'AwsSolutions-VPC7',
      reason: "The lab logs flows on the NAT Gateway's ENI, the one interface it studies (see NatFlowLog); a VPC-wide log would add cost and SSM noise.",
    });
    this.publicSubnet = this.vpc.publicSubnets[0] as ec2.PublicSubnet;
    this.privateSubnet = this.vpc.privateSubnets[0] as ec2.PrivateSubnet;
    // The L2 carves subnets in order; pin the exact blocks on the L1 subnets.
    (this.publicSubnet.node.defaultChild as ec2.CfnSubnet).cidrBlock = p.publicSubnetCidr;
    (this.privateSubnet.node.defaultChild as ec2.CfnSubnet).cidrBlock = p.privateSubnetCidr;

    // ---- the NAT Gateway: pin its private IP on the L1 the provider created
    this.natGateway = this.publicSubnet.node.findChild('NATGateway') as ec2.CfnNatGateway;
    this.natGateway.privateIpAddress = p.natPrivateIp;
    this.natPublicIp = props.eipAllocationId ? this.lookUpElasticIp(props.eipAllocationId) : (this.publicSubnet.node.findChild('EIP') as ec2.CfnEIP).attrPublicIp;

    // ---- instances: private clients and the direct client
    const profile = instanceProfile(this, 'InstanceRole');
    const clientsSg = new ec2.SecurityGroup(this, 'ClientSecurityGroup', {
      vpc: this.vpc,
      description: 'natlab clients and probe: no inbound (driven by SSM), all outbound',
      allowAllOutbound: true,
    });
    this.clients = p.clientIps.map((ip, i) => {
      const name = `client-${String.fromCharCode(97 + i)}`;
      const instance = labInstance(this, `Client${i + 1}`, {
        vpc: this.vpc,
        subnets: { subnets: [this.privateSubnet] },
        instanceType: p.instanceType,
        securityGroup: clientsSg,
        instanceProfile: profile,
        name,
        privateIpAddress: ip,
      });
      markRole(instance, 'client', { 'natlab:source-port': p.sourcePort });
      acknowledgeInstanceRules(instance);
      return { name, privateIp: ip, instance };
    });
    if (p.withDirectClient) {
      const instance = labInstance(this, 'DirectClient', {
        vpc: this.vpc,
        subnets: { subnets: [this.publicSubnet] },
        instanceType: p.instanceType,
        securityGroup: clientsSg,
        instanceProfile: profile,
        name: 'direct',
        privateIpAddress: p.directClientIp,
      });
      markRole(instance, 'direct-client', { 'natlab:source-port': p.sourcePort });
      acknowledgeInstanceRules(instance);
      // An Elastic IP rather than an auto-assigned one: its address is known to the server's security group.
      const eip = new ec2.CfnEIP(this, 'DirectClientEip', { domain: 'vpc', instanceId: instance.instanceId });
      // CloudFormation: an EIP associated in a VPC of the same template must wait for the IGW attachment.
      eip.node.addDependency(this.vpc.node.findChild('VPCGW'));
      this.directClient = { name: 'direct', privateIp: p.directClientIp, instance, publicIp: eip.attrPublicIp };
    }

    // ---- the server on "the internet", open only to the lab's public IPs
    this.server = new EchoServerHost(this, 'Internet', {
      vpcCidr: p.serverVpcCidr,
      port: p.serverPort,
      instanceType: p.instanceType,
      instanceProfile: profile,
      allowedSources: [
        { ip: this.natPublicIp, description: 'the NAT Gateway Elastic IP' },
        ...(this.directClient ? [{ ip: this.directClient.publicIp, description: 'the direct client Elastic IP' }] : []),
      ],
    });

    // ---- the Lambda probe in the private subnet
    this.probe = probeFunction(this, 'Probe', {
      vpc: this.vpc,
      subnets: { subnets: [this.privateSubnet] },
      securityGroup: clientsSg,
      logRetention: p.logRetention,
    });

    // ---- flow logs on the NAT Gateway's ENI (GetAtt NatGateway.EniId)
    this.flowLogGroup = new logs.LogGroup(this, 'NatFlowLogGroup', { retention: p.logRetention, removalPolicy: RemovalPolicy.DESTROY });
    new ec2.FlowLog(this, 'NatFlowLog', {
      resourceType: ec2.FlowLogResourceType.fromNetworkInterfaceId(this.natGateway.attrEniId),
      destination: ec2.FlowLogDestination.toCloudWatchLogs(this.flowLogGroup),
      trafficType: ec2.FlowLogTrafficType.ALL,
      maxAggregationInterval: ec2.FlowLogMaxAggregationInterval.ONE_MINUTE,
      logFormat: LAB_FLOW_LOG_FIELDS.map((field) => ec2.LogFormat.custom('${' + field + '}')),
    });

    if (props.inAccountVerify ?? true) {
      // ---- the in-account verifier: its own function and role, so the probe carries only the probe
      this.verifier = verifierFunction(this, 'Verifier', { logRetention: p.logRetention });
      grantInAccountVerify({
        verifier: this.verifier,
        probe: this.probe,
        instances: [...this.clients.map((c) => c.instance), ...(this.directClient ? [this.directClient.instance] : [])],
        flowLogGroup: this.flowLogGroup,
      });
    }

    // ---- flows for `natlab predict --template`, and the outputs the harness reads
    this.flows = [
      ...this.clients.map((c) => ({
        name: c.name,
        protocol: 'tcp' as const,
        from: c.privateIp,
        sourcePort: p.sourcePort,
        to: { host: 'server', port: p.serverPort },
        group: 'seed-clients',
      })),
      ...(this.directClient
        ? [{ name: 'direct', protocol: 'tcp' as const, from: this.directClient.privateIp, sourcePort: p.sourcePort, to: { host: 'server', port: p.serverPort } }]
        : []),
    ];
    const stack = Stack.of(this);
    const metadata = (stack.templateOptions.metadata ??= {});
    metadata[FLOWS_METADATA_KEY] = [...((metadata[FLOWS_METADATA_KEY] as FlowSpec[] | undefined) ?? []), ...this.flows];

    const outputs = new StackOutputs(this, props.fixedOutputNames ?? false);
    outputs.add(LabOutputs.marker, packageVersion(), 'natlab version (marks a natlab lab stack)');
    outputs.add(LabOutputs.vpcId, this.vpc.vpcId, 'the lab VPC');
    outputs.add(LabOutputs.serverPublicIp, this.server.instance.instancePublicIp, "the echo server's public IP");
    outputs.add(LabOutputs.serverPort, String(p.serverPort), "the echo server's TCP port");
    outputs.add(LabOutputs.elasticIp, this.natPublicIp, "the NAT Gateway's Elastic IP");
    outputs.add(LabOutputs.natGatewayId, this.natGateway.ref, 'the NAT Gateway');
    outputs.add(LabOutputs.natPrivateIp, p.natPrivateIp, "the NAT Gateway's private IP");
    outputs.add(LabOutputs.natEniId, this.natGateway.attrEniId, "the NAT Gateway's network interface (flow logs)");
    outputs.add(LabOutputs.clientInstanceIds, Fn.join(',', this.clients.map((c) => c.instance.instanceId)), 'private clients, in clientIps order');
    outputs.add(LabOutputs.clientPrivateIps, this.clients.map((c) => c.privateIp).join(','), "private clients' IPs");
    if (this.directClient) {
      outputs.add(LabOutputs.directClientInstanceId, this.directClient.instance.instanceId, 'the direct client (public subnet)');
      outputs.add(LabOutputs.directClientPrivateIp, this.directClient.privateIp, "the direct client's private IP");
      outputs.add(LabOutputs.directClientPublicIp, this.directClient.publicIp, "the direct client's Elastic IP");
    }
    outputs.add(LabOutputs.sourcePort, String(p.sourcePort), 'the source port the clients bind');
    outputs.add(LabOutputs.probeFunctionName, this.probe.functionName, 'the Lambda probe');
    if (this.verifier) outputs.add(LabOutputs.verifierFunctionName, this.verifier.functionName, 'the in-account verifier (natlab verify --in-account)');
    outputs.add(LabOutputs.flowLogGroupName, this.flowLogGroup.logGroupName, "the NAT Gateway ENI's flow log group");
  }


  /** The public address of a given allocation, read at deploy time (DescribeAddresses). */
  private lookUpElasticIp(allocationId: string): string {
    const lookup = new cr.AwsCustomResource(this, 'ElasticIpLookup', {
      onUpdate: {
        service: 'EC2',
        action: 'describeAddresses',
        parameters: { AllocationIds: [allocationId] },
        physicalResourceId: cr.PhysicalResourceId.of(allocationId),
        outputPaths: ['Addresses.0.PublicIp'],
      },
      policy: cr.AwsCustomResourcePolicy.fromSdkCalls({ resources: cr.AwsCustomResourcePolicy.ANY_RESOURCE }),
      installLatestAwsSdk: false,
    });
    acknowledge(lookup, {
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'ec2:DescribeAddresses supports no resource-level permissions; the lookup only reads the given allocation.',
    });
    const provider = Stack.of(this).node.tryFindChild('AWS679f53fac002430cb0da5b7982bd2287');
    if (provider) {
      acknowledge(
        provider,
        { id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]', reason: "The CDK's AwsCustomResource provider only writes its own logs." },
        { id: 'AwsSolutions-L1', reason: "The runtime of the CDK's AwsCustomResource provider is chosen by aws-cdk-lib, not by natlab." },
      );
    }
    return lookup.getResponseField('Addresses.0.PublicIp');
  }
}

interface ResolvedLabProps {
  readonly vpcCidr: string;
  readonly publicSubnetCidr: string;
  readonly privateSubnetCidr: string;
  readonly natPrivateIp: string;
  readonly clientIps: string[];
  readonly withDirectClient: boolean;
  readonly directClientIp: string;
  readonly sourcePort: number;
  readonly serverPort: number;
  readonly serverVpcCidr: string;
}

/** Throws an InputError naming the first prop that breaks a rule. */
export function validateLabProps(p: ResolvedLabProps, eipAllocationId: string | undefined): void {
  const vpc = validate.checkCidr('vpcCidr', p.vpcCidr);
  const pub = validate.checkCidr('publicSubnetCidr', p.publicSubnetCidr);
  const priv = validate.checkCidr('privateSubnetCidr', p.privateSubnetCidr);
  validate.checkCidr('serverVpcCidr', p.serverVpcCidr);
  validate.checkSubnetInVpc('publicSubnetCidr', pub, 'vpcCidr', vpc);
  validate.checkSubnetInVpc('privateSubnetCidr', priv, 'vpcCidr', vpc);
  validate.checkNoOverlap('publicSubnetCidr', pub, 'privateSubnetCidr', priv);
  validate.checkHostIp('natPrivateIp', p.natPrivateIp, 'publicSubnetCidr', 'public subnet', pub, "the NAT Gateway's private IP must lie in the subnet it sits in");
  validate.checkNotEmpty('clientIps', p.clientIps, 'the lab needs at least one private client');
  validate.checkAtMost('clientIps', p.clientIps, 26, 'the lab names clients client-a to client-z');
  for (const ip of p.clientIps) {
    validate.checkHostIp('clientIps entry', ip, 'privateSubnetCidr', 'private subnet', priv, 'each client must sit in the private subnet, behind the NAT Gateway');
  }
  if (p.withDirectClient) {
    validate.checkHostIp('directClientIp', p.directClientIp, 'publicSubnetCidr', 'public subnet', pub, 'the direct client must sit in the public subnet, beside the NAT Gateway');
  }
  validate.checkDistinct([
    { prop: 'natPrivateIp', ip: p.natPrivateIp },
    ...(p.withDirectClient ? [{ prop: 'directClientIp', ip: p.directClientIp }] : []),
    ...p.clientIps.map((ip) => ({ prop: 'clientIps', ip })),
  ]);
  validate.checkPort('sourcePort', p.sourcePort);
  validate.checkPort('serverPort', p.serverPort);
  validate.checkAllocationId('eipAllocationId', eipAllocationId);
}
