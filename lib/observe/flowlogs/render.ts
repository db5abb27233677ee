/**
 * The human form of a `flowlogs` result: the rebuilt translation table as the article draws
 * it (client:port -> NAT private IP:port -> destination:port) with each pairing's confidence,
 * then summaries of unsolicited traffic, unmatched records, skipped lines and notes.
 */
import type { FlowLogEndpoint, FlowLogsResult, FlowLogUnsolicited, UsageGrouping } from './types';
import { alignColumns } from '../../report/columns';
import { renderHeadroom, renderInterfaces, renderUsage } from './render-usage';

/** Options of renderFlowLogs. */
export interface RenderFlowLogsOptions {
  /**
   * At most this many rows per table; the rest are counted.
   * @default 100
   */
  readonly limit?: number;
  /**
   * What the input is called in the title.
   * @default - not named
   */
  readonly source?: string;
  /**
   * How the usage table groups the traffic.
   * @default "source"
   */
  readonly by?: UsageGrouping;
}

function ep(e: FlowLogEndpoint): string {
  return e.ip.includes(':') ? `[${e.ip}]:${e.port}` : `${e.ip}:${e.port}`;
}

function time(iso: string | null): string {
  return iso ? iso.replace('T', ' ').replace(/\.000Z$/, 'Z') : '-';
}

function more(total: number, shown: number): string[] {
  return total > shown ? [`  ... and ${total - shown} more (--json lists all)`] : [];
}

