/**
 * SSM Run Command on the lab's instances: wait until they are registered and Online, then run
 * one shell command on several at once and collect each one's output. Every wait is bounded.
 */
import {
  DescribeInstanceInformationCommand,
  GetCommandInvocationCommand,
  SendCommandCommand,
  type SSMClient,
} from '@aws-sdk/client-ssm';
import { formatDuration, type Clock } from './clock';
import { AwsError, awsCall, awsErrorName } from './errors';
import type { Progress } from './progress';

/** An instance to reach and the name people know it by. */
export interface NamedInstance {
  readonly name: string;
  readonly instanceId: string;
}

/** How long and how often to wait. */
export interface WaitOptions {
  readonly clock: Clock;
  readonly progress: Progress;
  /** Give up after this long. */
  readonly timeoutMs: number;
  /** Time between polls. */
  readonly pollMs: number;
}

/** Polls DescribeInstanceInformation until every instance's PingStatus is Online. */
export async function waitForInstancesOnline(ssm: SSMClient, instances: NamedInstance[], opts: WaitOptions): Promise<void> {
  const start = opts.clock.now();
  const ids = instances.map((i) => i.instanceId);
  for (let poll = 1; ; poll++) {
    const status = await pingStatus(ssm, ids);
    const waiting = instances.filter((i) => status.get(i.instanceId) !== 'Online');
    if (waiting.length === 0) {
      opts.progress(`${instances.length} instance(s) Online in SSM`);
      return;
    }
    const what = waiting.map((i) => `${i.name} (${i.instanceId}) ${status.get(i.instanceId) ?? 'not registered'}`).join(', ');
    const elapsed = opts.clock.now() - start;
    if (elapsed + opts.pollMs > opts.timeoutMs) {
      throw new AwsError(
        `instance(s) never became Online in SSM within ${formatDuration(opts.timeoutMs)}: ${what}; ` +
          'check that the SSM agent runs and the instance can reach the SSM endpoints (--timeout-ssm to wait longer)',
      );
    }
    opts.progress(`waiting for SSM: ${what} (${formatDuration(elapsed)} of ${formatDuration(opts.timeoutMs)})`);
    await opts.clock.sleep(opts.pollMs);
  }
}

async function pingStatus(ssm: SSMClient, ids: string[]): Promise<Map<string, string>> {
  const status = new Map<string, string>();
  let token: string | undefined;
  do {
    const page = await awsCall('SSM DescribeInstanceInformation', (abortSignal) =>
      ssm.send(new DescribeInstanceInformationCommand({ Filters: [{ Key: 'InstanceIds', Values: ids }], NextToken: token }), { abortSignal }),
    );
    for (const info of page.InstanceInformationList ?? []) {
      if (info.InstanceId) status.set(info.InstanceId, info.PingStatus ?? 'unknown');
    }
    token = page.NextToken;
  } while (token);
  return status;
}

/** What one instance's command printed. */
export interface CommandOutput {
  readonly instance: NamedInstance;
  readonly stdout: string;
  readonly stderr: string;
  readonly exitCode: number;
}

const TERMINAL = new Set(['Success', 'Failed', 'Cancelled', 'TimedOut', 'Cancelling']);

/**
 * Sends `command` through AWS-RunShellScript to all `instances` in one SendCommand (so they
 * start together), then polls GetCommandInvocation for each until it ends. A command that
 * fails on any instance is an error naming the instance and its stderr.
 */
export async function runShellCommand(
  ssm: SSMClient,
  instances: NamedInstance[],
  command: string,
  opts: WaitOptions & { readonly comment?: string; readonly label?: string },
): Promise<CommandOutput[]> {
  const executionTimeout = Math.max(30, Math.ceil(opts.timeoutMs / 1000));
  const sent = await awsCall('SSM SendCommand', (abortSignal) =>
    ssm.send(
      new SendCommandCommand({
        DocumentName: 'AWS-RunShellScript',
        InstanceIds: instances.map((i) => i.instanceId),
        Parameters: { commands: [command], executionTimeout: [String(executionTimeout)] },
        TimeoutSeconds: executionTimeout,
        Comment: (opts.comment ?? 'natlab verify').slice(0, 100),
      }),
      { abortSignal },
    ),
  );
  const commandId = sent.Command?.CommandId;
  if (!commandId) throw new AwsError('SSM SendCommand returned no command id');
  opts.progress(`sent "${opts.label ?? command}" to ${instances.map((i) => i.name).join(', ')} (command ${commandId})`);
  const start = opts.clock.now();
  const done = new Map<string, CommandOutput>();
  for (;;) {
    for (const instance of instances) {
      if (done.has(instance.instanceId)) continue;
      const inv = await invocation(ssm, commandId, instance.instanceId);
      if (!inv || !TERMINAL.has(inv.Status ?? '')) continue;
      if (inv.Status !== 'Success') {
        const why = (inv.StandardErrorContent || inv.StandardOutputContent || inv.StatusDetails || '').trim().split('\n')[0];
        throw new AwsError(
          `the SSM command on ${instance.name} (${instance.instanceId}) ended ${inv.Status}` +
            `${inv.ResponseCode !== undefined && inv.ResponseCode >= 0 ? ` with exit code ${inv.ResponseCode}` : ''}${why ? `: ${why}` : ''}`,
        );
      }
      done.set(instance.instanceId, {
        instance,
        stdout: inv.StandardOutputContent ?? '',
        stderr: inv.StandardErrorContent ?? '',
        exitCode: inv.ResponseCode ?? 0,
      });
    }
    if (done.size === instances.length) return instances.map((i) => done.get(i.instanceId) as CommandOutput);
    const elapsed = opts.clock.now() - start;
    const pending = instances.filter((i) => !done.has(i.instanceId)).map((i) => i.name);
    if (elapsed + opts.pollMs > opts.timeoutMs) {
      throw new AwsError(`the SSM command ${commandId} did not finish within ${formatDuration(opts.timeoutMs)} on ${pending.join(', ')}`);
    }
    opts.progress(`waiting for the command on ${pending.join(', ')} (${formatDuration(elapsed)})`);
    await opts.clock.sleep(opts.pollMs);
  }
}

async function invocation(ssm: SSMClient, commandId: string, instanceId: string) {
  try {
    return await awsCall('SSM GetCommandInvocation', (abortSignal) =>
      ssm.send(new GetCommandInvocationCommand({ CommandId: commandId, InstanceId: instanceId }), { abortSignal }),
      { map: (err) => (awsErrorName(err) === 'InvocationDoesNotExist' ? notYet : undefined) },
    );
  } catch (err) {
    // Right after SendCommand the invocation may not be registered yet: poll again.
    if (err === notYet) return undefined;
    throw err;
  }
}

const notYet = new AwsError('invocation not registered yet');
