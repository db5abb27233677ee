/**
 * The HTML report: one self-contained page (inline CSS and SVG, no script, no font or image
 * from the network) with the diagram and every table a reader checks the run against.
 */
import type { Check, Hop, Walk } from '../model/types';
import { esc } from './draw/common';
import { layout } from './layout';
import { diagramToSvg } from './svg';
import {
  compareOf,
  formatHeader,
  formatValue,
  igwRows,
  isHopCheck,
  isRun,
  natRows,
  type ReportInput,
  reportTitle,
  serverRows,
  standInsOf,
  trafficRows,
} from './view';

const CSS = `
:root { color-scheme: light; }
body { font-family: "DejaVu Sans", Arial, Helvetica, sans-serif; color: #1a1a1a; margin: 24px; line-height: 1.4; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 17px; margin: 28px 0 8px; border-bottom: 2px solid #ffd966; padding-bottom: 2px; }
h3 { font-size: 14px; margin: 16px 0 6px; }
.meta { color: #555; font-size: 13px; margin: 0 0 12px; }
.verdict { display: inline-block; padding: 2px 10px; border-radius: 10px; font-weight: bold; font-size: 13px; }
.ok { background: #d9f2e3; color: #0b6b2f; }
.bad { background: #fbdcd9; color: #a3160e; }
.neutral { background: #eee; color: #333; }
figure { margin: 0; overflow-x: auto; border: 1px solid #ddd; }
figure svg { display: block; max-width: 100%; height: auto; }
figcaption { font-size: 12px; color: #555; padding: 6px 8px; border-top: 1px solid #ddd; }
table { border-collapse: collapse; font-size: 13px; margin: 4px 0 12px; }
th, td { border: 1px solid #999; padding: 3px 8px; text-align: left; vertical-align: top; }
td:first-child { white-space: nowrap; }
th { background: #00994d; color: #fff; }
th.out { background: #ff9900; color: #1a1a1a; }
td.num, td.ip { font-family: "DejaVu Sans Mono", monospace; white-space: nowrap; }
tr.pass td.verdict-cell { background: #d9f2e3; color: #0b6b2f; font-weight: bold; }
tr.fail td.verdict-cell { background: #fbdcd9; color: #a3160e; font-weight: bold; }
tr.drop td { background: #fdecea; }
.step { display: inline-block; min-width: 18px; text-align: center; border-radius: 9px; background: #f8cecc; border: 1px solid #b85450; font-weight: bold; font-size: 12px; }
.hops td.hdr { font-family: "DejaVu Sans Mono", monospace; font-size: 12px; white-space: nowrap; }
.changed { background: #fff2cc; }
td.seen-ok { background: #d9f2e3; }
td.seen-bad { background: #fbdcd9; font-weight: bold; }
ul.notes li { margin: 2px 0; }
@media print {
  body { margin: 0; }
  figure { border: none; page-break-inside: avoid; }
  table, h2 { page-break-inside: avoid; }
  th { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
`;

function th(label: string, out = false): string {
  return `<th${out ? ' class="out"' : ''}>${esc(label)}</th>`;
}

function td(value: string, cls?: string): string {
  return `<td${cls ? ` class="${cls}"` : ''}>${esc(value)}</td>`;
}

function tableOf(head: string[], rows: string[], outside: number[] = []): string {
  return `<table><thead><tr>${head.map((h, i) => th(h, outside.includes(i))).join('')}</tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function verdictBadge(input: ReportInput): string {
  const compare = compareOf(input);
  if (compare) return compare.ok ? '<span class="verdict ok">all checks pass</span>' : '<span class="verdict bad">a check failed</span>';
  const dropped = input.walks.filter((w) => w.verdict !== 'delivered').length;
  const replies = input.walks.filter((w) => w.verdict === 'delivered' && w.reply && w.reply.verdict !== 'delivered').length;
  if (dropped || replies) return `<span class="verdict bad">${[dropped ? `${dropped} flow(s) not delivered` : '', replies ? `${replies} repl${replies > 1 ? 'ies' : 'y'} not delivered` : ''].filter(Boolean).join(', ')}</span>`;
  return '<span class="verdict neutral">prediction: every flow and reply delivered</span>';
}

function trafficSection(input: ReportInput): string {
  const rows = trafficRows(input.walks).map((r) => `<tr>${td(r.flow)}${td(r.client)}${td(r.protocol)}${td(r.srcIp, 'ip')}${td(r.srcPort, 'num')}${td(r.dstIp, 'ip')}${td(r.dstPort, 'num')}${td(r.verdict)}</tr>`);
  return `<h2>Clients' traffic</h2>${tableOf(['flow', 'client', 'protocol', 'source IP', 'source port', 'destination IP', 'destination port', 'model says'], rows, [5, 6])}`;
}

