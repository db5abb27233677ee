/**
 * What each ENI in the records is, from the records alone, and its traffic. A NAT Gateway's
 * ENI shows a translation in its own records (an inside leg's pkt-dstaddr is the real
 * destination, not the ENI); a transit gateway attachment, an endpoint or an instance keeps
 * the client's addresses (pkt-* equal to srcaddr/dstaddr). `instance-id` names an instance's
 * ENI; without pkt-* fields (the default version 2 format) the kind cannot be seen.
 * Memory: one small entry per ENI, whatever the number of records.
 */
import type { FlowLogRecord } from './record';

/** What an ENI's records show it to be. */
export type FlowLogInterfaceKind = 'nat-gateway' | 'instance' | 'no-translation' | 'unknown';

/** One ENI of the records, its kind and its traffic. */
export interface FlowLogInterface {
  /** The ENI id; null when the records name none. */
  readonly interface: string | null;
  readonly kind: FlowLogInterfaceKind;
  /** One sentence: why natlab took it for that kind. */
  readonly reason: string;
  /** NAT Gateway ENIs: the private IPs that received translated traffic. */
  readonly addresses: string[];
  /** Instance ENIs: the instance-id of the records. */
  readonly instanceId: string | null;
  readonly records: number;
  readonly packets: number;
  readonly bytes: number;
  /** Packets/bytes by flow-direction when the format has it (null without). */
  readonly ingress: { readonly packets: number; readonly bytes: number } | null;
  readonly egress: { readonly packets: number; readonly bytes: number } | null;
  /** Records by traffic-path (AWS's numbers: 8 = through an internet gateway, ...), when present. */
  readonly trafficPaths: Readonly<Record<string, number>>;
}

/** At most this many distinct translated-to addresses are kept per ENI (a NAT has at most 8). */
const MAX_ADDRESSES = 16;

class InterfaceEvidence {
  records = 0;
  packets = 0;
  bytes = 0;
  inPackets = 0;
  inBytes = 0;
  outPackets = 0;
  outBytes = 0;
  sawDirection = false;
  translated = 0;
  preserved = 0;
  instanceId: string | undefined = undefined;
  readonly addresses = new Map<string, number>();
  /** Private senders to public destinations, untranslated: a NAT's outside legs (its IPv4 side under NAT64). */
  readonly outsideSources = new Map<string, number>();
  readonly paths = new Map<number, number>();
}

/** Collects per-ENI evidence as records stream in. */
export class InterfaceCollector {
  private readonly byEni = new Map<string, InterfaceEvidence>();

  /** Adds one OK record (srcaddr and dstaddr present). */
  add(rec: FlowLogRecord): void {
    const key = rec.interfaceId ?? '';
    let e = this.byEni.get(key);
    if (!e) this.byEni.set(key, (e = new InterfaceEvidence()));
    e.records++;
    const packets = rec.packets ?? 0;
    const bytes = rec.bytes ?? 0;
    e.packets += packets;
    e.bytes += bytes;
    if (rec.flowDirection !== undefined) {
      e.sawDirection = true;
      if (rec.flowDirection === 'ingress') {
        e.inPackets += packets;
        e.inBytes += bytes;
      } else {
        e.outPackets += packets;
        e.outBytes += bytes;
      }
    }
    if (rec.instanceId !== undefined && e.instanceId === undefined) e.instanceId = rec.instanceId;
    if (rec.trafficPath !== undefined) e.paths.set(rec.trafficPath, (e.paths.get(rec.trafficPath) ?? 0) + 1);
    const pd = rec.pktDstaddr;
    const ps = rec.pktSrcaddr;
    if (pd === undefined && ps === undefined) return;
    if (pd !== undefined && pd !== rec.dstaddr) {
      // An inside leg: sent to this ENI's address, really bound elsewhere.
      e.translated++;
      const a = rec.dstaddr as string;
      if (e.addresses.has(a) || e.addresses.size < MAX_ADDRESSES) e.addresses.set(a, (e.addresses.get(a) ?? 0) + 1);
    } else if (ps !== undefined && ps !== rec.srcaddr) {
      e.translated++;
    } else {
      e.preserved++;
      const src = rec.srcaddr as string;
      if (isPrivateIpv4(src) && !isPrivateIpv4(rec.dstaddr as string) && (e.outsideSources.has(src) || e.outsideSources.size < MAX_ADDRESSES)) {
        e.outsideSources.set(src, (e.outsideSources.get(src) ?? 0) + 1);
      }
    }
  }

