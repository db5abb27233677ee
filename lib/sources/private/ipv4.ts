/**
 * The little IPv4 arithmetic the sources need to check their input (an address inside its
 * subnet, a CIDR that parses). The model has its own; sources validate before it runs.
 */

/** The address as a 32-bit unsigned number, or undefined when it is not dotted-quad IPv4. */
export function parseIpv4(text: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (!m) return undefined;
  const parts = m.slice(1).map(Number);
  if (parts.some((p) => p > 255)) return undefined;
  return ((parts[0] << 24) | (parts[1] << 16) | (parts[2] << 8) | parts[3]) >>> 0;
}

/** 32-bit number -> dotted quad. */
export function formatIpv4(n: number): string {
  return [24, 16, 8, 0].map((shift) => (n >>> shift) & 255).join('.');
}

export interface Cidr {
  readonly base: number;
  readonly prefix: number;
}

/** The network and prefix of `a.b.c.d/n`, or undefined when it does not parse. */
export function parseCidr(text: string): Cidr | undefined {
  const m = /^([^/]+)\/(\d{1,2})$/.exec(text);
  if (!m) return undefined;
  const base = parseIpv4(m[1]);
  const prefix = Number(m[2]);
  if (base === undefined || prefix > 32) return undefined;
  return { base, prefix };
}

function mask(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

/** True when the CIDR's address has no bits set past its prefix (10.0.0.0/24, not 10.0.0.1/24). */
export function isNetworkAddress(cidr: Cidr): boolean {
  return ((cidr.base & mask(cidr.prefix)) >>> 0) === cidr.base;
}

/** True when `ip` lies inside `cidr`. */
export function cidrContains(cidr: Cidr, ip: number): boolean {
  const m = mask(cidr.prefix);
  return ((ip & m) >>> 0) === ((cidr.base & m) >>> 0);
}

/** True when every address of `inner` lies inside `outer`. */
export function cidrWithin(inner: Cidr, outer: Cidr): boolean {
  return inner.prefix >= outer.prefix && cidrContains(outer, inner.base);
}

/** True when two CIDRs share at least one address. */
export function cidrsOverlap(a: Cidr, b: Cidr): boolean {
  return cidrContains(a, b.base) || cidrContains(b, a.base);
}
