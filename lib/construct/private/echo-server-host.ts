/**
 * The server that stands for "the internet": an EC2 instance with a public IP in a small VPC
 * of its own, running natlab's echo server as a systemd service. Its security group admits the
 * echo port only from the addresses given (the lab's public IPs).
 */
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { echoServerBundle } from './assets';
import { acknowledgeInstanceRules, labInstance, markRole } from './instances';
import { acknowledge } from './nag';

/** A public IPv4 address or CIDR the echo server admits. */
export interface AllowedSource {
  /** `a.b.c.d` or `a.b.c.d/n`; a token (an Elastic IP's `attrPublicIp`) is fine. */
  readonly ip: string;
  /** The ingress rule's description. */
  readonly description: string;
}

export interface EchoServerHostProps {
  /** CIDR of the server's own VPC. */
  readonly vpcCidr: string;
  /** The echo server's TCP port. */
  readonly port: number;
  /** Public IPv4 addresses (tokens allowed) admitted on `port`. */
  readonly allowedSources: AllowedSource[];
  /** The server's instance type; the AMI's architecture follows it. */
  readonly instanceType: ec2.InstanceType;
  /** The instance profile (SSM access). */
  readonly instanceProfile: iam.IInstanceProfile;
}

export const ECHO_SERVER_LOG = '/var/log/natlab/observations.jsonl';

/**
 * The user data: install Node, write the echo server bundle (lib/server/main.ts, prebuilt in
 * dist/assets, a few kB), run it as a systemd service. Inlined rather than shipped as an S3
 * asset: the server then needs no S3 read permission, no route to the asset bucket and no
 * bootstrap-bucket coupling, and the 16 kB user data limit is far off.
 */
export function echoServerUserData(port: number): ec2.UserData {
  const userData = ec2.UserData.forLinux();
  userData.addCommands(
    'set -euo pipefail',
    // Retried: the first boot can race the package mirrors.
    'for attempt in 1 2 3 4 5 6; do dnf install -y nodejs && break; sleep 10; done',
    'command -v node',
    'mkdir -p /opt/natlab',
    "cat > /opt/natlab/echo-server.js <<'NATLAB_BUNDLE_EOF'",
    echoServerBundle().trimEnd(),
    'NATLAB_BUNDLE_EOF',
    "cat > /etc/systemd/system/natlab-echo.service <<'NATLAB_UNIT_EOF'",
    '[Unit]',
    'Description=natlab echo server (answers each connection with the source address and port it saw)',
    'After=network-online.target',
    'Wants=network-online.target',
    '[Service]',
    `ExecStart=/usr/bin/node /opt/natlab/echo-server.js --host 0.0.0.0 --port ${port} --log ${ECHO_SERVER_LOG}`,
    'DynamicUser=yes',
    'LogsDirectory=natlab',
    'Restart=always',
    '[Install]',
    'WantedBy=multi-user.target',
    'NATLAB_UNIT_EOF',
    'systemctl daemon-reload',
    'systemctl enable --now natlab-echo.service',
  );
  return userData;
}

/** The echo server's host: a public instance in a VPC of its own. */
export class EchoServerHost extends Construct {
  /** The server's own VPC (one public subnet, not connected to any other). */
  readonly vpc: ec2.Vpc;
  /** The instance running the echo server. */
  readonly instance: ec2.Instance;
  /** Its security group: the echo port from the allowed sources only. */
  readonly securityGroup: ec2.SecurityGroup;

  constructor(scope: Construct, id: string, props: EchoServerHostProps) {
    super(scope, id);
    const prefix = Number(props.vpcCidr.split('/')[1]);
    this.vpc = new ec2.Vpc(this, 'InternetVpc', {
      ipAddresses: ec2.IpAddresses.cidr(props.vpcCidr),
      maxAzs: 1,
      natGateways: 0,
      restrictDefaultSecurityGroup: false,
      subnetConfiguration: [{ name: 'Internet', subnetType: ec2.SubnetType.PUBLIC, cidrMask: prefix, mapPublicIpOnLaunch: true }],
    });
    acknowledge(this.vpc, {
      id: 'AwsSolutions-VPC7',
      reason: 'This VPC only stands for "the internet" around the echo server; the echo server logs every connection itself, so a flow log here would add cost and no information.',
    });

    this.securityGroup = new ec2.SecurityGroup(this, 'ServerSecurityGroup', {
      vpc: this.vpc,
      description: `natlab echo server: TCP ${props.port} from the lab public IPs only`,
      allowAllOutbound: true,
    });
    for (const source of props.allowedSources) {
      this.securityGroup.addIngressRule(ec2.Peer.ipv4(source.ip.includes('/') ? source.ip : `${source.ip}/32`), ec2.Port.tcp(props.port), source.description);
    }

    acknowledge(this.securityGroup, {
      id: 'AwsSolutions-EC23',
      reason:
        "The ingress sources are the lab's own Elastic IPs as /32 blocks, known only at deploy time (Fn::Join of the EIP's PublicIp), which cdk-nag cannot read; nothing is open to 0.0.0.0/0.",
    });

    this.instance = labInstance(this, 'Server', {
      vpc: this.vpc,
      subnets: { subnetType: ec2.SubnetType.PUBLIC },
      instanceType: props.instanceType,
      securityGroup: this.securityGroup,
      instanceProfile: props.instanceProfile,
      name: 'server',
      userData: echoServerUserData(props.port),
    });
    markRole(this.instance, 'server', { 'natlab:port': props.port });
    acknowledgeInstanceRules(this.instance);
  }
}
