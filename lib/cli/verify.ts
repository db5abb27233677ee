/**
 * `natlab verify --stack NAME`: verify a deployed lab in AWS (stack outputs, live topology,
 * prediction, a real run through SSM, the Lambda probe and the NAT ENI's flow logs) and print
 * the verdict; `--in-account` has the lab's verifier function run the same verification inside
 * the account (stack output VerifierFunctionName).
 */
import type { Command } from 'commander';
import { InputError } from '../errors';
import { action, printJson, writeStdout } from './common';

interface VerifyCliOptions {
  stack: string;
  region?: string;
  profile?: string;
  json?: boolean;
  timeoutSsm?: string;
  timeoutLogs?: string;
  skipFlowLogs?: boolean;
  inAccount?: boolean;
}

function seconds(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new InputError(`${flag} "${value}" must be a whole number of seconds`);
  return Number(value);
}

/** Registers `natlab verify`. */
export function registerVerify(program: Command): void {
  program
    .command('verify')
    .description('verify a deployed lab: predict with the live topology, send for real through SSM and the Lambda probe, rebuild the NAT table from flow logs, compare')
    .option('--stack <name>', 'the lab stack', 'NatGatewayLab')
    .option('--region <region>', 'AWS region (else AWS_REGION or the profile\'s region)')
    .option('--profile <profile>', 'AWS profile from the shared config files')
    .option('--json', 'print the RunResult as one JSON document')
    .option('--timeout-ssm <seconds>', 'longest wait for the instances to be Online in SSM (default 300)')
    .option('--timeout-logs <seconds>', 'longest wait for the flow log records, which arrive minutes late (default 900; in-account 600, capped by the function timeout)')
    .option('--skip-flow-logs', 'do not wait for flow logs (no translation table is rebuilt)')
    .option('--in-account', 'run the verification inside the account, in the lab\'s verifier function (deployed with inAccountVerify), and print its result')
    .action(
      action(async (opts: VerifyCliOptions) => {
        const ssm = seconds(opts.timeoutSsm, '--timeout-ssm');
        const logs = seconds(opts.timeoutLogs, '--timeout-logs');
        if (!opts.stack) throw new InputError('--stack must name the lab stack');
        const { checkProfile, checkRegion } = await import('../sources/private/aws-settings');
        checkRegion(opts.region);
        checkProfile(opts.profile);
        const { createAwsClients } = await import('../aws/clients');
        const { stderrProgress } = await import('../aws/progress');
        const { verifyExitCode } = await import('../aws/verify');
        const { renderVerifyResult } = await import('../aws/verdict-table');
        const progress = stderrProgress();
        let result;
        if (opts.inAccount) {
          const { invokeVerifyInAccount } = await import('../aws/in-account');
          // The synchronous invoke waits as long as the function runs (up to 15 minutes).
          const clients = createAwsClients({ region: opts.region, profile: opts.profile, requestTimeoutMs: 16 * 60_000 });
          result = await invokeVerifyInAccount(
            clients,
            { action: 'verify', stackName: opts.stack, skipFlowLogs: opts.skipFlowLogs === true, timeoutSsmSeconds: ssm, timeoutLogsSeconds: logs },
            { progress },
          );
        } else {
          const { runVerify } = await import('../aws/verify');
          const clients = createAwsClients({ region: opts.region, profile: opts.profile });
          result = await runVerify(
            {
              stackName: opts.stack,
              region: opts.region,
              profile: opts.profile,
              skipFlowLogs: opts.skipFlowLogs === true,
              timings: { ...(ssm !== undefined ? { ssmOnlineMs: ssm * 1000 } : {}), ...(logs !== undefined ? { flowLogsMs: logs * 1000 } : {}) },
            },
            { clients, progress },
          );
        }
        if (opts.json) printJson(result);
        else writeStdout(renderVerifyResult(result) + '\n');
        return verifyExitCode(result);
      }),
    );
}
