/**
 * `--aws-dump DIR`: a folder of `aws ec2 describe-*` JSON outputs, any file names, recognised
 * by their top-level key, optionally one sub-folder per region. Parsed into the SDK's output
 * shapes (timestamps become Dates), then converted by the same core as the live source.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { z } from 'zod';
import { InputError } from '../errors';
import type { Topology } from '../model/types';
import { emptyDescribeOutputs, topologyFromDescribe, type DescribeOutputs } from './aws-describe';
import { withoutBom } from './private/bom';
import { checkTopology } from './private/check-topology';
import { problemsError } from './private/problems';
import { problemsFromZod } from './private/topology-schema';
import { describeFsError } from './private/fs-error';

export interface AwsDumpOptions {
  /** Only this region (a sub-folder, or the region of the subnets' AZs in a flat folder). */
  readonly region?: string;
  /** Only this VPC. */
  readonly vpc?: string;
}

/** Top-level key of each describe output -> the `DescribeOutputs` list it fills, with the id field every item has. */
const KEYS = {
  Vpcs: { list: 'vpcs', id: 'VpcId', command: 'describe-vpcs' },
  Subnets: { list: 'subnets', id: 'SubnetId', command: 'describe-subnets' },
  RouteTables: { list: 'routeTables', id: 'RouteTableId', command: 'describe-route-tables' },
  NatGateways: { list: 'natGateways', id: 'NatGatewayId', command: 'describe-nat-gateways' },
  InternetGateways: { list: 'internetGateways', id: 'InternetGatewayId', command: 'describe-internet-gateways' },
  NetworkInterfaces: { list: 'networkInterfaces', id: 'NetworkInterfaceId', command: 'describe-network-interfaces' },
  Reservations: { list: 'reservations', id: 'ReservationId', command: 'describe-instances' },
  SecurityGroups: { list: 'securityGroups', id: 'GroupId', command: 'describe-security-groups' },
  NetworkAcls: { list: 'networkAcls', id: 'NetworkAclId', command: 'describe-network-acls' },
  Addresses: { list: 'addresses', id: 'PublicIp', command: 'describe-addresses' },
} as const satisfies Record<string, { list: keyof DescribeOutputs; id: string; command: string }>;

type Key = keyof typeof KEYS;

const REGION_NAME = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d+$/;
/** `2020-03-03T01:21:01.000Z`, `2020-03-03T01:21:01+00:00` (CLI v2) or `2020-03-03 01:21:01+00:00` (CLI v1). */
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})?$/;

/** One describe output file as read: where it came from and what it holds. */
export interface DumpFile {
  /** The file, as found under the dump folder. */
  readonly path: string;
  /** The region its folder names, if any. */
  readonly folderRegion?: string;
  /** The recognised lists by top-level key (`Vpcs`, `Reservations`, ...). */
  readonly outputs: Partial<Record<Key, Record<string, unknown>[]>>;
}

/** Reads a dump folder into one `Topology` (over all regions unless `region` picks one). */
export async function loadAwsDump(dir: string, opts: AwsDumpOptions = {}): Promise<Topology> {
  const files = await readAwsDumpFiles(dir);
  const regions = regionsOf(files);
  let selected = files;
  let vpcIds: string[] | undefined;
  if (opts.region) {
    if (!regions.has(opts.region)) throw new InputError(`--region ${opts.region}: the dump in ${dir} has no resources in that region (regions: ${[...regions].sort().join(', ') || 'none found'})`);
    selected = files.filter((f) => f.folderRegion === undefined || f.folderRegion === opts.region);
    // In a flat folder a region is known only from its subnets' AZs: keep those VPCs.
    if (selected.some((f) => f.folderRegion === undefined)) vpcIds = vpcsInRegion(selected, opts.region);
  }
  const outputs = mergeOutputs(selected);
  if (outputs.vpcs.length === 0) throw new InputError(`${dir}: no describe-vpcs output found (a .json file with a top-level "Vpcs" key)`);
  if (opts.vpc) {
    if (!outputs.vpcs.some((v) => v.VpcId === opts.vpc)) throw new InputError(`--vpc ${opts.vpc}: not in the dump in ${dir} (VPCs: ${outputs.vpcs.map((v) => v.VpcId).join(', ')})`);
    vpcIds = vpcIds ? vpcIds.filter((v) => v === opts.vpc) : [opts.vpc];
  }
  const present = opts.region ? [opts.region] : [...regions].sort();
  const topology = topologyFromDescribe(outputs, {
    name: basename(dir.replace(/\/+$/, '')) || dir,
    source: `aws ec2 describe-* dump ${dir}${present.length ? ` (${present.join(', ')})` : ''}`,
    ...(present.length === 1 ? { region: present[0] } : {}),
    ...(vpcIds ? { vpcIds } : {}),
  });
  checkDumpAddresses(topology, selected, dir);
  return topology;
}

