/**
 * The shared harness of the property-based tests (fast-check): how many runs, which seed, and
 * the one property every reader keeps -- a result, or an InputError whose message is one line
 * naming the input; never another exception, never a hang.
 *
 * `NATLAB_FUZZ_RUNS` (default 200) and `NATLAB_FUZZ_SEED` (default fixed, so CI is repeatable)
 * tune every fuzz test; `npm run fuzz` runs 10,000 per property.
 */
import fc from 'fast-check';
import { InputError } from '../../lib/errors';

function intFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isSafeInteger(n)) throw new Error(`${name}=${raw} is not an integer`);
  return n;
}

/** How many generated inputs each property tries. */
export const FUZZ_RUNS: number = intFromEnv('NATLAB_FUZZ_RUNS', 200);
/** The seed of every property (fixed by default, so a failure in CI replays locally). */
export const FUZZ_SEED: number = intFromEnv('NATLAB_FUZZ_SEED', 20261202);

/** fast-check parameters built from FUZZ_RUNS and FUZZ_SEED; pass to `fc.assert`. */
export function fuzzParams<T>(extra: fc.Parameters<T> = {}): fc.Parameters<T> {
  return { numRuns: FUZZ_RUNS, seed: FUZZ_SEED, ...extra };
}

/** Throws unless `err` is an InputError with one non-empty line that names `input`. */
export function expectInputErrorNaming(err: unknown, input: string): void {
  if (!(err instanceof InputError)) {
    const e = err as Error;
    throw new Error(`expected a result or an InputError naming ${input}, got ${e?.name ?? typeof err}: ${e?.message ?? String(err)}\n${e?.stack ?? ''}`);
  }
  const message = err.message;
  if (message.trim() === '' || /[\r\n]/.test(message)) throw new Error(`InputError is not one line: ${JSON.stringify(message)}`);
  if (!message.includes(input)) throw new Error(`InputError does not name ${input}: ${JSON.stringify(message)}`);
  if (err.exitCode !== 2) throw new Error(`InputError exits ${err.exitCode}, not 2: ${message}`);
}

/**
 * `fn()` returns a result, or throws an InputError with one line naming `input` (a file name,
 * usually). Any other exception fails the property. Returns the result (undefined on an error).
 */
export function expectResultOrInputError<T>(fn: () => T, input: string): T | undefined {
  try {
    return fn();
  } catch (err) {
    expectInputErrorNaming(err, input);
    return undefined;
  }
}

class HangError extends Error {}

/**
 * The async form: `fn()` resolves, or rejects with an InputError with one line naming
 * `input`, within `timeoutMs` (a hang fails the property).
 */
export async function expectResultOrInputErrorAsync<T>(fn: () => Promise<T>, input: string, timeoutMs = 10_000): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new HangError(`no result or error for ${input} within ${timeoutMs} ms (a hang)`)), timeoutMs);
  });
  try {
    return await Promise.race([fn(), hang]);
  } catch (err) {
    if (err instanceof HangError) throw err;
    expectInputErrorNaming(err, input);
    return undefined;
  } finally {
    clearTimeout(timer);
  }
}
