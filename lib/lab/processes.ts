/**
 * natlab's own programs inside the twin: the echo server (`dist/echo-server.js`) and the
 * probe (`dist/probe.js`, the same code the Lambda runs), started with `ip netns exec`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { PrerequisiteError } from '../errors';

/** A probe result line (`node dist/probe.js --json`), the fields the twin reads. */
export interface ProbeLine {
  readonly index: number;
  readonly ok: boolean;
  readonly requestedSourcePort: number | null;
  readonly local: { readonly ip: string; readonly port: number } | null;
  readonly serverSaw: { readonly srcIp: string; readonly srcPort: number } | null;
  readonly durationMs: number;
  readonly error: { readonly kind: string; readonly message: string } | null;
}

/** Finds a bundled program: next to the CLI bundle, else in the repository's dist/. */
export function bundledProgram(name: 'echo-server.js' | 'probe.js'): string {
  const candidates = [join(__dirname, name), resolve(__dirname, '..', '..', 'dist', name), resolve(process.cwd(), 'dist', name)];
  const found = candidates.find((c) => existsSync(c));
  if (!found) throw new PrerequisiteError(`dist/${name} is missing: run \`npm run build\` first (the twin runs natlab's own echo server and probe)`);
  return found;
}

/** Starts the echo server in a namespace; resolves once it printed its `listening` line. */
export function startEchoServer(ns: string, port: number, onProcess: (p: ChildProcess) => void): Promise<ChildProcess> {
  const child = spawn('ip', ['netns', 'exec', ns, process.execPath, bundledProgram('echo-server.js'), '--host', '0.0.0.0', '--port', String(port)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  onProcess(child);
  return new Promise((resolveStart, reject) => {
    let err = '';
    const timer = setTimeout(() => reject(new Error(`echo server in ${ns} did not start: ${err.trim()}`)), 10_000);
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`echo server in ${ns} exited (${code}): ${err.trim()}`));
    });
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (line.startsWith('listening')) {
        clearTimeout(timer);
        resolveStart(child);
      }
    });
  });
}

export interface ProbeArgs {
  readonly host: string;
  readonly port: number;
  readonly sourcePort?: number;
  readonly count?: number;
  readonly hold?: boolean;
  readonly timeoutMs: number;
}

/** Time the parent allows a probe beyond its own deadline (node start-up under load, exit). */
export const PROBE_DEADLINE_MARGIN_MS = 10_000;

/** Runs the probe in a namespace and returns its result lines. */
export function runProbe(ns: string, args: ProbeArgs, onProcess: (p: ChildProcess) => void): Promise<ProbeLine[]> {
  const argv = [bundledProgram('probe.js'), '--host', args.host, '--port', String(args.port), '--json', '--timeout', String(args.timeoutMs)];
  if (args.sourcePort !== undefined) argv.push('--source-port', String(args.sourcePort));
  if (args.count && args.count > 1) argv.push('--count', String(args.count));
  if (args.hold) argv.push('--hold');
  const child = spawn('ip', ['netns', 'exec', ns, process.execPath, ...argv], { stdio: ['ignore', 'pipe', 'pipe'] });
  onProcess(child);
  // Without --hold several connections run one after another, each with its own deadline.
  const rounds = args.hold ? 1 : Math.max(args.count ?? 1, 1);
  return probeLines(child, ns, rounds * args.timeoutMs + PROBE_DEADLINE_MARGIN_MS);
}

/**
 * Collects a running probe's result lines. The probe bounds each connection itself; this is
 * the parent's bound on the whole process: past `deadlineMs` it is SIGKILLed and the promise
 * rejects saying so.
 */
export function probeLines(child: ChildProcess, ns: string, deadlineMs: number): Promise<ProbeLine[]> {
  const lines: ProbeLine[] = [];
  if (child.stdout) {
    createInterface({ input: child.stdout }).on('line', (line) => {
      try {
        lines.push(JSON.parse(line) as ProbeLine);
      } catch {
        // not a result line
      }
    });
  }
  let err = '';
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  return new Promise((resolveRun, reject) => {
    let overdue = false;
    const timer = setTimeout(() => {
      overdue = true;
      child.kill('SIGKILL');
    }, deadlineMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      if (overdue) reject(new Error(`probe in ${ns} did not finish within ${deadlineMs} ms (its own deadline plus ${PROBE_DEADLINE_MARGIN_MS} ms); it was killed`));
      else if (code === 2) reject(new Error(`probe in ${ns} refused its arguments: ${err.trim()}`));
      else resolveRun(lines.sort((a, b) => a.index - b.index));
    });
  });
}