/**
 * The address checks of a scenario (inside the subnet, not reserved by AWS, subnets inside
 * the VPC and apart): a hand-edited dump can break them, AWS itself cannot. References are
 * not checked (a security group rule may name a group in a peered account). Errors name the
 * file that holds the resource and its id.
 */
function checkDumpAddresses(topology: Topology, files: readonly DumpFile[], dir: string): void {
  const problems = checkTopology(topology, { addressesOnly: true });
  if (!problems.length) return;
  const [first] = problems;
  const file = first.subject === undefined ? undefined : fileHolding(files, first.subject);
  const more = problems.length > 1 ? `; and ${problems.length - 1} more problem${problems.length === 2 ? '' : 's'}` : '';
  throw new InputError(`${file ?? dir}: ${first.subject ?? first.path}: ${first.message}${more}`);
}

/** The dump file that describes a resource (a VPC, subnet, NAT gateway, instance or ENI). */
function fileHolding(files: readonly DumpFile[], id: string): string | undefined {
  const ids = (item: Record<string, unknown>): unknown[] => [item.VpcId, item.SubnetId, item.NatGatewayId, item.NetworkInterfaceId, ...((item.Instances as Array<Record<string, unknown>> | undefined) ?? []).map((i) => i.InstanceId)];
  const holds = (key: Key) => (f: DumpFile) => (f.outputs[key] ?? []).some((item) => (key === 'Reservations' ? ids(item) : [item[KEYS[key].id]]).includes(id));
  for (const key of ['Vpcs', 'Subnets', 'NatGateways', 'Reservations', 'NetworkInterfaces'] as const) {
    const file = files.find(holds(key));
    if (file) return file.path;
  }
  return undefined;
}

/** Every describe output in a dump folder, parsed (timestamps as Dates), in file-name order. */
export async function readAwsDumpFiles(dir: string): Promise<DumpFile[]> {
  let entries: string[];
  try {
    if (!(await stat(dir)).isDirectory()) throw new InputError(`${dir}: not a folder (--aws-dump takes a folder of describe-* JSON outputs)`);
    entries = (await readdir(dir)).sort();
  } catch (err) {
    if (err instanceof InputError) throw err;
    throw new InputError(`${dir}: cannot read the dump folder (${describeFsError(err)})`);
  }
  const files: DumpFile[] = [];
  for (const entry of entries) {
    const path = join(dir, entry);
    const info = await stat(path);
    if (info.isDirectory()) {
      // One sub-folder per region; its name is the region when it looks like one.
      const folderRegion = REGION_NAME.test(entry) ? entry : undefined;
      for (const inner of (await readdir(path)).sort()) {
        const innerPath = join(path, inner);
        if (inner.endsWith('.json') && (await stat(innerPath)).isFile()) files.push(await readDumpFile(innerPath, folderRegion));
      }
    } else if (entry.endsWith('.json')) {
      files.push(await readDumpFile(path, undefined));
    }
  }
  return files;
}

