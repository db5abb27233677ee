/**
 * The twin's tests need root and the twin's tools. Without them they FAIL (a missing
 * prerequisite must not look like a pass); a developer may skip them explicitly with
 * NATLAB_SKIP_ROOT_TESTS=1.
 */
import { execFileSync } from 'node:child_process';
import { missingPrerequisites } from '../../lib/lab/prereq';

/** The developer opt-out; CI may never use it (CI must run the twin for real). */
export function rootTestsSkipped(env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.CI && env.NATLAB_SKIP_ROOT_TESTS) {
    throw new Error('NATLAB_SKIP_ROOT_TESTS is set on CI: the local twin tests must run there (unset it; .ci/run installs what they need)');
  }
  return env.NATLAB_SKIP_ROOT_TESTS === '1';
}

/** True only when a developer asked to skip the root tests. */
export const skipRootTests = rootTestsSkipped();

/** `describe` for tests that build real twins. */
export const describeRoot: jest.Describe = skipRootTests ? describe.skip : describe;

/** Fails the suite (not skips it) when the machine cannot run the twin. */
export function requireTwinPrerequisites(): void {
  beforeAll(() => {
    const missing = missingPrerequisites();
    if (missing.length) throw new Error(`the local twin tests need ${missing.join('; and ')} (set NATLAB_SKIP_ROOT_TESTS=1 to skip them on purpose)`);
  });
}

/** Network namespaces of the host whose name starts with the prefix. */
export function namespacesWith(prefix: string): string[] {
  return execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })
    .split('\n')
    .map((l) => l.split(' ')[0])
    .filter((n) => n.startsWith(prefix));
}

/** Interfaces in the host's own namespace whose name starts with the prefix. */
export function hostInterfacesWith(prefix: string): string[] {
  return execFileSync('ip', ['-o', 'link'], { encoding: 'utf8' })
    .split('\n')
    .map((l) => l.split(':')[1]?.trim().split('@')[0] ?? '')
    .filter((n) => n.startsWith(prefix));
}

/** Processes whose command line mentions the prefix (every twin process runs under `ip netns exec <prefix>...`). */
export function processesWith(prefix: string): string[] {
  return execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' })
    .split('\n')
    .filter((l) => l.includes(prefix) && !l.includes('ps -eo'));
}
