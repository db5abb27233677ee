/** The NAT namespace's conntrack table, read with `conntrack -L` and parsed into translations. */
import type { Protocol } from '../model/types';
import { runIn } from './exec';

/** One source-NAT entry of conntrack: the original direction and the reply direction. */
export interface ConntrackEntry {
  readonly protocol: Protocol;
  readonly state?: string;
  /** The connection as the inside host sent it. */
  readonly original: { srcIp: string; srcPort: number; dstIp: string; dstPort: number };
  /** The reply as conntrack expects it: its destination is the NAT's outside address and port. */
  readonly reply: { srcIp: string; srcPort: number; dstIp: string; dstPort: number };
}

/** Parses `conntrack -L` output (default format) into entries; lines it does not know are skipped. */
export function parseConntrack(text: string): ConntrackEntry[] {
  const out: ConntrackEntry[] = [];
  for (const line of text.split('\n')) {
    const words = line.trim().split(/\s+/);
    const protocol = words.find((w) => w === 'tcp' || w === 'udp' || w === 'icmp') as Protocol | undefined;
    if (!protocol) continue;
    const pairs = words.filter((w) => /^(src|dst|sport|dport)=/.test(w)).map((w) => w.split('=') as [string, string]);
    const tuple = (from: number) => {
      const get = (k: string): string | undefined => pairs.slice(from, from + 4).find(([key]) => key === k)?.[1];
      return { srcIp: get('src') ?? '', srcPort: Number(get('sport') ?? 0), dstIp: get('dst') ?? '', dstPort: Number(get('dport') ?? 0) };
    };
    if (pairs.length < 8) continue;
    const state = words.find((w) => /^[A-Z_]+$/.test(w));
    out.push({ protocol, state, original: tuple(0), reply: tuple(4) });
  }
  return out;
}

/** Source-NAT entries in one namespace (`conntrack -L --src-nat`). */
export async function readConntrack(ns: string): Promise<ConntrackEntry[]> {
  const r = await runIn(ns, ['conntrack', '-L', '--src-nat'], { allowFail: true });
  return parseConntrack(r.stdout);
}

/**
 * Every entry in a receiver's namespace (`conntrack -L`): what its own filter accepted. A
 * packet the host's security group drops never gets a confirmed entry, so a capture before
 * the filter (which sees it) cannot say it was delivered, but this can.
 */
export async function readAccepted(ns: string): Promise<ConntrackEntry[]> {
  const r = await runIn(ns, ['conntrack', '-L'], { allowFail: true });
  return parseConntrack(r.stdout);
}

/** Number of conntrack entries in a namespace (`conntrack -C`). */
export async function countConntrack(ns: string): Promise<number> {
  const r = await runIn(ns, ['conntrack', '-C'], { allowFail: true });
  return Number(r.stdout.trim()) || 0;
}
