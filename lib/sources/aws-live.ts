/**
 * `--aws`: the topology read live from an account with @aws-sdk/client-ec2, the describe calls
 * a dump holds (paginated), fed to the same core as `--aws-dump`: the ten of the IPv4 network,
 * then VPC endpoints, egress-only internet gateways, prefix lists and the entries of the
 * managed lists that routes and rules name. The SDK loads only when this source is used.
 */
import { InputError } from '../errors';
import type { Topology } from '../model/types';
import { emptyDescribeOutputs, topologyFromDescribe, type DescribeOutputs } from './aws-describe';
import { explainAwsError } from './private/aws-error';
import { quietSdkNodeVersionWarning } from './private/aws-settings';

export type { DescribeOutputs } from './aws-describe';

export interface LiveTopologyOptions {
  /** AWS region; else the SDK's own resolution (AWS_REGION, the profile's region). */
  readonly region?: string;
  /** Named profile from the shared AWS config files. */
  readonly profile?: string;
  /** Only these VPCs (the lab's and, for `verify`, the server's). */
  readonly vpcIds?: readonly string[];
  /** How long one request may wait for its answer before it fails (and is retried). @default 30000 */
  readonly requestTimeoutMs?: number;
  /** Attempts per call, the SDK's retries of throttling, 5xx and timeouts included. @default 3 */
  readonly maxAttempts?: number;
  /**
   * Receives one line for what could not be read but is not needed (prefix list entries the
   * credentials may not get).
   * @default - written to stderr as `natlab: note: ...`
   */
  readonly note?: (note: string) => void;
}

const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
const CONNECTION_TIMEOUT_MS = 10_000;
const DEFAULT_MAX_ATTEMPTS = 3;

/**
 * The EC2 client's configuration: a connection and a request timeout and bounded retries, so
 * `--aws` ends with an error instead of hanging on an endpoint that does not answer.
 */
export function ec2ClientConfig(opts: LiveTopologyOptions = {}) {
  return {
    ...(opts.region ? { region: opts.region } : {}),
    ...(opts.profile ? { profile: opts.profile } : {}),
    maxAttempts: opts.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
    requestHandler: { requestTimeout: opts.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS, connectionTimeout: CONNECTION_TIMEOUT_MS },
  };
}

/** Reads the account's network (filtered to `vpcIds` when given) into one `Topology`. */
export async function loadLiveTopology(opts: LiveTopologyOptions = {}): Promise<Topology> {
  const outputs = await describeLive(opts);
  const region = opts.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
  if (opts.vpcIds?.length) {
    const missing = opts.vpcIds.filter((id) => !outputs.vpcs.some((v) => v.VpcId === id));
    if (missing.length) throw new InputError(`--vpc ${missing.join(', ')}: not found in ${region ?? 'the account'} (VPCs there: ${outputs.vpcs.map((v) => v.VpcId).join(', ') || 'none'})`);
  }
  return topologyFromDescribe(outputs, {
    name: `aws ${region ?? ''}`.trim(),
    source: `live AWS account${opts.profile ? ` (profile ${opts.profile})` : ''}${region ? ` in ${region}` : ''}${opts.vpcIds?.length ? `, VPC ${opts.vpcIds.join(', ')}` : ''}`,
    ...(region ? { region } : {}),
    ...(opts.vpcIds?.length ? { vpcIds: opts.vpcIds } : {}),
  });
}

/** The describe calls, every page, as one `DescribeOutputs`. */
export async function describeLive(opts: LiveTopologyOptions = {}): Promise<DescribeOutputs> {
  quietSdkNodeVersionWarning();
  const ec2 = await import('@aws-sdk/client-ec2');
  const client = new ec2.EC2Client(ec2ClientConfig(opts));
  const vpcFilter = opts.vpcIds?.length ? [{ Name: 'vpc-id', Values: [...opts.vpcIds] }] : undefined;
  const igwFilter = opts.vpcIds?.length ? [{ Name: 'attachment.vpc-id', Values: [...opts.vpcIds] }] : undefined;
  const config = { client, pageSize: 100 };
  const out = emptyDescribeOutputs();
  try {
    // One call after the other: an error then names the call that failed.
    await collect('DescribeVpcs', ec2.paginateDescribeVpcs(config, { Filters: vpcFilter }), (p) => out.vpcs.push(...(p.Vpcs ?? [])));
    await collect('DescribeSubnets', ec2.paginateDescribeSubnets(config, { Filters: vpcFilter }), (p) => out.subnets.push(...(p.Subnets ?? [])));
    await collect('DescribeRouteTables', ec2.paginateDescribeRouteTables(config, { Filters: vpcFilter }), (p) => out.routeTables.push(...(p.RouteTables ?? [])));
    await collect('DescribeNatGateways', ec2.paginateDescribeNatGateways(config, { Filter: vpcFilter }), (p) => out.natGateways.push(...(p.NatGateways ?? [])));
    await collect('DescribeInternetGateways', ec2.paginateDescribeInternetGateways(config, { Filters: igwFilter }), (p) => out.internetGateways.push(...(p.InternetGateways ?? [])));
    await collect('DescribeNetworkInterfaces', ec2.paginateDescribeNetworkInterfaces(config, { Filters: vpcFilter }), (p) => out.networkInterfaces.push(...(p.NetworkInterfaces ?? [])));
    await collect('DescribeInstances', ec2.paginateDescribeInstances(config, { Filters: vpcFilter }), (p) => out.reservations.push(...(p.Reservations ?? [])));
    await collect('DescribeSecurityGroups', ec2.paginateDescribeSecurityGroups(config, { Filters: vpcFilter }), (p) => out.securityGroups.push(...(p.SecurityGroups ?? [])));
    await collect('DescribeNetworkAcls', ec2.paginateDescribeNetworkAcls(config, { Filters: vpcFilter }), (p) => out.networkAcls.push(...(p.NetworkAcls ?? [])));
    // DescribeAddresses has no pages: it returns every Elastic IP of the region at once.
    await collect('DescribeAddresses', once(() => client.send(new ec2.DescribeAddressesCommand({}))), (p) => out.addresses.push(...(p.Addresses ?? [])));
    // What the ten calls do not cover: a policy that grants only those ten still reads the rest as absent.
    const note = opts.note ?? ((line: string) => void process.stderr.write(`natlab: note: ${line}\n`));
    await collectBeyond('DescribeVpcEndpoints', ec2.paginateDescribeVpcEndpoints(config, { Filters: vpcFilter }), (p) => out.vpcEndpoints.push(...(p?.VpcEndpoints ?? [])), note);
    // Egress-only gateways filter by tag only: every one comes back, the core keeps the VPC's.
    await collectBeyond('DescribeEgressOnlyInternetGateways', ec2.paginateDescribeEgressOnlyInternetGateways(config, {}), (p) => out.egressOnlyInternetGateways.push(...(p?.EgressOnlyInternetGateways ?? [])), note);
    // AWS service lists (S3, DynamoDB) with their CIDRs, then every managed list's name.
    await collectBeyond('DescribePrefixLists', ec2.paginateDescribePrefixLists(config, {}), (p) => out.prefixLists.push(...(p?.PrefixLists ?? [])), note);
    await collectBeyond('DescribeManagedPrefixLists', ec2.paginateDescribeManagedPrefixLists(config, {}), (p) => out.managedPrefixLists.push(...(p?.PrefixLists ?? [])), note);
    await entriesOfNamedLists(ec2, config, out, note);
  } finally {
    client.destroy();
  }
  return out;
}

