/**
 * Compares two folders written by `record.ts`: text outputs (.txt, .md, .html) byte for byte,
 * JSON documents equal apart from fields the newer one adds. Prints one line per difference
 * and exits 1 when there is any.
 *
 *   npx tsx test/golden/compare.ts /tmp/golden-before /tmp/golden-after
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => (statSync(join(dir, f)).isDirectory() ? files(join(dir, f)) : [join(dir, f)]));
}

/** The first path where `after` does not hold `before` (extra object keys in `after` are allowed). */
export function firstDifference(before: unknown, after: unknown, path = '$'): string | undefined {
  if (before === null || typeof before !== 'object') return Object.is(before, after) ? undefined : `${path}: ${JSON.stringify(before)} became ${JSON.stringify(after)}`;
  if (after === null || typeof after !== 'object' || Array.isArray(before) !== Array.isArray(after)) return `${path}: shape changed`;
  if (Array.isArray(before)) {
    const a = after as unknown[];
    if (a.length !== before.length) return `${path}: ${before.length} items became ${a.length}`;
    for (let i = 0; i < before.length; i++) {
      const d = firstDifference(before[i], a[i], `${path}[${i}]`);
      if (d) return d;
    }
    return undefined;
  }
  for (const [k, v] of Object.entries(before)) {
    const d = firstDifference(v, (after as Record<string, unknown>)[k], `${path}.${k}`);
    if (d) return d;
  }
  return undefined;
}

function main(): void {
  const [beforeDir, afterDir] = process.argv.slice(2);
  if (!beforeDir || !afterDir) throw new Error('usage: tsx test/golden/compare.ts BEFORE AFTER');
  const before = files(beforeDir).map((f) => relative(beforeDir, f)).sort();
  const after = new Set(files(afterDir).map((f) => relative(afterDir, f)));
  let differences = 0;
  const say = (line: string): void => {
    differences++;
    process.stdout.write(`${line}\n`);
  };
  for (const f of before) {
    if (!after.has(f)) {
      say(`${f}: missing`);
      continue;
    }
    after.delete(f);
    const a = readFileSync(join(beforeDir, f), 'utf8');
    const b = readFileSync(join(afterDir, f), 'utf8');
    if (a === b) continue;
    if (f.endsWith('.json') && !a.startsWith('error:') && !b.startsWith('error:')) {
      const d = firstDifference(JSON.parse(a), JSON.parse(b));
      if (d) say(`${f}: ${d}`);
    } else say(`${f}: text differs`);
  }
  for (const f of after) say(`${f}: new`);
  process.stdout.write(`${before.length} files compared, ${differences} differences\n`);
  process.exitCode = differences > 0 ? 1 : 0;
}

if (require.main === module) main();
