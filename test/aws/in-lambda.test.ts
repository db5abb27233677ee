/**
 * The verifier function (lambda/verify): the same RunResult as the CLI, the probe reached by
 * Lambda Invoke of the stack's probe function exactly as the CLI reaches it, every wait capped
 * by the function's remaining time, and a verification that cannot run answered as a
 * structured error rather than a crash.
 */
import { CloudFormationServiceException, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { InvokeCommand } from '@aws-sdk/client-lambda';
import { createAwsClients } from '../../lib/aws/clients';
import { LAMBDA_RESERVE_MS } from '../../lib/aws/in-account';
import { runVerify } from '../../lib/aws/verify';
import type { RunResult } from '../../lib/model/types';
import { handler } from '../../lambda/verify/index';
import * as fx from '../fixtures/aws/lab';
import { HEALTHY, mockLab, mocks, resetMocks } from './lab-mocks';

/** The part of the Lambda context the verifier reads. */
const context = (remainingMs: number) => ({ getRemainingTimeInMillis: () => remainingMs });

let log: jest.SpyInstance;
const regionBefore = process.env.AWS_REGION;
beforeEach(() => {
  resetMocks();
  // Lambda sets AWS_REGION for the function; the verifier's clients read it.
  process.env.AWS_REGION = fx.REGION;
  log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
});
afterEach(() => {
  log.mockRestore();
  if (regionBefore === undefined) delete process.env.AWS_REGION;
  else process.env.AWS_REGION = regionBefore;
});

function invokedProbe(): Array<{ functionName: string; action: string }> {
  return mocks.lambda.commandCalls(InvokeCommand).map((c) => ({
    functionName: String(c.args[0].input.FunctionName),
    action: (JSON.parse(new TextDecoder().decode(c.args[0].input.Payload as Uint8Array)) as { action: string }).action,
  }));
}

/** A RunResult without what differs between two runs (times). */
function verdictsOf(r: RunResult) {
  return { compare: r.compare, walks: r.walks, translations: r.translations, notes: r.notes, observations: r.observations.map(({ time: _t, ...o }) => o) };
}

test('verifies the whole lab, invoking the stack\'s probe function for probe and observations', async () => {
  mockLab({ ...HEALTHY, immediate: true });
  const result = (await handler({ action: 'verify', stackName: fx.STACK, skipFlowLogs: true }, context(600_000))) as RunResult;
  expect(result.kind).toBe('verify');
  expect(result.compare.ok).toBe(true);
  expect(result.compare.flows.map((f) => f.name).sort()).toEqual(['client-a', 'client-b', 'direct', 'probe']);
  // The probe flow's observation is what the probe function saw at the server (the NAT's EIP).
  expect(result.observations.find((o) => o.flow === 'probe')).toMatchObject({ source: 'probe', srcIp: fx.EIP, srcPort: 40112 });
  expect(invokedProbe()).toEqual([
    { functionName: fx.PROBE_FUNCTION, action: 'probe' },
    { functionName: fx.PROBE_FUNCTION, action: 'observations' },
  ]);
  // Progress goes to the function's log.
  expect(log).toHaveBeenCalledWith('natlab verify: reading stack NatGatewayLab');
});

test('its verdicts are the CLI\'s for the same lab, flow logs included', async () => {
  const lab = { ...HEALTHY, immediate: true, emptyPolls: 0 };
  mockLab(lab);
  const inAccount = (await handler({ action: 'verify', stackName: fx.STACK }, context(900_000))) as RunResult;
  resetMocks();
  mockLab(lab);
  const fromCli = await runVerify({ stackName: fx.STACK, region: fx.REGION }, { clients: createAwsClients({ region: fx.REGION }) });
  expect(inAccount.translations.observed.some((t) => t.source === 'flow-log')).toBe(true);
  expect(verdictsOf(inAccount)).toEqual(verdictsOf(fromCli));
});

test('waits are capped by the time the function has left', async () => {
  mockLab({ ...HEALTHY, immediate: true, natPorts: [] });
  const result = (await handler({ action: 'verify', stackName: fx.STACK, timeoutLogsSeconds: 900 }, context(LAMBDA_RESERVE_MS))) as RunResult;
  // No time left for flow logs: one look, then the checks say what was missing.
  expect(result.notes.join('\n')).toContain('flow log records were still missing after 0 s');
  expect(result.compare.ok).toBe(false);
});

test('a probe function that fails is a structured error naming it', async () => {
  mockLab({ ...HEALTHY, immediate: true });
  mocks.lambda.on(InvokeCommand).resolves(fx.invokeResult({ errorType: 'Runtime.ExitError', errorMessage: 'RequestId: 1 Error: Runtime exited with error: signal: killed' }, 'Unhandled'));
  const answer = await handler({ action: 'verify', stackName: fx.STACK, skipFlowLogs: true }, context(600_000));
  expect(answer).toMatchObject({ kind: 'verify-error', ok: false, error: { kind: 'input' } });
  expect((answer as { error: { message: string } }).error.message).toContain(`the Lambda function ${fx.PROBE_FUNCTION} failed on "probe" (Unhandled): Runtime.ExitError`);
});

test('a verification that cannot run is a structured error', async () => {
  mocks.cfn.on(DescribeStacksCommand).rejects(new CloudFormationServiceException({ name: 'ValidationError', $fault: 'client', $metadata: { httpStatusCode: 400 }, message: 'Stack with id Gone does not exist' }));
  expect(await handler({ action: 'verify', stackName: 'Gone' })).toEqual({
    kind: 'verify-error',
    ok: false,
    error: { kind: 'input', message: 'stack Gone does not exist (check the name, --region and --profile)' },
  });
  mocks.cfn.on(DescribeStacksCommand).resolves(fx.describeForeignStack('WebsiteStack'));
  expect(await handler({ action: 'verify', stackName: 'WebsiteStack' })).toEqual({
    kind: 'verify-error',
    ok: false,
    error: { kind: 'input', message: 'stack WebsiteStack is not a natlab lab (no NatlabLab output)' },
  });
  expect(invokedProbe()).toEqual([]);
});

test.each([
  [null, 'the event must be a JSON object.'],
  [{ action: 'verify', stackName: '' }, 'event.stackName must name the lab stack'],
  [{ action: 'verify', stackName: fx.STACK, timeoutLogsSeconds: -1 }, 'event.timeoutLogsSeconds -1 must be a whole number of seconds, 0 or more'],
  [{ action: 'probe', host: fx.SERVER_IP, port: 8080 }, 'event.action "probe" is not verify (this is the verifier; probe and observations go to the probe function).'],
])('bad event %j is a structured error', async (event, message) => {
  expect(await handler(event as never)).toEqual({ kind: 'verify-error', ok: false, error: { kind: 'input', message } });
  expect(mocks.cfn.calls()).toHaveLength(0);
});
