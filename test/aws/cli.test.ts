/**
 * `natlab verify` as a user runs it: the real command module (commander, the one-line error
 * handling, exit codes), AWS answered by aws-sdk-client-mock. Every error is one sentence on
 * stderr with exit 2, a failed check exits 1, and no stack trace is ever printed.
 */
import { CloudFormationServiceException, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { InvokeCommand } from '@aws-sdk/client-lambda';
import { DescribeInstanceInformationCommand, GetCommandInvocationCommand } from '@aws-sdk/client-ssm';
import { Command } from 'commander';
import { registerVerify } from '../../lib/cli/verify';
import type { RunResult } from '../../lib/model/types';
import * as fx from '../fixtures/aws/lab';
import { HEALTHY, mockLab, mocks, resetMocks, type LabScenario } from './lab-mocks';

const meta = { httpStatusCode: 400, requestId: 'e1f2a3b4-0000-4000-8000-000000000002', attempts: 5, totalRetryDelay: 12_400 };

async function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const program = new Command('natlab').exitOverride();
  registerVerify(program);
  let stdout = '';
  let stderr = '';
  const out = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((stdout += String(chunk)), true));
  const err = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => ((stderr += String(chunk)), true));
  process.exitCode = undefined;
  try {
    await program.parseAsync(['node', 'natlab', 'verify', '--region', fx.REGION, ...args]);
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
  const code = Number(process.exitCode ?? 0);
  process.exitCode = undefined;
  return { code, stdout, stderr };
}

const FAST: LabScenario = { ...HEALTHY, immediate: true };

beforeEach(() => resetMocks());

function expectOneLine(stderr: string, message: string | RegExp): void {
  const last = stderr.trim().split('\n').pop() ?? '';
  expect(last).toMatch(typeof message === 'string' ? new RegExp(`^natlab: ${message.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`) : message);
  expect(stderr).not.toMatch(/\n\s+at /);
  expect(stderr).not.toContain('internal error');
}

test('a healthy lab prints the verdict table and exits 0', async () => {
  mockLab(FAST);
  const { code, stdout, stderr } = await run(['--stack', fx.STACK, '--skip-flow-logs']);
  expect(code).toBe(0);
  expect(stdout).toContain(`natlab verify ${fx.STACK}: 4 flow(s), every check holds`);
  expect(stdout).toMatch(/client-a\s+3\.224\.9\.52:<1024-65535>\s+3\.224\.9\.52:27318\s+ok/);
  expect(stdout).toMatch(/direct\s+203\.0\.113\.10:32222\s+203\.0\.113\.10:32222\s+ok/);
  expect(stderr).toContain('natlab verify: reading stack NatGatewayLab');
  expect(stderr).toContain('natlab verify: 3 instance(s) Online in SSM');
});

test('--json prints exactly one RunResult document on stdout', async () => {
  mockLab(FAST);
  const { code, stdout } = await run(['--stack', fx.STACK, '--skip-flow-logs', '--json']);
  expect(code).toBe(0);
  const result = JSON.parse(stdout) as RunResult;
  expect(result.kind).toBe('verify');
  expect(result.compare.ok).toBe(true);
  expect(result.topology.name).toBe(fx.STACK);
  expect(Object.keys(result).sort()).toEqual(['compare', 'durationMs', 'kind', 'notes', 'observations', 'startedAt', 'topology', 'translations', 'walks']);
});

test('a failed check exits 1 and lists what failed', async () => {
  mockLab({ ...FAST, clients: { ...FAST.clients, 'client-a': { srcIp: '10.0.1.32', srcPort: 32222 } } });
  const { code, stdout } = await run(['--stack', fx.STACK, '--skip-flow-logs']);
  expect(code).toBe(1);
  expect(stdout).toContain('client-a: source IP: expected 3.224.9.52, observed 10.0.1.32');
});

