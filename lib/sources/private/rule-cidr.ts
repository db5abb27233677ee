/**
 * CIDRs of security group rules and network ACL entries as EC2 stores them: host bits are
 * masked (`10.16.112.0/16` is kept as `10.16.0.0/16`), which EC2 does for these (unlike a
 * subnet's or VPC's block, which it refuses). IPv6 blocks are checked for shape and carried.
 */
import { isIP } from 'node:net';
import { formatIp, parseIp, prefixMask } from '../../model/address';

/** A rule CIDR read: the block to keep, and whether host bits were masked to get it. */
export interface RuleCidr {
  readonly cidr: string;
  /** True when the text had host bits set and `cidr` is the masked block. */
  readonly masked: boolean;
}

const IPV4_CIDR = /^(\d{1,3}(?:\.\d{1,3}){3})\/(\d{1,2})$/;

/** An IPv4 rule CIDR with host bits masked, or undefined when the text is no IPv4 CIDR. */
export function ruleCidrV4(text: string): RuleCidr | undefined {
  const m = IPV4_CIDR.exec(text);
  if (!m || Number(m[2]) > 32) return undefined;
  let ip: number;
  try {
    ip = parseIp(m[1]);
  } catch {
    return undefined;
  }
  const prefix = Number(m[2]);
  const network = (ip & prefixMask(prefix)) >>> 0;
  return { cidr: `${formatIp(network)}/${prefix}`, masked: network !== ip };
}

/** True for an IPv6 CIDR (`::/0`, `2001:db8:1234:1a00::/64`). */
export function isIpv6Cidr(text: string): boolean {
  const slash = text.lastIndexOf('/');
  if (slash < 0) return false;
  const prefix = text.slice(slash + 1);
  return isIP(text.slice(0, slash)) === 6 && /^\d{1,3}$/.test(prefix) && Number(prefix) <= 128;
}
