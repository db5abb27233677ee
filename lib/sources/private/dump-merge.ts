/**
 * Several describe outputs (pages, regions, accounts) merged into one `DescribeOutputs`. A VPC
 * shared across accounts shows up in each participant's dump: the same resource seen twice is
 * one resource when it agrees on everything but tags (which are per account), timestamps and
 * counters; a real difference is one error naming both files and the first field that differs.
 */
import { InputError } from '../../errors';
import { emptyDescribeOutputs, type DescribeOutputs } from '../aws-describe';
import type { DumpFile } from '../aws-dump';
import { READ_KINDS, type ReadKind } from './describe-kinds';

/** Fields two sightings of one resource may differ in: per-account tags, moments, counters. */
const VOLATILE = (key: string): boolean => key === 'Tags' || key === 'TagSet' || key === 'AvailableIpAddressCount' || /Time$/.test(key);

type Item = Record<string, unknown>;

/** All files' lists, each resource once. */
export function mergeDumpFiles(files: readonly DumpFile[]): DescribeOutputs {
  const merged = emptyDescribeOutputs() as unknown as Record<string, unknown[]>;
  const seen = new Map<string, { item: Item; path: string }>();
  const entries = new Map<string, Item[]>();
  for (const f of files) {
    for (const [key, items] of Object.entries(f.outputs) as Array<[ReadKind, Item[]]>) {
      if (key === 'Entries') {
        addEntries(merged, entries, f, items);
        continue;
      }
      const { list, id } = READ_KINDS[key];
      for (const item of items) {
        const itemId = `${key}:${String(item[id])}`;
        const earlier = seen.get(itemId);
        if (!earlier) {
          const copy = { ...item };
          seen.set(itemId, { item: copy, path: f.path });
          merged[list].push(copy);
          continue;
        }
        // describe-prefix-lists and describe-managed-prefix-lists describe one list by different fields.
        const difference = key === 'PrefixLists' ? firstDifference(pick(earlier.item, item), pick(item, earlier.item), '') : firstDifference(earlier.item, item, '');
        if (difference) {
          throw new InputError(
            `${f.path}: ${id} ${String(item[id])} is also in ${earlier.path} with different content (${key}${difference.path}: ${difference.here} here, ${difference.there} there); the same resource in two dumps must agree`,
          );
        }
        mergeTags(earlier.item, item);
        if (key === 'PrefixLists') for (const [k, v] of Object.entries(item)) if (!(k in earlier.item)) earlier.item[k] = v;
      }
    }
  }
  return merged as unknown as DescribeOutputs;
}

/**
 * get-managed-prefix-list-entries: a collector may write one list's pages as several files
 * (`pl-.../page-1.json`), and each account of a shared list sees the same entries: the
 * entries of one list are united, each CIDR once.
 */
function addEntries(merged: Record<string, unknown[]>, entries: Map<string, Item[]>, f: DumpFile, items: Item[]): void {
  const id = f.prefixListId!;
  let list = entries.get(id);
  if (!list) {
    list = [];
    entries.set(id, list);
    merged.prefixListEntries.push({ PrefixListId: id, Entries: list });
  }
  const known = new Set(list.map((e) => e.Cidr));
  for (const e of items) {
    if (known.has(e.Cidr)) continue;
    list.push(e);
    known.add(e.Cidr);
  }
}

/** The fields of `item` that `other` has too. */
function pick(item: Item, other: Item): Item {
  return Object.fromEntries(Object.entries(item).filter(([k]) => k in other));
}

/** Tags are per account: a participant may see none or others; keep every key once. */
function mergeTags(into: Item, from: Item): void {
  for (const key of ['Tags', 'TagSet']) {
    const theirs = from[key];
    if (!Array.isArray(theirs)) continue;
    const ours = Array.isArray(into[key]) ? (into[key] as Item[]) : [];
    const keys = new Set(ours.map((t) => t.Key));
    into[key] = [...ours, ...(theirs as Item[]).filter((t) => !keys.has(t.Key))];
  }
}

/** The first place two sightings differ (volatile fields aside), with both values shown short. */
export function firstDifference(a: unknown, b: unknown, path: string): { path: string; here: string; there: string } | undefined {
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return { path, here: `${b.length} entries`, there: `${a.length} entries` };
    for (let i = 0; i < a.length; i++) {
      const d = firstDifference(a[i], b[i], `${path}[${i}]`);
      if (d) return d;
    }
    return undefined;
  }
  if (isObject(a) && isObject(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)].filter((k) => !VOLATILE(k)));
    for (const k of [...keys].sort()) {
      const d = firstDifference(a[k], b[k], `${path}.${k}`);
      if (d) return d;
    }
    return undefined;
  }
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime() ? undefined : { path, here: b.toISOString(), there: a.toISOString() };
  return Object.is(a, b) ? undefined : { path, here: short(b), there: short(a) };
}

function isObject(v: unknown): v is Item {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);
}

function short(v: unknown): string {
  if (v === undefined) return 'absent';
  const text = JSON.stringify(v) ?? String(v);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}
