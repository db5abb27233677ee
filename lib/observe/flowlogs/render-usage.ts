/**
 * The text form of the parts of a `flowlogs` result that are not the translation table: what
 * each ENI is, who uses the NAT (by source, destination or NAT address, with the charge and a
 * bar per row so the top talkers show at a glance), and the port headroom per destination.
 */
import { alignColumns } from '../../report/columns';
import type { FlowLogHeadroom, FlowLogInterface, FlowLogUsage, FlowLogUsageRow, UsageGrouping } from './types';

const BAR_WIDTH = 20;

/** Bytes as a reader says them (1,536 -> "1.5 KiB"). */
export function humanBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${n} B` : `${v.toFixed(v >= 100 ? 0 : 1)} ${units[u]}`;
}

/** USD with enough places to show small amounts. */
export function usd(n: number): string {
  if (n > 0 && n < 0.0001) return '<$0.0001';
  return n >= 1 ? `$${n.toFixed(2)}` : `$${n.toFixed(4)}`;
}

function bar(share: number): string {
  const n = Math.round(share * BAR_WIDTH);
  return '#'.repeat(n) + '.'.repeat(BAR_WIDTH - n);
}

const TITLES: Record<UsageGrouping, string> = { source: 'inside source', destination: 'destination', nat: 'NAT address' };

/** The usage table for one grouping. */
export function renderUsage(usage: FlowLogUsage, by: UsageGrouping, limit: number): string[] {
  const table = by === 'source' ? usage.bySource : by === 'destination' ? usage.byDestination : usage.byNat;
  const out: string[] = [];
  out.push(
    `Who uses the NAT, by ${TITLES[by]}: ${humanBytes(usage.bytes)} processed (${usage.packets} packets), ${usd(usage.charge)} at ${usd(usage.pricePerGb)}/GB data processing`,
  );
  if (!table.rows.length) {
    out.push('  no traffic through a known NAT address');
    return out;
  }
  const rows: string[][] = [[TITLES[by], 'out', 'in', 'total', 'share', '', 'charge', 'connections']];
  const shown = table.rows.slice(0, limit);
  const line = (r: FlowLogUsageRow): string[] => [r.key, humanBytes(r.bytesOut), humanBytes(r.bytesIn), humanBytes(r.bytes), `${(r.share * 100).toFixed(1)}%`, bar(r.share), usd(r.charge), String(r.connections)];
  for (const r of shown) rows.push(line(r));
  const rest = table.rows.slice(limit);
  if (table.others || rest.length) {
    const others = [...rest, ...(table.others ? [table.others] : [])];
    const sum = others.reduce(
      (a, r) => ({ ...a, bytesOut: a.bytesOut + r.bytesOut, bytesIn: a.bytesIn + r.bytesIn, bytes: a.bytes + r.bytes, share: a.share + r.share, charge: a.charge + r.charge, connections: a.connections + r.connections }),
      { key: `${table.distinct - shown.length} others`, packetsOut: 0, bytesOut: 0, packetsIn: 0, bytesIn: 0, bytes: 0, share: 0, charge: 0, connections: 0 },
    );
    rows.push(line(sum));
  }
  out.push(...alignColumns(rows, '  '));
  return out;
}

/** The destinations closest to the per-destination connection limit. */
export function renderHeadroom(h: FlowLogHeadroom, limit: number): string[] {
  const out: string[] = [];
  if (!h.closest.length) {
    out.push('Port headroom: no outside legs with times to measure');
    return out;
  }
  const top = h.closest[0];
  out.push(
    `Port headroom: at most ${top.peak} simultaneous connection${top.peak === 1 ? '' : 's'} to one destination per NAT address (limit ${h.limit.toLocaleString('en')}); ${h.destinations} destinations`,
  );
  const rows: string[][] = [['NAT address', 'destination', 'proto', 'peak', 'of limit', 'peak at', 'connections']];
  for (const r of h.closest.slice(0, limit)) {
    rows.push([r.natIp, `${r.destination.ip}:${r.destination.port}`, r.protocol, String(r.peak), `${(r.utilisation * 100).toFixed(2)}%`, r.peakAt.replace('T', ' ').replace(/\.000Z$/, 'Z'), String(r.connections)]);
  }
  out.push(...alignColumns(rows, '  '));
  if (h.untimed) out.push(`  ${h.untimed} outside legs carry no time and are not counted`);
  return out;
}

/** One line per ENI: its kind and why, and its traffic. */
export function renderInterfaces(list: readonly FlowLogInterface[], limit: number): string[] {
  const out = [`ENIs in the records: ${list.length}`];
  for (const i of list.slice(0, limit)) {
    const dir = i.ingress && i.egress ? `, in ${humanBytes(i.ingress.bytes)} / out ${humanBytes(i.egress.bytes)}` : '';
    const addr = i.addresses.length ? ` ${i.addresses.join(', ')}` : '';
    out.push(`  ${i.interface ?? '(no interface-id)'}: ${i.kind}${addr}, ${i.records} records, ${humanBytes(i.bytes)}${dir}: ${i.reason}`);
  }
  if (list.length > limit) out.push(`  ... and ${list.length - limit} more (--json lists all)`);
  return out;
}