async function readDumpFile(path: string, folderRegion: string | undefined): Promise<DumpFile> {
  let data: unknown;
  try {
    data = JSON.parse(withoutBom(await readFile(path, 'utf8')));
  } catch (err) {
    throw new InputError(`${path}: not valid JSON (${err instanceof SyntaxError ? err.message : describeFsError(err)})`);
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) throw new InputError(`${path}: not a describe-* output (expected a JSON object with a key such as "Vpcs")`);
  const keys = Object.keys(data).filter((k): k is Key => k in KEYS);
  if (keys.length === 0) {
    throw new InputError(`${path}: not a describe-* output natlab reads (top-level keys ${Object.keys(data).map((k) => `"${k}"`).join(', ') || 'none'}; expected one of ${Object.keys(KEYS).join(', ')})`);
  }
  const outputs: DumpFile['outputs'] = {};
  for (const key of keys) {
    const parsed = listSchema(key).safeParse((data as Record<string, unknown>)[key]);
    if (!parsed.success) throw problemsError(path, problemsFromZod(parsed.error).map((p) => ({ ...p, path: p.path === '(top level)' ? key : `${key}${p.path.startsWith('[') ? '' : '.'}${p.path}` })));
    const problems: Array<{ path: string; message: string }> = [];
    outputs[key] = parsed.data.map((item, i) => withDates(item, `${key}[${i}]`, problems) as Record<string, unknown>);
    if (problems.length) throw problemsError(path, problems);
  }
  return { path, ...(folderRegion ? { folderRegion } : {}), outputs };
}

/** Items are checked only for their id; unknown fields pass through untouched. */
function listSchema(key: Key) {
  return z.array(z.looseObject({ [KEYS[key].id]: z.string().min(1) }));
}

/** Timestamps (any `...Time` field) as the SDK returns them: Dates. */
function withDates(value: unknown, path: string, problems: Array<{ path: string; message: string }>): unknown {
  if (Array.isArray(value)) return value.map((v, i) => withDates(v, `${path}[${i}]`, problems));
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (/Time$/.test(k) && typeof v === 'string') {
      const date = TIMESTAMP.test(v) ? new Date(v.replace(' ', 'T')) : undefined;
      if (!date || Number.isNaN(date.getTime())) problems.push({ path: `${path}.${k}`, message: `"${v}" is not a timestamp (expected ISO 8601 or 2020-03-03 01:21:01+00:00)` });
      out[k] = date;
    } else {
      out[k] = withDates(v, `${path}.${k}`, problems);
    }
  }
  return out;
}

/** Region of an AZ name ("eu-west-1b" -> "eu-west-1"). */
function regionOfAz(az: unknown): string | undefined {
  return typeof az === 'string' && /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d+[a-z]$/.test(az) ? az.slice(0, -1) : undefined;
}

function regionsOf(files: DumpFile[]): Set<string> {
  const regions = new Set<string>();
  for (const f of files) {
    if (f.folderRegion) regions.add(f.folderRegion);
    else for (const s of f.outputs.Subnets ?? []) {
      const r = regionOfAz(s.AvailabilityZone);
      if (r) regions.add(r);
    }
  }
  return regions;
}

function vpcsInRegion(files: DumpFile[], region: string): string[] {
  const ids = new Set<string>();
  for (const f of files) {
    for (const s of f.outputs.Subnets ?? []) if (f.folderRegion === region || (!f.folderRegion && regionOfAz(s.AvailabilityZone) === region)) ids.add(String(s.VpcId));
    if (f.folderRegion === region) for (const v of f.outputs.Vpcs ?? []) ids.add(String(v.VpcId));
  }
  return [...ids];
}

/** All files' lists concatenated; an id found in two files is a mistake worth naming. */
function mergeOutputs(files: DumpFile[]): DescribeOutputs {
  const merged = emptyDescribeOutputs() as unknown as Record<string, unknown[]>;
  const seen = new Map<string, string>();
  for (const f of files) {
    for (const [key, items] of Object.entries(f.outputs) as Array<[Key, Record<string, unknown>[]]>) {
      const { list, id } = KEYS[key];
      for (const item of items) {
        const itemId = `${key}:${String(item[id])}`;
        const earlier = seen.get(itemId);
        if (earlier) throw new InputError(`${f.path}: ${id} ${String(item[id])} is also in ${earlier} (each resource once, please: one dump per region)`);
        seen.set(itemId, f.path);
        merged[list].push(item);
      }
    }
  }
  return merged as unknown as DescribeOutputs;
}