  /** True when some ENI shows a translation. */
  get anyTranslation(): boolean {
    for (const e of this.byEni.values()) if (e.translated > 0 && e.instanceId === undefined) return true;
    return false;
  }

  /** The ENIs, busiest first, each with its kind. */
  interfaces(): FlowLogInterface[] {
    const out: FlowLogInterface[] = [];
    for (const [key, e] of this.byEni) {
      const { kind, reason } = classify(e);
      out.push({
        interface: key === '' ? null : key,
        kind,
        reason,
        addresses: kind === 'nat-gateway' ? natAddresses(e) : [],
        instanceId: e.instanceId ?? null,
        records: e.records,
        packets: e.packets,
        bytes: e.bytes,
        ingress: e.sawDirection ? { packets: e.inPackets, bytes: e.inBytes } : null,
        egress: e.sawDirection ? { packets: e.outPackets, bytes: e.outBytes } : null,
        trafficPaths: Object.fromEntries([...e.paths].sort((a, b) => a[0] - b[0]).map(([p, n]) => [String(p), n])),
      });
    }
    return out.sort((a, b) => b.bytes - a.bytes || (a.interface ?? '').localeCompare(b.interface ?? ''));
  }
}

function classify(e: InterfaceEvidence): { kind: FlowLogInterfaceKind; reason: string } {
  if (e.instanceId !== undefined) {
    return { kind: 'instance', reason: `its records carry instance-id ${e.instanceId}: an instance's ENI, not a NAT Gateway's` };
  }
  if (e.translated > 0) {
    return { kind: 'nat-gateway', reason: `${e.translated} of its records show a translation (pkt-srcaddr/pkt-dstaddr differ from srcaddr/dstaddr): a NAT Gateway's ENI` };
  }
  if (e.preserved > 0) {
    return {
      kind: 'no-translation',
      reason: 'its records keep the original addresses (pkt-srcaddr/pkt-dstaddr equal srcaddr/dstaddr): a transit gateway attachment, an endpoint or an instance, not a NAT Gateway',
    };
  }
  return { kind: 'unknown', reason: 'the format has no pkt-srcaddr/pkt-dstaddr, so whether it translates cannot be seen' };
}

/** Addresses with at least a tenth of the top count, most frequent first. */
function ranked(counts: Map<string, number>): string[] {
  const sorted = [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  if (!sorted.length) return [];
  const top = sorted[0][1];
  return sorted.filter(([, n]) => n * 10 >= top).map(([ip]) => ip);
}

/** The NAT's own addresses: those its inside legs were sent to, and the IPv4 side its outside legs leave from. */
function natAddresses(e: InterfaceEvidence): string[] {
  const found = ranked(e.addresses);
  for (const ip of ranked(e.outsideSources)) if (!found.includes(ip)) found.push(ip);
  return found;
}

/** RFC 1918 and the shared address space (100.64/10): where a NAT Gateway's private IPv4 lives. */
function isPrivateIpv4(ip: string): boolean {
  if (ip.includes(':')) return false;
  const dot1 = ip.indexOf('.');
  const a = Number(ip.slice(0, dot1));
  const b = Number(ip.slice(dot1 + 1, ip.indexOf('.', dot1 + 1)));
  return a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 100 && b >= 64 && b <= 127);
}
