import {
  DescribeAddressesCommand,
  DescribeEgressOnlyInternetGatewaysCommand,
  DescribeInstancesCommand,
  DescribeInternetGatewaysCommand,
  DescribeManagedPrefixListsCommand,
  DescribeNatGatewaysCommand,
  DescribeNetworkAclsCommand,
  DescribeNetworkInterfacesCommand,
  DescribePrefixListsCommand,
  DescribeRouteTablesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  DescribeVpcEndpointsCommand,
  DescribeVpcsCommand,
  EC2Client,
  GetManagedPrefixListEntriesCommand,
} from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { InputError } from '../../lib/errors';
import { loadAwsDump, readAwsDumpFiles } from '../../lib/sources/aws-dump';
import { liveError, loadLiveTopology } from '../../lib/sources/aws-live';
import { describeAwsError } from '../../lib/aws/errors';

const SEED_LAB = 'test/fixtures/aws-dump/seed-lab';
const FULL = 'test/fixtures/aws-dump/full-region';
const ec2 = mockClient(EC2Client);

/** A fixture's lists, as the SDK would return them (Dates included); entries by prefix list. */
async function fixtureLists(dir = SEED_LAB): Promise<Record<string, Array<Record<string, unknown>>>> {
  const lists: Record<string, Array<Record<string, unknown>>> = {};
  for (const file of await readAwsDumpFiles(dir)) {
    for (const [key, items] of Object.entries(file.outputs)) {
      const name = key === 'Entries' ? `Entries:${file.prefixListId}` : key;
      lists[name] = [...(lists[name] ?? []), ...items];
    }
  }
  return lists;
}

/** The NextToken each call arrived with, per list (the paginator reuses its input object, so record at call time). */
const tokens: Record<string, Array<string | undefined>> = {};

/** Serves a list in pages of `size`, chained by NextToken, as EC2 does. */
function paged(command: unknown, key: string, items: unknown[], size: number): void {
  const pages = Math.max(1, Math.ceil(items.length / size));
  tokens[key] = [];
  // One helper for ten command types: their input/output types differ, the paging does not.
  const on = ec2.on.bind(ec2) as unknown as (c: unknown) => { callsFake(fn: (input: { NextToken?: string }) => unknown): unknown };
  on(command).callsFake((input) => {
    tokens[key].push(input.NextToken);
    const page = input.NextToken ? Number(input.NextToken.replace('page-', '')) : 0;
    const next = page + 1 < pages ? { NextToken: `page-${page + 1}` } : {};
    return { [key]: items.slice(page * size, page * size + size), ...next };
  });
}

async function serveSeedLab(size: number): Promise<void> {
  const lists = await fixtureLists();
  paged(DescribeVpcsCommand, 'Vpcs', lists.Vpcs, size);
  paged(DescribeSubnetsCommand, 'Subnets', lists.Subnets, size);
  paged(DescribeRouteTablesCommand, 'RouteTables', lists.RouteTables, size);
  paged(DescribeNatGatewaysCommand, 'NatGateways', lists.NatGateways, size);
  paged(DescribeInternetGatewaysCommand, 'InternetGateways', lists.InternetGateways, size);
  paged(DescribeNetworkInterfacesCommand, 'NetworkInterfaces', lists.NetworkInterfaces, size);
  paged(DescribeInstancesCommand, 'Reservations', lists.Reservations, size);
  paged(DescribeSecurityGroupsCommand, 'SecurityGroups', lists.SecurityGroups, size);
  paged(DescribeNetworkAclsCommand, 'NetworkAcls', lists.NetworkAcls, size);
  ec2.on(DescribeAddressesCommand).resolves({ Addresses: lists.Addresses });
  // The seed lab's dump holds none of these; its S3 list's entries are not readable.
  ec2.on(DescribeVpcEndpointsCommand).resolves({ VpcEndpoints: [] });
  ec2.on(DescribeEgressOnlyInternetGatewaysCommand).resolves({ EgressOnlyInternetGateways: [] });
  ec2.on(DescribePrefixListsCommand).resolves({ PrefixLists: [] });
  ec2.on(DescribeManagedPrefixListsCommand).resolves({ PrefixLists: [] });
  ec2.on(GetManagedPrefixListEntriesCommand).rejects(Object.assign(new Error('You are not authorized to perform: ec2:GetManagedPrefixListEntries'), { name: 'UnauthorizedOperation' }));
}

