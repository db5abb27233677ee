/**
 * The Lambda assets natlab ships (dist/assets/<name>/index.js), as scripts/build.mjs bundled
 * them for this run (jest's globalSetup builds them): minified, Node.js 24, CommonJS, the AWS
 * SDK v3 left out because the runtime ships it. Their esbuild metafiles (dist/meta) say what
 * each holds.
 *
 * - The probe (lambda/probe/index.ts) must stay under the project's 100 kB goal. It carries
 *   only the probe: in-account verification moved to its own function, so the model, the
 *   live-topology importer and the flow log analyzer are no longer in it (7.9 kB on 2026-11-24,
 *   down from 113.9 kB with verify).
 * - The verifier (lambda/verify/index.ts) carries exactly those; it measured 107,191 bytes on
 *   2026-11-24 and 143,785 bytes on 2026-12-02, grown by decision: the model's several
 *   interfaces, managed interfaces and prefix lists, the importer's endpoints and prefix lists,
 *   and the flow log analyzer's four legs, usage and headroom. Its ceiling is that plus 15%
 *   (165,000 bytes), so further growth shows up here as a decision rather than drifting unnoticed.
 */
import type { Metafile } from 'esbuild';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** The project goal for the probe. */
const PROBE_GOAL_BYTES = 100_000;
/** The verifier's measured size (143,785 bytes on 2026-12-02) plus 15%. */
const VERIFIER_CEILING_BYTES = 165_000;

const dist = join(__dirname, '../../dist');

function asset(name: 'probe' | 'verify'): { bytes: number; inputs: string[]; handler: string } {
  const meta = JSON.parse(readFileSync(join(dist, 'meta', `${name}.json`), 'utf8')) as Metafile;
  const file = join(dist, 'assets', name, 'index.js');
  return { bytes: statSync(file).size, inputs: Object.keys(meta.inputs), handler: readFileSync(file, 'utf8') };
}

test('the probe asset is under the 100 kB goal and carries only the probe', () => {
  const { bytes, inputs, handler } = asset('probe');
  expect(inputs).toContain('lambda/probe/index.ts');
  expect(inputs.some((f) => f.includes('node_modules/@aws-sdk/'))).toBe(false);
  // Nothing of verify: no model, no importer, no flow log analyzer, no harness.
  expect(inputs.filter((f) => /^lib\/(model|sources|observe|aws)\//.test(f))).toEqual([]);
  expect(handler).toMatch(/module\.exports/);
  expect(bytes).toBeGreaterThan(2_000);
  expect(bytes).toBeLessThan(PROBE_GOAL_BYTES);
});

test('the verifier asset stays under its ceiling (measured + 15%) with the SDK left out', () => {
  const { bytes, inputs, handler } = asset('verify');
  // The SDK really stays out (a bundled client alone would be hundreds of kB) ...
  expect(inputs.some((f) => f.includes('node_modules/@aws-sdk/'))).toBe(false);
  // ... and is required from the runtime.
  expect(handler).toMatch(/require\("@aws-sdk\/client-/);
  // It reaches the probe by Lambda Invoke, never by bundling the probe's code.
  expect(inputs.filter((f) => f.startsWith('lambda/probe/'))).toEqual([]);
  expect(inputs).toContain('lib/model/predict.ts');
  expect(bytes).toBeLessThan(VERIFIER_CEILING_BYTES);
});
