/**
 * natlab's package root (the folder whose package.json is named "natlab"), found by walking up
 * from this file, so source paths resolve the same from lib/construct (tsx, jest) and from the
 * bundled dist/index.js.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

let cached: string | undefined;

export function packageRoot(): string {
  if (cached) return cached;
  for (let dir = __dirname; ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'natlab') {
      cached = dir;
      return dir;
    }
    if (dirname(dir) === dir) throw new Error(`cannot find natlab's package.json above ${__dirname}`);
  }
}

/** natlab's version, for the stack's marker output. */
export function packageVersion(): string {
  return (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
}
