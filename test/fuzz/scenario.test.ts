/* eslint-disable @typescript-eslint/no-explicit-any -- mutations write arbitrary values into plain scenario data */
/**
 * Mutated scenarios: the seed (and the repository's scenarios) with one to three values
 * replaced, removed or duplicated, and scenario text with bytes spliced in. Each one is a
 * topology, or an InputError with one line naming the file; never another exception, never a
 * hang. A topology that loads must also predict without throwing.
 */
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { predict } from '../../lib/model/predict';
import { parseScenario } from '../../lib/sources/scenario';
import { expectResultOrInputError, fuzzParams } from './harness';

const SCENARIOS = ['seed.json', 'multi-az.yaml', 'nacl-no-ephemeral.yaml', 'public-ip-behind-nat.yaml', 'broken-private-route.yaml'].map((name) => ({
  name,
  text: readFileSync(join(__dirname, '..', '..', 'scenarios', name), 'utf8'),
}));
const SEED = JSON.parse(SCENARIOS[0].text);

/** Every path to a value in a JSON tree (arrays and objects included). */
function pathsOf(value: unknown, prefix: Array<string | number> = []): Array<Array<string | number>> {
  const out: Array<Array<string | number>> = [prefix];
  if (Array.isArray(value)) value.forEach((v, i) => out.push(...pathsOf(v, [...prefix, i])));
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) out.push(...pathsOf(v, [...prefix, k]));
  return out;
}

/** Values a hand-edited file would hold where it should not: wrong types, edge numbers, near-miss strings. */
const oddValue = fc.oneof(
  fc.constantFrom<unknown>(null, true, false, 0, -1, -7, 65536, 70000, 32767, 99999999, 1e21, 0.5, '', ' ', '-', '0.0.0.0/0', '10.0.0.0/33', '10.0.1.32', '3.224.9.52', '10.0.0.226', '256.1.1.1', 'nat-xxx', 'sg-server', 'rtb-private', 'allow', 'deny', 'maybe', 'all', 'icmp', '<x>', [], {}, [null], { id: 'x' }),
  fc.string({ maxLength: 12 }),
  fc.integer({ min: -70000, max: 70000 }),
  fc.jsonValue({ maxDepth: 2 }),
);

type Mutation = { kind: 'set'; at: number; value: unknown } | { kind: 'delete'; at: number } | { kind: 'duplicate'; at: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('set' as const), at: fc.nat(), value: oddValue }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('duplicate' as const), at: fc.nat() }),
);

function apply(data: any, m: Mutation): void {
  const paths = pathsOf(data).filter((p) => p.length > 0);
  const path = paths[m.at % paths.length];
  const parent = path.slice(0, -1).reduce((node: any, key) => node[key], data);
  const key = path[path.length - 1];
  if (m.kind === 'set') parent[key] = structuredClone(m.value);
  else if (m.kind === 'delete') {
    if (Array.isArray(parent)) parent.splice(key as number, 1);
    else delete parent[key];
  } else if (Array.isArray(parent)) parent.push(structuredClone(parent[key as number]));
  else parent[`${String(key)}2`] = structuredClone(parent[key]);
}

function loadsOrSaysWhy(text: string, file: string): void {
  const topology = expectResultOrInputError(() => parseScenario(text, file), file);
  if (topology) predict(topology);
}

describe('fuzz: mutated scenarios', () => {
  it('one to three values of the seed replaced, removed or duplicated', () => {
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 3 }), (mutations) => {
        const data = structuredClone(SEED);
        for (const m of mutations) apply(data, m);
        loadsOrSaysWhy(JSON.stringify(data), 'mutated.json');
      }),
      fuzzParams(),
    );
  });

  it('scenario text (JSON and YAML) with a few characters spliced in or cut out', () => {
    const splice = fc.record({ at: fc.nat(), cut: fc.nat({ max: 8 }), insert: fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom('\uFEFF', '&a ', '*a', '!!binary ', '{', ']', ': ', '\n- ', '"', '\t', '\u0000', '#')) });
    fc.assert(
      fc.property(fc.constantFrom(...SCENARIOS), fc.array(splice, { minLength: 1, maxLength: 3 }), (scenario, splices) => {
        let text = scenario.text;
        for (const s of splices) {
          const at = s.at % (text.length + 1);
          text = text.slice(0, at) + s.insert + text.slice(at + s.cut);
        }
        loadsOrSaysWhy(text, `spliced-${scenario.name}`);
      }),
      fuzzParams(),
    );
  });
});
