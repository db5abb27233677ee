/**
 * The local twin's figures beside the model's for the same work: the whole `natlab lab` on the
 * seed (build, flows, captures, compare, teardown) against `predict` on the seed, and new
 * connections per second through the twin's NAT against NatTable allocations per second for
 * the same number of connections. Needs root and the twin's tools (skipped with the reason).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Benchmark, BenchmarkResult } from './index';
import { missingPrerequisites } from '../lib/lab/prereq';
import { runLab } from '../lib/lab/run';
import { modelScale, runScale, withScaleClients } from '../lib/lab/scale';
import { predict } from '../lib/model/predict';
import { seedTopology } from '../lib/sources';

const SCALE_CLIENTS = 10;
const SCALE_CONNECTIONS = 200;

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function skipReason(): string | undefined {
  const missing = missingPrerequisites();
  if (missing.length) return `the local twin needs ${missing.join('; and ')}`;
  if (!existsSync(join(__dirname, '..', 'dist', 'probe.js'))) return 'dist/probe.js is missing: run `npm run build`';
  return undefined;
}

async function labSeed(): Promise<BenchmarkResult[]> {
  const topology = seedTopology();
  const runs: number[] = [];
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    const { result } = await runLab(topology);
    if (!result.compare.ok) throw new Error('lab.seed: the seed run did not pass its checks');
    runs.push((performance.now() - t0) / 1000);
  }
  for (let i = 0; i < 200; i++) predict(topology);
  const n = 2000;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) predict(topology);
  const modelMs = (performance.now() - t0) / n;
  return [
    { name: 'lab.seed', value: Number(median(runs).toFixed(2)), unit: 's', note: `whole natlab lab on the seed, median of 3; goal < 3 s; model predict.seed ${modelMs.toFixed(3)} ms` },
    { name: 'lab.seed.model', value: Number(modelMs.toFixed(4)), unit: 'ms', note: 'predict on the seed (3 flows, forward + reply), the same work in the model' },
  ];
}

async function labConnections(): Promise<BenchmarkResult[]> {
  const topology = seedTopology();
  const { figures } = await runScale(topology, { clients: SCALE_CLIENTS, connections: SCALE_CONNECTIONS });
  const total = SCALE_CLIENTS * SCALE_CONNECTIONS;
  if (figures.established !== total) throw new Error(`lab.connections: ${figures.established} of ${total} connections placed`);
  const { clients } = withScaleClients(topology, topology.flows[0], SCALE_CLIENTS);
  const rounds: number[] = [];
  for (let r = 0; r < 5; r++) {
    const t0 = performance.now();
    modelScale('10.0.0.226', [1024, 65535], clients, SCALE_CONNECTIONS, 32222, { ip: '44.198.164.163', port: 8080 });
    rounds.push(total / ((performance.now() - t0) / 1000));
  }
  return [
    {
      name: 'lab.connections',
      value: Math.round(figures.connectionsPerSecond),
      unit: 'conn/s',
      note: `${SCALE_CLIENTS} clients x ${SCALE_CONNECTIONS} connections held at once through the twin's NAT (probe start included); model NatTable ${Math.round(median(rounds))} alloc/s`,
    },
    { name: 'lab.connections.model', value: Math.round(median(rounds)), unit: 'alloc/s', note: `NatTable.open for the same ${total} connections, median of 5` },
  ];
}

export const benchmarks: Benchmark[] = [
  { title: 'lab.seed (whole natlab lab on the seed vs predict)', run: labSeed, skipReason },
  { title: 'lab.connections (twin NAT vs NatTable)', run: labConnections, skipReason },
];
