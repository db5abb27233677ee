/**
 * cdk-nag glue. Two gaps between cdk-nag 3.0.2 and aws-cdk-lib 2.257 are bridged here:
 * - the CDK does not yet hand plugins the construct tree (`appConstruct`), so a NagPack
 *   registered with `Validations.of(app).addPlugins(pack)` reports an internal failure and
 *   checks nothing; `NagTreePlugin` gives the pack the tree itself;
 * - `Validations.acknowledge` rejects ids containing `::`, but cdk-nag names per-finding ids
 *   that way (`AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:...]`); `acknowledge` records
 *   those in the same construct metadata the CDK API writes and cdk-nag reads.
 */
import { Validations, type IPolicyValidationContext, type IPolicyValidationPlugin, type PolicyValidationPluginReport } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/** The part of a cdk-nag NagPack this plugin needs (`new AwsSolutionsChecks()` is one). */
export interface IScopeValidator {
  /** The pack's name, shown in the validation report. */
  readonly name: string;
  /** The pack's version. */
  readonly version?: string;
  /** Checks every resource under `scope`. */
  validateScope(scope: IConstruct): PolicyValidationPluginReport;
}

/** A validation plugin that runs a NagPack over the given construct tree at synth time. */
export class NagTreePlugin implements IPolicyValidationPlugin {
  readonly name: string;
  readonly version?: string;
  constructor(
    private readonly scope: IConstruct,
    private readonly pack: IScopeValidator,
  ) {
    this.name = pack.name;
    this.version = pack.version;
  }
  validate(_context: IPolicyValidationContext): PolicyValidationPluginReport {
    return this.pack.validateScope(this.scope);
  }
}

export interface Acknowledgment {
  /** A cdk-nag rule id (`AwsSolutions-EC28`) or finding id (`AwsSolutions-IAM4[Policy::...]`). */
  readonly id: string;
  /** Why the rule does not apply here: required, shown in the audit trail. */
  readonly reason: string;
}

/** Acknowledges cdk-nag rules or findings on `scope` and everything under it. */
export function acknowledge(scope: IConstruct, ...rules: Acknowledgment[]): void {
  for (const rule of rules) {
    if (rule.id.includes('::')) scope.node.addMetadata(Validations.ACKNOWLEDGED_RULES_METADATA_KEY, { [rule.id]: rule.reason });
    else Validations.of(scope).acknowledge(rule);
  }
}
