/**
 * Property: a mutated template (a value replaced, a key dropped, text damaged) loads into a
 * topology or ends in one InputError line naming the file; never another exception, never a hang.
 * Seeds are the fixtures people's templates are shaped like.
 *
 * NATLAB_FUZZ_RUNS (default 200) and NATLAB_FUZZ_SEED (fixed default) tune it, through the shared
 * harness (./harness).
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { parseTemplate } from '../../lib/sources/private/cfn-parse';
import { topologyFromTemplates } from '../../lib/sources/template';
import { expectResultOrInputError, fuzzParams } from './harness';

const SEEDS = [
  'test/fixtures/templates/seed-lab.yaml',
  'test/fixtures/templates/published/quickstart-vpc.yaml',
  'test/fixtures/templates/published/vpc-3azs.yaml',
  'test/fixtures/templates/published/training/a4l-app.yaml',
  'test/fixtures/templates/published/env-conditions.yaml',
].map((file) => ({ file, text: readFileSync(file, 'utf8') }));
const FILE = 'mutated.yaml';

/** Loads template text as natlab does, minus the file read. */
function load(text: string): unknown {
  return topologyFromTemplates([{ file: FILE, stack: 'mutated', template: parseTemplate(text, FILE) }]);
}

/**
 * A result, or an InputError of one line naming the file with exit code 2 (the harness's
 * property); anything else fails, with the start of the input that broke it.
 */
function expectLoadsOrInputError(text: string): void {
  try {
    expectResultOrInputError(() => load(text), FILE);
  } catch (err) {
    throw new Error(`${(err as Error)?.message ?? String(err)}\n--- input ---\n${text.slice(0, 2000)}`);
  }
}

/** Values a careless or hostile edit puts where another value was. */
const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(null, '', 0, -1, 70000, 99999999, 'x', true, [], {}, [null], { Key: null }, '10.16.112.0/16', '10.0.0.300/32', '::/0', 'maybe'),
  fc.constantFrom(
    { Ref: 'Vpc' },
    { Ref: 'Nope' },
    { Ref: 'AWS::NoValue' },
    { 'Fn::GetAtt': ['Vpc', 'Ipv6CidrBlocks'] },
    { 'Fn::GetAtt': 'x' },
    { 'Fn::GetAZs': '' },
    { 'Fn::Select': [7, { 'Fn::GetAZs': '' }] },
    { 'Fn::Select': [0, 'not a list'] },
    { 'Fn::Cidr': ['10.0.0.0/16', 50000000, 8] },
    { 'Fn::Cidr': ['10.0.0.0/16', 3, 40] },
    { 'Fn::Sub': ['${x}', 'abc'] },
    { 'Fn::Sub': '${Nope.Attr}' },
    { 'Fn::Split': [',', { 'Fn::GetAtt': ['Vpc', 'Ipv6CidrBlocks'] }] },
    { 'Fn::Join': [',', 'x'] },
    { 'Fn::If': ['Nope', 1, 2] },
    { 'Fn::FindInMap': ['M', 'a', 'b'] },
    { 'Fn::ImportValue': 'missing' },
    { 'Fn::Equals': [1] },
    { Condition: 'Self' },
  ),
  fc.string({ maxLength: 12 }),
  fc.integer(),
  fc.jsonValue({ maxDepth: 3 }),
);

/** Every path into an object, as key lists. */
function paths(value: unknown, prefix: Array<string | number> = [], out: Array<Array<string | number>> = []): Array<Array<string | number>> {
  out.push(prefix);
  if (Array.isArray(value)) value.forEach((v, i) => paths(v, [...prefix, i], out));
  else if (typeof value === 'object' && value !== null) for (const [k, v] of Object.entries(value)) paths(v, [...prefix, k], out);
  return out;
}

/** Replaces (or deletes) the value at `path`. */
function mutate(root: unknown, path: Array<string | number>, value: unknown, remove: boolean): unknown {
  if (path.length === 0) return remove ? {} : value;
  const copy = structuredClone(root) as Record<string | number, unknown>;
  let node = copy as Record<string | number, unknown>;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  const last = path[path.length - 1];
  if (remove) {
    if (Array.isArray(node)) node.splice(Number(last), 1);
    else delete node[last];
  } else node[last] = value;
  return copy;
}

/** The seeds as data (short-form tags already long), so structural mutations stay valid JSON. */
const SEED_DATA = SEEDS.map((s) => parseTemplate(s.text, s.file));

describe('fuzz: mutated templates load or fail as bad input naming the file', () => {
  test('structural mutations (a value replaced or removed, one to three times)', () => {
    const mutation = fc.record({ at: fc.nat(), value: hostileValue, remove: fc.boolean() });
    fc.assert(
      fc.property(fc.nat({ max: SEED_DATA.length - 1 }), fc.array(mutation, { minLength: 1, maxLength: 3 }), (seed, mutations) => {
        let data: unknown = SEED_DATA[seed];
        for (const m of mutations) {
          const all = paths(data);
          data = mutate(data, all[m.at % all.length], m.value, m.remove);
        }
        expectLoadsOrInputError(JSON.stringify(data));
      }),
      fuzzParams(),
    );
  });

  test('text damage (characters inserted or removed in the YAML)', () => {
    const edit = fc.record({ at: fc.nat(), cut: fc.nat({ max: 8 }), insert: fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom('!', '!Foo ', '&a ', '*a', '[', '{', ': ', '\n  ', '- ', '\t', '"', "'", '\uFEFF')) });
    fc.assert(
      fc.property(fc.nat({ max: SEEDS.length - 1 }), fc.array(edit, { minLength: 1, maxLength: 4 }), (seed, edits) => {
        let text = SEEDS[seed].text;
        for (const e of edits) {
          const at = e.at % (text.length + 1);
          text = text.slice(0, at) + e.insert + text.slice(at + e.cut);
        }
        expectLoadsOrInputError(text);
      }),
      fuzzParams(),
    );
  });
});
