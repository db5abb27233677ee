/**
 * `--aws-dump DIR`: a folder of `aws ec2 describe-*` JSON outputs as a collector writes them
 * (one file per call, any names, any folder depth such as `accounts/<id>/<region>/`),
 * recognised by their top-level key. Parsed into the SDK's output shapes (timestamps become
 * Dates), merged over files (a resource seen in several accounts' dumps is one resource), then
 * converted by the same core as the live source. What the model does not use is named once
 * per kind in a note.
 */
import { basename } from 'node:path';
import { InputError } from '../errors';
import type { Topology } from '../model/types';
import { topologyFromDescribe } from './aws-describe';
import { checkTopology } from './private/check-topology';
import { API_MEMBER, isReadKind, KNOWN_UNUSED, READ_KINDS, type ReadKind } from './private/describe-kinds';
import { describeListSchema } from './private/describe-schemas';
import { listDumpFiles, readJsonFile, type DumpEntry, type SkippedFile } from './private/dump-folder';
import { mergeDumpFiles } from './private/dump-merge';
import { problemsError } from './private/problems';
import { problemsFromZod } from './private/topology-schema';

export interface AwsDumpOptions {
  /** Only this region (a sub-folder, or the region of the subnets' AZs in a flat folder). @default - every region */
  readonly region?: string;
  /** Only this VPC. @default - every VPC */
  readonly vpc?: string;
  /**
   * Receives one line per kind of thing read but not used (and per file skipped).
   * @default - written to stderr as `natlab: note: ...`
   */
  readonly note?: (note: string) => void;
}

/** `2020-03-03T01:21:01.000Z`, `2020-03-03T01:21:01+00:00` (CLI v2) or `2020-03-03 01:21:01+00:00` (CLI v1). */
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})?$/;
/** Skipped files named one by one before the rest are counted. */
const SKIPPED_SHOWN = 5;

/** One describe output file as read: where it came from and what it holds. */
export interface DumpFile {
  /** The file, as found under the dump folder. */
  readonly path: string;
  /** The region its folder names, if any. */
  readonly folderRegion?: string;
  /** For get-managed-prefix-list-entries outputs: the list the entries belong to. */
  readonly prefixListId?: string;
  /** The recognised lists by top-level key (`Vpcs`, `Reservations`, ...). */
  readonly outputs: Partial<Record<ReadKind, Record<string, unknown>[]>>;
}

/** Reads a dump folder into one `Topology` (over all regions unless `region` picks one). */
export async function loadAwsDump(dir: string, opts: AwsDumpOptions = {}): Promise<Topology> {
  const scan = await scanAwsDump(dir);
  const files = scan.files;
  const regions = regionsOf(files);
  let selected = files;
  let vpcIds: string[] | undefined;
  if (opts.region) {
    if (!regions.has(opts.region)) throw new InputError(`--region ${opts.region}: the dump in ${dir} has no resources in that region (regions: ${[...regions].sort().join(', ') || 'none found'})`);
    selected = files.filter((f) => f.folderRegion === undefined || f.folderRegion === opts.region);
    // In a flat folder a region is known only from its subnets' AZs: keep those VPCs.
    if (selected.some((f) => f.folderRegion === undefined)) vpcIds = vpcsInRegion(selected, opts.region);
  }
  const outputs = mergeDumpFiles(selected);
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
  reportNotes(scan, opts.note ?? ((note) => void process.stderr.write(`natlab: note: ${note}\n`)));
  return topology;
}

/** Once per kind: what was read and not used, and which files were skipped. */
function reportNotes(scan: DumpScan, note: (line: string) => void): void {
  for (const [key, paths] of [...scan.unused].sort(([a], [b]) => a.localeCompare(b))) {
    const command = KNOWN_UNUSED[key] ? ` (${KNOWN_UNUSED[key]})` : '';
    note(`--aws-dump: ${key}${command} read, not used by the model: ${paths.length === 1 ? paths[0] : `${paths.length} files, e.g. ${paths[0]}`}`);
  }
  for (const s of scan.skipped.slice(0, SKIPPED_SHOWN)) note(`--aws-dump: skipped ${s.path}: ${s.why}`);
  const more = scan.skipped.length - SKIPPED_SHOWN;
  if (more > 0) note(`--aws-dump: skipped ${more} more file${more === 1 ? '' : 's'}`);
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
  const holds = (key: ReadKind) => (f: DumpFile) => (f.outputs[key] ?? []).some((item) => (key === 'Reservations' ? ids(item) : [item[READ_KINDS[key].id]]).includes(id));
  for (const key of ['Vpcs', 'Subnets', 'NatGateways', 'Reservations', 'NetworkInterfaces'] as const) {
    const file = files.find(holds(key));
    if (file) return file.path;
  }
  return undefined;
}

