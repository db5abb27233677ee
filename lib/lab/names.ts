/**
 * Per-run names: every namespace, interface and process of one twin run carries the same
 * prefix (`nl` + 6 hex + `-`), so runs can go in parallel and leftovers are easy to find.
 */
import { randomBytes } from 'node:crypto';
import { InputError } from '../errors';

/** Matches the prefix of any twin run: `nl` + 6 lowercase hex digits + `-`. */
export const RUN_PREFIX_PATTERN = /^nl[0-9a-f]{6}-/;

/** Linux limits interface names to 15 characters (IFNAMSIZ - 1). */
export const MAX_IFNAME = 15;

/** A fresh run prefix such as `nl3fa09c-`. */
export function newRunPrefix(): string {
  return `nl${randomBytes(3).toString('hex')}-`;
}

/** Checks a prefix given by a caller (tests, --cleanup). */
export function assertRunPrefix(prefix: string): void {
  if (!RUN_PREFIX_PATTERN.test(prefix) || prefix.length !== 9) {
    throw new InputError(`run prefix "${prefix}" must look like nl1a2b3c- (nl, 6 hex digits, a dash)`);
  }
}

/** A namespace name: prefix + a readable, sanitised component name. */
export function namespaceName(prefix: string, component: string): string {
  const clean = component.replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 40);
  return `${prefix}${clean}`;
}

/** An interface name: prefix + a short code; never longer than 15 characters. */
export function interfaceName(prefix: string, code: string): string {
  const name = `${prefix}${code}`;
  if (name.length > MAX_IFNAME) throw new Error(`interface name ${name} is longer than ${MAX_IFNAME} characters`);
  return name;
}
