import { App, Stack, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { AwsSolutionsChecks } from 'cdk-nag';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
