/**
 * Where the code natlab deploys lies: dist/assets/ of the installed package, built once by
 * scripts/build.mjs (`npm ci`, `npm pack`, jest's globalSetup). Found from the package root, so
 * the path is the same from lib/construct (tsx, jest) and from the compiled dist/lib/construct.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from './package-root';

function assetPath(relative: string): string {
  const path = join(packageRoot(), 'dist', 'assets', relative);
  // Only a clone that skipped the build can get here: an installed package always ships them.
  if (!existsSync(path)) throw new Error(`natlab: ${path} is missing: run \`npm run build\` in natlab first (it bundles the Lambda functions and the echo server).`);
  return path;
}

/** The folder of a prebuilt Lambda function (its index.js exports `handler`). */
export function builtAsset(name: 'probe' | 'verify'): string {
  return assetPath(name);
}

let echoServer: string | undefined;

/** The echo server bundle (minified, Node 18), as text for the server's user data. */
export function echoServerBundle(): string {
  echoServer ??= readFileSync(assetPath('echo-server.js'), 'utf8');
  return echoServer;
}
