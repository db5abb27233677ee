/** `natlab flowlogs`: rebuild the NAT translation table from a NAT Gateway ENI's flow log records. */
import type { Command } from 'commander';
import { isIP } from 'node:net';
import { InputError } from '../errors';
import { action, printJson, writeStdout } from './common';

interface FlowLogsCliOptions {
  format?: string;
  natIp: string[];
  natEni: string[];
  json?: boolean;
  limit: string;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, ...value.split(',').map((v) => v.trim()).filter(Boolean)];
}

/** Registers `natlab flowlogs`. */
export function registerFlowLogs(program: Command): void {
  program
    .command('flowlogs')
    .description('rebuild the NAT translation table from VPC Flow Log records of a NAT Gateway ENI (text, .gz, or `aws logs filter-log-events`/`get-log-events` JSON)')
    .argument('<file>', 'flow log records: a text export or S3 object (header line allowed, .gz welcome), CloudWatch Logs JSON, or - for stdin')
    .option('--format <format>', 'the flow log format as written in AWS, e.g. "${srcaddr} ${dstaddr} ..." (default: version 2, or the file\'s header line)')
    .option('--nat-ip <ip>', "the NAT Gateway's private IP (repeatable for secondary IPs; default: inferred from the records)", collect, [])
    .option('--nat-eni <eni>', "only records of this ENI (repeatable; default: all)", collect, [])
    .option('--limit <n>', 'rows per table in the text output', '100')
    .option('--json', 'print the result as one JSON document')
    .action(
      action(async (file: string, opts: FlowLogsCliOptions) => {
        for (const ip of opts.natIp) if (!isIP(ip)) throw new InputError(`--nat-ip "${ip}" is not an IP address`);
        for (const eni of opts.natEni) if (!/^eni-[0-9a-f]+$/.test(eni)) throw new InputError(`--nat-eni "${eni}" is not an ENI id (eni-0123abcd...)`);
        if (opts.format !== undefined && opts.format.trim() === '') {
          throw new InputError('--format is empty: give the flow log format as written in AWS (e.g. "${version} ${account-id} ...") or leave it out for version 2');
        }
        const limit = Number(opts.limit);
        if (!Number.isInteger(limit) || limit < 1) throw new InputError(`--limit "${opts.limit}" must be a whole number of rows, 1 or more`);
        const { analyzeFlowLogFile, parseFlowLogFormat, renderFlowLogs } = await import('../observe/flowlogs');
        const format = opts.format === undefined ? undefined : parseFlowLogFormat(opts.format);
        const result = await analyzeFlowLogFile(file, { format, natPrivateIps: opts.natIp, natEniIds: opts.natEni });
        const source = file === '-' ? 'stdin' : file;
        if (!result.natPrivateIps.length && result.otherRecords > 0) {
          throw new InputError(`${source}: no NAT Gateway address could be inferred from the records; pass --nat-ip with the NAT's private IP`);
        }
        // An empty log is not bad input, but reading nothing should not pass in silence.
        if (result.records === 0) process.stderr.write(`natlab flowlogs: no flow log records in ${source}\n`);
        if (opts.json) printJson(result);
        else writeStdout(renderFlowLogs(result, { limit, source }));
        return 0;
      }),
    );
}
