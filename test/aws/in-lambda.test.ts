/**
 * `{ action: 'verify' }` in the probe Lambda: the same RunResult as the CLI, the probe reached
 * in-process, every wait capped by the function's remaining time, and a verification that
 * cannot run answered as a structured error rather than a crash.
 */
import { CloudFormationServiceException, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { InvokeCommand } from '@aws-sdk/client-lambda';
import { createAwsClients } from '../../lib/aws/clients';
import { LAMBDA_RESERVE_MS, verifyInLambda } from '../../lib/aws/in-account';
import type { ProbeEvent } from '../../lib/aws/probe';
import type { RunResult } from '../../lib/model/types';
import { handler } from '../../lambda/probe/index';
import * as fx from '../fixtures/aws/lab';
import { HEALTHY, mockLab, mocks, resetMocks } from './lab-mocks';

beforeEach(() => resetMocks());

/** The function's own handler as the in-process transport sees it: probe and observations. */
function ownHandler(calls: ProbeEvent[]) {
  return async (e: ProbeEvent): Promise<unknown> => {
    calls.push(e);
    if (e.action === 'observations') return fx.observationsAnswer([HEALTHY.clients['client-a'], HEALTHY.clients['client-b'], HEALTHY.clients.direct, HEALTHY.probe] as Array<{ srcIp: string; srcPort: number }>);
    return fx.probeAnswer(40112);
  };
}

test('runs the whole verification with the probe in-process and answers a verify RunResult', async () => {
  mockLab({ ...HEALTHY, immediate: true });
  const calls: ProbeEvent[] = [];
  const lines: string[] = [];
  const result = (await verifyInLambda(
    { action: 'verify', stackName: fx.STACK, skipFlowLogs: true },
    { clients: createAwsClients({ region: fx.REGION }), probeHandler: ownHandler(calls), remainingMs: 600_000, progress: (l) => lines.push(l) },
  )) as RunResult;
  expect(result.kind).toBe('verify');
  expect(result.compare.ok).toBe(true);
  expect(calls.map((c) => c.action)).toEqual(['probe', 'observations']);
  // No Lambda Invoke: inside the function the probe is a function call.
  expect(mocks.lambda.commandCalls(InvokeCommand)).toHaveLength(0);
  expect(lines).toContain('reading stack NatGatewayLab');
});

test('waits are capped by the time the function has left', async () => {
  mockLab({ ...HEALTHY, immediate: true, natPorts: [] });
  const result = (await verifyInLambda(
    { action: 'verify', stackName: fx.STACK, timeoutLogsSeconds: 900 },
    { clients: createAwsClients({ region: fx.REGION }), probeHandler: ownHandler([]), remainingMs: LAMBDA_RESERVE_MS },
  )) as RunResult;
  // No time left for flow logs: one look, then the checks say what was missing.
  expect(result.notes.join('\n')).toContain('flow log records were still missing after 0 s');
  expect(result.compare.ok).toBe(false);
});

test('a verification that cannot run is a structured error', async () => {
  mocks.cfn.on(DescribeStacksCommand).rejects(new CloudFormationServiceException({ name: 'ValidationError', $fault: 'client', $metadata: { httpStatusCode: 400 }, message: 'Stack with id Gone does not exist' }));
  const answer = await verifyInLambda({ action: 'verify', stackName: 'Gone' }, { clients: createAwsClients({ region: fx.REGION }), probeHandler: ownHandler([]) });
  expect(answer).toEqual({ kind: 'verify-error', ok: false, error: { kind: 'input', message: 'stack Gone does not exist (check the name, --region and --profile)' } });
});

test('bad events are structured errors too', async () => {
  const clients = createAwsClients({ region: fx.REGION });
  expect(await verifyInLambda({ action: 'verify', stackName: '' }, { clients, probeHandler: ownHandler([]) })).toMatchObject({ kind: 'verify-error', error: { message: 'event.stackName must name the lab stack' } });
  expect(await verifyInLambda({ action: 'verify', stackName: fx.STACK, timeoutLogsSeconds: -1 }, { clients, probeHandler: ownHandler([]) })).toMatchObject({
    kind: 'verify-error',
    error: { message: 'event.timeoutLogsSeconds -1 must be a whole number of seconds, 0 or more' },
  });
});

test('the deployed handler dispatches action verify', async () => {
  mocks.cfn.on(DescribeStacksCommand).resolves(fx.describeForeignStack('WebsiteStack'));
  const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
  const answer = await handler({ action: 'verify', stackName: 'WebsiteStack' }, { getRemainingTimeInMillis: () => 900_000 });
  expect(answer).toEqual({ kind: 'verify-error', ok: false, error: { kind: 'input', message: 'stack WebsiteStack is not a natlab lab (no NatlabLab output)' } });
  // Progress goes to the function's log.
  expect(log).toHaveBeenCalledWith('natlab verify: reading stack WebsiteStack');
  log.mockRestore();
});
