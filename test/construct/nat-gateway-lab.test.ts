import { Validations } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LAB_FLOW_LOG_FORMAT } from '../../lib/construct/flow-log-format';
import { LabOutputs } from '../../lib/construct/outputs';
import { CFN_LINT_IGNORED, cfnLint, logicalId, normalisedTemplate, synthLab, type Json, type Synthesized } from './helpers';

let lab: Synthesized;
let ids: Record<string, string>;
let exitCodeBefore: typeof process.exitCode;

beforeAll(() => {
  exitCodeBefore = process.exitCode;
  lab = synthLab();
  const j = lab.json;
  ids = {
    vpc: logicalId(j, 'AWS::EC2::VPC', (p) => p.CidrBlock === '10.0.0.0/16'),
    serverVpc: logicalId(j, 'AWS::EC2::VPC', (p) => p.CidrBlock === '172.16.0.0/24'),
    publicSubnet: logicalId(j, 'AWS::EC2::Subnet', (p) => p.CidrBlock === '10.0.0.0/24'),
    privateSubnet: logicalId(j, 'AWS::EC2::Subnet', (p) => p.CidrBlock === '10.0.1.0/24'),
    serverSubnet: logicalId(j, 'AWS::EC2::Subnet', (p) => p.CidrBlock === '172.16.0.0/24'),
    nat: logicalId(j, 'AWS::EC2::NatGateway', () => true),
    natEip: logicalId(j, 'AWS::EC2::EIP', (p) => p.InstanceId === undefined),
    directEip: logicalId(j, 'AWS::EC2::EIP', (p) => p.InstanceId !== undefined),
    clientA: logicalId(j, 'AWS::EC2::Instance', (p) => p.PrivateIpAddress === '10.0.1.32'),
    clientB: logicalId(j, 'AWS::EC2::Instance', (p) => p.PrivateIpAddress === '10.0.1.123'),
    direct: logicalId(j, 'AWS::EC2::Instance', (p) => p.PrivateIpAddress === '10.0.0.10'),
    server: logicalId(j, 'AWS::EC2::Instance', (p) => p.SubnetId?.Ref !== undefined && p.PrivateIpAddress === undefined),
    probe: logicalId(j, 'AWS::Lambda::Function', (p) => p.VpcConfig !== undefined),
    verifier: logicalId(j, 'AWS::Lambda::Function', (p) => p.VpcConfig === undefined),
  };
});

function resource(id: string): { Type: string; Properties: Json; DeletionPolicy?: string } {
  return lab.json.Resources[id];
}

describe('the lab VPC', () => {
  it('is 10.0.0.0/16 with a public 10.0.0.0/24 and a private 10.0.1.0/24 subnet in one AZ', () => {
    const az = { 'Fn::Select': [0, { 'Fn::GetAZs': '' }] };
    expect(resource(ids.publicSubnet).Properties).toMatchObject({ VpcId: { Ref: ids.vpc }, AvailabilityZone: az, MapPublicIpOnLaunch: false });
    expect(resource(ids.privateSubnet).Properties).toMatchObject({ VpcId: { Ref: ids.vpc }, AvailabilityZone: az });
    lab.template.resourcePropertiesCountIs('AWS::EC2::Subnet', { VpcId: { Ref: ids.vpc } }, 2);
  });

  it('routes the public subnet 0.0.0.0/0 to the Internet Gateway and the private subnet to the NAT Gateway', () => {
    const igw = logicalId(lab.json, 'AWS::EC2::VPCGatewayAttachment', (p) => p.VpcId.Ref === ids.vpc);
    const igwId = resource(igw).Properties.InternetGatewayId.Ref;
    const routeTableOf = (subnet: string) =>
      resource(logicalId(lab.json, 'AWS::EC2::SubnetRouteTableAssociation', (p) => p.SubnetId.Ref === subnet)).Properties.RouteTableId.Ref;
    lab.template.hasResourceProperties('AWS::EC2::Route', {
      RouteTableId: { Ref: routeTableOf(ids.publicSubnet) },
      DestinationCidrBlock: '0.0.0.0/0',
      GatewayId: { Ref: igwId },
    });
    lab.template.hasResourceProperties('AWS::EC2::Route', {
      RouteTableId: { Ref: routeTableOf(ids.privateSubnet) },
      DestinationCidrBlock: '0.0.0.0/0',
      NatGatewayId: { Ref: ids.nat },
    });
    lab.template.resourcePropertiesCountIs('AWS::EC2::Route', { RouteTableId: { Ref: routeTableOf(ids.privateSubnet) } }, 1);
  });

  it('pins the NAT Gateway at 10.0.0.226 in the public subnet with a new Elastic IP', () => {
    expect(resource(ids.nat).Properties).toMatchObject({
      PrivateIpAddress: '10.0.0.226',
      SubnetId: { Ref: ids.publicSubnet },
      AllocationId: { 'Fn::GetAtt': [ids.natEip, 'AllocationId'] },
    });
    expect(resource(ids.nat).Properties.ConnectivityType ?? 'public').toBe('public');
    expect(resource(ids.natEip).Properties).toMatchObject({ Domain: 'vpc' });
  });
});

