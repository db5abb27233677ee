/** Shared synth helpers for the construct tests: one App per synth, cdk-nag registered as in bin/app.ts. */
import { App, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NatGatewayLabStack } from '../../lib/construct/lab-stack';
import type { NatGatewayLabProps } from '../../lib/construct/nat-gateway-lab';
import { NagTreePlugin } from '../../lib/construct/private/nag';

/** Synthesized CloudFormation is untyped JSON; the tests index into it freely. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

export interface Synthesized {
  readonly stack: NatGatewayLabStack;
  readonly template: Template;
  readonly json: Json;
  readonly outdir: string;
}

/** Synthesizes the lab stack once, with cdk-nag as a validation plugin (findings throw). */
export function synthLab(lab: NatGatewayLabProps = {}): Synthesized {
  const outdir = mkdtempSync(join(tmpdir(), 'natlab-cdk-'));
  const app = new App({ outdir });
  const stack = new NatGatewayLabStack(app, 'NatGatewayLab', { lab });
  Validations.of(app).addPlugins(new NagTreePlugin(app, new AwsSolutionsChecks(app)));
  const assembly = app.synth();
  const json = assembly.getStackByName('NatGatewayLab').template as Json;
  return { stack, template: Template.fromJSON(json), json, outdir };
}

/** The logical id of the one resource of `type` whose properties match `pick`. */
export function logicalId(json: Json, type: string, pick: (props: Json) => boolean): string {
  const ids = Object.entries(json.Resources as Record<string, { Type: string; Properties?: Json }>)
    .filter(([, r]) => r.Type === type && pick(r.Properties ?? {}))
    .map(([id]) => id);
  if (ids.length !== 1) throw new Error(`expected one ${type}, found ${ids.length}: ${ids.join(', ')}`);
  return ids[0];
}

/** The template with what changes on every build replaced: asset hashes and the inlined server bundle. */
export function normalisedTemplate(json: Json): Json {
  const text = JSON.stringify(json)
    .replace(/[0-9a-f]{64}(\.zip)?/g, (_m, zip: string | undefined) => `<asset-hash>${zip ?? ''}`)
    .replace(/(<<'NATLAB_BUNDLE_EOF'\\n)[\s\S]*?(\\nNATLAB_BUNDLE_EOF)/g, '$1<echo-server bundle>$2');
  return JSON.parse(text);
}

/** Runs cfn-lint on a synthesized template; fails loudly when cfn-lint is not installed. */
export function cfnLint(templatePath: string, ignoreChecks: string[]): { status: number | null; output: string } {
  const { spawnSync } = require('node:child_process') as typeof import('node:child_process');
  const result = spawnSync('cfn-lint', ['--ignore-checks', ...ignoreChecks, '--', templatePath], { encoding: 'utf8' });
  if (result.error) {
    throw new Error(`cfn-lint could not run (${(result.error as NodeJS.ErrnoException).code}): install it and put it on PATH (pip install cfn-lint); this test checks the synthesized template with it.`);
  }
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

/**
 * cfn-lint rules ignored for every natlab template, each with its reason.
 * W3005: aws-cdk-lib's lambda.Function adds DependsOn on its execution role (and its policy)
 * although the Role GetAtt already orders them; the redundancy is the CDK's, harmless.
 */
export const CFN_LINT_IGNORED = ['W3005'];