/** Renders a result as text for a terminal. */
export function renderFlowLogs(result: FlowLogsResult, options: RenderFlowLogsOptions = {}): string {
  const limit = options.limit ?? 100;
  const out: string[] = [];
  const nat = result.natPrivateIps.length
    ? `NAT ${result.natPrivateIps.join(', ')}${result.natIpsInferred ? ' (inferred from the records)' : ''}`
    : 'no NAT address known';
  out.push(`NAT translation table rebuilt from ${result.records} flow log records${options.source ? ` in ${options.source}` : ''}; ${nat}`);
  out.push('');

  const totals = result.totals;
  if (result.translations.length) {
    const rows: string[][] = [['proto', 'inside', '', 'NAT (outside)', '', 'destination', 'confidence', 'first seen', 'last seen', 'interface']];
    for (const t of result.translations.slice(0, limit)) {
      rows.push([
        t.protocol,
        t.inside ? ep(t.inside) : '?',
        '->',
        ep(t.outside),
        '->',
        ep(t.destination),
        t.confidence,
        time(t.firstSeen),
        time(t.lastSeen),
        t.interface ?? '-',
      ]);
    }
    out.push(...alignColumns(rows, '  '), ...more(totals.translations, Math.min(limit, result.translations.length)));
    const ambiguous = result.translations.filter((t) => t.confidence === 'ambiguous').slice(0, limit);
    for (const t of ambiguous) {
      out.push(`  ? ${ep(t.outside)} -> ${ep(t.destination)}: one of ${(t.candidates ?? []).map(ep).join(', ')} (${t.basis})`);
    }
    out.push(`  ${totals.translations} translations: ${totals.certain} certain, ${totals.likely} likely, ${totals.ambiguous} ambiguous`);
  } else {
    out.push('  no translations found');
  }

  out.push('');
  if (result.unsolicited.length) {
    const bySource = groupUnsolicited(result.unsolicited);
    const sampled = totals.unsolicited > result.unsolicited.length ? ` (sources of the first ${result.unsolicited.length})` : '';
    out.push(`Unsolicited inbound to the NAT's address (no translation; the NAT drops it): ${totals.unsolicited} flows from ${bySource.length} source${bySource.length === 1 ? '' : 's'}${sampled}`);
    const rows: string[][] = [['proto', 'source', '', 'to', 'ports', 'packets', 'action', 'first seen']];
    for (const g of bySource.slice(0, limit)) {
      const ports = g.ports.slice(0, 8).join(', ') + (g.ports.length > 8 ? `, ... (${g.ports.length})` : '');
      rows.push([g.protocol, g.source, '->', g.destination, ports, String(g.packets), g.actions, time(g.firstSeen)]);
    }
    out.push(...alignColumns(rows, '  '), ...more(bySource.length, limit));
  } else {
    out.push('Unsolicited inbound to the NAT\'s address: none');
  }

  out.push('');
  if (result.unmatched.length) {
    const byLeg = new Map<string, number>();
    for (const u of result.unmatched) byLeg.set(u.leg, (byLeg.get(u.leg) ?? 0) + 1);
    const of = totals.unmatched > result.unmatched.length ? `; of the first ${result.unmatched.length}: ` : ' (';
    out.push(`Unmatched NAT records: ${totals.unmatched}${of}${[...byLeg].map(([leg, n]) => `${n} ${leg}`).join(', ')}${of === ' (' ? ')' : ''}`);
    for (const u of result.unmatched.slice(0, limit)) {
      const pkt = [u.packetSource ? `pkt-srcaddr ${u.packetSource}` : '', u.packetDestination ? `pkt-dstaddr ${u.packetDestination}` : ''].filter(Boolean).join(', ');
      out.push(`  ${u.leg} ${u.protocol} ${ep(u.source)} -> ${ep(u.destination)}${pkt ? ` (${pkt})` : ''}: ${u.reason}`);
    }
    out.push(...more(totals.unmatched, Math.min(limit, result.unmatched.length)));
  } else {
    out.push('Unmatched NAT records: none');
  }

  out.push('');
  out.push(...renderUsage(result.usage, options.by ?? 'source', Math.min(limit, 20)));
  out.push('');
  out.push(...renderHeadroom(result.headroom, Math.min(limit, 10)));
  // The ENI list matters when something is not a plain NAT ENI.
  if (result.interfaces.length > 1 || result.interfaces.some((i) => i.kind !== 'nat-gateway')) {
    out.push('');
    out.push(...renderInterfaces(result.interfaces, limit));
  }

  if (result.skippedTotal) {
    out.push('');
    out.push(`Skipped lines: ${result.skippedTotal}`);
    for (const s of result.skipped.slice(0, limit)) out.push(`  line ${s.line}: ${s.reason}`);
    out.push(...more(result.skippedTotal, Math.min(limit, result.skipped.length)));
  }
  if (result.notes.length) {
    out.push('');
    out.push('Notes:');
    for (const n of result.notes) out.push(`  - ${n}`);
  }
  return out.join('\n') + '\n';
}

interface UnsolicitedGroup {
  protocol: string;
  source: string;
  destination: string;
  ports: number[];
  packets: number;
  actions: string;
  firstSeen: string | null;
}

/** One row per (protocol, source, NAT address): a scanner hitting many ports is one line. */
function groupUnsolicited(list: FlowLogUnsolicited[]): UnsolicitedGroup[] {
  const groups = new Map<string, UnsolicitedGroup & { actionSet: Set<string>; portSet: Set<number> }>();
  for (const u of list) {
    const key = `${u.protocol}|${u.source.ip}|${u.destination.ip}`;
    let g = groups.get(key);
    if (!g) {
      g = { protocol: u.protocol, source: u.source.ip, destination: u.destination.ip, ports: [], packets: 0, actions: '', firstSeen: u.firstSeen, actionSet: new Set(), portSet: new Set() };
      groups.set(key, g);
    }
    g.portSet.add(u.destination.port);
    g.packets += u.packets;
    g.actionSet.add(u.action ?? '-');
    if (u.firstSeen && (!g.firstSeen || u.firstSeen < g.firstSeen)) g.firstSeen = u.firstSeen;
  }
  return [...groups.values()]
    .map((g) => ({ ...g, ports: [...g.portSet].sort((a, b) => a - b), actions: [...g.actionSet].sort().join('/') }))
    .sort((a, b) => b.packets - a.packets || a.source.localeCompare(b.source));
}
