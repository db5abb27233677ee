/**
 * The twin's human output: the stand-in map, the article's eight steps with the predicted and
 * the observed header side by side, the translation table, and the verdict table.
 */
import type { RunResult } from '../model/types';
import { alignColumns } from '../report/columns';
import { headerText, portText, seenText, type FlowComparison, type HopObservation } from './compare';

function table(rows: string[][]): string {
  return alignColumns(rows).join('\n');
}

/** The last hop of each article step, per direction: what the packet looks like after that step. */
function stepRows(hops: HopObservation[]): string[][] {
  const rows: string[][] = [['step', 'where', 'predicted', 'observed in the twin', '']];
  // One row per step and direction: the hop that does the step's work (a translation, the
  // NAT receiving, the sender, the receiver), else its last hop.
  const rank = (h: HopObservation): number => ({ translate: 3, receive: 2, deliver: 2, send: 2, forward: 1 } as Record<string, number>)[h.hop.action] ?? 0;
  const last = new Map<string, HopObservation>();
  for (const h of hops) {
    const key = `${h.direction}:${h.hop.step ?? '-'}`;
    const current = last.get(key);
    if (!current || rank(h) >= rank(current)) last.set(key, h);
  }
  for (const h of last.values()) {
    const step = h.hop.step === undefined ? '-' : String(h.hop.step);
    const where = `${h.hop.component.name ?? h.hop.component.id} ${h.hop.action}${h.direction === 'reply' ? ' (reply)' : ''}`;
    rows.push([step, where, headerText(h.hop.after), seenText(h.observed), h.ok ? 'ok' : 'DIFFERS']);
  }
  return rows;
}

/** Renders a lab run for a terminal. */
export function renderLabText(result: RunResult, comparisons: FlowComparison[], prefix?: string): string {
  const out: string[] = [];
  out.push(`natlab lab: ${result.topology.name} (${result.topology.source}) on the local twin${prefix ? `, run prefix ${prefix}` : ''}`);
  if (result.standIns?.length) {
    out.push('', 'Public addresses and their stand-ins in the twin (results below use the real ones):');
    for (const s of result.standIns) out.push(`  ${s.real.padEnd(16)} -> ${s.standIn.padEnd(16)} ${s.what}`);
  }
  for (const c of comparisons) {
    out.push('', `${c.verdict.name}: ${c.hops.some((h) => h.hop.step !== undefined) ? 'the eight steps' : 'hops'} (header after each step)`);
    out.push(table(stepRows(c.hops)).replace(/^/gm, '  '));
  }
  const translations = comparisons.flatMap((c) => c.translations);
  if (translations.length) {
    out.push('', 'NAT translation table (conntrack in the NAT namespace):');
    out.push(
      table([
        ['flow', 'inside', 'outside', 'destination'],
        ...translations.map((t) => [t.flow ?? '', `${t.inside.ip}:${t.inside.port}`, `${t.outside.ip}:${t.outside.port}`, `${t.destination.ip}:${t.destination.port}`]),
      ]).replace(/^/gm, '  '),
    );
  }
  out.push('', 'Verdict:');
  const rows = [['client', 'predicted at server', 'observed at server', 'checks']];
  for (const v of result.compare.flows) {
    const p = v.predicted;
    const distinct = p && !('exact' in p.srcPort) && p.srcPort.distinctFrom?.length ? ` (not ${p.srcPort.distinctFrom.join(', ')}'s)` : '';
    const passed = v.checks.filter((c) => c.ok).length;
    rows.push([
      v.name,
      p ? `${p.srcIp}:${portText(p.srcPort)}${distinct}` : 'nothing arrives',
      v.observed ? `${v.observed.srcIp}:${v.observed.srcPort}` : 'nothing arrived',
      `${passed}/${v.checks.length} ${v.ok ? 'ok' : 'FAILED'}`,
    ]);
  }
  out.push(table(rows).replace(/^/gm, '  '));
  const failed = result.compare.flows.flatMap((v) => v.checks.filter((c) => !c.ok).map((c) => ({ flow: v.name, check: c })));
  if (failed.length) {
    out.push('', 'Failed checks:');
    for (const f of failed) out.push(`  ${f.flow}: ${f.check.name}: expected ${JSON.stringify(f.check.expected)}, observed ${JSON.stringify(f.check.observed)}`);
  }
  for (const n of result.notes) out.push(`note: ${n}`);
  out.push('', `${result.compare.ok ? 'All checks pass' : `${failed.length} check(s) failed`} (${(result.durationMs / 1000).toFixed(1)} s, twin torn down).`);
  return out.join('\n') + '\n';
}

/** Renders a scale run: the figures and the checks against the model's NatTable. */
export function renderScaleText(result: RunResult): string {
  const out: string[] = [`natlab lab (scale): ${result.topology.name} on the local twin`];
  for (const n of result.notes) out.push(`  ${n}`);
  out.push('', 'Checks against the model:');
  const rows = [['check', 'model', 'twin', '']];
  for (const v of result.compare.flows) for (const c of v.checks) rows.push([c.name, String(c.expected), String(c.observed), c.ok ? 'ok' : 'FAILED']);
  out.push(table(rows).replace(/^/gm, '  '));
  out.push('', `${result.compare.ok ? 'All checks pass' : 'Some checks failed'} (${(result.durationMs / 1000).toFixed(1)} s, twin torn down).`);
  return out.join('\n') + '\n';
}
