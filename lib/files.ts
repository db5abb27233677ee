/**
 * Writing the files a command produces: checked before the long work starts, written through
 * a temporary file and a rename so a reader never sees half a file and a failure leaves none.
 */
import { randomBytes } from 'node:crypto';
import { accessSync, constants, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { InputError } from './errors';

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

/** One file to write. */
export interface FileToWrite {
  /** The path as the user gave it (named in errors). */
  readonly path: string;
  /** The whole content. */
  readonly content: string;
}

/**
 * Writes `content` to `path` through a temporary file in the same folder and a rename, so a
 * reader never sees half a file and a failure leaves nothing behind. Returns the absolute path.
 */
export function writeFileAtomic(path: string, content: string): string {
  return writeFilesAtomic([{ path, content }])[0];
}

function removeQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // Already gone or never created.
  }
}

/** The target's folder must be a folder and the target itself must not be one. */
function checkTarget(path: string, target: string): void {
  try {
    if (!statSync(dirname(target)).isDirectory()) throw Object.assign(new Error('not a directory'), { code: 'ENOTDIR' });
  } catch (err) {
    throw new InputError(`cannot write ${path}: ${fileErrorReason(err)}`);
  }
  const existing = statSync(target, { throwIfNoEntry: false });
  if (existing?.isDirectory()) throw new InputError(`cannot write ${path}: it is a directory`);
}

/**
 * Writes all `files` or none: every target is checked, every temporary file written, and only
 * then are they renamed into place. Returns their absolute paths in order. Throws an InputError
 * naming the first file that cannot be written; temporary files and any target it had already
 * created are removed.
 */
export function writeFilesAtomic(files: readonly FileToWrite[]): string[] {
  const targets = files.map((f) => resolve(f.path));
  const seen = new Map<string, string>();
  files.forEach((f, i) => {
    const earlier = seen.get(targets[i]);
    if (earlier !== undefined) throw new InputError(`cannot write ${f.path}: it is also the target of ${earlier}`);
    seen.set(targets[i], f.path);
  });
  files.forEach((f, i) => checkTarget(f.path, targets[i]));

  const temps: string[] = [];
  const created: string[] = [];
  let current = '';
  try {
    files.forEach((f, i) => {
      current = f.path;
      const temp = join(dirname(targets[i]), `.${basename(targets[i])}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
      writeFileSync(temp, f.content, { flag: 'wx' });
      temps.push(temp);
    });
    files.forEach((f, i) => {
      current = f.path;
      const isNew = statSync(targets[i], { throwIfNoEntry: false }) === undefined;
      renameSync(temps[i], targets[i]);
      if (isNew) created.push(targets[i]);
    });
  } catch (err) {
    for (const t of temps) removeQuietly(t);
    for (const c of created) removeQuietly(c);
    throw new InputError(`cannot write ${current}: ${fileErrorReason(err)}`);
  }
  return targets;
}
