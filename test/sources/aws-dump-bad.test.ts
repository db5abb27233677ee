/**
 * Hostile dump folders (issue 13): each ends in a topology or one InputError line naming the
 * file (and the path inside it) -- never a stack overflow, a TypeError or exit 70.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError } from '../../lib/errors';
import { loadAwsDump } from '../../lib/sources/aws-dump';
import { MAX_DUMP_FILE_BYTES, MAX_JSON_DEPTH, nestingBeyond } from '../../lib/sources/private/dump-folder';

const SEED_LAB = 'test/fixtures/aws-dump/seed-lab';
const FULL = 'test/fixtures/aws-dump/full-region';

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'natlab-dump-bad-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function copyOf(fixture: string): string {
  const dir = mkdtempSync(join(tmp, 'case-'));
  cpSync(fixture, dir, { recursive: true });
  return dir;
}

async function loadNoting(dir: string): Promise<string[]> {
  const notes: string[] = [];
  await loadAwsDump(dir, { note: (n) => notes.push(n) });
  return notes;
}

/** The load fails with exactly this InputError (one line, exit 2). */
async function expectInputError(dir: string, message: string | RegExp): Promise<void> {
  const err = await loadAwsDump(dir, { note: () => undefined }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(InputError);
  const { message: text, exitCode } = err as InputError;
  expect(exitCode).toBe(2);
  expect(text).not.toMatch(/\n/);
  if (typeof message === 'string') expect(text).toBe(message);
  else expect(text).toMatch(message);
}

describe('bounded reading', () => {
  test('100,000-deep nesting is refused before parsing, naming the file', async () => {
    const dir = copyOf(SEED_LAB);
    const file = join(dir, 'subnets.json');
    writeFileSync(file, `{"Subnets": ${'['.repeat(100_000)}${']'.repeat(100_000)}}`);
    await expectInputError(dir, `${file}: nested deeper than ${MAX_JSON_DEPTH} levels at character ${MAX_JSON_DEPTH + 11} (a describe output is a few levels deep)`);
  });

  test('brackets inside strings do not count as nesting', () => {
    expect(nestingBeyond(JSON.stringify({ Description: '['.repeat(500), Tags: [{ Key: 'x', Value: '{"a\\"[[[' }] }), 3)).toBeUndefined();
    expect(nestingBeyond('[[[[', 3)).toBe(3);
  });

  test('a file over the size bound is refused by its size, without reading it', async () => {
    const dir = copyOf(SEED_LAB);
    const file = join(dir, 'instances.json');
    truncateSync(file, MAX_DUMP_FILE_BYTES + 1);
    await expectInputError(dir, `${file}: ${MAX_DUMP_FILE_BYTES + 1} bytes, larger than 256 MiB (natlab's bound for one describe output)`);
  });

  test('folders nested past the depth bound are skipped with a note', async () => {
    const dir = copyOf(SEED_LAB);
    const deep = join(dir, ...'abcdefghij'.split(''));
    mkdirSync(deep, { recursive: true });
    writeFileSync(join(deep, 'vpcs.json'), JSON.stringify({ Vpcs: [] }));
    expect(await loadNoting(dir)).toEqual([`--aws-dump: skipped ${join(dir, 'a/b/c/d/e/f/g/h/i')}: deeper than 8 folder levels`]);
  });
});

describe('links and odd files', () => {
  test('a dangling symlink is skipped with a note; the rest loads', async () => {
    const dir = copyOf(SEED_LAB);
    symlinkSync(join(dir, 'gone.json'), join(dir, 'link.json'));
    expect(await loadNoting(dir)).toEqual([`--aws-dump: skipped ${join(dir, 'link.json')}: cannot be read (no such file, a dangling symlink?)`]);
  });

  test('a symlink back up the tree is entered once, not forever', async () => {
    const dir = copyOf(SEED_LAB);
    mkdirSync(join(dir, 'us-east-1'));
    symlinkSync(dir, join(dir, 'us-east-1', 'loop'));
    expect(await loadNoting(dir)).toEqual([]);
  });

  test('a UTF-8 BOM (as Windows editors and PowerShell write) is accepted', async () => {
    const dir = copyOf(SEED_LAB);
    const file = join(dir, 'vpcs.json');
    writeFileSync(file, `\uFEFF${readFileSync(file, 'utf8')}`);
    expect((await loadAwsDump(dir)).vpcs).toHaveLength(2);
  });

  test('prefix list entries whose file and folder name no list are skipped with a note', async () => {
    const dir = copyOf(SEED_LAB);
    writeFileSync(join(dir, 'entries.json'), JSON.stringify({ Entries: [{ Cidr: '192.0.2.0/24' }] }));
    expect(await loadNoting(dir)).toEqual([
      `--aws-dump: skipped ${join(dir, 'entries.json')}: prefix list entries (get-managed-prefix-list-entries?) of no named list: put the list id (pl-...) in the file or folder name`,
    ]);
  });

  test("one list's entries in several files (a collector's pages) are united, each CIDR once", async () => {
    const dir = copyOf(FULL);
    const folder = join(dir, '210987654321/us-east-1/get-managed-prefix-list-entries');
    mkdirSync(join(folder, 'pl-0e1f2a3b4c5d6e7f8'));
    writeFileSync(join(folder, 'pl-0e1f2a3b4c5d6e7f8', 'page-2.json'), JSON.stringify({ Entries: [{ Cidr: '192.0.2.0/24' }, { Cidr: '203.0.113.0/26', Description: 'Lisbon office' }] }));
    const t = await loadAwsDump(dir, { note: () => undefined });
    expect([...t.prefixLists!.find((p) => p.id === 'pl-0e1f2a3b4c5d6e7f8')!.cidrs].sort()).toEqual(['192.0.2.0/24', '198.51.100.0/28', '203.0.113.0/26']);
  });
});

describe('fields of the wrong type name the file and the path', () => {
  const vpcCidrNull = (d: string) => {
    const data = JSON.parse(d) as { Vpcs: Array<Record<string, unknown>> };
    data.Vpcs[0].CidrBlock = null;
    return JSON.stringify(data);
  };
  test.each([
    ['CidrBlock: null', 'vpcs.json', vpcCidrNull, 'Vpcs[0].CidrBlock: must be a string, got null'],
    ['Associations: "x"', 'describe-route-tables.json', (d: string) => d.replace(/"Associations": \[[^\]]*\]/, '"Associations": "x"'), 'RouteTables[0].Associations: must be an array, got string'],
    ['Tags: [null]', 'instances.json', (d: string) => d.replace('"Tags": [', '"Tags": [null, '), /^Reservations\[0\]\.Instances\[0\]\.Tags\[0\]: must be an object, got null/],
    ['a port past 65535', 'sgs.json', (d: string) => d.replace('"FromPort": 8080', '"FromPort": 70000'), /^SecurityGroups\[\d\]\.IpPermissions(Egress)?\[0\]\.FromPort: must be at most 65535/],
    ['a NACL rule number past 32768', 'nacls.json', (d: string) => d.replace('"RuleNumber": 100', '"RuleNumber": 99999999'), /^NetworkAcls\[0\]\.Entries\[\d\]\.RuleNumber: must be at most 32768/],
    ['RuleAction: maybe', 'nacls.json', (d: string) => d.replace('"RuleAction": "allow"', '"RuleAction": "maybe"'), /^NetworkAcls\[0\]\.Entries\[\d\]\.RuleAction: must be one of "allow", "deny"/],
    ['a device index as text', 'enis.json', (d: string) => d.replace('"DeviceIndex": 0', '"DeviceIndex": "zero"'), /^NetworkInterfaces\[\d\]\.Attachment\.DeviceIndex: must be a number, got string/],
    ['a list that is a string', 'vpcs.json', () => JSON.stringify({ Vpcs: 'vpc-0a1b2c3d4e5f60718' }), 'Vpcs: must be an array, got string'],
  ])('%s (%s)', async (_what, name, edit, path) => {
    const dir = copyOf(SEED_LAB);
    const file = join(dir, name);
    const before = readFileSync(file, 'utf8');
    const after = edit(before);
    expect(after).not.toBe(before);
    writeFileSync(file, after);
    await expectInputError(dir, typeof path === 'string' ? `${file}: ${path}` : new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: ${path.source.slice(1)}`));
  });
});
