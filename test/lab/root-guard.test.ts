/** CI never skips the twin's root tests; a developer may, on purpose. */
import { rootTestsSkipped } from './root';

describe('the root-test opt-out', () => {
  it('fails on CI instead of skipping', () => {
    expect(() => rootTestsSkipped({ CI: 'true', NATLAB_SKIP_ROOT_TESTS: '1' })).toThrow(/NATLAB_SKIP_ROOT_TESTS is set on CI/);
  });

  it('lets a developer skip them explicitly, and runs them otherwise', () => {
    expect(rootTestsSkipped({ NATLAB_SKIP_ROOT_TESTS: '1' })).toBe(true);
    expect(rootTestsSkipped({ CI: 'true' })).toBe(false);
    expect(rootTestsSkipped({})).toBe(false);
  });
});