/** The full-region fixture served as EC2 would: both prefix list calls answer under `PrefixLists`. */
async function serveFullRegion(): Promise<void> {
  const lists = await fixtureLists(FULL);
  const on = ec2.on.bind(ec2) as unknown as (c: unknown, input?: unknown) => { resolves(v: unknown): unknown };
  for (const [command, key] of [
    [DescribeVpcsCommand, 'Vpcs'],
    [DescribeSubnetsCommand, 'Subnets'],
    [DescribeRouteTablesCommand, 'RouteTables'],
    [DescribeNatGatewaysCommand, 'NatGateways'],
    [DescribeInternetGatewaysCommand, 'InternetGateways'],
    [DescribeNetworkInterfacesCommand, 'NetworkInterfaces'],
    [DescribeInstancesCommand, 'Reservations'],
    [DescribeSecurityGroupsCommand, 'SecurityGroups'],
    [DescribeNetworkAclsCommand, 'NetworkAcls'],
    [DescribeAddressesCommand, 'Addresses'],
    [DescribeVpcEndpointsCommand, 'VpcEndpoints'],
    [DescribeEgressOnlyInternetGatewaysCommand, 'EgressOnlyInternetGateways'],
  ] as const) {
    on(command).resolves({ [key]: lists[key] });
  }
  on(DescribePrefixListsCommand).resolves({ PrefixLists: lists.PrefixLists.filter((l) => l.Cidrs) });
  on(DescribeManagedPrefixListsCommand).resolves({ PrefixLists: lists.PrefixLists.filter((l) => !l.Cidrs) });
  on(GetManagedPrefixListEntriesCommand, { PrefixListId: 'pl-0e1f2a3b4c5d6e7f8' }).resolves({ Entries: lists['Entries:pl-0e1f2a3b4c5d6e7f8'] });
}

beforeEach(() => ec2.reset());

