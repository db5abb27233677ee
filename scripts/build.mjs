// Bundles the CLI into dist/natlab.js so `npx natlab` starts fast with no TypeScript
// at run time. Packages stay external: the AWS SDK clients load only for the commands
// that need them. Runs on `npm ci` (the `prepare` script) and `npm run build`.
import { build } from 'esbuild';

await build({
  entryPoints: { natlab: 'bin/natlab.ts', index: 'lib/index.ts' },
  outdir: 'dist',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  packages: 'external',
  sourcemap: 'linked',
  logLevel: 'warning',
});

// The echo server and the probe CLI run on EC2 and inside the local twin's namespaces, where
// there is no node_modules: bundle everything (they use only node built-ins anyway).
await build({
  entryPoints: { 'echo-server': 'lib/server/main.ts', probe: 'lambda/probe/cli.ts' },
  outdir: 'dist',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  logLevel: 'warning',
});

// npm links the bin before `prepare` builds it; make sure the entry stays executable.
const { chmodSync } = await import('node:fs');
chmodSync('dist/natlab.js', 0o755);
