/** lib/model is pure TypeScript: no AWS SDK, no CDK, no node I/O, and nothing from other areas but lib/errors. */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const MODEL = join(__dirname, '..', '..', 'lib', 'model');
const ERRORS = join(__dirname, '..', '..', 'lib', 'errors');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : path.endsWith('.ts') ? [path] : [];
  });
}

/** An import is allowed when it resolves inside lib/model or to lib/errors. */
function allowed(file: string, specifier: string): boolean {
  if (!specifier.startsWith('.')) return false;
  const target = resolve(dirname(file), specifier);
  return target === ERRORS || target.startsWith(MODEL + '/');
}

describe('lib/model purity', () => {
  const sources = files(MODEL);

  it('finds the modules it checks', () => {
    expect(sources.map((f) => relative(MODEL, f))).toEqual(expect.arrayContaining(['walk.ts', 'nat-table.ts', 'components/nat-gateway.ts']));
  });

  it('rejects what it should', () => {
    expect(allowed(join(MODEL, 'walk.ts'), 'node:fs')).toBe(false);
    expect(allowed(join(MODEL, 'walk.ts'), 'aws-cdk-lib')).toBe(false);
    expect(allowed(join(MODEL, 'walk.ts'), '../sources')).toBe(false);
    expect(allowed(join(MODEL, 'components', 'host.ts'), '../../errors')).toBe(true);
  });

  it.each(sources.map((f) => [relative(MODEL, f), f]))('%s imports only the model and lib/errors', (_name, file) => {
    const text = readFileSync(file, 'utf8');
    const statements = [...text.matchAll(/^\s*(?:import|export)\b[^;]*?\bfrom '([^']+)'/gm)].map((m) => m[1]);
    const dynamic = [...text.matchAll(/\b(?:import|require)\('([^']+)'\)/g)].map((m) => m[1]);
    const imports = [...statements, ...dynamic];
    if (!file.endsWith('types.ts')) expect(imports.length).toBeGreaterThan(0); // the pattern sees the imports
    expect(imports.filter((i) => !allowed(file, i))).toEqual([]);
  });
});
