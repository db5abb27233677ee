import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

// The published entry point: `npx natlab` runs dist/natlab.js, which `npm ci` builds (prepare).
describe('natlab CLI entry', () => {
  const root = join(__dirname, '..', '..');
  beforeAll(() => execFileSync('node', ['scripts/build.mjs'], { cwd: root }));

  it('prints help listing its commands', () => {
    const out = execFileSync('node', ['dist/natlab.js', '--help'], { cwd: root, encoding: 'utf8' });
    expect(out).toContain('Usage: natlab');
  });

  it('exits 2 with one line for an unknown option', () => {
    let status = 0;
    let stderr = '';
    try {
      execFileSync('node', ['dist/natlab.js', '--no-such-option'], { cwd: root, encoding: 'utf8', stdio: 'pipe' });
    } catch (err) {
      const e = err as { status: number; stderr: string };
      status = e.status;
      stderr = e.stderr;
    }
    expect(status).toBe(2);
    // One line naming the input, in natlab's own form; no usage dump, no stack trace.
    expect(stderr.trim().split('\n')).toEqual([expect.stringMatching(/^natlab: unknown option '--no-such-option'/)]);
  });
});
