import { App, Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { AwsSolutionsChecks } from 'cdk-nag';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NatProbe } from '../../lib/construct/nat-probe';
import { LabOutputs } from '../../lib/construct/outputs';
import { acknowledge, NagTreePlugin } from '../../lib/construct/private/nag';
import type { Json } from './helpers';

describe('NatProbe beside an existing VPC', () => {
  let json: Json;
  let template: Template;
  let outdir: string;
  let privateSubnets: string[];
  let before: typeof process.exitCode;

  beforeAll(() => {
    outdir = mkdtempSync(join(tmpdir(), 'natlab-probe-'));
    const app = new App({ outdir });
    const stack = new Stack(app, 'Team');
    // "Their" VPC: two AZs, a NAT Gateway, everything the CDK does by default.
    const vpc = new ec2.Vpc(stack, 'TeamVpc', { maxAzs: 2, natGateways: 1, restrictDefaultSecurityGroup: false });
    acknowledge(vpc, { id: 'AwsSolutions-VPC7', reason: 'The test stands in for a team VPC whose flow logs are not this construct\'s business.' });
    const eip = vpc.publicSubnets[0].node.findChild('EIP') as ec2.CfnEIP;
    new NatProbe(stack, 'Probe', { vpc, allowedSourceIps: [eip.attrPublicIp, '198.51.100.7'] });
    Validations.of(app).addPlugins(new NagTreePlugin(app, new AwsSolutionsChecks(app)));
    before = process.exitCode;
    json = app.synth().getStackByName('Team').template as Json;
    template = Template.fromJSON(json);
    privateSubnets = vpc.privateSubnets.map((s) => stack.resolve(s.subnetId).Ref);
  });

  it('puts the probe in the VPC private subnets (all of them by default)', () => {
    const fn = Object.values(json.Resources as Record<string, Json>).find((r) => r.Type === 'AWS::Lambda::Function');
    expect(fn.Properties.VpcConfig.SubnetIds).toEqual(privateSubnets.map((id) => ({ Ref: id })));
    expect(fn.Properties).toMatchObject({ Runtime: 'nodejs24.x', Architectures: ['arm64'] });
  });

  it('opens the echo server only to the listed egress addresses', () => {
    const sg = Object.values(json.Resources as Record<string, Json>).find((r) => r.Type === 'AWS::EC2::SecurityGroup' && r.Properties.SecurityGroupIngress);
    expect(sg.Properties.SecurityGroupIngress).toEqual([
      expect.objectContaining({ CidrIp: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [expect.stringMatching(/EIP/), 'PublicIp'] }, '/32']] }, FromPort: 8080, ToPort: 8080 }),
      expect.objectContaining({ CidrIp: '198.51.100.7/32', FromPort: 8080, ToPort: 8080 }),
    ]);
    template.resourceCountIs('AWS::EC2::Instance', 1);
    template.resourceCountIs('AWS::EC2::NatGateway', 1);
  });

  it('exports the probe and the server as outputs whose ids are scoped to the construct', () => {
    const ids = Object.keys(json.Outputs);
    expect(ids).toHaveLength(3);
    for (const name of [LabOutputs.probeFunctionName, LabOutputs.serverPublicIp, LabOutputs.serverPort]) {
      expect(ids).toContainEqual(expect.stringMatching(new RegExp(`^ProbeOutput${name}[0-9A-F]{8}$`)));
    }
    const port = ids.find((id) => id.startsWith(`ProbeOutput${LabOutputs.serverPort}`))!;
    expect(json.Outputs[port].Value).toBe('8080');
  });

  it('with fixedOutputNames, names them as natlab verify reads them', () => {
    const stack = new Stack(new App(), 'Fixed');
    const vpc = new ec2.Vpc(stack, 'TeamVpc', { maxAzs: 1, natGateways: 1, restrictDefaultSecurityGroup: false });
    new NatProbe(stack, 'Probe', { vpc, allowedSourceIps: ['198.51.100.7'], fixedOutputNames: true });
    const outputs = Template.fromStack(stack).toJSON().Outputs;
    expect(Object.keys(outputs).sort()).toEqual([LabOutputs.probeFunctionName, LabOutputs.serverPort, LabOutputs.serverPublicIp].sort());
    expect(outputs[LabOutputs.serverPort].Value).toBe('8080');
  });

  it('passes cdk-nag with no unacknowledged finding', () => {
    expect(process.exitCode).toBe(before);
    expect(JSON.parse(readFileSync(join(outdir, 'policy-validation-report.json'), 'utf8')).pluginReports).toEqual([]);
  });
});