describe('--aws (live, against aws-sdk-client-mock)', () => {
  test('gives the same topology as the dump of the same account', async () => {
    await serveSeedLab(100);
    const notes: string[] = [];
    const live = await loadLiveTopology({ region: 'us-east-1', note: (n) => notes.push(n) });
    const dump = await loadAwsDump(SEED_LAB);
    // The route's and the rule's prefix list: its entries were denied, so it stays named only.
    expect(ec2.commandCalls(GetManagedPrefixListEntriesCommand).map((c) => c.args[0].input.PrefixListId)).toEqual(['pl-63a5400a']);
    expect(notes).toEqual(['--aws: prefix list pl-63a5400a: its entries could not be read (ec2:GetManagedPrefixListEntries denied); routes and rules to it are named, not matched']);
    expect({ ...live, name: '', source: '' }).toEqual({ ...dump, name: '', source: '' });
    expect(live.name).toBe('aws us-east-1');
    expect(live.source).toBe('live AWS account in us-east-1');
  });

  test('a whole region: endpoints, egress-only gateways, both prefix list calls and the entries of the list a rule names, as the dump of it', async () => {
    await serveFullRegion();
    const live = await loadLiveTopology({ region: 'us-east-1', note: () => undefined });
    const dump = await loadAwsDump(FULL, { note: () => undefined });
    expect({ ...live, name: '', source: '' }).toEqual({ ...dump, name: '', source: '' });
    // The S3 list came with its CIDRs from DescribePrefixLists: only the office list's entries are fetched.
    expect(ec2.commandCalls(GetManagedPrefixListEntriesCommand).map((c) => c.args[0].input.PrefixListId)).toEqual(['pl-0e1f2a3b4c5d6e7f8']);
    expect(live.prefixLists?.find((p) => p.id === 'pl-0e1f2a3b4c5d6e7f8')?.cidrs).toEqual(['192.0.2.0/24', '198.51.100.0/28']);
    expect(ec2.commandCalls(DescribeVpcEndpointsCommand)[0].args[0].input.Filters).toBeUndefined();
  });

  test('a failure reading entries other than a denial names the call', async () => {
    await serveFullRegion();
    ec2.on(GetManagedPrefixListEntriesCommand).rejects(Object.assign(new Error('Request limit exceeded.'), { name: 'RequestLimitExceeded' }));
    await expect(loadLiveTopology({ region: 'us-east-1', note: () => undefined })).rejects.toThrow(
      new InputError("--aws: AWS kept throttling ec2:GetManagedPrefixListEntries (RequestLimitExceeded) after the SDK's retries: wait a minute and run again"),
    );
  });

  test('follows NextToken through every page of every paginated call', async () => {
    await serveSeedLab(1);
    const live = await loadLiveTopology({ region: 'us-east-1', profile: 'lab', note: () => undefined });
    expect(live.hosts.map((h) => h.name)).toEqual(['client-a', 'client-b', 'direct', 'server', 'NatGatewayLab-ProbeFunction-x1Y2z3']);
    // Three NAT Gateways in the fixture, one page each: three calls, the 2nd and 3rd with a token.
    expect(tokens.NatGateways).toEqual([undefined, 'page-1', 'page-2']);
    expect(tokens.NetworkInterfaces).toEqual([undefined, 'page-1', 'page-2', 'page-3', 'page-4', 'page-5']);
    expect(ec2.commandCalls(DescribeVpcsCommand)).toHaveLength(2);
    expect(ec2.commandCalls(DescribeAddressesCommand)).toHaveLength(1);
    expect(live.source).toBe('live AWS account (profile lab) in us-east-1');
  });

  test('--vpc filters every call on the server side, each with the filter name that call takes', async () => {
    await serveSeedLab(100);
    await loadLiveTopology({ region: 'us-east-1', vpcIds: ['vpc-0a1b2c3d4e5f60718'], note: () => undefined });
    const vpcFilter = [{ Name: 'vpc-id', Values: ['vpc-0a1b2c3d4e5f60718'] }];
    expect(ec2.commandCalls(DescribeVpcsCommand)[0].args[0].input.Filters).toEqual(vpcFilter);
    expect(ec2.commandCalls(DescribeInstancesCommand)[0].args[0].input.Filters).toEqual(vpcFilter);
    expect(ec2.commandCalls(DescribeNatGatewaysCommand)[0].args[0].input).toMatchObject({ Filter: vpcFilter });
    expect(ec2.commandCalls(DescribeInternetGatewaysCommand)[0].args[0].input.Filters).toEqual([{ Name: 'attachment.vpc-id', Values: ['vpc-0a1b2c3d4e5f60718'] }]);
    expect(ec2.commandCalls(DescribeVpcEndpointsCommand)[0].args[0].input.Filters).toEqual(vpcFilter);
  });

  test('the EC2 client has a request timeout, a connection timeout and bounded retries; requestTimeoutMs reaches it', async () => {
    const seen: Array<{ handler: unknown; maxAttempts: number }> = [];
    ec2.onAnyCommand().resolves({});
    ec2.on(DescribeVpcsCommand).callsFake(async (_input, getClient) => {
      const config = getClient().config;
      seen.push({ handler: await (config.requestHandler as unknown as { configProvider: Promise<unknown> }).configProvider, maxAttempts: await config.maxAttempts() });
      return { Vpcs: [] };
    });
    await loadLiveTopology({ region: 'us-east-1' });
    await loadLiveTopology({ region: 'us-east-1', requestTimeoutMs: 4_000, maxAttempts: 2 });
    expect(seen).toEqual([
      { handler: expect.objectContaining({ requestTimeout: 30_000, connectionTimeout: 10_000 }), maxAttempts: 3 },
      { handler: expect.objectContaining({ requestTimeout: 4_000, connectionTimeout: 10_000 }), maxAttempts: 2 },
    ]);
  });

  test('--vpc the account lacks', async () => {
    ec2.onAnyCommand().resolves({});
    await expect(loadLiveTopology({ region: 'eu-west-1', vpcIds: ['vpc-0nope'] })).rejects.toThrow(new InputError('--vpc vpc-0nope: not found in eu-west-1 (VPCs there: none)'));
  });

  const failure = (name: string, message: string) => Object.assign(new Error(message), { name });
  test.each([
    [failure('CredentialsProviderError', 'Could not load credentials from any providers'), '--aws: no AWS credentials found: set AWS_PROFILE or pass --profile, or export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY'],
    [failure('Error', 'Region is missing'), '--aws: no AWS region: pass --region or set AWS_REGION'],
    [failure('AuthFailure', 'AWS was not able to validate the provided access credentials'), '--aws: the AWS credentials were rejected (AuthFailure): refresh them and run again'],
    [failure('UnauthorizedOperation', 'You are not authorized to perform this operation.'), '--aws: access denied for ec2:DescribeVpcs: You are not authorized to perform this operation.; natlab needs read-only EC2 access (ec2:Describe*)'],
    [failure('RequestLimitExceeded', 'Request limit exceeded.'), "--aws: AWS kept throttling ec2:DescribeVpcs (RequestLimitExceeded) after the SDK's retries: wait a minute and run again"],
    [failure('TimeoutError', 'Connection timed out after 3000 ms'), '--aws: ec2:DescribeVpcs did not answer in time (Connection timed out after 3000 ms)'],
    [Object.assign(new Error('getaddrinfo ENOTFOUND ec2.us-east-1.amazonaws.com'), { code: 'ENOTFOUND' }), '--aws: cannot reach AWS for ec2:DescribeVpcs (getaddrinfo ENOTFOUND ec2.us-east-1.amazonaws.com)'],
    [failure('InvalidVpcID.NotFound', "The vpc ID 'vpc-0nope' does not exist"), "--vpc: The vpc ID 'vpc-0nope' does not exist"],
  ])('an SDK failure becomes one line: %s', async (error, expected) => {
    ec2.on(DescribeVpcsCommand).rejects(error);
    await expect(loadLiveTopology({ region: 'us-east-1' })).rejects.toThrow(new InputError(expected));
  });

  test('the failing call is named', async () => {
    await serveSeedLab(100);
    ec2.on(DescribeNetworkAclsCommand).rejects(failure('UnauthorizedOperation', 'no'));
    await expect(loadLiveTopology({ region: 'us-east-1' })).rejects.toThrow('--aws: access denied for ec2:DescribeNetworkAcls: no; natlab needs read-only EC2 access (ec2:Describe*)');
    ec2.on(DescribeNetworkAclsCommand).resolves({ NetworkAcls: [] });
    ec2.on(DescribeVpcEndpointsCommand).rejects(failure('Throttling', 'Rate exceeded'));
    await expect(loadLiveTopology({ region: 'us-east-1', note: () => undefined })).rejects.toThrow("--aws: AWS kept throttling ec2:DescribeVpcEndpoints (Throttling) after the SDK's retries: wait a minute and run again");
  });

  test('a policy granting only the ten IPv4 calls still reads the topology: endpoints and prefix lists denied read as none, with a note each', async () => {
    await serveSeedLab(100);
    for (const command of [DescribeVpcEndpointsCommand, DescribeEgressOnlyInternetGatewaysCommand, DescribePrefixListsCommand, DescribeManagedPrefixListsCommand]) {
      (ec2.on as unknown as (c: unknown) => { rejects(e: unknown): unknown })(command).rejects(failure('UnauthorizedOperation', 'You are not authorized to perform this operation.'));
    }
    const notes: string[] = [];
    const live = await loadLiveTopology({ region: 'us-east-1', note: (n) => notes.push(n) });
    expect(live.hosts).toHaveLength(5);
    expect(notes.slice(0, 4)).toEqual(
      ['DescribeVpcEndpoints', 'DescribeEgressOnlyInternetGateways', 'DescribePrefixLists', 'DescribeManagedPrefixLists'].map((c) => `--aws: ec2:${c} denied: read as none (grant ec2:Describe* to include it)`),
    );
  });
});

describe('one wording for SDK failures', () => {
  const failure = (name: string, message: string) => Object.assign(new Error(message), { name });
  test.each([
    ['no credentials', failure('CredentialsProviderError', 'Could not load credentials from any providers')],
    ['rejected credentials', failure('AuthFailure', 'AWS was not able to validate the provided access credentials')],
    ['throttling', failure('RequestLimitExceeded', 'Request limit exceeded.')],
    ['a timeout', failure('TimeoutError', 'socket timed out')],
    ['an unreachable endpoint', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:443'), { code: 'ECONNREFUSED' })],
    ['anything else', failure('InternalError', 'An internal error has occurred')],
  ])('%s: --aws says what verify says, after "--aws: "', (_what, err) => {
    expect(liveError('DescribeVpcs', err).message).toBe(`--aws: ${describeAwsError('ec2:DescribeVpcs', err).message}`);
  });
});
