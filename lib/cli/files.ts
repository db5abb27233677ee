/**
 * Writing the files a command produces: checked before the long work starts, written through
 * a temporary file and a rename so a reader never sees half a file and a failure leaves none.
 */
import { randomBytes } from 'node:crypto';
import { accessSync, constants, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { InputError } from '../errors';

/** One short reason for a file-system error, for an InputError sentence. */
export function fileErrorReason(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  if (e?.code === 'ENOENT') return 'no such file or directory';
  if (e?.code === 'EACCES' || e?.code === 'EPERM') return 'permission denied';
  if (e?.code === 'EISDIR') return 'it is a directory';
  if (e?.code === 'ENOTDIR') return 'a part of the path is not a directory';
  return e?.message ?? String(err);
}

/**
 * Refuses (InputError) an output path that cannot be written: a directory, or a path whose
 * folder is missing or not writable. Call it before the work whose result goes there.
 */
export function assertWritableTarget(path: string, flag: string): void {
  const target = resolve(path);
  let isDirectory = false;
  try {
    isDirectory = statSync(target).isDirectory();
  } catch {
    // does not exist yet: the folder decides
  }
  if (isDirectory) throw new InputError(`${flag} ${path}: it is a directory; give a file name`);
  try {
    if (!statSync(dirname(target)).isDirectory()) throw Object.assign(new Error('not a directory'), { code: 'ENOTDIR' });
    accessSync(dirname(target), constants.W_OK);
  } catch (err) {
    throw new InputError(`${flag} ${path}: cannot write into ${dirname(target)}: ${fileErrorReason(err)}`);
  }
}

/**
 * Writes `content` to `path` through a temporary file in the same folder and a rename, so a
 * reader never sees half a file and a failure leaves nothing behind. Returns the absolute path.
 */
export function writeFileAtomic(path: string, content: string): string {
  const target = resolve(path);
  const temp = join(dirname(target), `.${basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    writeFileSync(temp, content, { flag: 'wx' });
    renameSync(temp, target);
  } catch (err) {
    try {
      unlinkSync(temp);
    } catch {
      // The temporary file was never created.
    }
    throw new InputError(`cannot write ${path}: ${fileErrorReason(err)}`);
  }
  return target;
}