describe('errors: one sentence, exit 2', () => {
  test('no credentials', async () => {
    mocks.cfn.on(DescribeStacksCommand).rejects(Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' }));
    const { code, stderr } = await run(['--stack', fx.STACK]);
    expect(code).toBe(2);
    expectOneLine(stderr, 'no AWS credentials found: set AWS_PROFILE or pass --profile, or export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY');
  });

  test('unknown stack', async () => {
    mocks.cfn.on(DescribeStacksCommand).rejects(new CloudFormationServiceException({ name: 'ValidationError', $fault: 'client', $metadata: meta, message: 'Stack with id NoSuchLab does not exist' }));
    const { code, stderr } = await run(['--stack', 'NoSuchLab']);
    expect(code).toBe(2);
    expectOneLine(stderr, 'stack NoSuchLab does not exist (check the name, --region and --profile)');
  });

  test('not a natlab lab', async () => {
    mocks.cfn.on(DescribeStacksCommand).resolves(fx.describeForeignStack('WebsiteStack'));
    const { code, stderr } = await run(['--stack', 'WebsiteStack']);
    expect(code).toBe(2);
    expectOneLine(stderr, 'stack WebsiteStack is not a natlab lab (no NatlabLab output)');
  });

  test('throttling after the SDK retries', async () => {
    mocks.cfn.on(DescribeStacksCommand).rejects(new CloudFormationServiceException({ name: 'Throttling', $fault: 'client', $metadata: meta, message: 'Rate exceeded' }));
    const { code, stderr } = await run(['--stack', fx.STACK]);
    expect(code).toBe(2);
    expectOneLine(stderr, "AWS kept throttling CloudFormation DescribeStacks NatGatewayLab (Throttling) after the SDK's retries: wait a minute and run again");
  });

  test('an instance that never becomes ready', async () => {
    mockLab(FAST);
    mocks.ssm.on(DescribeInstanceInformationCommand).resolves(fx.describeInstanceInformationPages([fx.CLIENTS[0].instanceId, fx.DIRECT.instanceId])[0]);
    const { code, stderr } = await run(['--stack', fx.STACK, '--timeout-ssm', '0']);
    expect(code).toBe(2);
    expectOneLine(stderr, `instance(s) never became Online in SSM within 0s: client-b (${fx.CLIENTS[1].instanceId}) not registered; check that the SSM agent runs and the instance can reach the SSM endpoints (--timeout-ssm to wait longer)`);
  });

  test('an SSM command that fails', async () => {
    mockLab(FAST);
    mocks.ssm.on(GetCommandInvocationCommand).callsFake((input: { CommandId: string; InstanceId: string }) =>
      fx.commandInvocation(input.CommandId, input.InstanceId, 'Failed', '', 'bash: curl: command not found', 127),
    );
    const { code, stderr } = await run(['--stack', fx.STACK]);
    expect(code).toBe(2);
    expectOneLine(stderr, `the SSM command on client-a (${fx.CLIENTS[0].instanceId}) ended Failed with exit code 127: bash: curl: command not found`);
  });

  test('a Lambda function error', async () => {
    mockLab(FAST);
    mocks.lambda.on(InvokeCommand).resolves(fx.invokeResult({ errorType: 'Sandbox.Timedout', errorMessage: 'Task timed out after 30.03 seconds' }, 'Unhandled'));
    const { code, stderr } = await run(['--stack', fx.STACK]);
    expect(code).toBe(2);
    expectOneLine(stderr, `the Lambda function ${fx.PROBE_FUNCTION} failed on "probe" (Unhandled): Sandbox.Timedout: Task timed out after 30.03 seconds`);
  });

  test('a bad timeout value', async () => {
    const { code, stderr } = await run(['--stack', fx.STACK, '--timeout-logs', '10m']);
    expect(code).toBe(2);
    expectOneLine(stderr, '--timeout-logs "10m" must be a whole number of seconds');
    expect(mocks.cfn.calls()).toHaveLength(0);
  });
});

describe('--in-account', () => {
  test('invokes the verifier named by the stack output with the verify event and prints its RunResult', async () => {
    // The RunResult the function returns is the one runVerify builds; make one from the same lab.
    mockLab(FAST);
    const { stdout: local } = await run(['--stack', fx.STACK, '--skip-flow-logs', '--json']);
    const fromLambda = JSON.parse(local) as RunResult;
    resetMocks();
    mocks.cfn.on(DescribeStacksCommand).resolves(fx.describeStacks());
    mocks.lambda.on(InvokeCommand).resolves(fx.invokeResult(fromLambda));
    const { code, stdout } = await run(['--stack', fx.STACK, '--in-account', '--timeout-logs', '300']);
    expect(code).toBe(0);
    expect(stdout).toContain('every check holds');
    const sent = mocks.lambda.commandCalls(InvokeCommand)[0].args[0].input;
    expect(mocks.lambda.commandCalls(InvokeCommand)).toHaveLength(1);
    expect(sent.FunctionName).toBe(fx.VERIFIER_FUNCTION);
    expect(JSON.parse(new TextDecoder().decode(sent.Payload as Uint8Array))).toEqual({ action: 'verify', stackName: fx.STACK, skipFlowLogs: false, timeoutLogsSeconds: 300 });
  });

  test('a verification the function could not run is one sentence, exit 2', async () => {
    mocks.cfn.on(DescribeStacksCommand).resolves(fx.describeStacks());
    mocks.lambda.on(InvokeCommand).resolves(fx.invokeResult({ kind: 'verify-error', ok: false, error: { kind: 'input', message: 'access denied for SSM SendCommand: not authorized' } }));
    const { code, stderr } = await run(['--stack', fx.STACK, '--in-account']);
    expect(code).toBe(2);
    expectOneLine(stderr, 'the in-account verification could not run: access denied for SSM SendCommand: not authorized');
  });

  test('a verifier output naming a function that answers something else', async () => {
    mocks.cfn.on(DescribeStacksCommand).resolves(fx.describeStacks({ extra: { VerifierFunctionName: fx.PROBE_FUNCTION } }));
    mocks.lambda.on(InvokeCommand).resolves(fx.invokeResult({ ok: false, error: { kind: 'input', message: 'event.host must be a non-empty string.' } }));
    const { code, stderr } = await run(['--stack', fx.STACK, '--in-account']);
    expect(code).toBe(2);
    expectOneLine(stderr, `the verifier function ${fx.PROBE_FUNCTION} did not answer with a verify result: event.host must be a non-empty string. (is it deployed with this natlab version?)`);
  });

  test('a stack deployed without the verifier is one sentence, exit 2, and nothing is invoked', async () => {
    mocks.cfn.on(DescribeStacksCommand).resolves(fx.describeStacks({ drop: ['VerifierFunctionName'] }));
    const { code, stderr } = await run(['--stack', fx.STACK, '--in-account']);
    expect(code).toBe(2);
    expectOneLine(
      stderr,
      `stack ${fx.STACK} has no VerifierFunctionName output: deploy it with inAccountVerify (the default) and this natlab version to verify in-account, or run natlab verify without --in-account`,
    );
    expect(mocks.lambda.commandCalls(InvokeCommand)).toHaveLength(0);
  });
});
