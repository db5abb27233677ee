import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { join } from 'node:path';
import { LabOutputs } from '../../lib/construct/outputs';
import { CFN_LINT_IGNORED, cfnLint, logicalId, synthLab, type Json, type Synthesized } from './helpers';

describe('a given Elastic IP allocation', () => {
  let lab: Synthesized;
  beforeAll(() => {
    lab = synthLab({ eipAllocationId: 'eipalloc-0123456789abcdef0' });
  });

  it('is used by the NAT Gateway, and no Elastic IP is allocated for it', () => {
    lab.template.hasResourceProperties('AWS::EC2::NatGateway', { AllocationId: 'eipalloc-0123456789abcdef0', PrivateIpAddress: '10.0.0.226' });
    // Only the direct client's EIP remains.
    const eips = Object.values(lab.json.Resources as Record<string, Json>).filter((r) => r.Type === 'AWS::EC2::EIP');
    expect(eips).toHaveLength(1);
    expect(eips[0].Properties.InstanceId).toBeDefined();
  });

  it("reads the allocation's address at deploy time (DescribeAddresses) for the output and the server's security group", () => {
    const lookup = logicalId(lab.json, 'Custom::AWS', () => true);
    const create = lab.json.Resources[lookup].Properties.Update ?? lab.json.Resources[lookup].Properties.Create;
    expect(JSON.stringify(create)).toContain('describeAddresses');
    expect(JSON.stringify(create)).toContain('eipalloc-0123456789abcdef0');
    const publicIp = { 'Fn::GetAtt': [lookup, 'Addresses.0.PublicIp'] };
    expect(lab.json.Outputs[LabOutputs.elasticIp].Value).toEqual(publicIp);
    const serverSg = Object.values(lab.json.Resources as Record<string, Json>).find((r) => r.Type === 'AWS::EC2::SecurityGroup' && r.Properties.SecurityGroupIngress);
    expect(serverSg.Properties.SecurityGroupIngress).toEqual([
      { CidrIp: { 'Fn::Join': ['', [publicIp, '/32']] }, Description: 'the NAT Gateway Elastic IP', FromPort: 8080, IpProtocol: 'tcp', ToPort: 8080 },
      { CidrIp: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [expect.any(String), 'PublicIp'] }, '/32']] }, Description: 'the direct client Elastic IP', FromPort: 8080, IpProtocol: 'tcp', ToPort: 8080 },
    ]);
  });

  it('passes cfn-lint', () => {
    const { status, output } = cfnLint(join(lab.outdir, 'NatGatewayLab.template.json'), CFN_LINT_IGNORED);
    expect(output).toBe('');
    expect(status).toBe(0);
  });
});

describe('custom addresses, three clients, no direct client, x86 instances', () => {
  let lab: Synthesized;
  beforeAll(() => {
    lab = synthLab({
      vpcCidr: '10.20.0.0/16',
      publicSubnetCidr: '10.20.8.0/22',
      privateSubnetCidr: '10.20.64.0/20',
      natPrivateIp: '10.20.9.100',
      clientIps: ['10.20.64.10', '10.20.70.1', '10.20.79.254'],
      directClient: false,
      sourcePort: 40000,
      serverPort: 9090,
      instanceType: ec2.InstanceType.of(ec2.InstanceClass.T3, ec2.InstanceSize.NANO),
      inAccountVerify: false,
    });
  });

  it('pins the exact subnet blocks, even where the L2 would carve others', () => {
    lab.template.hasResourceProperties('AWS::EC2::VPC', { CidrBlock: '10.20.0.0/16' });
    lab.template.hasResourceProperties('AWS::EC2::Subnet', { CidrBlock: '10.20.8.0/22', MapPublicIpOnLaunch: false });
    lab.template.hasResourceProperties('AWS::EC2::Subnet', { CidrBlock: '10.20.64.0/20' });
    lab.template.hasResourceProperties('AWS::EC2::NatGateway', { PrivateIpAddress: '10.20.9.100' });
  });

  it('places one client per address, names them client-a..c, and drops the direct client', () => {
    for (const ip of ['10.20.64.10', '10.20.70.1', '10.20.79.254']) lab.template.hasResourceProperties('AWS::EC2::Instance', { PrivateIpAddress: ip, InstanceType: 't3.nano' });
    lab.template.resourceCountIs('AWS::EC2::Instance', 4);
    expect(lab.json.Outputs[LabOutputs.clientPrivateIps].Value).toBe('10.20.64.10,10.20.70.1,10.20.79.254');
    expect(lab.json.Outputs[LabOutputs.directClientInstanceId]).toBeUndefined();
    expect(lab.json.Metadata['natlab:flows'].map((f: { name: string; from: string }) => `${f.name}@${f.from}`)).toEqual([
      'client-a@10.20.64.10',
      'client-b@10.20.70.1',
      'client-c@10.20.79.254',
    ]);
  });

  it('without inAccountVerify, there is no verifier (no function, no output) and the probe is as always', () => {
    const functions = Object.values(lab.json.Resources as Record<string, Json>).filter((r) => r.Type === 'AWS::Lambda::Function');
    expect(functions).toHaveLength(1);
    const [fn] = functions;
    expect(fn.Properties.VpcConfig).toBeDefined();
    expect(lab.json.Outputs[LabOutputs.verifierFunctionName]).toBeUndefined();
    expect(fn.Properties.Timeout).toBe(60);
    const role = fn.Properties.Role['Fn::GetAtt'][0];
    const policies = Object.values(lab.json.Resources as Record<string, Json>).filter((r) => r.Type === 'AWS::IAM::Policy' && r.Properties.Roles.some((x: Json) => x.Ref === role));
    expect(policies).toEqual([]);
  });

  it('follows the ports and the architecture', () => {
    expect(lab.json.Outputs[LabOutputs.sourcePort].Value).toBe('40000');
    expect(lab.json.Outputs[LabOutputs.serverPort].Value).toBe('9090');
    expect(lab.json.Metadata['natlab:flows'][0]).toMatchObject({ sourcePort: 40000, to: { host: 'server', port: 9090 } });
    const serverSg = Object.values(lab.json.Resources as Record<string, Json>).find((r) => r.Type === 'AWS::EC2::SecurityGroup' && r.Properties.SecurityGroupIngress);
    expect(serverSg.Properties.SecurityGroupIngress).toEqual([expect.objectContaining({ FromPort: 9090, ToPort: 9090, Description: 'the NAT Gateway Elastic IP' })]);
    const server = Object.values(lab.json.Resources as Record<string, Json>).find((r) => r.Type === 'AWS::EC2::Instance' && r.Metadata?.['natlab:role'] === 'server');
    expect(server.Properties.UserData['Fn::Base64']).toContain('--port 9090');
    expect(Object.values(lab.json.Parameters as Record<string, Json>).some((p) => /x86_64$/.test(p.Default ?? ''))).toBe(true);
  });
});
