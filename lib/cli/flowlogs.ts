/** `natlab flowlogs`: rebuild the NAT translation table from a NAT Gateway ENI's flow log records. */
import type { Command } from 'commander';
import { isIP } from 'node:net';
import { InputError } from '../errors';
import { action, writeStdout } from './common';

interface FlowLogsCliOptions {
  format?: string;
  natIp: string[];
  natEni: string[];
  json?: boolean;
  limit: string;
  by: string;
  pricePerGb: string;
  logGroup?: string;
  since?: string;
  until?: string;
  s3?: string;
  region?: string;
  profile?: string;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, ...value.split(',').map((v) => v.trim()).filter(Boolean)];
}

const GROUPINGS = ['source', 'destination', 'nat'] as const;

/** Registers `natlab flowlogs`. */
export function registerFlowLogs(program: Command): void {
  program
    .command('flowlogs')
    .description(
      'rebuild the NAT translation table from VPC Flow Log records of a NAT Gateway ENI, with who uses the NAT and how close each destination comes to 55,000 connections (text, .gz, Parquet, `aws logs filter-log-events` JSON, a log group or an S3 prefix)',
    )
    .argument('[file]', 'flow log records: a text export or S3 object (header line allowed, .gz welcome), a Parquet object, CloudWatch Logs JSON, or - for stdin')
    .option('--format <format>', 'the flow log format as written in AWS, e.g. "${srcaddr} ${dstaddr} ..." (default: version 2, or the file\'s header line)')
    .option('--nat-ip <ip>', "the NAT Gateway's private IP (repeatable for secondary IPs; default: inferred from the records)", collect, [])
    .option('--nat-eni <eni>', 'only records of this ENI (repeatable; default: all)', collect, [])
    .option('--by <grouping>', 'who uses the NAT, grouped by source | destination | nat', 'source')
    .option('--price-per-gb <usd>', 'NAT Gateway data processing price per GB (us-east-1: 0.045)', '0.045')
    .option('--log-group <name>', 'read the records from this CloudWatch Logs group (with --since/--until)')
    .option('--since <time>', 'with --log-group: from this time (ISO 8601, or 90m / 24h / 7d back from now; default 24h)')
    .option('--until <time>', 'with --log-group: up to this time (default now)')
    .option('--s3 <url>', 'read every object under s3://bucket/prefix (gzip text or Parquet, as S3 delivery writes them)')
    .option('--region <region>', "AWS region for --log-group/--s3 (else AWS_REGION or the profile's region)")
    .option('--profile <profile>', 'AWS profile from the shared config files')
    .option('--limit <n>', 'rows per table in the text output', '100')
    .option('--json', 'print the result as one JSON document')
    .action(
      action(async (file: string | undefined, opts: FlowLogsCliOptions) => {
        for (const ip of opts.natIp) if (!isIP(ip)) throw new InputError(`--nat-ip "${ip}" is not an IP address`);
        for (const eni of opts.natEni) if (!/^eni-[0-9a-f]+$/.test(eni)) throw new InputError(`--nat-eni "${eni}" is not an ENI id (eni-0123abcd...)`);
        if (opts.format !== undefined && opts.format.trim() === '') {
          throw new InputError('--format is empty: give the flow log format as written in AWS (e.g. "${version} ${account-id} ...") or leave it out for version 2');
        }
        const limit = Number(opts.limit);
        if (!Number.isInteger(limit) || limit < 1) throw new InputError(`--limit "${opts.limit}" must be a whole number of rows, 1 or more`);
        if (!(GROUPINGS as readonly string[]).includes(opts.by)) throw new InputError(`--by "${opts.by}" must be one of ${GROUPINGS.join(', ')}`);
        const by = opts.by as (typeof GROUPINGS)[number];
        const pricePerGb = Number(opts.pricePerGb);
        if (!/^\d+(\.\d+)?$/.test(opts.pricePerGb.trim()) || !Number.isFinite(pricePerGb)) throw new InputError(`--price-per-gb "${opts.pricePerGb}" must be a price in USD, like 0.045`);
        const sources = [file !== undefined, opts.logGroup !== undefined, opts.s3 !== undefined].filter(Boolean).length;
        if (sources !== 1) throw new InputError('give exactly one source of records: a FILE (or - for stdin), --log-group NAME or --s3 s3://bucket/prefix');
        if ((opts.since !== undefined || opts.until !== undefined) && opts.logGroup === undefined) throw new InputError('--since and --until go with --log-group');

        const { analyzeFlowLogFile, parseFlowLogFormat, renderFlowLogs } = await import('../observe/flowlogs');
        const { JsonStreamSink, SampleSink } = await import('../observe/flowlogs/json-stream');
        const format = opts.format === undefined ? undefined : parseFlowLogFormat(opts.format);
        // --json streams the lists as time batches settle; the text keeps the first rows.
        const json = opts.json ? new JsonStreamSink((text) => writeStdout(text)) : undefined;
        const sample = opts.json ? undefined : new SampleSink(limit);
        const analyze = { format, natPrivateIps: opts.natIp, natEniIds: opts.natEni, pricePerGb, sink: json ?? sample };
        try {
        let source: string;
        let result;
        if (opts.logGroup !== undefined || opts.s3 !== undefined) {
          const remote = await import('../aws/flowlog-sources');
          const { awsClientConfig } = await import('../aws/clients');
          const { stderrProgress } = await import('../aws/progress');
          const progress = stderrProgress('natlab flowlogs');
          const config = awsClientConfig({ region: opts.region, profile: opts.profile });
          if (opts.s3 !== undefined) {
            const location = remote.parseS3Url(opts.s3);
            const { S3Client } = await import('@aws-sdk/client-s3');
            source = opts.s3;
            result = await remote.analyzeS3FlowLogs(new S3Client(config), location, analyze, progress);
          } else {
            const now = Date.now();
            const since = opts.since === undefined ? now - 86_400_000 : remote.parseTimeOption(opts.since, '--since', now);
            const until = opts.until === undefined ? now : remote.parseTimeOption(opts.until, '--until', now);
            if (until < since) throw new InputError(`--until (${new Date(until).toISOString()}) is before --since (${new Date(since).toISOString()})`);
            const { CloudWatchLogsClient } = await import('@aws-sdk/client-cloudwatch-logs');
            source = opts.logGroup as string;
            result = await remote.analyzeLogGroupFlowLogs(new CloudWatchLogsClient(config), { logGroupName: source, since, until, eniIds: opts.natEni }, analyze, progress);
          }
        } else {
          const path = file as string;
          source = path === '-' ? 'stdin' : path;
          result = await analyzeFlowLogFile(path, analyze);
        }
        // An empty log is not bad input, but reading nothing should not pass in silence.
        if (result.records === 0) process.stderr.write(`natlab flowlogs: no flow log records in ${source}\n`);
        if (json) json.end(result);
        else writeStdout(renderFlowLogs((sample as InstanceType<typeof SampleSink>).fill(result), { limit, source, by }));
        return 0;
        } finally {
          json?.dispose();
        }
      }),
    );
}
