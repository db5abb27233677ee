import { App, Stack, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as iam from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks } from 'cdk-nag';
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

describe('the probe role acknowledgements say what the role really does', () => {
  // Construction is enough (acknowledgements are construct metadata); skip bundling the probe.
  function probeAcknowledgements(inAccountVerify: boolean): { reasons: Record<string, string>; statements: number } {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const stack = new NatGatewayLabStack(app, 'NatGatewayLab', { lab: { inAccountVerify } });
    const reasons: Record<string, string> = Object.assign(
      {},
      ...stack.lab.probe.node.metadata.filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY).map((m) => m.data as Record<string, string>),
    );
    const policy = stack.lab.probe.role?.node.tryFindChild('DefaultPolicy') as iam.Policy | undefined;
    return { reasons, statements: policy?.document.statementCount ?? 0 };
  }
  const basic = 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]';

  it.each([true, false])('inAccountVerify %s: the basic-execution reason claims nothing the grants contradict', (inAccountVerify) => {
    const { reasons, statements } = probeAcknowledgements(inAccountVerify);
    expect(statements > 0).toBe(inAccountVerify);
    expect(reasons[basic]).toBeDefined();
    expect(reasons[basic]).not.toMatch(/calls no AWS API/);
    expect(reasons[basic]).toContain('separate statements');
  });
});
