/**
 * The region and profile flags of `--aws` and `verify`, checked before any AWS client exists:
 * an empty region and a profile no shared config file defines are bad input, said in one
 * line, where the SDK would say "Region is missing" or "Could not load credentials from any
 * providers" (the same words as for an account with no credentials at all).
 */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { InputError } from '../../errors';

/** Region names as AWS writes them: us-east-1, eu-central-2, us-gov-west-1, cn-north-1. */
const REGION = /^[a-z]{2,}(-[a-z0-9]+)+-\d+$/;

/** Refuses an empty or malformed `--region`; absent is fine (the SDK's chain decides). */
export function checkRegion(region: string | undefined, flag = '--region'): void {
  if (region === undefined) return;
  if (region.trim() === '') throw new InputError(`${flag} is empty: give a region such as us-east-1, or leave it out to use AWS_REGION or the profile's region`);
  if (!REGION.test(region)) throw new InputError(`${flag} "${region}" is not an AWS region name (such as us-east-1)`);
}

/** The shared config and credentials files the SDK reads, honouring the same variables. */
function sharedFiles(): Array<{ path: string; isConfig: boolean }> {
  const aws = join(homedir(), '.aws');
  return [
    { path: process.env.AWS_CONFIG_FILE || join(aws, 'config'), isConfig: true },
    { path: process.env.AWS_SHARED_CREDENTIALS_FILE || join(aws, 'credentials'), isConfig: false },
  ];
}

/** Profile names a shared file defines: `[profile x]` (or `[default]`) in config, `[x]` in credentials. */
export function profilesIn(text: string, isConfig: boolean): string[] {
  const names: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*\[\s*([^\]]+?)\s*\]\s*(?:[#;].*)?$/.exec(line);
    if (!m) continue;
    const section = m[1];
    if (!isConfig) names.push(section);
    else if (section === 'default') names.push('default');
    else {
      const p = /^profile\s+(.+)$/.exec(section);
      if (p) names.push(p[1].trim());
    }
  }
  return names;
}

/** Refuses a `--profile` that neither shared file defines. */
export function checkProfile(profile: string | undefined, flag = '--profile'): void {
  if (profile === undefined) return;
  if (profile.trim() === '') throw new InputError(`${flag} is empty: give a profile name from ~/.aws/config, or leave it out`);
  const files = sharedFiles();
  const known = new Set<string>();
  for (const f of files) {
    let text: string;
    try {
      text = readFileSync(f.path, 'utf8');
    } catch {
      continue; // a missing file defines no profile
    }
    for (const name of profilesIn(text, f.isConfig)) known.add(name);
  }
  if (!known.has(profile)) {
    const list = known.size ? ` (profiles there: ${[...known].sort().join(', ')})` : '';
    throw new InputError(`${flag} ${profile}: no such profile in ${files.map((f) => f.path).join(' or ')}${list}`);
  }
}

/**
 * Silences the SDK's eight-line notice that its releases after January 2027 need Node 22 (the
 * switch aws/aws-sdk-js-v3#7983 documents): it would bury the one line natlab prints, and
 * natlab supports Node 20 (package.json engines). A user's own setting wins. Call it before
 * the first client is made.
 */
export function quietSdkNodeVersionWarning(): void {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
}
