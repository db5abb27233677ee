/**
 * Property: a mutated describe dump (a value replaced by any JSON, a field deleted, a list
 * grown, the text cut or spliced) loads into a topology, or fails with one InputError line
 * naming a file of the dump -- never another exception, never a hang. A loaded topology walks
 * from each host without an exception.
 *
 * NATLAB_FUZZ_RUNS / NATLAB_FUZZ_SEED tune the run, through the shared harness (./harness).
 */
import fc from 'fast-check';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError } from '../../lib/errors';
import { walk } from '../../lib/model';
import { loadAwsDump } from '../../lib/sources/aws-dump';
import { expectResultOrInputErrorAsync, FUZZ_RUNS, fuzzParams } from './harness';

/** The region folder of the full-region fixture: every kind natlab reads, and a few it does not. */
const SOURCE = 'test/fixtures/aws-dump/full-region/210987654321/us-east-1';
/** Files of kinds the model does not use: a few are enough to keep them in the mix. */
const UNUSED_KEPT = new Set(['ec2-describe-availability-zones.json', 'elbv2-describe-load-balancers.json', 'ec2-describe-transit-gateways.json']);
const BASE: Array<{ name: string; data: unknown }> = readdirSync(SOURCE)
  .filter((n) => n.endsWith('.json') && (UNUSED_KEPT.has(n) || !/availability|regions|transit|peering|elbv2|vpn|customer|dhcp|key-pairs|images|volumes|snapshots|flow-logs|rules|launch|status|carrier|client-vpn/.test(n)))
  .map((name) => ({ name, data: JSON.parse(readFileSync(join(SOURCE, name), 'utf8')) as unknown }));
const ENTRIES = {
  name: 'pl-0e1f2a3b4c5d6e7f8.json',
  data: JSON.parse(readFileSync(join(SOURCE, 'get-managed-prefix-list-entries/pl-0e1f2a3b4c5d6e7f8.json'), 'utf8')) as unknown,
};
const FILES = [...BASE, ENTRIES];

type Path = Array<string | number>;

/** Every path into a JSON value (the root included), in a stable order. */
function pathsOf(value: unknown, at: Path = [], out: Path[] = []): Path[] {
  out.push(at);
  if (Array.isArray(value)) value.forEach((v, i) => pathsOf(v, [...at, i], out));
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) pathsOf(v, [...at, k], out);
  return out;
}

interface Structural {
  kind: 'replace' | 'delete' | 'grow';
  file: number;
  path: number;
  value: unknown;
}
interface Textual {
  kind: 'cut' | 'splice';
  file: number;
  at: number;
  text: string;
}
type Mutation = Structural | Textual;

function isTextual(m: Mutation): m is Textual {
  return m.kind === 'cut' || m.kind === 'splice';
}

const structural = fc.record({
  kind: fc.constantFrom('replace' as const, 'delete' as const, 'grow' as const),
  file: fc.nat({ max: FILES.length - 1 }),
  path: fc.nat(),
  value: fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constantFrom(null, '', -1, 70000, '10.40.0.0/33', 'not-a-cidr', [], {}, '2026-13-45T99:99:99Z')),
});
const textual = fc.record({
  kind: fc.constantFrom('cut' as const, 'splice' as const),
  file: fc.nat({ max: FILES.length - 1 }),
  at: fc.nat(),
  text: fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom('{', ']', '"', '\\', '\uFEFF', ',,', 'null')),
});
const mutations = fc.array(fc.oneof({ weight: 4, arbitrary: structural }, { weight: 1, arbitrary: textual }), { minLength: 1, maxLength: 3 });

function setAt(root: unknown, path: Path, change: (parent: Record<string | number, unknown>, key: string | number) => void): unknown {
  if (path.length === 0) {
    const box: Record<string, unknown> = { root };
    change(box, 'root');
    return box.root;
  }
  let parent = root as Record<string | number, unknown>;
  for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>;
  change(parent, path[path.length - 1]);
  return root;
}

/** The dump's files as text, each mutation applied in turn. */
function mutatedFiles(ms: Mutation[]): string[] {
  const data = FILES.map((f) => structuredClone(f.data));
  const texts: Array<string | undefined> = FILES.map(() => undefined);
  for (const m of ms) {
    if (isTextual(m)) {
      const text = texts[m.file] ?? JSON.stringify(data[m.file], null, 2) ?? '';
      const at = m.at % (text.length + 1);
      texts[m.file] = m.kind === 'cut' ? text.slice(0, at) : text.slice(0, at) + m.text + text.slice(at);
      continue;
    }
    if (texts[m.file] !== undefined) continue; // already text: structure is gone
    // Paths of the data as earlier mutations left it.
    const paths = pathsOf(data[m.file]);
    const { kind, value, path: pick } = m;
    const path = paths[pick % paths.length];
    data[m.file] = setAt(data[m.file], path, (parent, key) => {
      if (kind === 'replace') parent[key] = value;
      else if (kind === 'delete') {
        if (Array.isArray(parent) && typeof key === 'number') parent.splice(key, 1);
        else delete parent[key];
      } else if (Array.isArray(parent[key])) (parent[key] as unknown[]).push(structuredClone((parent[key] as unknown[])[0] ?? value));
      else parent[key] = [parent[key], value];
    });
  }
  // A deleted root leaves an empty file.
  return FILES.map((_, i) => texts[i] ?? JSON.stringify(data[i], null, 2) ?? '');
}

/**
 * A result, or an InputError with one line that names the dump (the harness's property, a hang
 * included); anything else fails the property. A loaded topology is then walked from each host.
 */
async function resultOrInputError(dir: string): Promise<void> {
  const topology = await expectResultOrInputErrorAsync(() => loadAwsDump(dir, { note: () => undefined }), dir);
  if (topology === undefined) return;
  for (const host of topology.hosts.filter((h) => h.kind !== 'server')) {
    try {
      walk(topology, { protocol: 'tcp', from: host.id, sourcePort: 40000, to: { host: '198.51.100.99', port: 443 } });
    } catch (err) {
      // A host the walk refuses to send from (a name it cannot resolve) is an InputError too.
      if (!(err instanceof InputError)) throw err;
    }
  }
}

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'natlab-fuzz-dump-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

test('a mutated dump loads, or fails with one line naming its file', async () => {
  await fc.assert(
    fc.asyncProperty(mutations, async (ms) => {
      const dir = mkdtempSync(join(tmp, 'run-'));
      try {
        const region = join(dir, 'us-east-1');
        mkdirSync(join(region, 'entries'), { recursive: true });
        mutatedFiles(ms).forEach((text, i) => writeFileSync(FILES[i] === ENTRIES ? join(region, 'entries', ENTRIES.name) : join(region, FILES[i].name), text));
        await resultOrInputError(dir);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }),
    fuzzParams(),
  );
}, Math.max(60_000, FUZZ_RUNS * 300));

test('the unmutated base loads (the property is not vacuous)', async () => {
  const dir = mkdtempSync(join(tmp, 'base-'));
  const region = join(dir, 'us-east-1');
  mkdirSync(join(region, 'entries'), { recursive: true });
  mutatedFiles([]).forEach((text, i) => writeFileSync(FILES[i] === ENTRIES ? join(region, 'entries', ENTRIES.name) : join(region, FILES[i].name), text));
  const t = await loadAwsDump(dir, { note: () => undefined });
  expect(t.hosts).toHaveLength(10);
  expect(t.prefixLists?.find((p) => p.id === 'pl-0e1f2a3b4c5d6e7f8')?.cidrs).toHaveLength(2);
});
