/**
 * Both constructs in one team stack, each twice, beside the team's own VPC, bucket and outputs:
 * the stack synthesizes, every output has its own id, each construct's resources stay its own,
 * and cdk-nag (through NagTreePlugin) finds nothing unacknowledged.
 */
import { App, CfnOutput, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NatGatewayLab } from '../../lib/construct/nat-gateway-lab';
import { NatProbe } from '../../lib/construct/nat-probe';
import { LabOutputs } from '../../lib/construct/outputs';
import { acknowledge, NagTreePlugin } from '../../lib/construct/private/nag';
import type { Json } from './helpers';

function teamStack(app: App): { stack: Stack; vpc: ec2.Vpc } {
  const stack = new Stack(app, 'Team');
  const vpc = new ec2.Vpc(stack, 'TeamVpc', { maxAzs: 2, natGateways: 2, restrictDefaultSecurityGroup: false });
  acknowledge(vpc, { id: 'AwsSolutions-VPC7', reason: "The test stands in for a team VPC whose flow logs are not this construct's business." });
  const bucket = new s3.Bucket(stack, 'TeamBucket', { enforceSSL: true, removalPolicy: RemovalPolicy.DESTROY });
  acknowledge(bucket, { id: 'AwsSolutions-S1', reason: 'The team bucket stands for the resources a team already has beside natlab; its access logs are not at issue.' });
  // The team's own output under a name a lab also uses: natlab's scoped ids must not collide with it.
  new CfnOutput(stack, 'VpcId', { value: vpc.vpcId });
  return { stack, vpc };
}

describe('two labs and two probes in one team stack', () => {
  let json: Json;
  let outdir: string;
  let before: typeof process.exitCode;
  let eips: string[];

  beforeAll(() => {
    outdir = mkdtempSync(join(tmpdir(), 'natlab-compose-'));
    const app = new App({ outdir });
    const { stack, vpc } = teamStack(app);
    new NatGatewayLab(stack, 'LabA', { inAccountVerify: false });
    new NatGatewayLab(stack, 'LabB', { vpcCidr: '10.9.0.0/16', publicSubnetCidr: '10.9.0.0/24', privateSubnetCidr: '10.9.1.0/24', natPrivateIp: '10.9.0.9', clientIps: ['10.9.1.10'], directClientIp: '10.9.0.10' });
    eips = vpc.publicSubnets.map((s) => (s.node.findChild('EIP') as ec2.CfnEIP).attrPublicIp);
    new NatProbe(stack, 'ProbeAzA', { vpc, allowedSourceIps: [eips[0]], subnets: { subnets: [vpc.privateSubnets[0]] } });
    new NatProbe(stack, 'ProbeAzB', { vpc, allowedSourceIps: [eips[1]], subnets: { subnets: [vpc.privateSubnets[1]] } });
    Validations.of(app).addPlugins(new NagTreePlugin(app, new AwsSolutionsChecks(app)));
    before = process.exitCode;
    json = app.synth().getStackByName('Team').template as Json;
  });

  afterAll(() => {
    process.exitCode = before;
  });

  it('gives every output its own id, the team output keeping its name', () => {
    const ids = Object.keys(json.Outputs);
    expect(json.Outputs.VpcId).toBeDefined();
    // Two labs (17 outputs with the verifier, 16 without) and two probes (3 each), plus the team's.
    expect(ids).toHaveLength(1 + 16 + 17 + 3 + 3);
    for (const lab of ['LabA', 'LabB']) expect(ids).toContainEqual(expect.stringMatching(new RegExp(`^${lab}Output${LabOutputs.marker}[0-9A-F]{8}$`)));
    for (const probe of ['ProbeAzA', 'ProbeAzB']) expect(ids).toContainEqual(expect.stringMatching(new RegExp(`^${probe}Output${LabOutputs.probeFunctionName}[0-9A-F]{8}$`)));
    // None takes a fixed name a second construct would also want.
    expect(ids.filter((id) => (Object.values(LabOutputs) as string[]).includes(id))).toEqual(['VpcId']);
  });

  it('builds each construct its own VPCs, NAT Gateway, functions and instances', () => {
    const resources = Object.values(json.Resources as Record<string, Json>);
    const count = (type: string) => resources.filter((r) => r.Type === type).length;
    // The team VPC, two lab VPCs, four echo-server VPCs.
    expect(count('AWS::EC2::VPC')).toBe(7);
    // The team's two, one per lab.
    expect(count('AWS::EC2::NatGateway')).toBe(4);
    // LabA: probe; LabB: probe + verifier; two probes.
    expect(count('AWS::Lambda::Function')).toBe(5);
    // LabA: 2 clients + direct + server; LabB: 1 client + direct + server; a server per probe.
    expect(count('AWS::EC2::Instance')).toBe(9);
    expect(resources.filter((r) => r.Type === 'AWS::EC2::NatGateway').map((r) => r.Properties.PrivateIpAddress).filter(Boolean).sort()).toEqual(['10.0.0.226', '10.9.0.9']);
  });

  it('lists both labs\' flows under natlab:flows', () => {
    expect(json.Metadata['natlab:flows'].map((f: { name: string; from: string }) => `${f.name}@${f.from}`)).toEqual([
      'client-a@10.0.1.32',
      'client-b@10.0.1.123',
      'direct@10.0.0.10',
      'client-a@10.9.1.10',
      'direct@10.9.0.10',
    ]);
  });

  it('passes cdk-nag AwsSolutions with no unacknowledged finding', () => {
    expect(process.exitCode).toBe(before);
    expect(JSON.parse(readFileSync(join(outdir, 'policy-validation-report.json'), 'utf8')).pluginReports).toEqual([]);
  });
});

describe('fixed output names (what natlab verify reads)', () => {
  it('go to one construct per stack; a second asking for them is stopped with one sentence naming both', () => {
    const { stack, vpc } = teamStack(new App());
    new NatGatewayLab(stack, 'Lab', { fixedOutputNames: true, inAccountVerify: false });
    expect(() => new NatProbe(stack, 'Probe', { vpc, allowedSourceIps: ['198.51.100.7'], fixedOutputNames: true })).toThrow(
      'natlab: Team/Probe asks for the fixed output names natlab verify reads (fixedOutputNames), but Team/Lab in the same stack already has them; set it on one natlab construct per stack.',
    );
  });

  it('in different stacks, each stack gets its own', () => {
    const app = new App();
    const a = new Stack(app, 'A');
    const b = new Stack(app, 'B');
    new NatGatewayLab(a, 'Lab', { fixedOutputNames: true, inAccountVerify: false });
    new NatGatewayLab(b, 'Lab', { fixedOutputNames: true, inAccountVerify: false });
    for (const stack of [a, b]) expect(app.synth().getStackByName(stack.stackName).template.Outputs[LabOutputs.marker]).toBeDefined();
  });
});
