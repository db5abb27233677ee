/**
 * aws-sdk-client-mock wiring for a whole deployed lab: CloudFormation, the ten EC2 describe
 * calls (with NextToken pages), DescribeFlowLogs, SSM (registration, Run Command InProgress
 * then Success), the probe Lambda (probe and observations) and CloudWatch Logs (a delivery
 * that needs several polls). A scenario says what the real lab would do.
 */
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { CloudWatchLogsClient, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import {
  DescribeAddressesCommand,
  DescribeFlowLogsCommand,
  DescribeInstancesCommand,
  DescribeInternetGatewaysCommand,
  DescribeNatGatewaysCommand,
  DescribeNetworkAclsCommand,
  DescribeNetworkInterfacesCommand,
  DescribeRouteTablesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  DescribeVpcsCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { DescribeInstanceInformationCommand, GetCommandInvocationCommand, SendCommandCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import * as fx from '../fixtures/aws/lab';

/** What one client's curl got. */
export type ClientOutcome = { srcIp: string; srcPort: number } | { curlExit: number; stderr: string };

export interface LabScenario {
  /** The console change: the private route table lost its 0.0.0.0/0 -> NAT route. */
  readonly withoutPrivateDefault?: boolean;
  readonly clients: { readonly 'client-a': ClientOutcome; readonly 'client-b': ClientOutcome; readonly direct: ClientOutcome };
  /** What the server saw of the probe, or the probe's error. */
  readonly probe: { srcIp: string; srcPort: number } | { error: { kind: string; message: string } };
  /** The NAT translations the flow logs will show (empty: none, ever). */
  readonly natPorts: Array<{ clientIp: string; natPort: number; minute?: number }>;
  /** Empty FilterLogEvents polls before the records appear. */
  readonly emptyPolls?: number;
  /** The server's log; default: every connection the clients and the probe made. */
  readonly serverLog?: Array<{ srcIp: string; srcPort: number }>;
  /** Everything Online and every command done at the first look (no waits with a real clock). */
  readonly immediate?: boolean;
  /** The public subnet has its own NACL that lets in only the VPC's requests to TCP 8080: no ephemeral ports for replies. */
  readonly publicAclWithoutEphemeral?: boolean;
}

export const mocks = {
  cfn: mockClient(CloudFormationClient),
  ec2: mockClient(EC2Client),
  ssm: mockClient(SSMClient),
  lambda: mockClient(LambdaClient),
  logs: mockClient(CloudWatchLogsClient),
};

export function resetMocks(): void {
  for (const m of Object.values(mocks)) m.reset();
}

/** The standard lab: NAT ports 27318 and 10722 as in the article, the direct client kept 32222. */
export const HEALTHY: LabScenario = {
  clients: {
    'client-a': { srcIp: fx.EIP, srcPort: 27318 },
    'client-b': { srcIp: fx.EIP, srcPort: 10722 },
    direct: { srcIp: fx.DIRECT.publicIp, srcPort: fx.SOURCE_PORT },
  },
  probe: { srcIp: fx.EIP, srcPort: 40112 },
  natPorts: [
    { clientIp: '10.0.1.32', natPort: 27318 },
    { clientIp: '10.0.1.123', natPort: 10722 },
  ],
  emptyPolls: 2,
};

const byName = { 'client-a': fx.CLIENTS[0], 'client-b': fx.CLIENTS[1], direct: fx.DIRECT } as const;

/** Wires every mock for the scenario. */
export function mockLab(s: LabScenario): void {
  mocks.cfn.on(DescribeStacksCommand, { StackName: fx.STACK }).resolves(fx.describeStacks());

  mocks.ec2.on(DescribeVpcsCommand).resolves(fx.describeVpcs());
  const subnets = fx.describeSubnetsPages();
  mocks.ec2.on(DescribeSubnetsCommand).callsFake((input: { NextToken?: string }) => (input.NextToken === subnets[0].NextToken ? subnets[1] : subnets[0]));
  mocks.ec2.on(DescribeRouteTablesCommand).resolves(fx.describeRouteTables({ withoutPrivateDefault: s.withoutPrivateDefault }));
  mocks.ec2.on(DescribeNatGatewaysCommand).resolves(fx.describeNatGateways());
  mocks.ec2.on(DescribeInternetGatewaysCommand).resolves(fx.describeInternetGateways());
  const enis = fx.describeNetworkInterfacesPages();
  mocks.ec2.on(DescribeNetworkInterfacesCommand).callsFake((input: { NextToken?: string }) => (input.NextToken === enis[0].NextToken ? enis[1] : enis[0]));
  mocks.ec2.on(DescribeInstancesCommand).resolves(fx.describeInstances());
  mocks.ec2.on(DescribeSecurityGroupsCommand).resolves(fx.describeSecurityGroups());
  mocks.ec2.on(DescribeNetworkAclsCommand).resolves(s.publicAclWithoutEphemeral ? publicAclWithoutEphemeral() : fx.describeNetworkAcls());
  mocks.ec2.on(DescribeAddressesCommand).resolves(fx.describeAddresses());
  mocks.ec2.on(DescribeFlowLogsCommand).resolves(fx.describeFlowLogs());

  // SSM: the first look finds only client-a Online, the second all three (over two pages).
  const ids = [...fx.CLIENTS, fx.DIRECT].map((c) => c.instanceId);
  const firstLook = fx.describeInstanceInformationPages([ids[0], `registered:${ids[1]}`]);
  const secondLook = fx.describeInstanceInformationPages(ids);
  let infoCall = 0;
  mocks.ssm.on(DescribeInstanceInformationCommand).callsFake((input: { NextToken?: string }) => {
    infoCall++;
    if (infoCall === 1 && !s.immediate) return firstLook[0];
    return input.NextToken ? secondLook[1] : secondLook[0];
  });
  let commands = 0;
  mocks.ssm.on(SendCommandCommand).callsFake((input: { InstanceIds: string[]; Parameters: { commands: string[] } }) =>
    fx.sendCommand(`c0ffee${++commands}-1a2b-4c3d-8e4f-5a6b7c8d9e0f`, input.InstanceIds, input.Parameters.commands[0]),
  );
  const polls = new Map<string, number>();
  mocks.ssm.on(GetCommandInvocationCommand).callsFake((input: { CommandId: string; InstanceId: string }) => {
    const key = `${input.CommandId}/${input.InstanceId}`;
    const n = (polls.get(key) ?? 0) + 1;
    polls.set(key, n);
    if (n === 1 && !s.immediate) return fx.commandInvocation(input.CommandId, input.InstanceId, 'InProgress');
    const name = (Object.keys(byName) as Array<keyof typeof byName>).find((k) => byName[k].instanceId === input.InstanceId) as keyof typeof byName;
    const outcome = s.clients[name];
    if ('curlExit' in outcome) return fx.commandInvocation(input.CommandId, input.InstanceId, 'Success', fx.curlStdout('', outcome.curlExit), outcome.stderr, 0);
    return fx.commandInvocation(input.CommandId, input.InstanceId, 'Success', fx.curlStdout(fx.echoJson(outcome.srcIp, outcome.srcPort)), '', 0);
  });

  const seenByServer = [...Object.values(s.clients), s.probe].filter((o): o is { srcIp: string; srcPort: number } => 'srcIp' in o);
  mocks.lambda.on(InvokeCommand).callsFake((input: { FunctionName: string; Payload: Uint8Array }) => {
    const event = JSON.parse(new TextDecoder().decode(input.Payload)) as { action: string };
    if (input.FunctionName !== fx.PROBE_FUNCTION) throw new Error(`unexpected function ${input.FunctionName}`);
    if (event.action === 'observations') return fx.invokeResult(fx.observationsAnswer(s.serverLog ?? seenByServer));
    if ('error' in s.probe) {
      return fx.invokeResult({ ...fx.probeAnswer(0), ok: false, serverSaw: null, sourcePortKept: null, local: null, error: s.probe.error });
    }
    return fx.invokeResult({ ...fx.probeAnswer(s.probe.srcPort), serverSaw: s.probe });
  });

  // Flow logs: empty polls, then the records, two FilterLogEvents pages per poll.
  const pages = fx.filterLogEventsPages([...fx.scanFlowLogEvents(), ...fx.natFlowLogEvents(s.natPorts)], 5);
  let fetches = 0;
  mocks.logs.on(FilterLogEventsCommand).callsFake((input: { nextToken?: string }) => {
    if (!input.nextToken) fetches++;
    if (fetches <= (s.emptyPolls ?? 0) || s.natPorts.length === 0) return fx.filterLogEventsPages([])[0];
    return pages.find((_, i) => (i === 0 ? !input.nextToken : pages[i - 1].nextToken === input.nextToken)) ?? pages[0];
  });
}

/**
 * The lab's ACLs with the public subnet moved to a custom NACL that allows all outbound but
 * inbound only TCP 8080 from inside the VPC (the requests on their way to the NAT): requests
 * leave, the internet's replies to ephemeral ports are dropped.
 */
function publicAclWithoutEphemeral(): ReturnType<typeof fx.describeNetworkAcls> {
  const base = fx.describeNetworkAcls();
  const [acl] = base.NetworkAcls ?? [];
  const rule = (Egress: boolean, RuleNumber: number, RuleAction: 'allow' | 'deny', Protocol = '-1', port?: number, CidrBlock = '0.0.0.0/0') => ({
    CidrBlock,
    Egress,
    Protocol,
    RuleAction,
    RuleNumber,
    ...(port !== undefined ? { PortRange: { From: port, To: port } } : {}),
  });
  const publicAcl = {
    NetworkAclId: 'acl-0c0ffee0public01',
    VpcId: acl.VpcId,
    IsDefault: false,
    OwnerId: acl.OwnerId,
    Associations: [{ NetworkAclAssociationId: 'aclassoc-0a1b2c3d', NetworkAclId: 'acl-0c0ffee0public01', SubnetId: fx.SUBNET_PUBLIC }],
    Entries: [rule(true, 100, 'allow'), rule(true, 32767, 'deny'), rule(false, 100, 'allow', '6', 8080, '10.0.0.0/16'), rule(false, 32767, 'deny')],
    Tags: [],
  };
  const defaultAcl = { ...acl, Associations: (acl.Associations ?? []).filter((a) => a.SubnetId !== fx.SUBNET_PUBLIC) };
  return { ...base, NetworkAcls: [defaultAcl, publicAcl] };
}
