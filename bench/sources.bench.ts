/** Topology sources: how long each takes to read and convert the seed lab (milliseconds per load). */
import type { Benchmark, BenchmarkResult } from './index';
import { loadAwsDump } from '../lib/sources/aws-dump';
import { loadScenario } from '../lib/sources/scenario';
import { loadTemplates } from '../lib/sources/template';

async function msPerCall(name: string, note: string, call: () => Promise<unknown>, rounds = 50): Promise<BenchmarkResult> {
  await call(); // warm up: module loading and JIT are not the source's cost
  const start = performance.now();
  for (let i = 0; i < rounds; i++) await call();
  return { name, value: (performance.now() - start) / rounds, unit: 'ms/load', note };
}

export const benchmarks: Benchmark[] = [
  {
    title: 'sources: scenario, describe dump, template',
    run: async () => [
      await msPerCall('sources.scenario', 'scenarios/seed.json: parse, schema, referential checks', () => loadScenario('scenarios/seed.json')),
      await msPerCall('sources.aws-dump', 'test/fixtures/aws-dump/seed-lab: 10 files, 2 VPCs', () => loadAwsDump('test/fixtures/aws-dump/seed-lab')),
      await msPerCall('sources.template', 'test/fixtures/templates/seed-lab.yaml: short tags, intrinsics', () => loadTemplates(['test/fixtures/templates/seed-lab.yaml'])),
    ],
  },
];
