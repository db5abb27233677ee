/**
 * lib/construct (CDK code) and lib/aws (the harness, loaded by the CLI) must not import each
 * other in a cycle: the construct never imports lib/aws, and lib/aws takes from lib/construct
 * only plain-data modules that do not load aws-cdk-lib.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const root = resolve(__dirname, '../..');

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? tsFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

/** Relative import targets of a file, resolved to repository paths ("lib/aws/verify.ts"). */
function localImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specs = [...text.matchAll(/(?:import|export)[^'"`;]*?from\s+['"](\.[^'"]+)['"]/g), ...text.matchAll(/import\(\s*['"](\.[^'"]+)['"]\s*\)/g)].map((m) => m[1]);
  return specs.map((s) => relative(root, resolve(dirname(file), s)) + '.ts');
}

test('lib/construct imports nothing from lib/aws', () => {
  const offenders = tsFiles(join(root, 'lib/construct')).flatMap((f) => localImports(f).filter((i) => i.startsWith('lib/aws/')).map((i) => `${relative(root, f)} -> ${i}`));
  expect(offenders).toEqual([]);
});

test('lib/aws imports from lib/construct only modules that load no aws-cdk-lib', () => {
  const used = new Set(tsFiles(join(root, 'lib/aws')).flatMap((f) => localImports(f).filter((i) => i.startsWith('lib/construct/'))));
  expect(used.size).toBeGreaterThan(0);
  const cdk = [...used].filter((i) => /from\s+['"](aws-cdk-lib|constructs|cdk-nag)/.test(readFileSync(join(root, i), 'utf8')) || localImports(join(root, i)).length > 0);
  expect(cdk).toEqual([]);
  expect([...used].sort()).toEqual(expect.arrayContaining(['lib/construct/verify-actions.ts']));
});
