/**
 * Public addresses never go on a twin interface: each one the topology uses (NAT Elastic IPs,
 * hosts' public IPs, hosts on the internet) is replaced by a documentation-range stand-in
 * (RFC 5737), and every observation is mapped back to the real address.
 */
import { InputError } from '../errors';
import { cidrContains, isDocumentationIp, isIpv4, isPrivateIp, isUnresolvedIp, parseCidr } from '../model/address';
import type { StandIn, Topology } from '../model/types';

/** Link-local infrastructure links between twin routers (never in a packet header the model knows). */
const LINK_LOCAL = '169.254.0.0/16';

/** The pools stand-ins come from: VPC public addresses first, hosts on the internet second. */
const PUBLIC_POOL = { base: [192, 0, 2], first: 10 };
const EXTERNAL_POOL = { base: [198, 51, 100], first: 10 };
const OVERFLOW_POOL = { base: [203, 0, 113], first: 100 };

/** A reversible map between real public addresses and their twin stand-ins. */
export class StandInMap {
  private readonly toTwin = new Map<string, string>();
  private readonly toReal = new Map<string, string>();
  constructor(readonly entries: StandIn[]) {
    for (const e of entries) {
      this.toTwin.set(e.real, e.standIn);
      this.toReal.set(e.standIn, e.real);
    }
  }
  /** The twin address for a real one (private addresses map to themselves). */
  twin(real: string): string {
    return this.toTwin.get(real) ?? real;
  }
  /** The real address for a twin one (anything not a stand-in maps to itself). */
  real(twin: string): string {
    return this.toReal.get(twin) ?? twin;
  }
  /**
   * The CIDRs a filter rule needs in the twin: the rule's own block plus the stand-in of every
   * real address the block holds (a /32 on 3.224.9.52 becomes one on its stand-in).
   */
  twinCidrs(cidr: string): string[] {
    if (!cidr.includes('/')) return [this.twin(cidr)];
    const out = [parseCidr(cidr).text];
    for (const e of this.entries) {
      if (!isIpv4(e.real)) {
        if (cidr === `${e.real}/32` || cidr === e.real) out.push(`${e.standIn}/32`);
        continue;
      }
      if (cidrContains(cidr, e.real) && !cidrContains(cidr, e.standIn)) out.push(`${e.standIn}/32`);
    }
    return [...new Set(out)];
  }
}

/** Every public address the topology uses, with what it is (for the printed map). */
function publicAddresses(topology: Topology): Array<{ real: string; what: string; external: boolean }> {
  const out: Array<{ real: string; what: string; external: boolean }> = [];
  for (const nat of topology.natGateways) {
    for (const a of nat.addresses) if (a.publicIp) out.push({ real: a.publicIp, what: `Elastic IP of ${nat.name ?? nat.id}`, external: false });
  }
  for (const h of topology.hosts) {
    if (h.subnet && h.publicIp) out.push({ real: h.publicIp, what: `public IP of ${h.name ?? h.id}`, external: false });
    if (!h.subnet) out.push({ real: h.privateIp, what: `${h.name ?? h.id} on the internet`, external: true });
  }
  return out;
}

/** Chooses a stand-in for every public address of the topology; documentation addresses keep theirs. */
export function chooseStandIns(topology: Topology): StandInMap {
  const used = new Set<string>();
  const wanted = publicAddresses(topology);
  for (const w of wanted) if (isDocumentationIp(w.real)) used.add(w.real);
  // A VPC may itself sit in a documentation range: its private addresses and blocks are taken.
  for (const h of topology.hosts) if (h.subnet && isDocumentationIp(h.privateIp)) used.add(h.privateIp);
  for (const n of topology.natGateways) for (const a of n.addresses) if (isDocumentationIp(a.privateIp)) used.add(a.privateIp);
  const privateBlocks = [...topology.vpcs.flatMap((v) => v.cidrs), ...topology.subnets.map((sn) => sn.cidr)].filter((c) => !c.startsWith('<'));
  const taken = (ip: string): boolean => used.has(ip) || privateBlocks.some((c) => cidrContains(c, ip));
  const next = (pool: { base: number[]; first: number }): string => {
    for (const p of [pool, OVERFLOW_POOL]) {
      for (let last = p.first; last < 255; last++) {
        const ip = `${p.base.join('.')}.${last}`;
        if (!taken(ip)) return ip;
      }
    }
    throw new InputError(`topology ${topology.name} has more public addresses than the twin has documentation stand-ins`);
  };
  const entries: StandIn[] = [];
  const seen = new Set<string>();
  for (const w of wanted) {
    if (seen.has(w.real)) continue;
    seen.add(w.real);
    if (isIpv4(w.real) && (isPrivateIp(w.real) || cidrContains(LINK_LOCAL, w.real))) continue;
    const standIn = isDocumentationIp(w.real) ? w.real : next(w.external ? EXTERNAL_POOL : PUBLIC_POOL);
    used.add(standIn);
    entries.push({ real: w.real, standIn, what: w.what });
  }
  return new StandInMap(entries);
}

/**
 * The twin's safety rule: only private, link-local, loopback-free documentation addresses go on
 * an interface. Anything else is refused before a single command runs.
 */
export function assertTwinAddress(ip: string, where: string): void {
  if (isUnresolvedIp(ip)) {
    throw new InputError(`${where}: address ${ip} is only known after deploy; the twin needs every private address written out (a scenario file or an --aws-dump has them)`);
  }
  const ok = isIpv4(ip) && (isPrivateIp(ip) || isDocumentationIp(ip) || cidrContains(LINK_LOCAL, ip));
  if (!ok) {
    throw new InputError(`${where}: address "${ip}" is neither private nor a documentation stand-in; the twin puts no other address on an interface`);
  }
}