function natSection(input: ReportInput): string {
  const rows = natRows(input);
  if (rows.length === 0) return '<h2>NAT translation table</h2><p>No flow went through a NAT Gateway.</p>';
  const run = isRun(input);
  const body = rows.map((r) => `<tr>${td(r.nat)}${td(r.flow ?? '-')}${td(r.insideIp, 'ip')}${td(r.insidePort, 'num')}${td(r.observedIp ?? r.outsideIp, 'ip')}${td(r.predictedPort, 'num')}${run ? td(r.observedPort ?? 'not observed', 'num') : ''}${td(r.destination, 'ip')}</tr>`);
  const head = ['NAT Gateway', 'flow', 'inside IP', 'inside port', 'outside IP', 'outside port (predicted)', ...(run ? ['outside port (observed)'] : []), 'destination'];
  return `<h2>NAT translation table</h2>${tableOf(head, body, run ? [4, 5, 6] : [4, 5])}`;
}

function igwSection(input: ReportInput): string {
  const rows = igwRows(input.topology).map((r) => `<tr>${td(r.igw)}${td(r.owner)}${td(r.privateIp, 'ip')}${td(r.publicIp, 'ip')}</tr>`);
  if (rows.length === 0) return '<h2>Internet Gateway 1:1 map</h2><p>No Internet Gateway maps an address in this topology.</p>';
  return `<h2>Internet Gateway 1:1 map</h2><p>The IGW rewrites the address only; ports pass untouched.</p>${tableOf(['Internet Gateway', 'owner', 'private IP', 'public IP'], rows, [3])}`;
}

function serverSection(input: ReportInput): string {
  const run = isRun(input);
  const rows = serverRows(input).map((r) => {
    const cls = r.ok === undefined ? '' : r.ok ? ' class="pass"' : ' class="fail"';
    return `<tr${cls}>${td(r.flow)}${td(r.server, 'ip')}${td(r.predicted, 'ip')}${run ? td(r.observed ?? 'nothing observed', 'ip') + td(r.ok === undefined ? '-' : r.ok ? 'pass' : 'FAIL', 'verdict-cell') : ''}</tr>`;
  });
  const head = ['flow', 'destination', 'source seen (predicted)', ...(run ? ['source seen (observed)', 'verdict'] : [])];
  return `<h2>What the server saw</h2>${tableOf(head, rows, [2, 3])}`;
}

function checkRow(flow: string, c: Check): string {
  return `<tr class="${c.ok ? 'pass' : 'fail'}">${td(flow)}${td(c.name)}${td(formatValue(c.expected))}${td(formatValue(c.observed))}${td(c.ok ? 'pass' : 'FAIL', 'verdict-cell')}</tr>`;
}

function checksSection(input: ReportInput): string {
  const compare = compareOf(input);
  if (!compare) return '';
  // Per-hop checks passing are summarised here; the hop list shows each observed header.
  const rows = compare.flows.flatMap((f) => {
    const hop = f.checks.filter((c) => isHopCheck(c.name));
    const passing = hop.filter((c) => c.ok).length;
    const summary = hop.length ? [`<tr class="${passing === hop.length ? 'pass' : 'fail'}">${td(f.name)}${td('header observed at every hop')}${td(`${hop.length} hops as predicted`)}${td(`${passing} of ${hop.length} as predicted`)}${td(passing === hop.length ? 'pass' : 'FAIL', 'verdict-cell')}</tr>`] : [];
    return [...f.checks.filter((c) => !isHopCheck(c.name) || !c.ok).map((c) => checkRow(f.name, c)), ...summary];
  });
  return `<h2>Checks</h2>${tableOf(['flow', 'check', 'expected', 'observed', 'verdict'], rows)}`;
}

/**
 * Per-hop checks of a run, by direction and hop index: the twin names them
 * "forward hop 8 (step 3): ..." with the observed header as `observed`.
 */
function hopChecks(input: ReportInput, flow: string): Map<string, Check> {
  const checks = compareOf(input)?.flows.find((f) => f.name === flow)?.checks ?? [];
  const byHop = new Map<string, Check>();
  for (const c of checks) {
    const m = /^(forward|reply) hop (\d+)\b/.exec(c.name);
    if (m) byHop.set(`${m[1]} ${m[2]}`, c);
  }
  return byHop;
}

