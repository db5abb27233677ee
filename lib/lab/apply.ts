/**
 * The apply and teardown steps: runs a TwinPlan with `ip` and `nft` (namespaces first, then
 * veth pairs created inside a namespace with the peer moved straight into another, so no
 * interface ever sits in the host's namespace), and removes everything a run created.
 */
import { readdirSync } from 'node:fs';
import { run, runIn } from './exec';
import { RUN_PREFIX_PATTERN } from './names';
import type { TwinPlan } from './plan';

/** Builds the twin. On any failure it tears down what it built and rethrows. */
export async function applyPlan(plan: TwinPlan): Promise<void> {
  try {
    await run('ip', ['-batch', '-'], { input: plan.namespaces.map((n) => `netns add ${n.name}`).join('\n') + '\n' });
    await Promise.all(plan.namespaces.filter((n) => n.sysctls.length).map((n) => runIn(n.name, ['sysctl', '-q', '-w', ...n.sysctls])));
    // Veth pairs: created inside namespace a, peer placed in namespace b at creation.
    const byCreator = new Map<string, string[]>();
    for (const l of plan.links) {
      const lines = byCreator.get(l.a.ns) ?? [];
      lines.push(`link add ${l.a.ifname} type veth peer name ${l.b.ifname} netns ${l.b.ns}`);
      byCreator.set(l.a.ns, lines);
    }
    await Promise.all([...byCreator].map(([ns, lines]) => run('ip', ['-n', ns, '-batch', '-'], { input: lines.join('\n') + '\n' })));
    await Promise.all(plan.namespaces.map((n) => run('ip', ['-n', n.name, '-batch', '-'], { input: n.ipCommands.join('\n') + '\n' })));
    await Promise.all(plan.namespaces.filter((n) => n.nft).map((n) => runIn(n.name, ['nft', '-f', '-'], { input: n.nft })));
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

/** Kills every process inside the namespace (by pid), then deletes it (its veths go with it). */
export async function deleteNamespace(ns: string): Promise<void> {
  const pids = await run('ip', ['netns', 'pids', ns], { allowFail: true });
  for (const pid of pids.stdout.split(/\s+/).filter(Boolean).map(Number)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  await run('ip', ['netns', 'delete', ns], { allowFail: true });
}

/** Removes every namespace of one run (or of every run, for `natlab lab --cleanup`). */
export async function teardownPrefix(prefix?: string): Promise<string[]> {
  const names = listTwinNamespaces(prefix);
  // Two passes: a process may be started in a namespace while the first pass runs.
  await Promise.all(names.map((n) => deleteNamespace(n)));
  const left = listTwinNamespaces(prefix);
  await Promise.all(left.map((n) => deleteNamespace(n)));
  return names;
}
