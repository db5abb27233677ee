/**
 * The integ test's committed snapshot still matches what the app synthesizes, checked the
 * way the CDK checks its own (`integ-runner` snapshot verification), offline: no credentials
 * in the environment, and without --update-on-failed / --force integ-runner never deploys.
 * After a deliberate change to the lab, refresh it with `npm run integ:update` (dry run).
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

test('integ-runner finds the snapshot of integ.nat-gateway-lab unchanged', () => {
  const env = { ...process.env };
  for (const key of Object.keys(env)) if (key.startsWith('AWS_')) delete env[key];
  const run = spawnSync('npm', ['run', '--silent', 'integ:snapshot'], { cwd: join(__dirname, '..', '..'), env, encoding: 'utf8', timeout: 280_000 });
  const output = `${run.stdout}\n${run.stderr}`;
  expect(output).toMatch(/UNCHANGED\s+integ\.nat-gateway-lab/);
  expect(run.status).toBe(0);
}, 300_000);
