/**
 * File-system errors in the words a person reads, for the sources' one-line messages. A module
 * of its own so that reading a template or a dump does not load the scenario schema (zod).
 */

/** `ENOENT` -> "no such file", without Node's stack-ish wording. */
export function describeFsError(err: unknown): string {
  const code = (err as NodeJS.ErrnoException)?.code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES') return 'permission denied';
  if (code === 'EISDIR') return 'it is a directory';
  if (code === 'ENOTDIR') return 'not a directory';
  return code ?? (err instanceof Error ? err.message : String(err));
}
