// Builds the Lambda, echo-server and twin bundles (scripts/build.mjs --assets, about a second)
// before any test runs, so no test reads an asset older than the code under test.
const { spawnSync } = require('node:child_process');
const { join } = require('node:path');

module.exports = function buildAssets() {
  const root = join(__dirname, '..');
  const run = spawnSync(process.execPath, [join(root, 'scripts', 'build.mjs'), '--assets'], { cwd: root, stdio: 'inherit' });
  if (run.status !== 0) throw new Error(`scripts/build.mjs --assets failed (exit ${run.status})`);
};