/** Every describe output in a dump folder, parsed (timestamps as Dates), in path order. */
export async function readAwsDumpFiles(dir: string): Promise<DumpFile[]> {
  return (await scanAwsDump(dir)).files;
}

/** What a dump folder holds: the files natlab reads, and what it reads past (for the notes). */
export interface DumpScan {
  readonly files: DumpFile[];
  /** Describe outputs the model does not use, by top-level key: the files that hold them. */
  readonly unused: ReadonlyMap<string, string[]>;
  /** Files that are no describe output, or could not be followed (a dangling symlink). */
  readonly skipped: SkippedFile[];
}

/** Reads every `.json` file under `dir` (any depth) and sorts what it finds. */
export async function scanAwsDump(dir: string): Promise<DumpScan> {
  const { entries, skipped } = await listDumpFiles(dir);
  const files: DumpFile[] = [];
  const unused = new Map<string, string[]>();
  for (const entry of entries) {
    const read = await readDumpFile(entry);
    if ('skip' in read) {
      skipped.push({ path: entry.path, why: read.skip });
      continue;
    }
    for (const key of read.unusedKeys) unused.set(key, [...(unused.get(key) ?? []), entry.path]);
    if (Object.keys(read.file.outputs).length) files.push(read.file);
  }
  return { files, unused, skipped };
}

type FileRead = { readonly skip: string } | { readonly file: DumpFile; readonly unusedKeys: string[] };

async function readDumpFile(entry: DumpEntry): Promise<FileRead> {
  const { path } = entry;
  const data = await readJsonFile(path);
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return { skip: `not a describe-* output (a JSON ${data === null ? 'null' : Array.isArray(data) ? 'array' : typeof data}, not an object)` };
  const record = data as Record<string, unknown>;
  // A describe output holds its lists under PascalCase keys (and perhaps NextToken, ResponseMetadata).
  // A kind natlab reads counts whatever its value (a malformed one is an error); `Entries`, a
  // common word, only as a list.
  const listKeys = Object.keys(record).filter((k) => (isReadKind(k) && k !== 'Entries') || (API_MEMBER.test(k) && Array.isArray(record[k])));
  if (listKeys.length === 0) {
    const keys = Object.keys(record).slice(0, 5).map((k) => `"${k}"`).join(', ');
    return { skip: `not a describe-* output (top-level keys ${keys || 'none'})` };
  }
  let prefixListId: string | undefined;
  const unusedKeys: string[] = [];
  const outputs: DumpFile['outputs'] = {};
  for (const key of listKeys) {
    if (!isReadKind(key)) {
      unusedKeys.push(key);
      continue;
    }
    if (key === 'Entries') {
      // get-managed-prefix-list-entries names no list inside: the collector's path (or a wrapper) does.
      prefixListId = typeof record.PrefixListId === 'string' && record.PrefixListId ? record.PrefixListId : entry.pathPrefixListId;
      if (!prefixListId) {
        if (listKeys.length === 1) return { skip: 'prefix list entries (get-managed-prefix-list-entries?) of no named list: put the list id (pl-...) in the file or folder name' };
        continue;
      }
    }
    const parsed = describeListSchema(key).safeParse(record[key]);
    if (!parsed.success) throw problemsError(path, problemsFromZod(parsed.error).map((p) => ({ ...p, path: p.path === '(top level)' ? key : `${key}${p.path.startsWith('[') ? '' : '.'}${p.path}` })));
    const problems: Array<{ path: string; message: string }> = [];
    outputs[key] = parsed.data.map((item, i) => withDates(item, `${key}[${i}]`, problems) as Record<string, unknown>);
    if (problems.length) throw problemsError(path, problems);
  }
  return { file: { path, ...(entry.folderRegion ? { folderRegion: entry.folderRegion } : {}), ...(prefixListId ? { prefixListId } : {}), outputs }, unusedKeys };
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
