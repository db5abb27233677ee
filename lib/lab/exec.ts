/**
 * Running the twin's tools: always an argument vector (execFile/spawn), never a shell string,
 * so no value from a topology is ever interpreted by a shell.
 */
import { spawn } from 'node:child_process';

export interface RunOutput {
  readonly stdout: string;
  readonly stderr: string;
  readonly code: number;
}

/** A command that failed, with what it printed. */
export class CommandError extends Error {
  constructor(
    readonly argv: string[],
    readonly output: RunOutput,
  ) {
    super(`${argv.join(' ')} failed (exit ${output.code}): ${output.stderr.trim() || output.stdout.trim()}`);
    this.name = 'CommandError';
  }
}

/** Runs `file args...`, feeding `input` on stdin; rejects on a non-zero exit unless `allowFail`. */
export function run(file: string, args: string[], opts: { input?: string; allowFail?: boolean } = {}): Promise<RunOutput> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    child.on('error', reject);
    child.on('close', (code) => {
      const result = { stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString(), code: code ?? 1 };
      if (result.code !== 0 && !opts.allowFail) reject(new CommandError([file, ...args], result));
      else resolve(result);
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(opts.input ?? '');
  });
}

/** Runs `argv` inside a namespace (`ip netns exec NS ...`). */
export function runIn(ns: string, argv: string[], opts: { input?: string; allowFail?: boolean } = {}): Promise<RunOutput> {
  return run('ip', ['netns', 'exec', ns, ...argv], opts);
}
