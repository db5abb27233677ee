/** The lab stack's outputs (LabOutputs), read once with CloudFormation DescribeStacks. */
import { DescribeStacksCommand, type CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { LabOutputs } from '../construct/outputs';
import { awsCall, awsErrorName, AwsError } from './errors';

/** One client instance of the lab as its outputs describe it. */
export interface LabClient {
  /** Flow name: `client-a`, `client-b`, ... in the order of the stack's `clientIps`. */
  readonly name: string;
  readonly instanceId: string;
  readonly privateIp: string;
}

/** Everything `verify` needs from the deployed stack. */
export interface LabStack {
  readonly stackName: string;
  /** The natlab version the stack was deployed with (the marker output's value). */
  readonly natlabVersion: string;
  readonly vpcId: string;
  readonly serverPublicIp: string;
  readonly serverPort: number;
  readonly elasticIp: string;
  readonly natGatewayId: string;
  readonly natPrivateIp: string;
  /** The NAT Gateway's ENI, whose flow log stream `verify` reads; absent if not exported. */
  readonly natEniId?: string;
  /** The private clients behind the NAT Gateway. */
  readonly clients: LabClient[];
  /** The client in the public subnet with its own public IP (absent if not deployed). */
  readonly direct?: LabClient & { readonly publicIp: string };
  readonly sourcePort: number;
  readonly probeFunctionName: string;
  /** The in-account verifier function (`natlab verify --in-account`); absent without `inAccountVerify`. */
  readonly verifierFunctionName?: string;
  readonly flowLogGroupName?: string;
}

/** Reads the stack's outputs; unknown stack and non-natlab stacks are one-line errors. */
export async function readLabStack(cfn: CloudFormationClient, stackName: string): Promise<LabStack> {
  const out = await awsCall(
    `CloudFormation DescribeStacks ${stackName}`,
    (abortSignal) => cfn.send(new DescribeStacksCommand({ StackName: stackName }), { abortSignal }),
    {
      map: (err) =>
        awsErrorName(err) === 'ValidationError' && /does not exist/i.test((err as Error).message ?? '')
          ? new AwsError(`stack ${stackName} does not exist (check the name, --region and --profile)`)
          : undefined,
    },
  );
  const stack = out.Stacks?.[0];
  if (!stack) throw new AwsError(`stack ${stackName} does not exist (check the name, --region and --profile)`);
  const status = stack.StackStatus ?? '';
  if (/_IN_PROGRESS$/.test(status) && status !== 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS') {
    throw new AwsError(`stack ${stackName} is ${stack.StackStatus}: wait until the deploy has finished`);
  }
  if (/FAILED$|ROLLBACK_COMPLETE$|^DELETE_/.test(status)) {
    throw new AwsError(`stack ${stackName} is ${stack.StackStatus}, not a working lab: deploy it again`);
  }
  return labStackFromOutputs(stackName, Object.fromEntries((stack.Outputs ?? []).map((o) => [o.OutputKey ?? '', o.OutputValue ?? ''])));
}

/** Parses the outputs map; pure, so the Lambda and the CLI parse alike. */
export function labStackFromOutputs(stackName: string, outputs: Record<string, string>): LabStack {
  if (!(LabOutputs.marker in outputs)) throw new AwsError(`stack ${stackName} is not a natlab lab (no ${LabOutputs.marker} output)`);
  const need = (key: string): string => {
    const v = outputs[key]?.trim();
    if (!v) throw new AwsError(`stack ${stackName} has no ${key} output: deploy it with this natlab version`);
    return v;
  };
  const port = (key: string): number => {
    const n = Number(need(key));
    if (!Number.isInteger(n) || n < 1 || n > 65535) throw new AwsError(`stack ${stackName} output ${key} is "${outputs[key]}", not a port`);
    return n;
  };
  const ids = splitList(need(LabOutputs.clientInstanceIds));
  const ips = splitList(need(LabOutputs.clientPrivateIps));
  if (ids.length !== ips.length) {
    throw new AwsError(`stack ${stackName} lists ${ids.length} client instances but ${ips.length} client IPs`);
  }
  const directId = outputs[LabOutputs.directClientInstanceId]?.trim();
  return {
    stackName,
    natlabVersion: outputs[LabOutputs.marker],
    vpcId: need(LabOutputs.vpcId),
    serverPublicIp: need(LabOutputs.serverPublicIp),
    serverPort: port(LabOutputs.serverPort),
    elasticIp: need(LabOutputs.elasticIp),
    natGatewayId: need(LabOutputs.natGatewayId),
    natPrivateIp: need(LabOutputs.natPrivateIp),
    natEniId: outputs[LabOutputs.natEniId]?.trim() || undefined,
    clients: ids.map((instanceId, i) => ({ name: `client-${String.fromCharCode(97 + i)}`, instanceId, privateIp: ips[i] })),
    direct: directId
      ? {
          name: 'direct',
          instanceId: directId,
          privateIp: need(LabOutputs.directClientPrivateIp),
          publicIp: need(LabOutputs.directClientPublicIp),
        }
      : undefined,
    sourcePort: port(LabOutputs.sourcePort),
    probeFunctionName: need(LabOutputs.probeFunctionName),
    verifierFunctionName: outputs[LabOutputs.verifierFunctionName]?.trim() || undefined,
    flowLogGroupName: outputs[LabOutputs.flowLogGroupName]?.trim() || undefined,
  };
}

function splitList(value: string): string[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}
