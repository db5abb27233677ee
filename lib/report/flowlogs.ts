/**
 * `natlab report` for a `natlab flowlogs --json` result: who uses the NAT (top talkers by
 * source, destination and NAT address, with bars and the data processing charge), how close
 * each destination came to 55,000 connections, and the rebuilt translation table, as
 * Markdown or as a self-contained HTML page.
 */
import { z } from 'zod';
import { InputError } from '../errors';
import type { FlowLogsResult, FlowLogUsageTable } from '../observe/flowlogs/types';
import { humanBytes, usd } from '../observe/flowlogs/render-usage';

const endpoint = z.looseObject({ ip: z.string(), port: z.number() });
const usageRow = z.looseObject({ key: z.string(), bytesOut: z.number(), bytesIn: z.number(), bytes: z.number(), share: z.number(), charge: z.number(), connections: z.number() });
const usageTable = z.looseObject({ rows: z.array(usageRow), others: usageRow.nullable(), distinct: z.number() });
const flowlogs = z.looseObject({
  records: z.number(),
  translations: z.array(z.looseObject({ protocol: z.string(), inside: endpoint.nullable(), outside: endpoint, destination: endpoint, confidence: z.string(), firstSeen: z.string().nullable() })),
  natPrivateIps: z.array(z.string()),
  usage: z.looseObject({ pricePerGb: z.number(), bytes: z.number(), packets: z.number(), charge: z.number(), bySource: usageTable, byDestination: usageTable, byNat: usageTable }),
  headroom: z.looseObject({
    limit: z.number(),
    destinations: z.number(),
    closest: z.array(z.looseObject({ natIp: z.string(), destination: endpoint, protocol: z.string(), peak: z.number(), peakAt: z.string(), utilisation: z.number(), connections: z.number() })),
  }),
  totals: z.looseObject({ translations: z.number(), certain: z.number(), likely: z.number(), ambiguous: z.number(), unsolicited: z.number(), unmatched: z.number() }),
});

/** True when a parsed `--json` document looks like `natlab flowlogs` output. */
export function isFlowLogsResult(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !('kind' in value) && 'translations' in value && 'usage' in value;
}

/** Checks a `natlab flowlogs --json` document; InputError naming the file and the path inside it. */
export function parseFlowLogsReport(value: unknown, file: string): FlowLogsResult {
  const r = flowlogs.safeParse(value);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new InputError(`${file}: ${issue.path.join('.') || '(top)'}: ${issue.message} (expected the output of natlab flowlogs --json)`);
  }
  return value as FlowLogsResult;
}

const TABLE_ROWS = 15;
const BAR = 24;

function bar(share: number): string {
  const n = Math.round(share * BAR);
  return '█'.repeat(n) + '░'.repeat(BAR - n);
}

function pct(share: number): string {
  return `${(share * 100).toFixed(1)}%`;
}

function mdUsage(title: string, t: FlowLogUsageTable): string[] {
  const out = [`### ${title}`, '', `| ${title.split(' by ')[1] ?? 'key'} | out | in | total | share | | charge | connections |`, '| --- | ---: | ---: | ---: | ---: | --- | ---: | ---: |'];
  for (const r of t.rows.slice(0, TABLE_ROWS)) {
    out.push(`| ${r.key} | ${humanBytes(r.bytesOut)} | ${humanBytes(r.bytesIn)} | ${humanBytes(r.bytes)} | ${pct(r.share)} | \`${bar(r.share)}\` | ${usd(r.charge)} | ${r.connections} |`);
  }
  const hidden = t.distinct - Math.min(TABLE_ROWS, t.rows.length);
  if (hidden > 0) out.push(`| ${hidden} more | | | | | | | |`);
  out.push('');
  return out;
}

