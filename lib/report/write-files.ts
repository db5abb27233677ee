/**
 * Writes several report files as one step: every target is checked, every temporary file is
 * written, and only then are they renamed into place, so a failure leaves none of them behind.
 */
import { randomBytes } from 'node:crypto';
import { renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { InputError } from '../errors';

/** One file to write. */
export interface FileToWrite {
  /** The path as the user gave it (named in errors). */
  readonly path: string;
  /** The whole content. */
  readonly content: string;
}

/** Says in a few words why a file operation failed. */
export function fileErrorReason(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  if (e?.code === 'ENOENT') return 'no such file or directory';
  if (e?.code === 'EACCES' || e?.code === 'EPERM') return 'permission denied';
  if (e?.code === 'EISDIR') return 'it is a directory';
  if (e?.code === 'ENOTDIR') return 'a part of the path is not a directory';
  return e?.message ?? String(err);
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
 * Writes all `files` or none: returns their absolute paths in order. Throws an InputError naming
 * the first file that cannot be written; temporary files and any target it had already created
 * are removed.
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