describe('the instances', () => {
  it('puts the clients at 10.0.1.32 and 10.0.1.123 in the private subnet and the direct client at 10.0.0.10 in the public one', () => {
    expect(resource(ids.clientA).Properties.SubnetId).toEqual({ Ref: ids.privateSubnet });
    expect(resource(ids.clientB).Properties.SubnetId).toEqual({ Ref: ids.privateSubnet });
    expect(resource(ids.direct).Properties.SubnetId).toEqual({ Ref: ids.publicSubnet });
    expect(resource(ids.server).Properties.SubnetId).toEqual({ Ref: ids.serverSubnet });
    expect(resource(ids.serverSubnet).Properties.MapPublicIpOnLaunch).toBe(true);
  });

  it('gives the direct client its own Elastic IP, associated once the Internet Gateway is attached', () => {
    expect(resource(ids.directEip).Properties).toEqual({ Domain: 'vpc', InstanceId: { Ref: ids.direct } });
    const attachment = logicalId(lab.json, 'AWS::EC2::VPCGatewayAttachment', (p) => p.VpcId.Ref === ids.vpc);
    expect(lab.json.Resources[ids.directEip].DependsOn).toContain(attachment);
  });

  it("boots each instance only after its subnet's default route exists", () => {
    const defaultRoute = (subnet: string) =>
      logicalId(lab.json, 'AWS::EC2::Route', (p) => p.DestinationCidrBlock === '0.0.0.0/0' && p.RouteTableId.Ref === resource(logicalId(lab.json, 'AWS::EC2::SubnetRouteTableAssociation', (a) => a.SubnetId.Ref === subnet)).Properties.RouteTableId.Ref);
    expect(lab.json.Resources[ids.clientA].DependsOn).toContain(defaultRoute(ids.privateSubnet));
    expect(lab.json.Resources[ids.direct].DependsOn).toContain(defaultRoute(ids.publicSubnet));
    expect(lab.json.Resources[ids.server].DependsOn).toContain(defaultRoute(ids.serverSubnet));
  });

  it.each(['clientA', 'clientB', 'direct', 'server'])('%s: t4g.nano, AL2023 arm64 via SSM parameter, IMDSv2 only, no key pair, SSM role, encrypted root', (name) => {
    const props = resource(ids[name]).Properties;
    expect(props.InstanceType).toBe('t4g.nano');
    expect(props.MetadataOptions).toEqual({ HttpTokens: 'required', HttpEndpoint: 'enabled', HttpPutResponseHopLimit: 1 });
    expect(props).not.toHaveProperty('KeyName');
    const parameter = lab.json.Parameters[props.ImageId.Ref];
    expect(parameter).toEqual({ Type: 'AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>', Default: expect.stringMatching(/^\/aws\/service\/ami-amazon-linux-latest\/al2023-ami-kernel-.*-arm64$/) });
    expect(props.BlockDeviceMappings).toEqual([{ DeviceName: '/dev/xvda', Ebs: { Encrypted: true, VolumeSize: 8, VolumeType: 'gp3' } }]);
    const profile = resource(props.IamInstanceProfile.Ref).Properties;
    const role = resource(profile.Roles[0].Ref).Properties;
    expect(JSON.stringify(role.ManagedPolicyArns)).toContain('AmazonSSMManagedInstanceCore');
    expect(role.ManagedPolicyArns).toHaveLength(1);
  });

  it('opens no inbound port on the clients and no SSH anywhere', () => {
    const clientSgs = resource(ids.clientA).Properties.SecurityGroupIds.map((g: Json) => g['Fn::GetAtt'][0]);
    for (const sg of clientSgs) expect(resource(sg).Properties.SecurityGroupIngress).toBeUndefined();
    const all = Object.values(lab.json.Resources as Record<string, Json>)
      .filter((r) => r.Type === 'AWS::EC2::SecurityGroup')
      .flatMap((r) => r.Properties.SecurityGroupIngress ?? []);
    expect(all.some((rule: Json) => rule.FromPort <= 22 && rule.ToPort >= 22)).toBe(false);
    lab.template.resourceCountIs('AWS::EC2::SecurityGroupIngress', 0);
  });

  it("opens the server's 8080 only to the NAT Gateway's EIP and the direct client's EIP", () => {
    const sg = resource(ids.server).Properties.SecurityGroupIds[0]['Fn::GetAtt'][0];
    expect(resource(sg).Properties.SecurityGroupIngress).toEqual([
      { CidrIp: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [ids.natEip, 'PublicIp'] }, '/32']] }, Description: 'the NAT Gateway Elastic IP', FromPort: 8080, IpProtocol: 'tcp', ToPort: 8080 },
      { CidrIp: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [ids.directEip, 'PublicIp'] }, '/32']] }, Description: 'the direct client Elastic IP', FromPort: 8080, IpProtocol: 'tcp', ToPort: 8080 },
    ]);
  });

  it('runs the echo server on 8080 as a systemd service from user data', () => {
    const script: string = resource(ids.server).Properties.UserData['Fn::Base64'];
    expect(script).toContain('dnf install -y nodejs && break');
    expect(script).toContain('ExecStart=/usr/bin/node /opt/natlab/echo-server.js --host 0.0.0.0 --port 8080 --log /var/log/natlab/observations.jsonl');
    expect(script).toContain('systemctl enable --now natlab-echo.service');
    const bundle = script.split("<<'NATLAB_BUNDLE_EOF'\n")[1].split('\nNATLAB_BUNDLE_EOF')[0];
    expect(bundle).toContain('/observations');
    expect(bundle.length).toBeLessThan(8000);
    expect(script.length).toBeLessThan(16 * 1024);
  });
});

