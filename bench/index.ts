/**
 * `npm run bench`: runs every `bench/*.bench.ts` module and prints a table, or with `--json`
 * one document `{ "results": [ { "name", "value", "unit" } ] }`. A module exports
 * `benchmarks: Benchmark[]`; progress goes to stderr so stdout stays one document.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

export interface BenchmarkResult {
  readonly name: string;
  readonly value: number;
  readonly unit: string;
  /** What the figure is held against ("goal: within 3x of map.insert"). */
  readonly note?: string;
}

export interface Benchmark {
  /** Shown while running. */
  readonly title: string;
  /** Returns one or more results (a figure and its baseline measured in the same run). */
  readonly run: () => Promise<BenchmarkResult[]> | BenchmarkResult[];
  /** Why it cannot run here (missing root, tool); the runner reports instead of failing. */
  readonly skipReason?: () => string | undefined;
}

async function main(): Promise<void> {
  const json = process.argv.includes('--json');
  const only = process.argv.slice(2).filter((a) => !a.startsWith('--'));
  const files = readdirSync(__dirname).filter((f) => f.endsWith('.bench.ts')).sort();
  const results: BenchmarkResult[] = [];
  const skipped: Array<{ title: string; reason: string }> = [];
  for (const file of files) {
    const mod = (await import(join(__dirname, file))) as { benchmarks: Benchmark[] };
    for (const bench of mod.benchmarks) {
      if (only.length && !only.some((o) => bench.title.includes(o) || file.includes(o))) continue;
      const reason = bench.skipReason?.();
      if (reason) {
        skipped.push({ title: bench.title, reason });
        process.stderr.write(`bench: ${bench.title}: not run: ${reason}\n`);
        continue;
      }
      process.stderr.write(`bench: ${bench.title} ...\n`);
      results.push(...(await bench.run()));
    }
  }
  if (json) {
    process.stdout.write(JSON.stringify({ results, skipped }, null, 2) + '\n');
    return;
  }
  const width = Math.max(...results.map((r) => r.name.length), 4);
  process.stdout.write(`${'name'.padEnd(width)}  ${'value'.padStart(14)}  unit\n`);
  for (const r of results) {
    const value = Number.isInteger(r.value) ? String(r.value) : r.value.toPrecision(4);
    process.stdout.write(`${r.name.padEnd(width)}  ${value.padStart(14)}  ${r.unit}${r.note ? `  (${r.note})` : ''}\n`);
  }
  for (const s of skipped) process.stdout.write(`${s.title}: not run: ${s.reason}\n`);
}

main().catch((err) => {
  process.stderr.write(`bench: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
