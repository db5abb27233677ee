/**
 * The CDK app (cdk.json "app"): deploys the seed topology as stack `NatGatewayLab`, checked by
 * cdk-nag's AwsSolutions pack. Every NatGatewayLab prop is a context key (cdk.json or
 * `-c key=value`); a bad value stops the synth with one sentence and exit code 2.
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { InputError } from '../lib/errors';
import { LAB_CONTEXT_KEYS, NatGatewayLabStack, labPropsFromContext, type LabContext } from '../lib/construct/lab-stack';
import { NagTreePlugin } from '../lib/construct/private/nag';

const app = new App();
const context: LabContext = {};
for (const key of LAB_CONTEXT_KEYS) context[key] = app.node.tryGetContext(key);

try {
  new NatGatewayLabStack(app, 'NatGatewayLab', { lab: labPropsFromContext(context) });
} catch (err) {
  if (err instanceof InputError) {
    process.stderr.write(`natlab: ${err.message}\n`);
    process.exit(err.exitCode);
  }
  throw err;
}

// cdk-nag 3 needs the construct tree, which aws-cdk-lib 2.257 does not pass to plugins yet:
// NagTreePlugin hands it over, so unacknowledged findings fail the synth.
Validations.of(app).addPlugins(new NagTreePlugin(app, new AwsSolutionsChecks(app)));