function hopRow(h: Hop, observed: Check | undefined, withObserved: boolean): string {
  const changed = formatHeader(h.before) !== formatHeader(h.after);
  const step = h.step !== undefined ? `<span class="step">${h.step}</span>` : '';
  const seen = !withObserved ? '' : observed ? `<td class="hdr ${observed.ok ? 'seen-ok' : 'seen-bad'}">${esc(formatValue(observed.observed))}</td>` : '<td>-</td>';
  return (
    `<tr${h.action === 'drop' ? ' class="drop"' : ''}><td>${h.index}</td><td>${step}</td>` +
    td(`${h.component.kind} ${h.component.id}`) +
    td(h.action) +
    td(h.detail) +
    td(h.matched ?? '') +
    td(formatHeader(h.before), 'hdr') +
    td(formatHeader(h.after), changed ? 'hdr changed' : 'hdr') +
    seen +
    '</tr>'
  );
}

const HOP_HEAD = ['#', 'step', 'component', 'action', 'what happened', 'matched', 'header before', 'header after'];

function walkSection(w: Walk, input: ReportInput): string {
  const checks = hopChecks(input, w.flow.name);
  const withObserved = checks.size > 0;
  const head = withObserved ? [...HOP_HEAD, 'observed there'] : HOP_HEAD;
  const rows = (hops: Hop[], dir: string) => hops.map((h) => hopRow(h, checks.get(`${dir} ${h.index}`), withObserved));
  const end = w.dropped ?? w.leftModel;
  const outcome = end ? `${w.verdict} at ${end.component}: ${end.reason}` : w.verdict;
  const parts = [`<h3>${esc(w.flow.name)}: ${esc(w.flow.protocol.toUpperCase())} ${esc(w.flow.from.ip)} to ${esc(`${w.flow.to.ip}:${w.flow.to.port}`)} (${esc(outcome)})</h3>`, tableOf(head, rows(w.hops, 'forward'))];
  if (w.reply) {
    const replyEnd = w.reply.dropped ?? w.reply.leftModel;
    parts.push(`<p>Reply path (${esc(replyEnd ? `${w.reply.verdict} at ${replyEnd.component}: ${replyEnd.reason}` : w.reply.verdict)}):</p>`);
    parts.push(tableOf(head, rows(w.reply.hops, 'reply')));
  }
  return `<div class="hops">${parts.join('')}</div>`;
}

function standInSection(input: ReportInput): string {
  const standIns = standInsOf(input);
  if (standIns.length === 0) return '';
  const rows = standIns.map((s) => `<tr>${td(s.real, 'ip')}${td(s.standIn, 'ip')}${td(s.what)}</tr>`);
  return `<h2>Stand-ins</h2><p>Inside the local twin these public addresses were replaced by documentation-range stand-ins; this report shows the real ones.</p>${tableOf(['real address', 'stand-in', 'what'], rows)}`;
}

function notesSection(input: ReportInput): string {
  const notes = isRun(input) ? input.notes : [];
  if (notes.length === 0) return '';
  return `<h2>Notes</h2><ul class="notes">${notes.map((n) => `<li>${esc(n)}</li>`).join('')}</ul>`;
}

function meta(input: ReportInput): string {
  const t = input.topology;
  const bits = [`topology ${t.name} from ${t.source}`, `${input.walks.length} flow(s)`];
  if (isRun(input)) bits.push(`started ${input.startedAt}`, `took ${(input.durationMs / 1000).toFixed(1)} s`);
  return `<p class="meta">${esc(bits.join(' · '))} ${verdictBadge(input)}</p>`;
}

/** The report as one self-contained HTML page. */
export function renderHtml(input: ReportInput): string {
  const title = reportTitle(input);
  const svg = diagramToSvg(layout(input), title, true);
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    // No script may run and nothing may load from the network, whatever the data contains.
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">`,
    `<title>${esc(title)}</title>`,
    `<style>${CSS}</style>`,
    '</head>',
    '<body>',
    `<h1>${esc(title)}</h1>`,
    meta(input),
    `<figure>${svg}<figcaption>Green: the packet on its way out; red: the reply; dashed red: where a packet was dropped. Numbered circles are the article's steps 1-8 at the component that performs them.</figcaption></figure>`,
    trafficSection(input),
    natSection(input),
    igwSection(input),
    serverSection(input),
    checksSection(input),
    '<h2>Packet walk, hop by hop</h2>',
    ...input.walks.map((w) => walkSection(w, input)),
    standInSection(input),
    notesSection(input),
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
