/**
 * `runVerify` end to end against a mocked account: the real model, the real flow log
 * analyzer, the real topology importer, and aws-sdk-client-mock for every AWS call.
 * Proves the verdict holds for a healthy lab, turns red for a NAT that keeps the source port,
 * a server that sees the private IP, flow logs that disagree with the server or never arrive,
 * and that a console-made change (a deleted route) shows up in the prediction.
 */
import { DescribeInstanceInformationCommand, GetCommandInvocationCommand, SendCommandCommand } from '@aws-sdk/client-ssm';
import { FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { InvokeCommand } from '@aws-sdk/client-lambda';
import { createAwsClients } from '../../lib/aws/clients';
import { runVerify, verifyExitCode } from '../../lib/aws/verify';
import type { RunResult } from '../../lib/model/types';
import * as fx from '../fixtures/aws/lab';
import { fakeClock } from './fake-clock';
import { HEALTHY, mockLab, mocks, resetMocks, type LabScenario } from './lab-mocks';

beforeEach(() => resetMocks());

async function verify(s: LabScenario, opts: { skipFlowLogs?: boolean; flowLogsMs?: number } = {}) {
  mockLab(s);
  const clock = fakeClock();
  const lines: string[] = [];
  const result = await runVerify(
    { stackName: fx.STACK, region: fx.REGION, skipFlowLogs: opts.skipFlowLogs, timings: opts.flowLogsMs !== undefined ? { flowLogsMs: opts.flowLogsMs } : {} },
    { clients: createAwsClients({ region: fx.REGION }), clock, progress: (l) => lines.push(l) },
  );
  return { result, lines, clock };
}

function failed(result: RunResult): string[] {
  return result.compare.flows.flatMap((f) => f.checks.filter((c) => !c.ok).map((c) => `${f.name}: ${c.name}`));
}

function flow(result: RunResult, name: string) {
  const f = result.compare.flows.find((v) => v.name === name);
  if (!f) throw new Error(`no verdict for ${name}`);
  return f;
}

test('a healthy lab: every check holds, the translation table is rebuilt from the flow logs', async () => {
  const { result, lines, clock } = await verify(HEALTHY);
  expect(failed(result)).toEqual([]);
  expect(verifyExitCode(result)).toBe(0);
  expect(result.kind).toBe('verify');
  expect(result.compare.flows.map((f) => f.name)).toEqual(['client-a', 'client-b', 'direct', 'probe']);

  // The model predicted from the live topology: the EIP and a NAT-chosen port for the clients,
  // the direct client's own public IP and port unchanged.
  expect(flow(result, 'client-a').predicted).toEqual({ srcIp: fx.EIP, srcPort: { min: 1024, max: 65535, distinctFrom: ['client-b', 'probe'] } });
  expect(flow(result, 'direct').predicted).toEqual({ srcIp: fx.DIRECT.publicIp, srcPort: { exact: fx.SOURCE_PORT } });
  expect(flow(result, 'client-a').observed).toEqual({ srcIp: fx.EIP, srcPort: 27318 });
  const names = flow(result, 'client-a').checks.map((c) => c.name);
  expect(names).toEqual(
    expect.arrayContaining(['delivered', 'source IP', 'source port', 'port distinct', 'server log', "flow log: an outside leg with the server's port exists (pairing ambiguous: 2 candidates)"]),
  );
  // Simultaneous clients pair ambiguously: the NAT-port equality would hold by construction, so it is not claimed.
  expect(names).not.toContain('flow log: NAT port = port at server');
  expect(flow(result, 'client-a').checks.find((c) => c.name.startsWith('flow log: an outside leg'))).toMatchObject({ expected: 27318, observed: '10722, 27318', ok: true });
  // Same server, same minute: the records alone cannot pair the clients, and the result says how it paired them.
  expect(result.notes.join('\n')).toContain('the flow logs alone cannot tell client-a and client-b apart');
  // The background scans in the same log are told apart from the clients' traffic.
  expect(result.notes).toContain("flow logs: 2 unsolicited inbound flow(s) to the NAT's address (scans; no translation answers them, the NAT drops them)");
  expect(names.some((n) => n.startsWith('flow log: translation tcp 10.0.1.32:32222'))).toBe(true);
  expect(flow(result, 'direct').checks.map((c) => c.name)).toContain('flow log: no NAT translation');

  // The article's NAT table, rebuilt from the flow logs.
  expect(result.translations.observed.filter((t) => t.source === 'flow-log')).toEqual([
    { flow: 'client-a', source: 'flow-log', protocol: 'tcp', inside: { ip: '10.0.1.32', port: 32222 }, outside: { ip: fx.NAT_PRIVATE_IP, port: 27318 }, destination: { ip: fx.SERVER_IP, port: 8080 } },
    { flow: 'client-b', source: 'flow-log', protocol: 'tcp', inside: { ip: '10.0.1.123', port: 32222 }, outside: { ip: fx.NAT_PRIVATE_IP, port: 10722 }, destination: { ip: fx.SERVER_IP, port: 8080 } },
  ]);
  expect(result.observations.filter((o) => o.source === 'flow-log').map((o) => `${o.flow} ${o.srcIp}:${o.srcPort}`)).toEqual([
    `client-a ${fx.NAT_PRIVATE_IP}:27318`,
    `client-b ${fx.NAT_PRIVATE_IP}:10722`,
  ]);

  // Both NAT clients in one SendCommand, then the direct client alone, each from port 32222.
  const sends = mocks.ssm.commandCalls(SendCommandCommand).map((c) => c.args[0].input);
  expect(sends.map((s) => s.InstanceIds)).toEqual([[fx.CLIENTS[0].instanceId, fx.CLIENTS[1].instanceId], [fx.DIRECT.instanceId]]);
  expect(sends[0].Parameters?.commands?.[0]).toContain(`curl -s -S --max-time 15 --local-port 32222 http://${fx.SERVER_IP}:8080/`);
  expect(mocks.ssm.commandCalls(GetCommandInvocationCommand).length).toBe(6);
  // The probe and the server's log through the Lambda.
  expect(mocks.lambda.commandCalls(InvokeCommand).map((c) => JSON.parse(new TextDecoder().decode(c.args[0].input.Payload as Uint8Array)))).toEqual([
    { action: 'probe', host: fx.SERVER_IP, port: 8080, sourcePort: 32222 },
    { action: 'observations', host: fx.SERVER_IP, port: 8080 },
  ]);
  // Flow logs: two empty polls 30 s apart, then two pages of records, from the NAT ENI's stream.
  const fetches = mocks.logs.commandCalls(FilterLogEventsCommand).map((c) => c.args[0].input);
  expect(fetches.map((f) => f.nextToken ?? null)).toEqual([null, null, null, expect.stringMatching(/^Bxkq/)]);
  expect(fetches[0]).toMatchObject({ logGroupName: fx.FLOW_LOG_GROUP, logStreamNamePrefix: fx.NAT_ENI, startTime: clock.now() - clock.sleeps.reduce((a, b) => a + b, 0) - 120_000 });
  expect(clock.sleeps).toEqual([5000, 5000, 5000, 30_000, 30_000]);
  // Progress said what it waited for.
  expect(lines).toEqual(expect.arrayContaining([expect.stringContaining('waiting for SSM: client-b'), expect.stringContaining('flow logs arrive minutes late')]));
  expect(lines).toContain('flow logs: 0 record(s) so far, client-a, client-b not yet (30s of 15m)');
});

test('a NAT that keeps the source port fails the distinct-port check', async () => {
  const s: LabScenario = {
    ...HEALTHY,
    clients: { ...HEALTHY.clients, 'client-a': { srcIp: fx.EIP, srcPort: 32222 }, 'client-b': { srcIp: fx.EIP, srcPort: 32222 } },
    natPorts: [
      { clientIp: '10.0.1.32', natPort: 32222 },
      { clientIp: '10.0.1.123', natPort: 32222 },
    ],
  };
  const { result } = await verify(s);
  expect(failed(result)).toEqual(['client-a: port distinct', 'client-b: port distinct']);
  expect(verifyExitCode(result)).toBe(1);
});

test('a server that sees the private IP fails the source IP check', async () => {
  const s: LabScenario = { ...HEALTHY, clients: { ...HEALTHY.clients, 'client-a': { srcIp: '10.0.1.32', srcPort: 32222 } } };
  const { result } = await verify(s);
  expect(failed(result)).toEqual([
    'client-a: source IP',
    expect.stringMatching(/^client-a: flow log: translation tcp 10\.0\.1\.32:32222/),
    "client-a: flow log: an outside leg with the server's port exists (pairing ambiguous: 2 candidates)",
  ]);
  expect(flow(result, 'client-a').checks.find((c) => c.name === 'source IP')).toMatchObject({ expected: fx.EIP, observed: '10.0.1.32' });
  expect(verifyExitCode(result)).toBe(1);
});

test('flow logs with no outside leg at the port the server saw fail the translation check', async () => {
  const s: LabScenario = { ...HEALTHY, natPorts: [{ clientIp: '10.0.1.32', natPort: 27319 }, HEALTHY.natPorts[1]] };
  const { result } = await verify(s);
  expect(failed(result)).toEqual([
    expect.stringMatching(/^client-a: flow log: translation tcp 10\.0\.1\.32:32222/),
    "client-a: flow log: an outside leg with the server's port exists (pairing ambiguous: 2 candidates)",
  ]);
  expect(flow(result, 'client-a').checks.find((c) => c.name.startsWith('flow log: translation'))?.observed).toBe(
    'not found at port 27318, the port the server saw (outside legs that may be this client\'s: 10722, 27319)',
  );
  // The table holds only what the records and the server together establish.
  expect(result.translations.observed.filter((t) => t.source === 'flow-log').map((t) => t.flow)).toEqual(['client-b']);
});

test('clients a minute apart pair certainly; a certain pairing whose port differs from the server fails the NAT-port check', async () => {
  const apart: LabScenario = { ...HEALTHY, natPorts: [{ clientIp: '10.0.1.32', natPort: 27318 }, { clientIp: '10.0.1.123', natPort: 10722, minute: 5 }] };
  const ok = await verify(apart);
  expect(failed(ok.result)).toEqual([]);
  expect(ok.result.notes.join('\n')).not.toContain('cannot tell');
  resetMocks();
  const wrong = await verify({ ...apart, natPorts: [{ clientIp: '10.0.1.32', natPort: 27319 }, apart.natPorts[1]] });
  expect(failed(wrong.result)).toEqual(['client-a: flow log: NAT port = port at server']);
  expect(flow(wrong.result, 'client-a').checks.find((c) => c.name === 'flow log: NAT port = port at server')).toMatchObject({ expected: 27318, observed: 27319 });
});

test('flow logs that never arrive: a bounded wait, then failed translation checks that say so', async () => {
  const { result, clock, lines } = await verify({ ...HEALTHY, natPorts: [] }, { flowLogsMs: 120_000 });
  expect(failed(result)).toEqual([
    expect.stringMatching(/^client-a: flow log: translation tcp 10\.0\.1\.32:32222 -> 44\.198\.164\.163:8080 at nat-/),
    expect.stringMatching(/^client-b: flow log: translation tcp 10\.0\.1\.123:32222/),
  ]);
  const check = flow(result, 'client-a').checks.find((c) => c.name.startsWith('flow log: translation'));
  expect(check?.observed).toBe('not found (flow logs still missing after 120 s)');
  expect(result.notes.join('\n')).toContain('raise --timeout-logs');
  expect(clock.sleeps.filter((ms) => ms === 30_000)).toHaveLength(4);
  expect(lines.at(-1)).toContain('gave up after 2m');
});

test('--skip-flow-logs: no wait and no flow log checks, and a note says so', async () => {
  const { result } = await verify(HEALTHY, { skipFlowLogs: true });
  expect(failed(result)).toEqual([]);
  expect(mocks.logs.commandCalls(FilterLogEventsCommand)).toHaveLength(0);
  expect(result.compare.flows.flatMap((f) => f.checks).some((c) => c.name.startsWith('flow log'))).toBe(false);
  expect(result.notes).toContain('flow logs were not read (--skip-flow-logs): the translation table was not rebuilt');
});

test('a deleted route shows up in the prediction: the private clients are predicted dropped and time out', async () => {
  const timeout = { curlExit: 28, stderr: 'curl: (28) Connection timed out after 15001 milliseconds' };
  const s: LabScenario = {
    ...HEALTHY,
    withoutPrivateDefault: true,
    clients: { ...HEALTHY.clients, 'client-a': timeout, 'client-b': timeout },
    probe: { error: { kind: 'timeout', message: 'no answer from 44.198.164.163:8080 within 5000 ms (connecting)' } },
    natPorts: [],
  };
  const { result } = await verify(s);
  expect(failed(result)).toEqual([]);
  const a = flow(result, 'client-a');
  expect(a.predicted).toBeNull();
  expect(a.checks.find((c) => c.name === 'delivered')).toMatchObject({ observed: 'not delivered', ok: true });
  expect(a.checks.find((c) => c.name === 'client')).toMatchObject({ observed: 'curl exit 28: curl: (28) Connection timed out after 15001 milliseconds', ok: true });
  expect(result.walks.find((w) => w.flow.name === 'client-a')?.dropped?.component).toBe(fx.RTB_PRIVATE);
  // Nothing crosses the NAT, so there is nothing to wait for in the flow logs.
  expect(mocks.logs.commandCalls(FilterLogEventsCommand)).toHaveLength(1);
});

test('a client that times out while the model says delivered is a failed check', async () => {
  const s: LabScenario = { ...HEALTHY, clients: { ...HEALTHY.clients, 'client-b': { curlExit: 7, stderr: 'curl: (7) Failed to connect to 44.198.164.163 port 8080' } } };
  const { result } = await verify(s, { skipFlowLogs: true });
  expect(failed(result)).toEqual(['client-b: delivered', 'client-b: client']);
  expect(verifyExitCode(result)).toBe(1);
});

test('a server log that lacks a connection fails the server-log check', async () => {
  const { result } = await verify({ ...HEALTHY, serverLog: [{ srcIp: fx.EIP, srcPort: 27318 }] }, { skipFlowLogs: true });
  expect(failed(result)).toEqual(['client-b: server log', 'direct: server log', 'probe: server log']);
});

test('the SSM wait polls DescribeInstanceInformation until every instance is Online', async () => {
  await verify(HEALTHY, { skipFlowLogs: true });
  expect(mocks.ssm.commandCalls(DescribeInstanceInformationCommand).map((c) => c.args[0].input.NextToken ?? null)).toEqual([null, null, 'AAEAAbcdTokenPage2']);
});

test('no flow log definition for the group: records are read in the construct format, and a note says so', async () => {
  mockLab(HEALTHY);
  const { DescribeFlowLogsCommand } = await import('@aws-sdk/client-ec2');
  mocks.ec2.on(DescribeFlowLogsCommand).resolves({ $metadata: {}, FlowLogs: [] });
  const result = await runVerify({ stackName: fx.STACK, region: fx.REGION }, { clients: createAwsClients({ region: fx.REGION }), clock: fakeClock() });
  expect(failed(result)).toEqual([]);
  expect(result.notes).toContain("no flow log definition found for the log group: records were read in the lab construct's format");
});

describe('a public NACL without ephemeral ports: requests delivered, replies dropped', () => {
  const timeout = { curlExit: 28, stderr: 'curl: (28) Connection timed out after 15001 milliseconds' };
  const noAnswer: LabScenario = {
    ...HEALTHY,
    publicAclWithoutEphemeral: true,
    clients: { 'client-a': timeout, 'client-b': timeout, direct: timeout },
    probe: { error: { kind: 'timeout', message: 'no answer from 44.198.164.163:8080 within 5000 ms (connecting)' } },
    // What the server logged of the connections whose answers never came back.
    serverLog: [
      { srcIp: fx.EIP, srcPort: 27318 },
      { srcIp: fx.EIP, srcPort: 10722 },
      { srcIp: fx.DIRECT.publicIp, srcPort: fx.SOURCE_PORT },
      { srcIp: fx.EIP, srcPort: 40112 },
    ],
  };

  test('clients that time out while the server logged them: the model was right, exit 0', async () => {
    const { result } = await verify(noAnswer);
    const a = result.walks.find((w) => w.flow.name === 'client-a');
    expect(a?.verdict).toBe('delivered');
    expect(a?.reply?.verdict).toBe('dropped');
    expect(failed(result)).toEqual([]);
    expect(verifyExitCode(result)).toBe(0);
    const delivered = flow(result, 'client-a').checks.find((c) => c.name === 'delivered');
    expect(delivered?.expected).toMatch(/^request delivered, reply dropped at acl-0c0ffee0public01: no answer at the client$/);
    expect(delivered?.observed).toContain(`the server logged ${fx.EIP}:27318`);
    // What the server saw comes from its log and is still held against the prediction.
    expect(flow(result, 'client-a').observed).toEqual({ srcIp: fx.EIP, srcPort: 27318 });
    expect(flow(result, 'direct').checks.find((c) => c.name === 'source port')).toMatchObject({ observed: fx.SOURCE_PORT, ok: true });
    expect(flow(result, 'client-a').checks.map((c) => c.name)).toEqual(expect.arrayContaining(['source IP', 'source port', 'port distinct', 'client']));
  });

  test('a TCP server that never completed the handshake logged nothing: still what the model predicts', async () => {
    const { result } = await verify({ ...noAnswer, serverLog: [] });
    expect(failed(result)).toEqual([]);
    expect(flow(result, 'direct').checks.find((c) => c.name === 'delivered')?.observed).toContain("nothing of it in the server's log");
  });

  test('a client that gets an answer although the model drops the reply fails', async () => {
    const { result } = await verify({ ...noAnswer, clients: { ...noAnswer.clients, direct: { srcIp: fx.DIRECT.publicIp, srcPort: fx.SOURCE_PORT } } });
    expect(failed(result)).toEqual(['direct: delivered']);
    expect(verifyExitCode(result)).toBe(1);
  });

  test('a server log entry from another source is not taken for the flow', async () => {
    const { result } = await verify({ ...noAnswer, serverLog: [{ srcIp: '10.0.0.10', srcPort: fx.SOURCE_PORT }] }, { skipFlowLogs: true });
    // The direct flow's entry is not from the predicted public IP, so nothing is attributed to it.
    expect(flow(result, 'direct').observed).toBeNull();
  });
});

test('a flooded flow log group: reading stops at 1000 pages, and the result and progress say so', async () => {
  mockLab({ ...HEALTHY, emptyPolls: 0 });
  // Every page carries the lab's records and points at yet another page.
  const records = fx.natFlowLogEvents(HEALTHY.natPorts);
  let served = 0;
  mocks.logs.on(FilterLogEventsCommand).callsFake(() => ({ $metadata: {}, events: served++ === 0 ? records : [], searchedLogStreams: [], nextToken: `page-${served}` }));
  const lines: string[] = [];
  const result = await runVerify({ stackName: fx.STACK, region: fx.REGION }, { clients: createAwsClients({ region: fx.REGION }), clock: fakeClock(), progress: (l) => lines.push(l) });
  expect(mocks.logs.commandCalls(FilterLogEventsCommand)).toHaveLength(1000);
  expect(result.notes).toContain(
    'flow log reading stopped at 1000 pages of FilterLogEvents with more left: later records were not read, so the translation table may be incomplete',
  );
  expect(lines).toContain(`flow logs: stopped reading at 1000 pages (${records.length} record(s)); later records were not read`);
});
