/** The verify result for people: the verdict table, the failed checks, the rebuilt NAT table. */
import { endpointText } from '../model/components/component';
import type { RunResult } from '../model/types';
import { alignColumns } from '../report/columns';

function text(value: unknown): string {
  if (value === null || value === undefined) return 'nothing';
  if (typeof value === 'string') return value;
  if (typeof value === 'object' && value && ('exact' in value || 'min' in value)) {
    const p = value as { exact?: number; min?: number; max?: number };
    return p.exact !== undefined ? String(p.exact) : `<${p.min}-${p.max}>`;
  }
  return JSON.stringify(value);
}

/** Renders a `kind: 'verify'` RunResult as the table `natlab verify` prints. */
export function renderVerifyResult(result: RunResult): string {
  const lines: string[] = [];
  const flows = result.compare.flows;
  const failed = flows.flatMap((f) => f.checks.filter((c) => !c.ok).map((c) => ({ flow: f.name, check: c })));
  lines.push(`natlab verify ${result.topology.name}: ${flows.length} flow(s), ${failed.length === 0 ? 'every check holds' : `${failed.length} check(s) failed`}`);
  lines.push('');
  lines.push(
    ...alignColumns([
      ['client', 'predicted at server', 'observed at server', 'checks'],
      ...flows.map((f) => [
        f.name,
        f.predicted ? endpointText(f.predicted.srcIp, f.predicted.srcPort) : 'not delivered',
        f.observed ? `${f.observed.srcIp}:${f.observed.srcPort}` : 'not delivered',
        `${f.ok ? 'ok' : 'FAIL'} ${f.checks.filter((c) => c.ok).length}/${f.checks.length}`,
      ]),
    ]),
  );
  if (failed.length > 0) {
    lines.push('', 'failed checks:');
    for (const { flow, check } of failed) lines.push(`  ${flow}: ${check.name}: expected ${text(check.expected)}, observed ${text(check.observed)}`);
  }
  const fromLogs = result.translations.observed.filter((t) => t.source === 'flow-log');
  if (fromLogs.length > 0) {
    lines.push('', 'NAT translation table (rebuilt from the flow logs):');
    lines.push(
      ...alignColumns([
        ['flow', 'inside', 'outside (NAT ENI)', 'destination'],
        ...fromLogs.map((t) => [t.flow ?? '-', `${t.inside.ip}:${t.inside.port}`, `${t.outside.ip}:${t.outside.port}`, `${t.destination.ip}:${t.destination.port}`]),
      ]).map((l) => `  ${l}`),
    );
  }
  if (result.notes.length > 0) {
    lines.push('', 'notes:');
    for (const n of result.notes) lines.push(`  - ${n}`);
  }
  return lines.join('\n');
}
