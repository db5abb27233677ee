/**
 * Writing the files a command produces as Unix tools do: a regular file (or a new path) is
 * replaced atomically through a temporary file and a rename, so a reader never sees half a
 * file; a device, FIFO or socket is written through, never replaced (`/dev/stdout`, a pipe);
 * a symlink stays and its target is written; `-` is stdout. A failed write leaves no
 * temporary file. Targets are checked before the long work starts.
 */
import { randomBytes } from 'node:crypto';
import { accessSync, closeSync, constants, fchmodSync, lstatSync, openSync, realpathSync, renameSync, statSync, unlinkSync, writeSync, type Stats } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { InputError } from './errors';

/** The output path that means standard output. */
export const STDOUT_PATH = '-';

/** Thrown when the reader of a written-through output went away (EPIPE): not a failure, as with `head`. */
export class OutputClosedError extends Error {
  constructor(readonly path: string) {
    super(`the reader of ${path} went away`);
    this.name = 'OutputClosedError';
  }
}

/** One short reason for a file-system error, for an InputError sentence. */
export function fileErrorReason(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  if (e?.code === 'ENOENT') return 'no such file or directory';
  if (e?.code === 'EACCES' || e?.code === 'EPERM') return 'permission denied';
  if (e?.code === 'EISDIR') return 'it is a directory';
  if (e?.code === 'ENOTDIR') return 'a part of the path is not a directory';
  if (e?.code === 'ENOSPC') return 'no space left on the device';
  if (e?.code === 'EDQUOT') return 'disk quota exceeded';
  if (e?.code === 'EROFS') return 'read-only file system';
  if (e?.code === 'ELOOP') return 'too many levels of symbolic links';
  return e?.message ?? String(err);
}

/** How a target is written. */
type TargetKind =
  | { readonly kind: 'stdout' }
  /** Replaced atomically: `path` is where the rename goes (a symlink's final target). */
  | { readonly kind: 'replace'; readonly path: string }
  /** Opened and written in place: a device, FIFO or socket (or a dangling symlink's target). */
  | { readonly kind: 'through'; readonly path: string };

function statOrUndefined(path: string, follow: boolean): Stats | undefined {
  try {
    return follow ? statSync(path) : lstatSync(path);
  } catch {
    return undefined;
  }
}

/**
 * Decides how `path` is written, or throws an InputError naming `label` (the flag and path):
 * empty, a directory, a folder that is missing or not writable.
 */
function classify(path: string, label: string): TargetKind {
  if (path === '') throw new InputError(`${label}: an empty file name; give a file name, or - for stdout`);
  if (path === STDOUT_PATH) return { kind: 'stdout' };
  const absolute = resolve(path);
  const link = statOrUndefined(absolute, false);
  const target = statOrUndefined(absolute, true);
  if (target?.isDirectory()) throw new InputError(`${label}: it is a directory; give a file name`);
  if (target && !target.isFile()) return { kind: 'through', path: absolute };
  // A dangling symlink: write through it (creating its target), never replace the link.
  if (link?.isSymbolicLink() && !target) return { kind: 'through', path: absolute };
  // A symlink to a regular file keeps the link: its final target is replaced.
  const final = link?.isSymbolicLink() ? realpathSync(absolute) : absolute;
  const folder = dirname(final);
  try {
    if (!statSync(folder).isDirectory()) throw Object.assign(new Error('not a directory'), { code: 'ENOTDIR' });
    accessSync(folder, constants.W_OK);
  } catch (err) {
    throw new InputError(`${label}: cannot write into ${folder}: ${fileErrorReason(err)}`);
  }
  return { kind: 'replace', path: final };
}

/**
 * Refuses (InputError) an output path that cannot be written: empty, a directory, or a path
 * whose folder is missing or not writable. Call it before the work whose result goes there.
 */
export function assertWritableTarget(path: string, flag: string): void {
  classify(path, `${flag} ${path === '' ? '""' : path}`);
}

