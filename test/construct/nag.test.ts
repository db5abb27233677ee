import { App, Stack, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NatGatewayLabStack } from '../../lib/construct/lab-stack';
import { NagTreePlugin } from '../../lib/construct/private/nag';

describe('cdk-nag through NagTreePlugin', () => {
  it('fails the synth on an unacknowledged finding (the plugin really runs)', () => {
    const app = new App({ outdir: mkdtempSync(join(tmpdir(), 'natlab-nag-')) });
    const stack = new Stack(app, 'Bad');
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 1, natGateways: 0, restrictDefaultSecurityGroup: false });
    const sg = new ec2.SecurityGroup(stack, 'Open', { vpc });
    sg.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(22));
    Validations.of(app).addPlugins(new NagTreePlugin(app, new AwsSolutionsChecks(app)));
    const before = process.exitCode;
    try {
      const assembly = app.synth();
      expect(process.exitCode).toBe(1);
      const report = JSON.parse(readFileSync(join(assembly.directory, 'policy-validation-report.json'), 'utf8'));
      const rules = report.pluginReports.flatMap((r: { violations: Array<{ ruleName: string }> }) => r.violations.map((v) => v.ruleName));
      expect(rules).toContain('AwsSolutions-EC23');
    } finally {
      process.exitCode = before;
    }
  });
});

describe('the Lambda roles: acknowledgements say what each role really does', () => {
  // Construction is enough (acknowledgements are construct metadata); skip bundling.
  function lab(inAccountVerify: boolean) {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    return new NatGatewayLabStack(app, 'NatGatewayLab', { lab: { inAccountVerify } }).lab;
  }
  function acknowledgements(fn: IConstruct): Record<string, string> {
    return Object.assign({}, ...fn.node.metadata.filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY).map((m) => m.data as Record<string, string>));
  }
  function statements(fn: lambda.IFunction): number {
    const policy = fn.role?.node.tryFindChild('DefaultPolicy') as iam.Policy | undefined;
    return policy?.document.statementCount ?? 0;
  }
  const basic = 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]';

  it.each([true, false])('inAccountVerify %s: the probe role grants no statement, and its reason says the probe calls no AWS API', (inAccountVerify) => {
    const { probe } = lab(inAccountVerify);
    expect(statements(probe)).toBe(0);
    expect(acknowledgements(probe)[basic]).toContain('the probe calls none');
    expect(acknowledgements(probe)['AwsSolutions-IAM5[Resource::*]']).toBeUndefined();
  });

  it('the verifier role holds the statements, and its reasons say so', () => {
    const { verifier } = lab(true);
    expect(verifier).toBeDefined();
    expect(statements(verifier!)).toBeGreaterThan(0);
    expect(acknowledgements(verifier!)[basic]).toContain('separate statements');
    expect(acknowledgements(verifier!)['AwsSolutions-IAM5[Resource::*]']).toContain('read-only');
  });

  it('without inAccountVerify there is no verifier', () => {
    expect(lab(false).verifier).toBeUndefined();
  });
});