/** The Markdown report of a flowlogs result. */
export function renderFlowLogsMarkdown(r: FlowLogsResult): string {
  const out: string[] = [];
  out.push(`# NAT Gateway flow logs: ${r.natPrivateIps.join(', ') || 'no NAT address found'}`, '');
  out.push(
    `${r.records.toLocaleString('en')} records; ${r.totals.translations.toLocaleString('en')} translations (${r.totals.certain} certain, ${r.totals.likely} likely, ${r.totals.ambiguous} ambiguous); ` +
      `${humanBytes(r.usage.bytes)} through the NAT, **${usd(r.usage.charge)}** at ${usd(r.usage.pricePerGb)}/GB data processing.`,
    '',
  );
  out.push('## Who uses the NAT', '');
  out.push(...mdUsage('Traffic by inside source', r.usage.bySource), ...mdUsage('Traffic by destination', r.usage.byDestination), ...mdUsage('Traffic by NAT address', r.usage.byNat));
  out.push('## Port headroom (55,000 connections per destination per NAT address)', '');
  if (r.headroom.closest.length) {
    out.push('| NAT address | destination | protocol | peak | of limit | | peak at |', '| --- | --- | --- | ---: | ---: | --- | --- |');
    for (const h of r.headroom.closest) {
      out.push(`| ${h.natIp} | ${h.destination.ip}:${h.destination.port} | ${h.protocol} | ${h.peak.toLocaleString('en')} | ${(h.utilisation * 100).toFixed(2)}% | \`${bar(h.utilisation)}\` | ${h.peakAt} |`);
    }
  } else out.push('No outside legs with times.');
  out.push('', '## Translations', '');
  if (r.translations.length) {
    out.push('| protocol | inside | NAT (outside) | destination | confidence | first seen |', '| --- | --- | --- | --- | --- | --- |');
    for (const t of r.translations.slice(0, 50)) {
      out.push(`| ${t.protocol} | ${t.inside ? `${t.inside.ip}:${t.inside.port}` : '?'} | ${t.outside.ip}:${t.outside.port} | ${t.destination.ip}:${t.destination.port} | ${t.confidence} | ${t.firstSeen ?? '-'} |`);
    }
    if (r.totals.translations > 50) out.push('', `${r.totals.translations - 50} more in the JSON.`);
  } else out.push('None rebuilt (see the notes of the JSON).');
  return out.join('\n') + '\n';
}

function esc(s: string): string {
  return s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] as string);
}

function htmlUsage(title: string, t: FlowLogUsageTable): string {
  const rows = t.rows
    .slice(0, TABLE_ROWS)
    .map(
      (r) =>
        `<tr><td>${esc(r.key)}</td><td class="n">${humanBytes(r.bytesOut)}</td><td class="n">${humanBytes(r.bytesIn)}</td><td class="n">${humanBytes(r.bytes)}</td>` +
        `<td class="bar"><span style="width:${(r.share * 100).toFixed(1)}%"></span>${pct(r.share)}</td><td class="n">${usd(r.charge)}</td><td class="n">${r.connections}</td></tr>`,
    )
    .join('\n');
  return `<h3>${esc(title)}</h3>\n<table><tr><th></th><th>out</th><th>in</th><th>total</th><th>share</th><th>charge</th><th>connections</th></tr>\n${rows}\n</table>`;
}

/** The self-contained HTML report of a flowlogs result (inline CSS bars, no script, no network). */
export function renderFlowLogsHtml(r: FlowLogsResult): string {
  const headroom = r.headroom.closest
    .map(
      (h) =>
        `<tr><td>${esc(h.natIp)}</td><td>${esc(`${h.destination.ip}:${h.destination.port}`)}</td><td>${esc(h.protocol)}</td><td class="n">${h.peak}</td>` +
        `<td class="bar"><span style="width:${Math.max(0.5, h.utilisation * 100).toFixed(2)}%"></span>${(h.utilisation * 100).toFixed(2)}%</td><td>${esc(h.peakAt)}</td></tr>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>NAT Gateway flow logs</title>
<style>body{font:14px system-ui,sans-serif;margin:2em;max-width:70em}table{border-collapse:collapse;margin:.5em 0 1.5em}td,th{padding:.2em .6em;border-bottom:1px solid #ddd;text-align:left}
.n{text-align:right}.bar{position:relative;min-width:14em}.bar span{position:absolute;left:0;top:15%;height:70%;background:#4a90d9;opacity:.35}</style></head>
<body>
<h1>NAT Gateway flow logs: ${esc(r.natPrivateIps.join(', ') || 'no NAT address found')}</h1>
<p>${r.records.toLocaleString('en')} records; ${r.totals.translations.toLocaleString('en')} translations (${r.totals.certain} certain, ${r.totals.likely} likely, ${r.totals.ambiguous} ambiguous);
${humanBytes(r.usage.bytes)} through the NAT, <b>${usd(r.usage.charge)}</b> at ${usd(r.usage.pricePerGb)}/GB data processing.</p>
<h2>Who uses the NAT</h2>
${htmlUsage('Traffic by inside source', r.usage.bySource)}
${htmlUsage('Traffic by destination', r.usage.byDestination)}
${htmlUsage('Traffic by NAT address', r.usage.byNat)}
<h2>Port headroom (limit ${r.headroom.limit.toLocaleString('en')} per destination per NAT address)</h2>
<table><tr><th>NAT address</th><th>destination</th><th>protocol</th><th>peak</th><th>of limit</th><th>peak at</th></tr>
${headroom}
</table>
</body></html>
`;
}
