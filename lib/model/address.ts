/**
 * IPv4 addresses and CIDR blocks: parsing, containment, overlap, the five addresses AWS
 * reserves in every subnet, and values that only exist after deploy (`<...>`).
 */
import { InputError } from '../errors';
import type { IpValue } from './types';

/** A parsed CIDR block: network address as an unsigned 32-bit number and prefix length. */
export interface Cidr {
  /** The network address (host bits cleared), unsigned 32-bit. */
  readonly network: number;
  /** Prefix length, 0-32. */
  readonly prefix: number;
  /** The netmask, unsigned 32-bit. */
  readonly mask: number;
  /** The CIDR as written after normalisation ("10.0.0.0/16"). */
  readonly text: string;
}

const QUAD = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/** True for a value only known after deploy, written `<where it comes from>`. */
export function isUnresolvedIp(value: string): boolean {
  return value.length >= 2 && value.startsWith('<') && value.endsWith('>');
}

/** Makes an unresolved address from a description (`<Fn::GetAtt LabNatEip.PublicIp>`). */
export function unresolvedIp(description: string): IpValue {
  return isUnresolvedIp(description) ? description : `<${description}>`;
}

/**
 * A private IP chosen at deploy, known only to lie in a block (an instance's address in its
 * subnet): `<EC2InstanceA private IP: any address of 10.0.1.0/24>`. Routes and rules then
 * match it when they hold the whole block, miss it when they hold none of it, and say
 * `unknown` otherwise.
 */
export function symbolicIp(description: string, within: string): IpValue {
  return `<${description}: any address of ${parseCidr(within).text}>`;
}

const SYMBOLIC = /: any address of (\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}\/\d{1,2})>$/;

/** Blocks of the symbolic addresses seen so far: a walk asks about the same few many times. */
const symbolicCache = new Map<string, Cidr | null>();

/** The block a symbolic address lies in (see `symbolicIp`), or undefined for any other value. */
export function symbolicBlock(value: IpValue): Cidr | undefined {
  if (!value.endsWith('>')) return undefined;
  let block = symbolicCache.get(value);
  if (block === undefined) {
    const m = SYMBOLIC.exec(value);
    block = m ? parseCidr(m[1]) : null;
    if (symbolicCache.size >= CIDR_CACHE_LIMIT) symbolicCache.clear();
    symbolicCache.set(value, block);
  }
  return block ?? undefined;
}

/**
 * An address as a sentence writes it: a symbolic one as "EC2InstanceA private IP (an address of
 * 10.0.1.0/24)" rather than its token; any other value as it is.
 */
export function addressText(value: IpValue): string {
  const block = symbolicBlock(value);
  if (!block) return value;
  const description = value.slice(1, value.lastIndexOf(': any address of '));
  return `${description} (an address of ${block.text})`;
}

/** True when `value` is a dotted-quad IPv4 address. */
export function isIpv4(value: string): boolean {
  const m = QUAD.exec(value);
  return m !== null && m.slice(1).every((part) => Number(part) <= 255 && (part.length === 1 || !part.startsWith('0')));
}

/** Parses a dotted-quad IPv4 address into an unsigned 32-bit number. */
export function parseIp(value: string, what = 'IP address'): number {
  const m = QUAD.exec(value);
  if (!m || !isIpv4(value)) throw new InputError(`${what} "${value}" is not an IPv4 address (expected four numbers 0-255, like 10.0.1.32)`);
  return ((Number(m[1]) << 24) | (Number(m[2]) << 16) | (Number(m[3]) << 8) | Number(m[4])) >>> 0;
}

