/** Several problems in one input become one line: the first few, then how many more. */
import { InputError } from '../../errors';
import type { Problem } from './topology-schema';

const SHOWN = 3;

/** `FILE: path: what is wrong; path: what is wrong; and 2 more problems`. */
export function problemsError(input: string, problems: readonly Problem[]): InputError {
  // Paths and messages may quote the input; what they quote must not break the one line.
  const shown = problems.slice(0, SHOWN).map((p) => `${p.path}: ${p.message}`.replace(/\s*[\r\n]+\s*/g, ' '));
  const more = problems.length - SHOWN;
  if (more > 0) shown.push(`and ${more} more problem${more === 1 ? '' : 's'}`);
  return new InputError(`${input}: ${shown.join('; ')}`);
}
