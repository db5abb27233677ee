/**
 * Records every output natlab renders from the model -- walk, predict, findings (text and
 * JSON), report (Markdown and HTML) and the twin's plan -- for every scenario and fixture
 * topology, one file per output, into a folder. Run it before and after a change to the model
 * and compare the folders (`diff -r`): text must match byte for byte, JSON apart from added
 * structured fields (`test/golden/compare.ts` checks that).
 *
 *   npx tsx test/golden/record.ts /tmp/golden-before
 */
import { mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { findings } from '../../lib/model/findings';
import { predict } from '../../lib/model/predict';
import { walk } from '../../lib/model/walk';
import type { Topology } from '../../lib/model/types';
import { planTwin } from '../../lib/lab/plan';
import { renderHtml, renderMarkdown, parseReportInput } from '../../lib/report';
import { renderFindings } from '../../lib/report/findings';
import { renderPrediction, renderWalk } from '../../lib/report/text';
import { loadTopology } from '../../lib/sources';
import type { TopologySourceOptions } from '../../lib/sources/options';
import { loadTemplateObjects } from './sources';
import { goldenSeedVariants } from './variants';

/** One topology to record, with a file-safe name. */
export interface GoldenSource {
  readonly name: string;
  readonly load: () => Promise<Topology>;
}

function filesIn(dir: string, ext: RegExp): string[] {
  return readdirSync(dir)
    .filter((f) => ext.test(f) && statSync(join(dir, f)).isFile())
    .sort()
    .map((f) => join(dir, f));
}

/** Every scenario and fixture topology the golden set covers. */
export function goldenSources(): GoldenSource[] {
  const from = (name: string, opts: TopologySourceOptions): GoldenSource => ({ name, load: () => loadTopology(opts) });
  const out: GoldenSource[] = [];
  for (const f of filesIn('scenarios', /\.(json|ya?ml)$/)) out.push(from(`scenario-${f.split('/').pop()}`, { scenario: f }));
  out.push(from('template-seed-lab', { template: ['test/fixtures/templates/seed-lab.yaml'] }));
  out.push(from('template-network-app', { template: ['test/fixtures/templates/network.json', 'test/fixtures/templates/app.yaml'] }));
  out.push(from('template-picnic', { template: filesIn('test/fixtures/templates/picnic', /\.ya?ml$/) }));
  out.push({ name: 'template-large-vpc', load: () => loadTemplateObjects() });
  for (const d of ['seed-lab', 'replies-through-nat', 'multi-region']) out.push(from(`dump-${d}`, { awsDump: `test/fixtures/aws-dump/${d}` }));
  for (const v of goldenSeedVariants()) out.push({ name: `model-${v.name}`, load: async () => v.topology });
  return out;
}

function json(value: unknown): string {
  return JSON.stringify(value, null, 2) + '\n';
}

function attempt(fn: () => string): string {
  try {
    return fn();
  } catch (err) {
    return `error: ${(err as Error).message}\n`;
  }
}

/** The walks recorded for a topology: its flows, each VPC host to the internet (TCP, ICMP), the internet to each public IP. */
function walkRequests(t: Topology): Parameters<typeof walk>[1][] {
  const requests: Parameters<typeof walk>[1][] = [...t.flows];
  const vpcHosts = t.hosts.filter((h) => h.subnet !== undefined).slice(0, 8);
  for (const h of vpcHosts) {
    requests.push({ protocol: 'tcp', from: h.id, sourcePort: 40000, to: { host: '8.8.8.8', port: 443 } });
    requests.push({ protocol: 'icmp', from: h.id, sourcePort: 'any', to: { host: '8.8.8.8', port: 0 } });
    if (h.publicIp) requests.push({ protocol: 'tcp', from: '198.51.100.7', sourcePort: 50000, to: { host: h.publicIp, port: 22 } });
  }
  for (const a of vpcHosts.slice(0, 4)) for (const b of vpcHosts.slice(0, 4)) if (a !== b) requests.push({ protocol: 'tcp', from: a.id, sourcePort: 'any', to: { host: b.id, port: 22 } });
  return requests;
}

/** Records every output of one topology into `dir`. */
export async function recordSource(source: GoldenSource, dir: string): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const put = (file: string, text: string): void => writeFileSync(join(dir, file), text);
  let t: Topology;
  try {
    t = await source.load();
  } catch (err) {
    put('load-error.txt', `${(err as Error).message}\n`);
    return;
  }
  walkRequests(t).forEach((r, i) => {
    const n = String(i).padStart(2, '0');
    let w;
    try {
      w = walk(t, r);
    } catch (err) {
      put(`walk-${n}.txt`, `error: ${(err as Error).message}\n`);
      return;
    }
    put(`walk-${n}.txt`, renderWalk(w) + '\n');
    put(`walk-${n}.json`, json(w));
    if (i === 0) put(`walk-${n}.report.md`, attempt(() => renderMarkdown(parseReportInput(JSON.parse(JSON.stringify(w)), 'walk.json', t))));
  });
  const p = predict(t);
  put('predict.txt', renderPrediction(p) + '\n');
  put('predict.json', json(p));
  put('report.md', attempt(() => renderMarkdown(p)));
  put('report.html', attempt(() => renderHtml(p)));
  for (const reasons of ['first-per-cause', 'every-flow'] as const) {
    const f = findings(t, { reasons });
    put(`findings-${reasons}.txt`, renderFindings(f) + '\n');
    put(`findings-${reasons}.json`, `[\n${f.flows.map((x) => JSON.stringify(x)).join(',\n')}\n]\n`);
    put(`findings-${reasons}.causes.json`, json(f.causes));
  }
  put('lab-plan.json', attempt(() => json(planTwin(t, { prefix: 'gold' }))));
}

async function main(): Promise<void> {
  const out = process.argv[2];
  if (!out) throw new Error('usage: tsx test/golden/record.ts OUTDIR');
  rmSync(out, { recursive: true, force: true });
  for (const s of goldenSources()) await recordSource(s, join(out, s.name));
}

if (require.main === module) {
  main().catch((err) => {
    process.stderr.write(`${(err as Error).stack}\n`);
    process.exitCode = 1;
  });
}
