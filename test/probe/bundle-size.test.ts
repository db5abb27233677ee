/**
 * The deployment bundles as NodejsFunction builds them (esbuild, the construct's bundling
 * options, the AWS SDK v3 external).
 *
 * - The probe (lambda/probe/index.ts) must stay under the project's 100 kB goal. It carries
 *   only the probe: in-account verification moved to its own function, so the model, the
 *   live-topology importer and the flow log analyzer are no longer in it (7.9 kB on 2026-11-24,
 *   down from 113.9 kB with verify).
 * - The verifier (lambda/verify/index.ts) carries exactly those; it measured 107,191 bytes on
 *   2026-11-24, and its ceiling is that plus 15% (123,000 bytes), so growth of the model
 *   shows up here as a decision rather than drifting unnoticed.
 */
import { buildSync, type Metafile } from 'esbuild';
import { join } from 'node:path';
import { PROBE_BUNDLING } from '../../lib/construct/private/probe-function';

/** The project goal for the probe. */
const PROBE_GOAL_BYTES = 100_000;
/** The verifier's measured size (107,191 bytes) plus 15%. */
const VERIFIER_CEILING_BYTES = 123_000;

function bundle(entry: string): { bytes: number; inputs: string[] } {
  const result = buildSync({
    entryPoints: [join(__dirname, '../..', entry)],
    bundle: true,
    platform: 'node',
    // NodejsFunction's default externals for Node 18+ runtimes: the SDK the runtime ships.
    external: ['@aws-sdk/*'],
    target: PROBE_BUNDLING.target,
    format: PROBE_BUNDLING.format,
    minify: PROBE_BUNDLING.minify,
    sourcemap: PROBE_BUNDLING.sourceMap,
    write: false,
    logLevel: 'silent',
    metafile: true,
  });
  return { bytes: result.outputFiles[0].contents.byteLength, inputs: Object.keys((result.metafile as Metafile).inputs) };
}

test('the probe bundle is under the 100 kB goal and carries only the probe', () => {
  const { bytes, inputs } = bundle('lambda/probe/index.ts');
  expect(inputs.some((f) => f.includes('node_modules/@aws-sdk/'))).toBe(false);
  // Nothing of verify: no model, no importer, no flow log analyzer, no harness.
  expect(inputs.filter((f) => /^lib\/(model|sources|observe|aws)\//.test(f))).toEqual([]);
  expect(bytes).toBeGreaterThan(2_000);
  expect(bytes).toBeLessThan(PROBE_GOAL_BYTES);
});

test('the verifier bundle stays under its ceiling (measured + 15%) with the SDK left out', () => {
  const { bytes, inputs } = bundle('lambda/verify/index.ts');
  // The SDK really stays out (a bundled client alone would be hundreds of kB).
  expect(inputs.some((f) => f.includes('node_modules/@aws-sdk/'))).toBe(false);
  // It reaches the probe by Lambda Invoke, never by bundling the probe's code.
  expect(inputs.filter((f) => f.startsWith('lambda/probe/'))).toEqual([]);
  expect(inputs).toContain('lib/model/predict.ts');
  expect(bytes).toBeLessThan(VERIFIER_CEILING_BYTES);
});