/** Formats an unsigned 32-bit number as a dotted quad. */
export function formatIp(n: number): string {
  return `${(n >>> 24) & 255}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

/** The netmask of a prefix length as an unsigned 32-bit number. */
export function prefixMask(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

/** Parsed blocks by text: route tables and rules repeat the same few CIDRs in every walk. */
const cidrCache = new Map<string, Cidr>();
const CIDR_CACHE_LIMIT = 10_000;

/** Parses "a.b.c.d/n"; host bits set are bad input (AWS rejects them too). */
export function parseCidr(value: string, what = 'CIDR'): Cidr {
  const cached = cidrCache.get(value);
  if (cached !== undefined) return cached;
  const parsed = parseCidrUncached(value, what);
  if (cidrCache.size >= CIDR_CACHE_LIMIT) cidrCache.clear();
  cidrCache.set(value, parsed);
  return parsed;
}

function parseCidrUncached(value: string, what: string): Cidr {
  const slash = value.indexOf('/');
  if (slash < 0) throw new InputError(`${what} "${value}" is not a CIDR block (expected address/prefix, like 10.0.0.0/16)`);
  const ipText = value.slice(0, slash);
  const prefixText = value.slice(slash + 1);
  if (!/^\d{1,2}$/.test(prefixText) || Number(prefixText) > 32) {
    throw new InputError(`${what} "${value}" has prefix length "${prefixText}"; it must be a number 0-32`);
  }
  const prefix = Number(prefixText);
  const ip = parseIp(ipText, what);
  const mask = prefixMask(prefix);
  const network = (ip & mask) >>> 0;
  if (network !== ip) {
    throw new InputError(`${what} "${value}" has host bits set; the network address is ${formatIp(network)}/${prefix}`);
  }
  return { network, prefix, mask, text: `${formatIp(network)}/${prefix}` };
}

/** The prefix length of a CIDR block. */
export function prefixLength(cidr: string | Cidr): number {
  return (typeof cidr === 'string' ? parseCidr(cidr) : cidr).prefix;
}

/** True when the address lies inside the block. */
export function cidrContains(cidr: string | Cidr, ip: string | number): boolean {
  const block = typeof cidr === 'string' ? parseCidr(cidr) : cidr;
  const n = typeof ip === 'number' ? ip : parseIp(ip);
  return ((n & block.mask) >>> 0) === block.network;
}

/** True when the two blocks share at least one address. */
export function cidrOverlap(a: string | Cidr, b: string | Cidr): boolean {
  const x = typeof a === 'string' ? parseCidr(a) : a;
  const y = typeof b === 'string' ? parseCidr(b) : b;
  const mask = x.prefix < y.prefix ? x.mask : y.mask;
  return ((x.network & mask) >>> 0) === ((y.network & mask) >>> 0);
}

/** The number of addresses in a block. */
export function cidrSize(cidr: string | Cidr): number {
  return 2 ** (32 - (typeof cidr === 'string' ? parseCidr(cidr) : cidr).prefix);
}

/** The addresses AWS reserves in a subnet: network, router, DNS, future use and broadcast. */
export interface ReservedAddresses {
  /** The network address (first). */
  readonly network: string;
  /** The VPC router, network + 1: every host's default gateway. */
  readonly router: string;
  /** The Amazon-provided DNS, network + 2. */
  readonly dns: string;
  /** Reserved by AWS for future use, network + 3. */
  readonly future: string;
  /** The broadcast address (last; VPCs do not support broadcast). */
  readonly broadcast: string;
}

/** The five reserved addresses of a subnet CIDR. */
export function subnetReserved(cidr: string | Cidr): ReservedAddresses {
  const block = typeof cidr === 'string' ? parseCidr(cidr) : cidr;
  const last = (block.network + cidrSize(block) - 1) >>> 0;
  return {
    network: formatIp(block.network),
    router: formatIp(block.network + 1),
    dns: formatIp(block.network + 2),
    future: formatIp(block.network + 3),
    broadcast: formatIp(last),
  };
}

/** What a reserved address is for, or undefined when the address is usable by a host. */
export function reservedRole(cidr: string | Cidr, ip: string): keyof ReservedAddresses | undefined {
  const reserved = subnetReserved(cidr);
  for (const role of ['network', 'router', 'dns', 'future', 'broadcast'] as const) {
    if (reserved[role] === ip) return role;
  }
  return undefined;
}

/** The router address (network + 1) of a subnet: the default gateway of its hosts. */
export function subnetRouter(cidr: string | Cidr): string {
  return formatIp(((typeof cidr === 'string' ? parseCidr(cidr) : cidr).network + 1) >>> 0);
}

/** The IPv4 documentation ranges (RFC 5737): the only public addresses the local twin uses. */
export const DOCUMENTATION_RANGES: readonly string[] = ['192.0.2.0/24', '198.51.100.0/24', '203.0.113.0/24'];

/** True when the address lies in one of the documentation ranges. */
export function isDocumentationIp(ip: string): boolean {
  if (!isIpv4(ip)) return false;
  return DOCUMENTATION_RANGES.some((range) => cidrContains(range, ip));
}

/** The n-th address (0-based) of the documentation ranges, in order: 192.0.2.1 first. */
export function documentationIp(n: number): string {
  if (!Number.isInteger(n) || n < 0 || n >= 3 * 254) {
    throw new InputError(`documentation address index ${n} is out of range (0-${3 * 254 - 1})`);
  }
  const range = parseCidr(DOCUMENTATION_RANGES[Math.floor(n / 254)]);
  return formatIp(range.network + 1 + (n % 254));
}

const PRIVATE_RANGES = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10'].map((c) => parseCidr(c));

const SPECIAL_RANGES: ReadonlyArray<readonly [Cidr, string]> = [
  [parseCidr('0.0.0.0/8'), '"this network"'],
  [parseCidr('127.0.0.0/8'), 'loopback'],
  [parseCidr('169.254.0.0/16'), 'link-local'],
  [parseCidr('224.0.0.0/4'), 'multicast'],
  [parseCidr('240.0.0.0/4'), 'reserved (or broadcast)'],
];

/**
 * What kind of special address an IP is (loopback, link-local, multicast, reserved, "this
 * network"), or undefined for a unicast address a route table can carry.
 */
export function specialAddressKind(ip: string): string | undefined {
  if (!isIpv4(ip)) return undefined;
  const n = parseIp(ip);
  return SPECIAL_RANGES.find(([block]) => cidrContains(block, n))?.[1];
}

/** True for an IPv6 address literal ("2001:db8::1", "::1"); the model carries these but walks IPv4 only. */
export function isIpv6(value: string): boolean {
  return value.includes(':') && !value.startsWith('<') && /^[0-9a-fA-F:.]+$/.test(value) && (value.match(/:/g)?.length ?? 0) >= 2;
}

/** True for RFC 1918 and shared (100.64/10) addresses: not routable on the internet. */
export function isPrivateIp(ip: string): boolean {
  const within = symbolicBlock(ip);
  if (within) return PRIVATE_RANGES.some((block) => within.prefix >= block.prefix && cidrContains(block, within.network));
  if (!isIpv4(ip)) return false;
  const n = parseIp(ip);
  return PRIVATE_RANGES.some((block) => cidrContains(block, n));
}

/** Three-valued containment for values that may be unresolved: unknown when it cannot tell. */
export function cidrMatches(cidr: string, ip: IpValue): boolean | 'unknown' {
  if (isUnresolvedIp(cidr) || cidr.startsWith('<')) {
    const token = cidr.endsWith('/32') ? cidr.slice(0, -3) : cidr;
    return token === ip ? true : 'unknown';
  }
  const block = parseCidr(cidr);
  if (block.prefix === 0) return true;
  if (isUnresolvedIp(ip)) {
    const within = symbolicBlock(ip);
    if (!within) return 'unknown';
    if (within.prefix >= block.prefix && cidrContains(block, within.network)) return true;
    return cidrOverlap(block, within) ? 'unknown' : false;
  }
  return cidrContains(block, ip);
}
