/** The fuzz harness itself: it must fail on what it exists to catch. */
import { InputError } from '../../lib/errors';
import { expectResultOrInputError, expectResultOrInputErrorAsync, FUZZ_RUNS, FUZZ_SEED, fuzzParams } from './harness';

describe('fuzz harness', () => {
  it('passes a result through and accepts a one-line InputError naming the input', () => {
    expect(expectResultOrInputError(() => 42, 'a.json')).toBe(42);
    expect(
      expectResultOrInputError(() => {
        throw new InputError('a.json: Resources.X: not a CIDR block');
      }, 'a.json'),
    ).toBeUndefined();
  });

  it('fails on another exception, a multi-line message, or a message that names no input', () => {
    const boom = () => {
      throw new TypeError("Cannot read properties of undefined (reading 'cidr')");
    };
    expect(() => expectResultOrInputError(boom, 'a.json')).toThrow(/TypeError/);
    expect(() =>
      expectResultOrInputError(() => {
        throw new InputError('a.json: two\nlines');
      }, 'a.json'),
    ).toThrow(/not one line/);
    expect(() =>
      expectResultOrInputError(() => {
        throw new InputError('something is wrong');
      }, 'a.json'),
    ).toThrow(/does not name a\.json/);
    expect(() =>
      expectResultOrInputError(() => {
        throw new InputError('a.json: check failed', 1);
      }, 'a.json'),
    ).toThrow(/exits 1/);
  });

  it('fails an async reader that hangs', async () => {
    await expect(expectResultOrInputErrorAsync(() => new Promise(() => undefined), 'slow.yaml', 50)).rejects.toThrow(/hang/);
    await expect(expectResultOrInputErrorAsync(async () => 'ok', 'a.yaml')).resolves.toBe('ok');
  });

  it('reads runs and seed as fast-check parameters', () => {
    expect(fuzzParams()).toMatchObject({ numRuns: FUZZ_RUNS, seed: FUZZ_SEED });
    expect(Number.isSafeInteger(FUZZ_RUNS) && FUZZ_RUNS > 0).toBe(true);
  });
});