describe('the Lambda probe', () => {
  it('runs lambda/probe on Node.js 24, arm64, in the private subnet', () => {
    const props = resource(ids.probe).Properties;
    expect(props).toMatchObject({ Runtime: 'nodejs24.x', Architectures: ['arm64'], Handler: 'index.handler' });
    expect(props.VpcConfig.SubnetIds).toEqual([{ Ref: ids.privateSubnet }]);
  });

  it('calls no AWS API: its role has the managed log and VPC policies only, and a 60 s timeout', () => {
    expect(resource(ids.probe).Properties.Timeout).toBe(60);
    expect(policiesOf(ids.probe)).toEqual([]);
    const role = resource(ids.probe).Properties.Role['Fn::GetAtt'][0];
    expect(JSON.stringify(resource(role).Properties.ManagedPolicyArns)).toMatch(/AWSLambdaBasicExecutionRole.*AWSLambdaVPCAccessExecutionRole/);
  });
});

/** The inline policies attached to a function's role. */
function policiesOf(fn: string): Json[] {
  const role = resource(fn).Properties.Role['Fn::GetAtt'][0];
  return Object.values(lab.json.Resources as Record<string, Json>).filter((r) => r.Type === 'AWS::IAM::Policy' && r.Properties.Roles.some((x: Json) => x.Ref === role));
}

describe('the in-account verifier', () => {
  it('runs lambda/verify on Node.js 24, arm64, outside the VPC, with a 15-minute timeout', () => {
    const props = resource(ids.verifier).Properties;
    expect(props).toMatchObject({ Runtime: 'nodejs24.x', Architectures: ['arm64'], Handler: 'index.handler', Timeout: 900 });
    expect(props.VpcConfig).toBeUndefined();
    const role = props.Role['Fn::GetAtt'][0];
    expect(JSON.stringify(resource(role).Properties.ManagedPolicyArns)).not.toContain('AWSLambdaVPCAccessExecutionRole');
  });

  it('may verify the lab: SendCommand only on the lab instances, Invoke only on the probe', () => {
    const [policy] = policiesOf(ids.verifier);
    const statements: Json[] = policy.Properties.PolicyDocument.Statement;
    const sendCommand = statements.find((st) => st.Action === 'ssm:SendCommand');
    const instanceArns = JSON.stringify(sendCommand.Resource);
    for (const instance of [ids.clientA, ids.clientB, ids.direct]) expect(instanceArns).toContain(`"Ref":"${instance}"`);
    expect(instanceArns).not.toContain(`"Ref":"${ids.server}"`);
    expect(instanceArns).toContain('document/AWS-RunShellScript');
    expect(statements.find((st) => st.Action === 'cloudformation:DescribeStacks').Resource).toEqual({ Ref: 'AWS::StackId' });
    // The probe's ARN alone: no `:*` (versions and aliases), no other function.
    expect(statements.find((st) => st.Action === 'lambda:InvokeFunction').Resource).toEqual({ 'Fn::GetAtt': [ids.probe, 'Arn'] });
    expect(
      statements
        .flatMap((st) => [st.Action].flat())
        .filter((a: string) => !/^(ec2:Describe|ssm:(DescribeInstanceInformation|GetCommandInvocation|SendCommand)|cloudformation:DescribeStacks|logs:FilterLogEvents|lambda:InvokeFunction$)/.test(a)),
    ).toEqual([]);
  });
});

