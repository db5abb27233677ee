/**
 * The apply and teardown steps: runs a TwinPlan with `ip` and `nft` (namespaces first, then
 * veth pairs created inside a namespace with the peer moved straight into another, so no
 * interface ever sits in the host's namespace), and removes everything a run created.
 */
import { mkdirSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { run, runIn } from './exec';
import { throwIfInterrupted } from './interrupt';
import { RUN_PREFIX_PATTERN } from './names';
import type { TwinPlan } from './plan';

/**
 * Builds the twin. On any failure it tears down what it built and rethrows. `alongsideRules`
 * runs while the nftables rulesets load (starting captures and servers needs only the
 * interfaces), which saves a round of process starts.
 */
export async function applyPlan(plan: TwinPlan, alongsideRules?: () => Promise<void>, signal?: AbortSignal): Promise<void> {
  try {
    throwIfInterrupted(signal);
    markOwner(plan.prefix);
    await run('ip', ['-batch', '-'], { input: plan.namespaces.map((n) => `netns add ${n.name}`).join('\n') + '\n' });
    throwIfInterrupted(signal);
    await Promise.all(plan.namespaces.filter((n) => n.sysctls.length).map((n) => runIn(n.name, ['sysctl', '-q', '-w', ...n.sysctls])));
    // Veth pairs: created inside namespace a, peer placed in namespace b at creation.
    const byCreator = new Map<string, string[]>();
    for (const l of plan.links) {
      const lines = byCreator.get(l.a.ns) ?? [];
      lines.push(`link add ${l.a.ifname} type veth peer name ${l.b.ifname} netns ${l.b.ns}`);
      byCreator.set(l.a.ns, lines);
    }
    throwIfInterrupted(signal);
    await Promise.all([...byCreator].map(([ns, lines]) => run('ip', ['-n', ns, '-batch', '-'], { input: lines.join('\n') + '\n' })));
    throwIfInterrupted(signal);
    await Promise.all(plan.namespaces.map((n) => run('ip', ['-n', n.name, '-batch', '-'], { input: n.ipCommands.join('\n') + '\n' })));
    throwIfInterrupted(signal);
    // Every step settles before the teardown, so nothing is still starting while it runs.
    const settled = await Promise.allSettled([...plan.namespaces.filter((n) => n.nft).map((n) => runIn(n.name, ['nft', '-f', '-'], { input: n.nft })), alongsideRules?.()]);
    const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  } catch (err) {
    await teardownPrefix(plan.prefix);
    throw err;
  }
}

/** Namespaces whose name starts with the prefix (any twin run's when no prefix is given). */
export function listTwinNamespaces(prefix?: string): string[] {
  let names: string[];
  try {
    names = readdirSync('/run/netns');
  } catch {
    return [];
  }
  return names.filter((n) => (prefix ? n.startsWith(prefix) : RUN_PREFIX_PATTERN.test(n))).sort();
}

/** The network-namespace identities (`net:[inode]`) of the named namespaces that still exist. */
function namespaceInodes(namespaces: string[]): Set<string> {
  const inodes = new Set<string>();
  for (const ns of namespaces) {
    try {
      inodes.add(`net:[${statSync(`/run/netns/${ns}`).ino}]`);
    } catch {
      // already gone
    }
  }
  return inodes;
}

/** Pids of every process living in one of the namespace identities (read from /proc). */
function pidsWithInodes(inodes: Set<string>): number[] {
  if (inodes.size === 0) return [];
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (inodes.has(readlinkSync(`/proc/${entry}/ns/net`))) pids.push(Number(entry));
    } catch {
      // exited meanwhile, or not ours to read
    }
  }
  return pids;
}

/** Pids of every process whose network namespace is one of `namespaces` (read from /proc). */
export function pidsInNamespaces(namespaces: string[]): number[] {
  return pidsWithInodes(namespaceInodes(namespaces));
}

function killAll(pids: number[]): void {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

/**
 * Kills every process inside the namespaces (by pid), then deletes them (their veths go with
 * them). A process that entered a namespace meanwhile keeps it alive after the name is gone,
 * so /proc is scanned once more by the recorded namespace identities.
 */
export async function deleteNamespaces(namespaces: string[]): Promise<void> {
  if (namespaces.length === 0) return;
  const inodes = namespaceInodes(namespaces);
  killAll(pidsWithInodes(inodes));
  await run('ip', ['-force', '-batch', '-'], { input: namespaces.map((n) => `netns delete ${n}`).join('\n') + '\n', allowFail: true });
  killAll(pidsWithInodes(inodes));
}

/** Where each run notes its owner's pid, so `--cleanup` never removes a live run. */
export const OWNER_DIR = '/run/natlab';

function ownerFile(prefix: string): string {
  return join(OWNER_DIR, `${prefix}pid`);
}

/** Records this process as the owner of the run. */
function markOwner(prefix: string): void {
  mkdirSync(OWNER_DIR, { recursive: true, mode: 0o755 });
  writeFileSync(ownerFile(prefix), `${process.pid}\n`);
}

/** True when the run's owner process is still alive. */
export function ownerAlive(prefix: string): boolean {
  let pid: number;
  try {
    pid = Number(readFileSync(ownerFile(prefix), 'utf8').trim());
  } catch {
    return false;
  }
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Removes every namespace of one run. */
export async function teardownPrefix(prefix: string): Promise<string[]> {
  const names = listTwinNamespaces(prefix);
  await deleteNamespaces(names);
  // A process may have been started in a namespace meanwhile: a second pass if anything is left.
  const left = listTwinNamespaces(prefix);
  await deleteNamespaces(left);
  rmSync(ownerFile(prefix), { force: true });
  return names;
}

/**
 * `natlab lab --cleanup`: removes what crashed runs left behind (namespaces, the processes in
 * them, owner files). Runs whose owner is still alive are left alone.
 */
export async function cleanupLeftovers(): Promise<{ removed: string[]; live: string[] }> {
  const prefixes = new Set(listTwinNamespaces().map((n) => n.slice(0, 9)));
  let owners: string[] = [];
  try {
    owners = readdirSync(OWNER_DIR).filter((f) => RUN_PREFIX_PATTERN.test(f)).map((f) => f.slice(0, 9));
  } catch {
    // no run ever recorded an owner
  }
  for (const p of owners) prefixes.add(p);
  const removed: string[] = [];
  const live: string[] = [];
  for (const prefix of [...prefixes].sort()) {
    if (ownerAlive(prefix)) {
      live.push(prefix);
      continue;
    }
    removed.push(...(await teardownPrefix(prefix)));
  }
  return { removed, live };
}
