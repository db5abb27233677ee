/**
 * The model's figures: a seed walk, NAT allocation against a bare Map insert (same keys, same
 * run), the per-destination exhaustion point, and `natlab predict` start-up against bare node.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Benchmark, BenchmarkResult } from './index';
import { type FiveTuple, NatTable } from '../lib/model/nat-table';
import { walk } from '../lib/model/walk';
import { seedTopology } from '../lib/sources';

const LIMIT = 55_000;
const DEST = { dstIp: '44.198.164.163', dstPort: 8080 };

/** 55,000 distinct inside 5-tuples towards one destination. */
function connections(n: number): FiveTuple[] {
  return Array.from({ length: n }, (_, i) => ({ protocol: 'tcp' as const, srcIp: `10.0.${1 + (i >> 16)}.${(i >> 8) & 255}`, srcPort: 1024 + (i & 255), ...DEST }));
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function walkSeed(): BenchmarkResult[] {
  const topology = seedTopology();
  const flow = topology.flows[0];
  for (let i = 0; i < 500; i++) walk(topology, flow);
  const rounds = 5;
  const n = 2000;
  const times: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) walk(topology, flow);
    times.push(Number(process.hrtime.bigint() - t0) / 1e3 / n);
  }
  return [{ name: 'walk.seed', value: Number(median(times).toFixed(2)), unit: 'µs/walk', note: 'forward + reply walk of client-a, median of 5 rounds' }];
}

function natAgainstMap(): BenchmarkResult[] {
  const conns = connections(LIMIT);
  const rounds = 7;
  const natRates: number[] = [];
  const mapRates: number[] = [];
  // Interleave the two so that both see the same machine state; the first round warms up.
  for (let r = 0; r < rounds + 1; r++) {
    let t0 = process.hrtime.bigint();
    const table = new NatTable({ addresses: ['10.0.0.226'], seed: r + 1 });
    for (let i = 0; i < LIMIT; i++) table.open(conns[i]);
    const natNs = Number(process.hrtime.bigint() - t0);
    if (table.size !== LIMIT) throw new Error(`NAT table holds ${table.size} entries, expected ${LIMIT}`);

    t0 = process.hrtime.bigint();
    const map = new Map<string, { port: number }>();
    for (let i = 0; i < LIMIT; i++) {
      const c = conns[i];
      map.set(`${c.srcIp}|${c.srcPort}|${c.protocol}|${c.dstIp}|${c.dstPort}`, { port: i });
    }
    const mapNs = Number(process.hrtime.bigint() - t0);
    if (map.size !== LIMIT) throw new Error('map size');
    if (r === 0) continue;
    natRates.push(LIMIT / (natNs / 1e9));
    mapRates.push(LIMIT / (mapNs / 1e9));
  }
  const nat = median(natRates);
  const map = median(mapRates);
  return [
    { name: 'nat.allocate', value: Math.round(nat), unit: 'allocations/s', note: `one NAT IP, one destination, up to ${LIMIT}, median of ${rounds}; ${(map / nat).toFixed(2)}x slower than map.insert (goal: within 3x)` },
    { name: 'map.insert', value: Math.round(map), unit: 'inserts/s', note: `bare Map.set of the same ${LIMIT} 5-tuple keys, same run` },
  ];
}

function exhaustion(): BenchmarkResult[] {
  const conns = connections(LIMIT + 1);
  const table = new NatTable({ addresses: ['10.0.0.226'] });
  let accepted = 0;
  for (const c of conns) {
    if (table.open(c).kind !== 'translated') break;
    accepted++;
  }
  return [{ name: 'nat.exhaustion', value: accepted, unit: 'connections', note: `accepted for one destination and one NAT IP before the first ErrorPortAllocation (goal: 55000)` }];
}

const CLI = join(__dirname, '..', 'dist', 'natlab.js');

function startup(): BenchmarkResult[] {
  const run = (args: string[]) => {
    const t0 = process.hrtime.bigint();
    const r = spawnSync(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (r.status !== 0) throw new Error(`node ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
    return ms;
  };
  const cli: number[] = [];
  const bare: number[] = [];
  run(['-e', '']);
  run([CLI, 'predict']);
  for (let i = 0; i < 9; i++) {
    bare.push(run(['-e', '']));
    cli.push(run([CLI, 'predict']));
  }
  const c = median(cli);
  const b = median(bare);
  return [
    { name: 'cli.predict', value: Number(c.toFixed(1)), unit: 'ms', note: `node dist/natlab.js predict on the seed, median of 9; ${(c / b).toFixed(2)}x node.start (goal: within 5x)` },
    { name: 'node.start', value: Number(b.toFixed(1)), unit: 'ms', note: 'bare node -e "", median of 9' },
  ];
}

export const benchmarks: Benchmark[] = [
  { title: 'model: seed walk', run: walkSeed },
  { title: 'model: NAT allocation vs Map insert', run: natAgainstMap },
  { title: 'model: NAT exhaustion point', run: exhaustion },
  { title: 'model: natlab predict start-up', run: startup, skipReason: () => (existsSync(CLI) ? undefined : 'dist/natlab.js is missing: run `npm run build` first') },
];