describe('flow logs on the NAT Gateway ENI', () => {
  it('logs ALL traffic of the ENI (GetAtt EniId) to CloudWatch Logs in the custom format', () => {
    lab.template.hasResourceProperties('AWS::EC2::FlowLog', {
      ResourceType: 'NetworkInterface',
      ResourceId: { 'Fn::GetAtt': [ids.nat, 'EniId'] },
      TrafficType: 'ALL',
      LogDestinationType: 'cloud-watch-logs',
      LogFormat: LAB_FLOW_LOG_FORMAT,
      MaxAggregationInterval: 60,
    });
    expect(LAB_FLOW_LOG_FORMAT.startsWith('${srcaddr} ${srcport} ${dstaddr} ${dstport} ${pkt-srcaddr} ${pkt-dstaddr} ${protocol} ${tcp-flags} ${start} ${end}')).toBe(true);
  });

  it("keeps the flow log, the probe's and the verifier's logs a week and deletes them with the stack", () => {
    const groups = Object.entries(lab.json.Resources as Record<string, Json>).filter(([, r]) => r.Type === 'AWS::Logs::LogGroup');
    expect(groups).toHaveLength(3);
    for (const [, group] of groups) {
      expect(group.Properties.RetentionInDays).toBe(7);
      expect(group.DeletionPolicy).toBe('Delete');
      expect(group.UpdateReplacePolicy).toBe('Delete');
    }
    const flowLog = Object.values(lab.json.Resources as Record<string, Json>).find((r) => r.Type === 'AWS::EC2::FlowLog');
    expect(groups.map(([id]) => id)).toContain(flowLog.Properties.LogGroupName.Ref);
  });
});

