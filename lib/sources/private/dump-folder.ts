/**
 * Finding and reading the files of a describe dump folder: any depth (`accounts/<id>/<region>/`),
 * symlinks followed once, each file bounded in size and nesting before it is parsed. What is
 * not a describe output is skipped and reported back, never an error; what cannot be read is.
 */
import { readdir, readFile, realpath, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { InputError } from '../../errors';
import { describeFsError } from './fs-error';

/** Folder levels below the dump folder that are searched (accounts/<id>/<region>/<call>/ fits). */
export const MAX_FOLDER_DEPTH = 8;
/** Files of one dump: far more than ~30 calls x regions x accounts, far less than a disk. */
export const MAX_DUMP_FILES = 20_000;
/** One describe output: the largest accounts' describe-instances stay well below this. */
export const MAX_DUMP_FILE_BYTES = 256 * 1024 * 1024;
/** Nesting of one describe output: real ones stay below 10 levels. */
export const MAX_JSON_DEPTH = 64;

const REGION_NAME = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d+$/;
const PREFIX_LIST_ID = /pl-[0-9a-f]{8,17}/;

/** A `.json` file found under the dump folder. */
export interface DumpEntry {
  readonly path: string;
  /** The nearest folder on its way that names a region. */
  readonly folderRegion?: string;
  /** A prefix list id its file or folder name carries (get-managed-prefix-list-entries outputs). */
  readonly pathPrefixListId?: string;
}

/** A file left out, and why (reported as a note). */
export interface SkippedFile {
  readonly path: string;
  readonly why: string;
}

/** Every `.json` file under `dir`, in path order, and what was passed over. */
export async function listDumpFiles(dir: string): Promise<{ entries: DumpEntry[]; skipped: SkippedFile[] }> {
  try {
    if (!(await stat(dir)).isDirectory()) throw new InputError(`${dir}: not a folder (--aws-dump takes a folder of describe-* JSON outputs)`);
  } catch (err) {
    if (err instanceof InputError) throw err;
    throw new InputError(`${dir}: cannot read the dump folder (${describeFsError(err)})`);
  }
  const entries: DumpEntry[] = [];
  const skipped: SkippedFile[] = [];
  // Real paths of the folders entered: a symlink back up the tree is entered once.
  const entered = new Set<string>();

  async function walk(folder: string, depth: number): Promise<void> {
    const real = await realpath(folder).catch(() => folder);
    if (entered.has(real)) return;
    entered.add(real);
    let names: string[];
    try {
      names = (await readdir(folder)).sort();
    } catch (err) {
      throw new InputError(`${folder}: cannot read the dump folder (${describeFsError(err)})`);
    }
    for (const name of names) {
      // Hidden files (.DS_Store, .git) are no collector's output.
      if (name.startsWith('.')) continue;
      const path = join(folder, name);
      let info;
      try {
        info = await stat(path);
      } catch (err) {
        // A dangling symlink, or an entry that vanished while listing: nothing to read.
        skipped.push({ path, why: `cannot be read (${describeFsError(err)}${(err as NodeJS.ErrnoException)?.code === 'ENOENT' ? ', a dangling symlink?' : ''})` });
        continue;
      }
      if (info.isDirectory()) {
        if (depth >= MAX_FOLDER_DEPTH) skipped.push({ path, why: `deeper than ${MAX_FOLDER_DEPTH} folder levels` });
        else await walk(path, depth + 1);
      } else if (name.toLowerCase().endsWith('.json') && info.isFile()) {
        if (entries.length >= MAX_DUMP_FILES) throw new InputError(`${dir}: more than ${MAX_DUMP_FILES} .json files (natlab's bound for one dump); point --aws-dump at one account or region`);
        if (info.size > MAX_DUMP_FILE_BYTES) throw new InputError(`${path}: ${info.size} bytes, larger than ${MAX_DUMP_FILE_BYTES / 1024 / 1024} MiB (natlab's bound for one describe output)`);
        entries.push(entryOf(dir, path));
      }
    }
  }

  await walk(dir, 0);
  return { entries, skipped };
}

function entryOf(dir: string, path: string): DumpEntry {
  const parts = relative(dir, path).split(sep);
  const folders = parts.slice(0, -1);
  const folderRegion = [...folders].reverse().find((p) => REGION_NAME.test(p));
  const pathPrefixListId = [...parts].reverse().map((p) => PREFIX_LIST_ID.exec(p)?.[0]).find(Boolean);
  return { path, ...(folderRegion ? { folderRegion } : {}), ...(pathPrefixListId ? { pathPrefixListId } : {}) };
}

/** The file's JSON: a UTF-8 BOM accepted, nesting bounded before parsing. */
export async function readJsonFile(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new InputError(`${path}: cannot be read (${describeFsError(err)})`);
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const depth = nestingBeyond(text, MAX_JSON_DEPTH);
  if (depth !== undefined) throw new InputError(`${path}: nested deeper than ${MAX_JSON_DEPTH} levels at character ${depth} (a describe output is a few levels deep)`);
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new InputError(`${path}: not valid JSON (${err instanceof SyntaxError ? err.message.split('\n')[0] : String(err)})`);
  }
}

/** The offset where brackets outside strings first nest deeper than `limit`, if they do. */
export function nestingBeyond(text: string, limit: number): number | undefined {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x7b || c === 0x5b) {
      if (++depth > limit) return i;
    } else if (c === 0x7d || c === 0x5d) {
      depth--;
    }
  }
  return undefined;
}
