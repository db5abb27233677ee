/**
 * `natlab/constructs`: the lazy runtime entry (lib/constructs.ts) exports exactly what the
 * constructs index declares (lib/construct/index.ts, where the package's types point), each the
 * very same object, and requiring it loads no construct module until an export is read.
 */
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';

const root = join(__dirname, '../..');

test('the lazy entry has the same exports as the constructs index, each the same object', () => {
  const lazy = require('../../lib/constructs') as Record<string, unknown>;
  const index = require('../../lib/construct/index') as Record<string, unknown>;
  expect(Object.keys(lazy).sort()).toEqual(Object.keys(index).sort());
  for (const name of Object.keys(index)) expect([name, lazy[name]]).toEqual([name, index[name]]);
  for (const name of Object.keys(index)) expect(lazy[name] === index[name]).toBe(true);
});

test('requiring the entry loads no construct code and no SDK, CLI, schema or bundler; reading NatProbe loads the probe, still none of those', () => {
  // A fresh process (tsx, the sources), so nothing is cached from other tests.
  const script = `
    const before = new Set(Object.keys(require.cache));
    const entry = require(${JSON.stringify(join(root, 'lib/constructs.ts'))});
    const loaded = () => Object.keys(require.cache).filter((f) => !before.has(f));
    const afterRequire = loaded();
    void entry.NatProbe;
    console.log(JSON.stringify({ afterRequire, afterUse: loaded() }));`;
  const out = JSON.parse(execFileSync(process.execPath, ['--import', 'tsx', '-e', script], { cwd: root, encoding: 'utf8' })) as { afterRequire: string[]; afterUse: string[] };
  expect(out.afterRequire.map((f) => f.replace(root + '/', ''))).toEqual(['lib/constructs.ts']);
  expect(out.afterUse).toContainEqual(expect.stringMatching(/lib\/construct\/nat-probe\.ts$/));
  expect(out.afterUse.filter((f) => /node_modules\/(@aws-sdk|zod|yaml|commander|esbuild|cdk-nag|hyparquet)\//.test(f))).toEqual([]);
  expect(out.afterUse.filter((f) => /\/lib\/(aws|cli|sources|observe|report|lab)\//.test(f))).toEqual([]);
});
