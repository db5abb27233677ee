/**
 * The Markdown report for pull requests and wikis: the same tables as the HTML page and a
 * Mermaid sequence diagram per walk (participants are the components, messages the hops).
 */
import type { Hop, Walk } from '../model/types';
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

/** Makes text safe in a table cell: no pipes or line breaks, no raw HTML. */
function cell(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\|/g, '\\|').replace(/[\r\n]+/g, ' ');
}

function table(head: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.map(cell).join(' | ')} |`;
  return [line(head), `| ${head.map(() => '---').join(' | ')} |`, ...rows.map(line)].join('\n');
}

/** Mermaid message text: no characters Mermaid reads as syntax (; # and line breaks), no HTML. */
function say(text: string): string {
  return text.replace(/->/g, '→').replace(/[;#<>{}]/g, ' ').replace(/[\r\n]+/g, ' ').replace(/\s+/g, ' ').trim();
}

const NODES = new Set(['host', 'nat-gateway', 'internet-gateway', 'internet', 'server']);

/**
 * A Mermaid sequence diagram of one walk: messages carry the header as it arrives; for a run,
 * each translation also says what was seen there (`observedAfter`: "forward 8" -> header).
 */
export function sequenceDiagram(w: Walk, observedAfter: ReadonlyMap<string, string> = new Map()): string {
  const ids = new Map<string, string>();
  const participants: string[] = [];
  const idOf = (component: Hop['component']): string => {
    let id = ids.get(component.id);
    if (!id) {
      id = `P${ids.size + 1}`;
      ids.set(component.id, id);
      participants.push(`  participant ${id} as ${say(`${component.id} (${component.kind})`)}`);
    }
    return id;
  };
  const lines: string[] = [];
  let at: string | undefined;
  const walk = (hops: Hop[], arrow: '->>' | '-->>', dir: 'forward' | 'reply') => {
    for (const h of hops) {
      const step = h.step !== undefined ? `(${h.step}) ` : '';
      if (NODES.has(h.component.kind)) {
        const to = idOf(h.component);
        if (at && at !== to) lines.push(`  ${at}${arrow}${to}: ${say(step + formatHeader(h.before))}`);
        at = to;
      }
      const where = at ?? idOf(h.component);
      if (h.action === 'drop') {
        const to = idOf(h.component);
        if (to !== where) lines.push(`  ${where}-x${to}: ${say(step + formatHeader(h.before))}`);
        lines.push(`  Note over ${to}: ${say(`${step}dropped: ${h.detail}`)}`);
      } else if (h.action === 'translate') {
        const seen = observedAfter.get(`${dir} ${h.index}`);
        lines.push(`  Note over ${where}: ${say(`${step}${h.component.id} translates to ${formatHeader(h.after)}${seen ? ` (seen: ${seen})` : ''}`)}`);
      } else if (h.action === 'route' || h.action === 'filter' || h.action === 'leave-model') {
        lines.push(`  Note over ${where}: ${say(`${step}${h.component.id}: ${h.matched ?? h.detail}`)}`);
      }
    }
  };
  walk(w.hops, '->>', 'forward');
  if (w.reply) {
    lines.push(`  Note over ${at ?? 'P1'}: ${say(`reply (${w.reply.verdict})`)}`);
    walk(w.reply.hops, '-->>', 'reply');
  }
  return ['```mermaid', 'sequenceDiagram', ...participants, ...lines, '```'].join('\n');
}

/** What a run saw after each hop ("forward 8" -> "tcp 10.0.0.226:27318 -> ..."), from its per-hop checks. */
function observedAfter(input: ReportInput, flow: string): Map<string, string> {
  const seen = new Map<string, string>();
  for (const c of compareOf(input)?.flows.find((f) => f.name === flow)?.checks ?? []) {
    const m = /^(forward|reply) hop (\d+)\b/.exec(c.name);
    if (m) seen.set(`${m[1]} ${m[2]}`, formatValue(c.observed));
  }
  return seen;
}

/** The report as Markdown. */
export function renderMarkdown(input: ReportInput): string {
  const out: string[] = [`# ${cell(reportTitle(input))}`, ''];
  out.push(`Topology ${cell(input.topology.name)} from ${cell(input.topology.source)}.`);
  const compare = compareOf(input);
  if (compare) out.push('', compare.ok ? '**All checks pass.**' : '**A check failed.**');
  out.push('', "## Clients' traffic", '', table(['flow', 'client', 'protocol', 'source IP', 'source port', 'destination IP', 'destination port', 'model says'], trafficRows(input.walks).map((r) => [r.flow, r.client, r.protocol, r.srcIp, r.srcPort, r.dstIp, r.dstPort, r.verdict])));
  const run = isRun(input);
  const nats = natRows(input);
  out.push('', '## NAT translation table', '');
  if (nats.length === 0) out.push('No flow went through a NAT Gateway.');
  else out.push(table(['NAT Gateway', 'flow', 'inside IP', 'inside port', 'outside IP', 'outside port (predicted)', ...(run ? ['outside port (observed)'] : []), 'destination'], nats.map((r) => [r.nat, r.flow ?? '-', r.insideIp, r.insidePort, r.observedIp ?? r.outsideIp, r.predictedPort, ...(run ? [r.observedPort ?? 'not observed'] : []), r.destination])));
  const igw = igwRows(input.topology);
  out.push('', '## Internet Gateway 1:1 map', '');
  if (igw.length === 0) out.push('No Internet Gateway maps an address in this topology.');
  else out.push(table(['Internet Gateway', 'owner', 'private IP', 'public IP'], igw.map((r) => [r.igw, r.owner, r.privateIp, r.publicIp])));
  out.push('', '## What the server saw', '', table(['flow', 'destination', 'source seen (predicted)', ...(run ? ['source seen (observed)', 'verdict'] : [])], serverRows(input).map((r) => [r.flow, r.server, r.predicted, ...(run ? [r.observed ?? 'nothing observed', r.ok === undefined ? '-' : r.ok ? 'pass' : 'FAIL'] : [])])));
  if (compare) {
    // Passing per-hop checks are summarised; the sequence diagrams show what each NAT did.
    const rows = compare.flows.flatMap((f) => {
      const hop = f.checks.filter((c) => isHopCheck(c.name));
      const passing = hop.filter((c) => c.ok).length;
      const summary = hop.length ? [[f.name, 'header observed at every hop', `${hop.length} hops as predicted`, `${passing} of ${hop.length} as predicted`, passing === hop.length ? '✅ pass' : '❌ FAIL']] : [];
      return [...f.checks.filter((c) => !isHopCheck(c.name) || !c.ok).map((c) => [f.name, c.name, formatValue(c.expected), formatValue(c.observed), c.ok ? '✅ pass' : '❌ FAIL']), ...summary];
    });
    out.push('', '## Checks', '', table(['flow', 'check', 'expected', 'observed', 'verdict'], rows));
  }
  out.push('', '## Packet walks');
  for (const w of input.walks) {
    const end = w.dropped ?? w.leftModel;
    out.push('', `### ${cell(w.flow.name)}: ${cell(end ? `${w.verdict} at ${end.component}: ${end.reason}` : w.verdict)}`, '', sequenceDiagram(w, observedAfter(input, w.flow.name)), '');
    const hopRows = (hops: Hop[]) => hops.map((h) => [String(h.index), h.step === undefined ? '' : String(h.step), `${h.component.kind} ${h.component.id}`, h.action, h.detail, formatHeader(h.before), formatHeader(h.after)]);
    out.push(table(['#', 'step', 'component', 'action', 'what happened', 'before', 'after'], hopRows(w.hops)));
    if (w.reply) out.push('', `Reply (${cell(w.reply.verdict)}):`, '', table(['#', 'step', 'component', 'action', 'what happened', 'before', 'after'], hopRows(w.reply.hops)));
  }
  const standIns = standInsOf(input);
  if (standIns.length) out.push('', '## Stand-ins', '', table(['real address', 'stand-in', 'what'], standIns.map((s) => [s.real, s.standIn, s.what])));
  const notes = isRun(input) ? input.notes : [];
  if (notes.length) out.push('', '## Notes', '', ...notes.map((n) => `- ${cell(n)}`));
  return out.join('\n') + '\n';
}