/**
 * Entries of the managed lists a route or a security group rule names (not every list of the
 * account: AWS keeps dozens). ec2:Describe* does not grant GetManagedPrefixListEntries: when
 * it is denied the lists stay named with unknown entries, and a note says so.
 */
async function entriesOfNamedLists(ec2: typeof import('@aws-sdk/client-ec2'), config: { client: import('@aws-sdk/client-ec2').EC2Client; pageSize: number }, out: ReturnType<typeof emptyDescribeOutputs>, note: (line: string) => void): Promise<void> {
  const withCidrs = new Set(out.prefixLists.map((l) => l.PrefixListId));
  const named = new Set([
    ...out.routeTables.flatMap((r) => r.Routes ?? []).map((r) => r.DestinationPrefixListId),
    ...out.securityGroups.flatMap((g) => [...(g.IpPermissions ?? []), ...(g.IpPermissionsEgress ?? [])]).flatMap((p) => (p.PrefixListIds ?? []).map((x) => x.PrefixListId)),
  ]);
  const wanted = [...named].filter((id): id is string => !!id && !withCidrs.has(id)).sort();
  for (const id of wanted) {
    const entries: import('@aws-sdk/client-ec2').PrefixListEntry[] = [];
    try {
      for await (const page of ec2.paginateGetManagedPrefixListEntries(config, { PrefixListId: id })) entries.push(...((page as typeof page | undefined)?.Entries ?? []));
    } catch (err) {
      if (explainAwsError('ec2:GetManagedPrefixListEntries', err).kind !== 'access-denied') throw liveError('GetManagedPrefixListEntries', err);
      note(`--aws: prefix list ${id}: its entries could not be read (ec2:GetManagedPrefixListEntries denied); routes and rules to it are named, not matched`);
      continue;
    }
    out.prefixListEntries.push({ PrefixListId: id, Entries: entries });
  }
}

async function* once<T>(call: () => Promise<T>): AsyncGenerator<T> {
  yield await call();
}

/**
 * A call beyond the ten the IPv4 walk needs: denied, it reads as nothing with a note (the
 * topology then lacks endpoints or prefix lists, which walks name as unknown); any other
 * failure is an error as for the ten. A page without an answer is an empty page.
 */
async function collectBeyond<P>(call: string, pages: AsyncIterable<P | undefined>, take: (page: P | undefined) => void, note: (line: string) => void): Promise<void> {
  try {
    for await (const page of pages) take(page);
  } catch (err) {
    if (explainAwsError(`ec2:${call}`, err).kind !== 'access-denied') throw liveError(call, err);
    note(`--aws: ec2:${call} denied: read as none (grant ec2:Describe* to include it)`);
  }
}

async function collect<P>(call: string, pages: AsyncIterable<P>, take: (page: P) => void): Promise<void> {
  try {
    for await (const page of pages) take(page);
  } catch (err) {
    throw liveError(call, err);
  }
}

/** An SDK failure as one line a person can act on, in the words the verify harness uses too. */
export function liveError(call: string, err: unknown): InputError {
  const failure = explainAwsError(`ec2:${call}`, err);
  if (/^InvalidVpcID/.test(failure.name)) return new InputError(`--vpc: ${((err as Error)?.message ?? String(err)).split('\n')[0]}`);
  const advice = failure.kind === 'access-denied' ? '; natlab needs read-only EC2 access (ec2:Describe*)' : '';
  return new InputError(`--aws: ${failure.sentence}${advice}`);
}