describe('outputs and metadata', () => {
  it('has every output the harness reads, with its value', () => {
    const outputs = lab.json.Outputs;
    const group = Object.values(lab.json.Resources as Record<string, Json>).find((r) => r.Type === 'AWS::EC2::FlowLog').Properties.LogGroupName;
    expect(outputs[LabOutputs.marker].Value).toBe(require('../../package.json').version);
    expect(outputs[LabOutputs.vpcId].Value).toEqual({ Ref: ids.vpc });
    expect(outputs[LabOutputs.serverPublicIp].Value).toEqual({ 'Fn::GetAtt': [ids.server, 'PublicIp'] });
    expect(outputs[LabOutputs.serverPort].Value).toBe('8080');
    expect(outputs[LabOutputs.elasticIp].Value).toEqual({ 'Fn::GetAtt': [ids.natEip, 'PublicIp'] });
    expect(outputs[LabOutputs.natGatewayId].Value).toEqual({ Ref: ids.nat });
    expect(outputs[LabOutputs.natPrivateIp].Value).toBe('10.0.0.226');
    expect(outputs[LabOutputs.natEniId].Value).toEqual({ 'Fn::GetAtt': [ids.nat, 'EniId'] });
    expect(outputs[LabOutputs.clientInstanceIds].Value).toEqual({ 'Fn::Join': [',', [{ Ref: ids.clientA }, { Ref: ids.clientB }]] });
    expect(outputs[LabOutputs.clientPrivateIps].Value).toBe('10.0.1.32,10.0.1.123');
    expect(outputs[LabOutputs.directClientInstanceId].Value).toEqual({ Ref: ids.direct });
    expect(outputs[LabOutputs.directClientPrivateIp].Value).toBe('10.0.0.10');
    expect(outputs[LabOutputs.directClientPublicIp].Value).toEqual({ 'Fn::GetAtt': [ids.directEip, 'PublicIp'] });
    expect(outputs[LabOutputs.sourcePort].Value).toBe('32222');
    expect(outputs[LabOutputs.probeFunctionName].Value).toEqual({ Ref: ids.probe });
    expect(outputs[LabOutputs.verifierFunctionName].Value).toEqual({ Ref: ids.verifier });
    expect(outputs[LabOutputs.flowLogGroupName].Value).toEqual(group);
    expect(Object.keys(outputs).filter((k) => k !== 'BootstrapVersion' && !k.startsWith('CDK')).sort()).toEqual(Object.values(LabOutputs).sort());
  });

  it('lists the seed flows under natlab:flows for `natlab predict --template`', () => {
    expect(lab.json.Metadata['natlab:flows']).toEqual([
      { name: 'client-a', protocol: 'tcp', from: '10.0.1.32', sourcePort: 32222, to: { host: 'server', port: 8080 }, group: 'seed-clients' },
      { name: 'client-b', protocol: 'tcp', from: '10.0.1.123', sourcePort: 32222, to: { host: 'server', port: 8080 }, group: 'seed-clients' },
      { name: 'direct', protocol: 'tcp', from: '10.0.0.10', sourcePort: 32222, to: { host: 'server', port: 8080 } },
    ]);
    lab.template.hasResource('AWS::EC2::Instance', { Metadata: { 'natlab:role': 'server' }, Properties: Match.objectLike({ Tags: Match.arrayWith([{ Key: 'Name', Value: 'server' }]) }) });
  });

  it('tags each instance with its natlab role, so describe-instances (--aws-dump, --aws, verify) finds the flows', () => {
    const tagsOf = (name: string) => {
      const found = Object.values(lab.template.findResources('AWS::EC2::Instance')).find((r) =>
        (r.Properties.Tags as Array<{ Key: string; Value: string }>).some((t) => t.Key === 'Name' && t.Value === name));
      return Object.fromEntries((found!.Properties.Tags as Array<{ Key: string; Value: string }>).map((t) => [t.Key, t.Value]));
    };
    expect(tagsOf('client-a')).toMatchObject({ 'natlab:role': 'client', 'natlab:source-port': '32222' });
    expect(tagsOf('client-b')).toMatchObject({ 'natlab:role': 'client', 'natlab:source-port': '32222' });
    expect(tagsOf('direct')).toMatchObject({ 'natlab:role': 'direct-client', 'natlab:source-port': '32222' });
    expect(tagsOf('server')).toMatchObject({ 'natlab:role': 'server', 'natlab:port': '8080' });
  });

  it('needs no lookups: no env, AZ from Fn::GetAZs, AMI from an SSM parameter', () => {
    expect(lab.stack.environment).toBe('aws://unknown-account/unknown-region');
    expect(JSON.stringify(lab.json)).not.toMatch(/us-east-1[a-f]|ami-[0-9a-f]{8}/);
  });
});

describe('the whole template', () => {
  it('passes cdk-nag AwsSolutions with no unacknowledged finding, each acknowledgment with its reason', () => {
    // The CDK marks a failed validation by setting the exit code and writing the report.
    expect(process.exitCode).toBe(exitCodeBefore);
    expect(JSON.parse(readFileSync(join(lab.outdir, 'policy-validation-report.json'), 'utf8')).pluginReports).toEqual([]);
    const acknowledged = lab.stack.node
      .findAll()
      .flatMap((c) => c.node.metadata.filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY))
      .flatMap((m) => Object.entries(m.data as Record<string, string>));
    expect(new Set(acknowledged.map(([id]) => id.replace(/^annotation::/, '')))).toEqual(
      new Set([
        'AwsSolutions-VPC7',
        'AwsSolutions-EC23',
        'AwsSolutions-EC28',
        'AwsSolutions-EC29',
        'AwsSolutions-IAM5[Resource::*]',
        'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/AmazonSSMManagedInstanceCore]',
        'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole]',
      ]),
    );
    for (const [, reason] of acknowledged) expect(reason.length).toBeGreaterThan(40);
  });

  it('matches the snapshot (asset hashes and the inlined server bundle normalised)', () => {
    expect(normalisedTemplate(lab.json)).toMatchSnapshot();
  });

  it('passes cfn-lint', () => {
    const { status, output } = cfnLint(join(lab.outdir, 'NatGatewayLab.template.json'), CFN_LINT_IGNORED);
    expect(output).toBe('');
    expect(status).toBe(0);
  });
});
