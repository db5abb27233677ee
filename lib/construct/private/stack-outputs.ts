/**
 * The stack outputs of a natlab construct. With fixed names they are exactly what `natlab verify`
 * reads (LabOutputs: `VpcId`, `ProbeFunctionName`, ...), which one construct per stack can hold;
 * otherwise their logical ids derive from the construct's path, so several labs and probes
 * compose in one stack beside the team's own outputs.
 */
import { CfnOutput, Stack } from 'aws-cdk-lib';
import type { Construct } from 'constructs';

/** Which construct holds the fixed names in each stack: a second one is a clear error, not CloudFormation's. */
const fixedHolders = new WeakMap<Stack, string>();

export class StackOutputs {
  constructor(
    private readonly scope: Construct,
    private readonly fixedNames: boolean,
  ) {
    if (!fixedNames) return;
    const stack = Stack.of(scope);
    const holder = fixedHolders.get(stack);
    if (holder !== undefined) {
      throw new Error(
        `natlab: ${scope.node.path} asks for the fixed output names natlab verify reads (fixedOutputNames), but ${holder} in the same stack already has them; set it on one natlab construct per stack.`,
      );
    }
    fixedHolders.set(stack, scope.node.path);
  }

  /** One output: named `name` exactly, or `Output<name>` under the construct (its logical id then carries the path). */
  add(name: string, value: string, description: string): CfnOutput {
    const output = new CfnOutput(this.scope, `Output${name}`, { value, description });
    if (this.fixedNames) output.overrideLogicalId(name);
    return output;
  }
}