/** One file to write. */
export interface FileToWrite {
  /** The path as the user gave it (named in errors); `-` is stdout. */
  readonly path: string;
  /** The whole content. */
  readonly content: string;
  /** The flag that named it, for error messages. @default none */
  readonly flag?: string;
}

/**
 * Writes `content` to `path` (see the module comment for how each kind of path is written).
 * Returns the absolute path (`-` for stdout).
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

/** Writes all of `content` to an open descriptor (writeSync may write less than asked). */
function writeAll(fd: number, content: string): void {
  const bytes = Buffer.from(content, 'utf8');
  let offset = 0;
  while (offset < bytes.length) offset += writeSync(fd, bytes, offset, bytes.length - offset);
}

/** Writes into what is already there (a device, a FIFO, a pipe): no temporary file, no rename. */
function writeThrough(path: string, content: string): void {
  const fd = openSync(path, 'w');
  try {
    writeAll(fd, content);
  } finally {
    closeSync(fd);
  }
}

/** Writes to a new temporary file beside `target`; on failure removes it and rethrows. */
function writeTemp(target: string, content: string): string {
  const temp = join(dirname(target), `.${basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  let fd: number | undefined;
  try {
    fd = openSync(temp, 'wx', 0o644);
    // A replaced file keeps its permissions, as `sed -i` leaves them.
    const existing = statOrUndefined(target, true);
    if (existing?.isFile()) fchmodSync(fd, existing.mode & 0o7777);
    writeAll(fd, content);
    closeSync(fd);
    fd = undefined;
    return temp;
  } catch (err) {
    if (fd !== undefined) closeSync(fd);
    removeQuietly(temp);
    throw err;
  }
}

/**
 * Writes all `files`: every target is checked first, then regular files are written to
 * temporary files and renamed into place together (one that fails leaves none of them, and no
 * temporary file), then devices, FIFOs and stdout are written through. Returns the absolute
 * paths in order (`-` for stdout). Throws an InputError naming the first file that cannot be
 * written, or OutputClosedError when a written-through reader went away (EPIPE).
 */
export function writeFilesAtomic(files: readonly FileToWrite[]): string[] {
  const kinds = files.map((f) => classify(f.path, f.flag ? `${f.flag} ${f.path === '' ? '""' : f.path}` : `cannot write ${f.path}`));
  const seen = new Map<string, string>();
  files.forEach((f, i) => {
    const k = kinds[i];
    const key = k.kind === 'stdout' ? STDOUT_PATH : k.path;
    const earlier = seen.get(key);
    if (earlier !== undefined) throw new InputError(`cannot write ${f.path}: it is also the target of ${earlier}`);
    seen.set(key, f.path);
  });

  const temps = new Map<number, string>();
  const created: string[] = [];
  let current = '';
  try {
    files.forEach((f, i) => {
      const k = kinds[i];
      current = f.path;
      if (k.kind === 'replace') temps.set(i, writeTemp(k.path, f.content));
    });
    files.forEach((f, i) => {
      const k = kinds[i];
      current = f.path;
      if (k.kind !== 'replace') return;
      const isNew = statOrUndefined(k.path, false) === undefined;
      renameSync(temps.get(i)!, k.path);
      temps.delete(i);
      if (isNew) created.push(k.path);
    });
  } catch (err) {
    for (const t of temps.values()) removeQuietly(t);
    for (const c of created) removeQuietly(c);
    throw new InputError(`cannot write ${current}: ${fileErrorReason(err)}`);
  }
  files.forEach((f, i) => {
    const k = kinds[i];
    if (k.kind === 'replace') return;
    try {
      if (k.kind === 'stdout') process.stdout.write(f.content);
      else writeThrough(k.path, f.content);
    } catch (err) {
      if ((err as NodeJS.ErrnoException)?.code === 'EPIPE') throw new OutputClosedError(f.path);
      throw new InputError(`cannot write ${f.path}: ${fileErrorReason(err)}`);
    }
  });
  return kinds.map((k) => (k.kind === 'stdout' ? STDOUT_PATH : k.path));
}
