/**
 * Synth-time checks of the lab's props. Each failure is an InputError with one sentence that
 * names the prop, its value and the rule it breaks. Values that are unresolved tokens (known
 * only at deploy time) are skipped, never rejected.
 */
import { Token } from 'aws-cdk-lib';
import { InputError } from '../../errors';
import { cidrContains, cidrOverlap, cidrSize, formatIp, isIpv4, parseCidr, reservedRole, type Cidr } from '../../model/address';

const RESERVED_WHAT: Record<string, string> = {
  network: 'the network address',
  router: 'the VPC router, network + 1',
  dns: 'the Amazon-provided DNS, network + 2',
  future: 'reserved for future use, network + 3',
  broadcast: 'the broadcast address',
};

function resolved(value: unknown): boolean {
  return !Token.isUnresolved(value);
}

/** Parses a CIDR prop; AWS accepts /16 to /28 for VPCs and subnets. */
export function checkCidr(prop: string, value: string): Cidr | undefined {
  if (!resolved(value)) return undefined;
  let cidr: Cidr;
  try {
    cidr = parseCidr(value, prop);
  } catch (err) {
    throw new InputError(`${(err as Error).message}.`.replace(/\.\.$/, '.'));
  }
  if (cidr.prefix < 16 || cidr.prefix > 28) {
    throw new InputError(`${prop} ${value} has a /${cidr.prefix} prefix; AWS VPCs and subnets must be from /16 to /28.`);
  }
  return cidr;
}

export function checkSubnetInVpc(prop: string, subnet: Cidr | undefined, vpcProp: string, vpc: Cidr | undefined): void {
  if (!subnet || !vpc) return;
  if (!(subnet.prefix >= vpc.prefix && cidrContains(vpc, subnet.network))) {
    throw new InputError(`${prop} ${subnet.text} is outside ${vpcProp} ${vpc.text}; every subnet must lie inside its VPC.`);
  }
}

export function checkNoOverlap(propA: string, a: Cidr | undefined, propB: string, b: Cidr | undefined): void {
  if (!a || !b) return;
  if (cidrOverlap(a, b)) throw new InputError(`${propA} ${a.text} overlaps ${propB} ${b.text}; subnets of one VPC must not overlap.`);
}

/**
 * An interface address: an IPv4 address inside `subnet` and not one of the five AWS reserves.
 * `prop` names the prop as the user wrote it ("natPrivateIp", "clientIps entry").
 */
export function checkHostIp(prop: string, ip: string, subnetProp: string, subnetWhat: string, subnet: Cidr | undefined, rule: string): void {
  if (!resolved(ip)) return;
  if (!isIpv4(ip)) throw new InputError(`${prop} "${ip}" is not an IPv4 address (expected four numbers 0-255, like 10.0.1.32).`);
  if (!subnet) return;
  if (!cidrContains(subnet, ip)) {
    throw new InputError(`${prop} ${ip} is outside the ${subnetWhat} ${subnet.text} (${subnetProp}); ${rule}.`);
  }
  const role = reservedRole(subnet, ip);
  if (role) {
    // Usable hosts: network + 4 up to the address before the broadcast.
    const first = formatIp(subnet.network + 4);
    const last = formatIp(subnet.network + cidrSize(subnet) - 2);
    throw new InputError(`${prop} ${ip} is reserved by AWS in ${subnet.text} (${RESERVED_WHAT[role]}); use an address from ${first} to ${last}.`);
  }
}

/** Every address in `entries` is used once (interfaces cannot share an address). */
export function checkDistinct(entries: Array<{ prop: string; ip: string }>): void {
  const seen = new Map<string, string>();
  for (const { prop, ip } of entries) {
    if (!resolved(ip)) continue;
    const first = seen.get(ip);
    if (first !== undefined) {
      throw new InputError(
        first === prop ? `${prop} lists ${ip} twice; each interface needs its own address.` : `${prop} ${ip} is already ${first}; two interfaces cannot share an address.`,
      );
    }
    seen.set(ip, prop);
  }
}

export function checkPort(prop: string, port: number): void {
  if (!resolved(port)) return;
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new InputError(`${prop} ${port} is out of range; a TCP port is an integer from 1 to 65535.`);
  }
}

export function checkAllocationId(prop: string, id: string | undefined): void {
  if (id === undefined || !resolved(id)) return;
  if (!/^eipalloc-[0-9a-f]{8,17}$/.test(id)) {
    throw new InputError(`${prop} "${id}" is not an Elastic IP allocation id (expected eipalloc- followed by 8 or 17 hex digits).`);
  }
}

export function checkAtMost(prop: string, list: readonly unknown[], max: number, why: string): void {
  if (list.length > max) throw new InputError(`${prop} lists ${list.length} addresses; ${why}, so at most ${max}.`);
}

export function checkNotEmpty(prop: string, list: readonly unknown[], why: string): void {
  if (list.length === 0) throw new InputError(`${prop} is empty; ${why}.`);
}

/** A public IPv4 address the server may admit (`a.b.c.d` or `a.b.c.d/n`). */
export function checkAllowedSource(prop: string, value: string): void {
  if (!resolved(value)) return;
  const [ip, prefix] = value.split('/');
  if (!isIpv4(ip) || (prefix !== undefined && !(/^\d{1,2}$/.test(prefix) && Number(prefix) <= 32))) {
    throw new InputError(`${prop} entry "${value}" is not an IPv4 address or CIDR (like 3.224.9.52 or 3.224.9.52/32).`);
  }
  if (prefix === '0') throw new InputError(`${prop} entry "${value}" would open the server to the whole internet; list the public IPs your VPC egresses from.`);
}
