/**
 * The harness's AWS plumbing against aws-sdk-client-mock with fixtures typed as the SDK's own
 * outputs: stack outputs, SSM waits and commands, Lambda payloads, flow log pagination and the
 * one-sentence errors (no credentials, unknown stack, throttling, access denied).
 */
import { CloudFormationClient, CloudFormationServiceException, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { CloudWatchLogsClient, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import {
  DescribeInstanceInformationCommand,
  GetCommandInvocationCommand,
  InvocationDoesNotExist,
  SendCommandCommand,
  SSMClient,
} from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { formatDuration } from '../../lib/aws/clock';
import { AwsError, describeAwsError } from '../../lib/aws/errors';
import { fetchLogEventPages, fetchLogEvents, MAX_LOG_PAGES, waitForLogEvents } from '../../lib/aws/logs';
import { invokeJson } from '../../lib/aws/probe';
import { runShellCommand, waitForInstancesOnline } from '../../lib/aws/ssm';
import { labStackFromOutputs, readLabStack } from '../../lib/aws/stack';
import { InputError } from '../../lib/errors';
import * as fx from '../fixtures/aws/lab';
import { fakeClock } from './fake-clock';

const meta = { httpStatusCode: 400, requestId: 'b7a1c0de-0000-4000-8000-000000000001', attempts: 5, totalRetryDelay: 9100 };
const cfnError = (name: string, message: string) => new CloudFormationServiceException({ name, $fault: 'client', $metadata: meta, message });

describe('stack outputs', () => {
  const cfn = mockClient(CloudFormationClient);
  afterEach(() => cfn.reset());

  test('reads every output the harness needs', async () => {
    cfn.on(DescribeStacksCommand, { StackName: fx.STACK }).resolves(fx.describeStacks());
    const stack = await readLabStack(new CloudFormationClient({ region: fx.REGION }), fx.STACK);
    expect(stack).toMatchObject({
      vpcId: fx.VPC,
      serverPublicIp: fx.SERVER_IP,
      serverPort: 8080,
      elasticIp: fx.EIP,
      natPrivateIp: fx.NAT_PRIVATE_IP,
      natEniId: fx.NAT_ENI,
      sourcePort: 32222,
      probeFunctionName: fx.PROBE_FUNCTION,
      verifierFunctionName: fx.VERIFIER_FUNCTION,
      flowLogGroupName: fx.FLOW_LOG_GROUP,
      clients: [
        { name: 'client-a', instanceId: fx.CLIENTS[0].instanceId, privateIp: '10.0.1.32' },
        { name: 'client-b', instanceId: fx.CLIENTS[1].instanceId, privateIp: '10.0.1.123' },
      ],
      direct: { name: 'direct', instanceId: fx.DIRECT.instanceId, publicIp: '203.0.113.10' },
    });
  });

  test('a stack without the marker output is not a natlab lab', async () => {
    cfn.on(DescribeStacksCommand).resolves(fx.describeForeignStack('WebsiteStack'));
    await expect(readLabStack(new CloudFormationClient({ region: fx.REGION }), 'WebsiteStack')).rejects.toThrow(
      'stack WebsiteStack is not a natlab lab (no NatlabLab output)',
    );
  });

  test('an unknown stack is one sentence, exit 2', async () => {
    cfn.on(DescribeStacksCommand).rejects(cfnError('ValidationError', 'Stack with id NoSuchLab does not exist'));
    const err = await readLabStack(new CloudFormationClient({ region: fx.REGION }), 'NoSuchLab').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).exitCode).toBe(2);
    expect((err as Error).message).toBe('stack NoSuchLab does not exist (check the name, --region and --profile)');
  });

  test('a stack still deploying or rolled back is refused', async () => {
    cfn.on(DescribeStacksCommand).resolvesOnce(fx.describeStacks({ status: 'CREATE_IN_PROGRESS' })).resolves(fx.describeStacks({ status: 'ROLLBACK_COMPLETE' }));
    const client = new CloudFormationClient({ region: fx.REGION });
    await expect(readLabStack(client, fx.STACK)).rejects.toThrow('is CREATE_IN_PROGRESS: wait until the deploy has finished');
    await expect(readLabStack(client, fx.STACK)).rejects.toThrow('is ROLLBACK_COMPLETE, not a working lab');
  });

  test('missing or malformed outputs name the output', () => {
    const outputs = Object.fromEntries((fx.describeStacks().Stacks?.[0].Outputs ?? []).map((o) => [o.OutputKey as string, o.OutputValue as string]));
    expect(() => labStackFromOutputs('L', { ...outputs, ServerPort: '80800' })).toThrow('stack L output ServerPort is "80800", not a port');
    const { ProbeFunctionName: _gone, ...rest } = outputs;
    expect(() => labStackFromOutputs('L', rest)).toThrow('stack L has no ProbeFunctionName output');
    expect(() => labStackFromOutputs('L', { ...outputs, ClientPrivateIps: '10.0.1.32' })).toThrow('lists 2 client instances but 1 client IPs');
  });
});

