// natlab's package build, run on `npm ci` and `npm pack` (the `prepare` script) and by `npm run build`.
//
//   node scripts/build.mjs            everything below
//   node scripts/build.mjs --assets   only the esbuild outputs (about a second): what jest's
//                                     globalSetup runs so tests never read a stale asset
//
// - dist/lib/**.js + .d.ts           tsc (tsconfig.build.json): what `require('natlab')`,
//                                    `require('natlab/constructs')` (dist/lib/constructs.js) and a consumer's tsc read
// - dist/natlab.js                   the CLI, one file, packages external: `npx natlab` starts fast
// - dist/assets/probe/index.js       the Lambda probe, and the verifier below: bundled here once,
// - dist/assets/verify/index.js      shipped in the package and deployed with lambda.Code.fromAsset,
//                                    so a consumer's synth runs no esbuild, Docker or child process
// - dist/assets/echo-server.js       the echo server the construct inlines into the server's user data
// - dist/echo-server.js, dist/probe.js  the same programs for the local twin's namespaces
// - dist/meta/*.json                 esbuild metafiles (what each asset holds; the bundle-size test reads them; not published)
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const assetsOnly = process.argv.includes('--assets');

const common = { bundle: true, platform: 'node', format: 'cjs', logLevel: 'warning', absWorkingDir: root };

/**
 * The Lambda functions: minified CommonJS for the function's runtime (Node.js 24), the AWS SDK
 * v3 left out because the runtime ships it (what NodejsFunction does by default for Node 18+).
 */
const LAMBDA = { ...common, target: 'node24', minify: true, sourcemap: false, external: ['@aws-sdk/*'], metafile: true };

async function lambdaAsset(name, entry) {
  const outdir = join(dist, 'assets', name);
  rmSync(outdir, { recursive: true, force: true });
  const result = await build({ ...LAMBDA, entryPoints: { index: entry }, outdir });
  writeMeta(name, result.metafile);
}

function writeMeta(name, metafile) {
  mkdirSync(join(dist, 'meta'), { recursive: true });
  writeFileSync(join(dist, 'meta', `${name}.json`), JSON.stringify(metafile));
}

async function assets() {
  await lambdaAsset('probe', 'lambda/probe/index.ts');
  await lambdaAsset('verify', 'lambda/verify/index.ts');
  // Inlined into the server's user data: Amazon Linux 2023's `nodejs` package is Node 18.
  const server = await build({
    ...common,
    entryPoints: { 'echo-server': 'lib/server/main.ts' },
    outdir: join(dist, 'assets'),
    target: 'node18',
    minify: true,
    legalComments: 'none',
    metafile: true,
  });
  writeMeta('echo-server', server.metafile);
  // The twin runs these inside namespaces, where there is no node_modules: everything bundled.
  await build({ ...common, entryPoints: { 'echo-server': 'lib/server/main.ts', probe: 'lambda/probe/cli.ts' }, outdir: dist, target: 'node20' });
}

async function cli() {
  // Packages stay external: the AWS SDK clients load only for the commands that need them.
  await build({ ...common, entryPoints: { natlab: 'bin/natlab.ts' }, outdir: dist, target: 'node20', packages: 'external' });
  // npm links the bin before `prepare` builds it; make sure the entry stays executable.
  chmodSync(join(dist, 'natlab.js'), 0o755);
}

function declarations() {
  // tsc from this package's own devDependency, run as node runs any script (no shell, no npx).
  const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  rmSync(join(dist, 'lib'), { recursive: true, force: true });
  const run = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
  if (run.status !== 0) {
    process.stderr.write('build: tsc -p tsconfig.build.json failed\n');
    process.exit(1);
  }
}

// A full build starts from nothing, so no output of an older layout lingers (or gets published).
if (!assetsOnly) rmSync(dist, { recursive: true, force: true });
await assets();
if (!assetsOnly) {
  await cli();
  declarations();
}