describe('errors become one sentence', () => {
  test.each([
    ['no credentials', Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' }), /^no AWS credentials found: set AWS_PROFILE or pass --profile/],
    ['no region', new Error('Region is missing'), /^no AWS region: pass --region or set AWS_REGION$/],
    ['throttling', cfnError('Throttling', 'Rate exceeded'), /^AWS kept throttling CloudFormation DescribeStacks X \(Throttling\) after the SDK's retries/],
    ['access denied', cfnError('AccessDenied', 'User: arn:aws:iam::123456789012:user/ci is not authorized to perform: cloudformation:DescribeStacks'), /^access denied for CloudFormation DescribeStacks X: User: arn/],
    ['expired token', cfnError('ExpiredToken', 'The security token included in the request is expired'), /rejected \(ExpiredToken\)/],
    ['a call that timed out', Object.assign(new Error('Request aborted'), { name: 'AbortError' }), /did not answer in time/],
  ])('%s', (_label, err, expected) => {
    const out = describeAwsError('CloudFormation DescribeStacks X', err);
    expect(out).toBeInstanceOf(AwsError);
    expect(out.exitCode).toBe(2);
    expect(out.message).toMatch(expected);
    expect(out.message).not.toContain('\n');
  });

  test('the credentials error surfaces through a real call', async () => {
    const cfn = mockClient(CloudFormationClient);
    cfn.on(DescribeStacksCommand).rejects(Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' }));
    await expect(readLabStack(new CloudFormationClient({ region: fx.REGION }), fx.STACK)).rejects.toThrow(/^no AWS credentials found/);
    cfn.restore();
  });
});

describe('SSM', () => {
  const ssm = mockClient(SSMClient);
  afterEach(() => ssm.reset());
  const instances = [...fx.CLIENTS, fx.DIRECT].map((c) => ({ name: c.name, instanceId: c.instanceId }));

  test('waits, with progress, until every instance is Online, following NextToken', async () => {
    const ids = instances.map((i) => i.instanceId);
    const [first, second] = [fx.describeInstanceInformationPages([ids[0]]), fx.describeInstanceInformationPages(ids)];
    ssm
      .on(DescribeInstanceInformationCommand)
      .resolvesOnce(first[0])
      .resolvesOnce(second[0])
      .resolvesOnce(second[1]);
    const clock = fakeClock();
    const lines: string[] = [];
    await waitForInstancesOnline(new SSMClient({ region: fx.REGION }), instances, { clock, progress: (l) => lines.push(l), timeoutMs: 60_000, pollMs: 5000 });
    expect(clock.sleeps).toEqual([5000]);
    expect(lines[0]).toContain(`client-b (${ids[1]}) not registered`);
    expect(lines.at(-1)).toBe('3 instance(s) Online in SSM');
    const calls = ssm.commandCalls(DescribeInstanceInformationCommand);
    expect(calls.map((c) => c.args[0].input.NextToken)).toEqual([undefined, undefined, 'AAEAAbcdTokenPage2']);
    expect(calls[0].args[0].input.Filters).toEqual([{ Key: 'InstanceIds', Values: ids }]);
  });

  test('an instance that never becomes ready ends the wait with what was missing', async () => {
    const ids = instances.map((i) => i.instanceId);
    ssm.on(DescribeInstanceInformationCommand).resolves(fx.describeInstanceInformationPages([ids[0], `registered:${ids[1]}`])[0]);
    const clock = fakeClock();
    const err = await waitForInstancesOnline(new SSMClient({ region: fx.REGION }), instances.slice(0, 2), {
      clock,
      progress: () => undefined,
      timeoutMs: 30_000,
      pollMs: 5000,
    }).catch((e: unknown) => e);
    expect((err as InputError).exitCode).toBe(2);
    expect((err as Error).message).toBe(
      `instance(s) never became Online in SSM within 30s: client-b (${ids[1]}) ConnectionLost; check that the SSM agent runs and the instance can reach the SSM endpoints (--timeout-ssm to wait longer)`,
    );
    expect(clock.sleeps.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(30_000);
  });

  test('runs one command on several instances and polls InProgress until Success', async () => {
    const [a, b] = fx.CLIENTS;
    ssm.on(SendCommandCommand).resolves(fx.sendCommand('cmd-1', [a.instanceId, b.instanceId], 'echo hi'));
    ssm
      .on(GetCommandInvocationCommand, { CommandId: 'cmd-1', InstanceId: a.instanceId })
      .rejectsOnce(new InvocationDoesNotExist({ $metadata: meta, message: '' }))
      .resolvesOnce(fx.commandInvocation('cmd-1', a.instanceId, 'InProgress'))
      .resolves(fx.commandInvocation('cmd-1', a.instanceId, 'Success', 'hi from a\n', '', 0));
    ssm.on(GetCommandInvocationCommand, { CommandId: 'cmd-1', InstanceId: b.instanceId }).resolves(fx.commandInvocation('cmd-1', b.instanceId, 'Success', 'hi from b\n', '', 0));
    const clock = fakeClock();
    const out = await runShellCommand(new SSMClient({ region: fx.REGION }), [a, b], 'echo hi', { clock, progress: () => undefined, timeoutMs: 60_000, pollMs: 2000 });
    expect(out.map((o) => [o.instance.name, o.stdout])).toEqual([
      ['client-a', 'hi from a\n'],
      ['client-b', 'hi from b\n'],
    ]);
    expect(clock.sleeps).toEqual([2000, 2000]);
    const sent = ssm.commandCalls(SendCommandCommand)[0].args[0].input;
    expect(sent).toMatchObject({ DocumentName: 'AWS-RunShellScript', InstanceIds: [a.instanceId, b.instanceId], Parameters: { commands: ['echo hi'] } });
  });

  test('a failed command names the instance and its stderr', async () => {
    const [a] = fx.CLIENTS;
    ssm.on(SendCommandCommand).resolves(fx.sendCommand('cmd-2', [a.instanceId], 'curl'));
    ssm.on(GetCommandInvocationCommand).resolves(fx.commandInvocation('cmd-2', a.instanceId, 'Failed', '', 'bash: curl: command not found\n', 127));
    await expect(
      runShellCommand(new SSMClient({ region: fx.REGION }), [a], 'curl', { clock: fakeClock(), progress: () => undefined, timeoutMs: 60_000, pollMs: 2000 }),
    ).rejects.toThrow(`the SSM command on client-a (${a.instanceId}) ended Failed with exit code 127: bash: curl: command not found`);
  });

  test('a command that never finishes is bounded', async () => {
    const [a] = fx.CLIENTS;
    ssm.on(SendCommandCommand).resolves(fx.sendCommand('cmd-3', [a.instanceId], 'sleep 999'));
    ssm.on(GetCommandInvocationCommand).resolves(fx.commandInvocation('cmd-3', a.instanceId, 'InProgress'));
    await expect(
      runShellCommand(new SSMClient({ region: fx.REGION }), [a], 'sleep 999', { clock: fakeClock(), progress: () => undefined, timeoutMs: 10_000, pollMs: 2000 }),
    ).rejects.toThrow('the SSM command cmd-3 did not finish within 10s on client-a');
  });
});

describe('Lambda invoke', () => {
  const lambda = mockClient(LambdaClient);
  afterEach(() => lambda.reset());

  test('decodes the Uint8Array payload', async () => {
    lambda.on(InvokeCommand).resolves(fx.invokeResult(fx.probeAnswer(27318)));
    const answer = await invokeJson(new LambdaClient({ region: fx.REGION }), fx.PROBE_FUNCTION, { action: 'probe' }, 10_000);
    expect(answer).toMatchObject({ ok: true, serverSaw: { srcIp: fx.EIP, srcPort: 27318 } });
    const payload = lambda.commandCalls(InvokeCommand)[0].args[0].input.Payload as Uint8Array;
    expect(JSON.parse(new TextDecoder().decode(payload))).toEqual({ action: 'probe' });
  });

  test('a function error is one sentence with the error message', async () => {
    lambda.on(InvokeCommand).resolves(fx.invokeResult({ errorType: 'Runtime.ImportModuleError', errorMessage: "Error: Cannot find module 'index'\nRequire stack:\n- /var/runtime/index.mjs", trace: [] }, 'Unhandled'));
    await expect(invokeJson(new LambdaClient({ region: fx.REGION }), 'fn', { action: 'probe' }, 10_000)).rejects.toThrow(
      `the Lambda function fn failed on "probe" (Unhandled): Runtime.ImportModuleError: Error: Cannot find module 'index'`,
    );
  });
});

describe('flow logs from CloudWatch Logs', () => {
  const logs = mockClient(CloudWatchLogsClient);
  afterEach(() => logs.reset());

  test('follows nextToken through every page', async () => {
    const events = fx.natFlowLogEvents([{ clientIp: '10.0.1.32', natPort: 27318 }, { clientIp: '10.0.1.123', natPort: 10722 }]);
    const pages = fx.filterLogEventsPages(events, 3);
    expect(pages).toHaveLength(3);
    let m = logs.on(FilterLogEventsCommand);
    for (const p of pages) m = m.resolvesOnce(p);
    const got = await fetchLogEvents(new CloudWatchLogsClient({ region: fx.REGION }), { logGroupName: fx.FLOW_LOG_GROUP, logStreamNamePrefix: fx.NAT_ENI, startTime: 1 });
    expect(got.map((e) => e.message)).toEqual(events.map((e) => e.message));
    const tokens = logs.commandCalls(FilterLogEventsCommand).map((c) => c.args[0].input.nextToken);
    expect(tokens).toEqual([undefined, pages[0].nextToken, pages[1].nextToken]);
    expect(logs.commandCalls(FilterLogEventsCommand)[0].args[0].input).toMatchObject({ logGroupName: fx.FLOW_LOG_GROUP, logStreamNamePrefix: fx.NAT_ENI, startTime: 1 });
  });

  test('waits through several empty polls with visible progress, then stops when enough is in', async () => {
    const events = fx.natFlowLogEvents([{ clientIp: '10.0.1.32', natPort: 27318 }]);
    logs
      .on(FilterLogEventsCommand)
      .resolvesOnce(fx.filterLogEventsPages([])[0])
      .resolvesOnce(fx.filterLogEventsPages([])[0])
      .resolvesOnce(fx.filterLogEventsPages(events.slice(0, 1))[0])
      .resolves(fx.filterLogEventsPages(events, 10)[0]);
    const clock = fakeClock();
    const lines: string[] = [];
    const result = await waitForLogEvents(
      new CloudWatchLogsClient({ region: fx.REGION }),
      { logGroupName: fx.FLOW_LOG_GROUP, startTime: 1 },
      (evs) => ({ done: evs.length >= 4, status: `${evs.length} of 4`, value: evs.length }),
      { clock, progress: (l) => lines.push(l), timeoutMs: 900_000, pollMs: 30_000 },
    );
    expect(result).toMatchObject({ timedOut: false, value: 4, waitedMs: 90_000 });
    expect(clock.sleeps).toEqual([30_000, 30_000, 30_000]);
    expect(lines[0]).toContain('flow logs arrive minutes late');
    expect(lines).toContain('flow logs: 1 record(s) so far, 1 of 4 (1m of 15m)');
  });

  test('a log group that never stops paging: reading stops at the page bound and says the events are incomplete', async () => {
    // Every page holds one record and points at another page: a flooded group.
    const [record] = fx.natFlowLogEvents([{ clientIp: '10.0.1.32', natPort: 27318 }]);
    let served = 0;
    logs.on(FilterLogEventsCommand).callsFake(() => ({ $metadata: {}, events: [record], searchedLogStreams: [], nextToken: `page-${++served}` }));
    const client = new CloudWatchLogsClient({ region: fx.REGION });
    const read = await fetchLogEventPages(client, { logGroupName: fx.FLOW_LOG_GROUP, startTime: 1 }, 4);
    expect(read).toMatchObject({ pages: 4, truncated: true });
    expect(read.events).toHaveLength(4);
    expect(MAX_LOG_PAGES).toBe(1000);

    const lines: string[] = [];
    const result = await waitForLogEvents(
      client,
      { logGroupName: fx.FLOW_LOG_GROUP, startTime: 1 },
      (evs) => ({ done: true, status: `${evs.length} seen`, value: evs.length }),
      { clock: fakeClock(), progress: (l) => lines.push(l), timeoutMs: 900_000, pollMs: 30_000 },
      3,
    );
    expect(result).toMatchObject({ timedOut: false, value: 3, truncatedAtPages: 3 });
    expect(lines).toContain('flow logs: stopped reading at 3 pages (3 record(s)); later records were not read');
  });

  test('a log whose pages end before the bound is complete', async () => {
    const events = fx.natFlowLogEvents([{ clientIp: '10.0.1.32', natPort: 27318 }, { clientIp: '10.0.1.123', natPort: 10722 }]);
    const pages = fx.filterLogEventsPages(events, 3);
    let m = logs.on(FilterLogEventsCommand);
    for (const p of pages) m = m.resolvesOnce(p);
    const read = await fetchLogEventPages(new CloudWatchLogsClient({ region: fx.REGION }), { logGroupName: fx.FLOW_LOG_GROUP, startTime: 1 }, pages.length);
    expect(read).toMatchObject({ pages: pages.length, truncated: false });
  });

  test('gives up at the timeout and says what was missing, without throwing', async () => {
    logs.on(FilterLogEventsCommand).resolves(fx.filterLogEventsPages([])[0]);
    const clock = fakeClock();
    const result = await waitForLogEvents(
      new CloudWatchLogsClient({ region: fx.REGION }),
      { logGroupName: fx.FLOW_LOG_GROUP, startTime: 1 },
      () => ({ done: false, status: 'client-a not yet', value: null }),
      { clock, progress: () => undefined, timeoutMs: 120_000, pollMs: 30_000 },
    );
    expect(result).toMatchObject({ timedOut: true, status: 'client-a not yet' });
    expect(result.waitedMs).toBeLessThanOrEqual(120_000);
  });
});

test('durations read like a person writes them', () => {
  expect([formatDuration(0), formatDuration(45_000), formatDuration(60_000), formatDuration(270_000)]).toEqual(['0s', '45s', '1m', '4m30s']);
});
