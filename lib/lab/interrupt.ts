/**
 * Ctrl-C (and SIGTERM, SIGHUP when the terminal closes, SIGQUIT) during a twin run: the
 * signal handler only raises a flag and kills the run's processes; the run notices the flag
 * between its steps and its own `finally` tears the twin down. Only then does the CLI exit
 * 128 + the signal's number, with one line.
 */
import { constants } from 'node:os';
import { teardownPrefix } from './apply';
import type { ActiveRun } from './run';

/** Thrown inside a run once it has been told to stop. */
export class LabInterrupted extends Error {
  constructor() {
    super('the twin run was interrupted');
    this.name = 'LabInterrupted';
  }
}

/** Throws LabInterrupted when the run has been told to stop. */
export function throwIfInterrupted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new LabInterrupted();
}

/** What an interruptible run receives: pass both into runLab/runScale options. */
export interface InterruptControls {
  /** Aborted on SIGINT/SIGTERM. */
  readonly signal: AbortSignal;
  /** Registers the run, so the handler can kill its processes. */
  readonly onStart: (run: ActiveRun) => void;
}

/** The line printed when a run was interrupted. */
export const INTERRUPTED_LINE = 'natlab: interrupted; the twin was torn down\n';

/** The signals that end a run; SIGKILL cannot be caught (`natlab lab --cleanup` recovers from it). */
export const STOP_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT'];

function exitCodeOf(signal: NodeJS.Signals | undefined): number {
  return 128 + (signal ? (constants.signals[signal] ?? 2) : 2);
}

/** How long the run gets to tear itself down after a signal before the handler does it. */
const TEARDOWN_GRACE_MS = 20_000;

/**
 * Runs `work` (a runLab/runScale call given the controls) with SIGINT/SIGTERM handlers. On a
 * signal: abort, kill the run's processes, wait for `work` to settle (its `finally` tears
 * down), print one line and exit 128 + the signal's number (130 for Ctrl-C). Without a signal it returns or throws what `work` does.
 */
export async function runLabInterruptibly<T>(work: (controls: InterruptControls) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  let active: ActiveRun | undefined;
  let grace: NodeJS.Timeout | undefined;
  let received: NodeJS.Signals | undefined;
  const handler = (signal: NodeJS.Signals): void => {
    if (controller.signal.aborted) return;
    received = signal;
    controller.abort();
    active?.processes.stop();
    // A run stuck somewhere the flag is not checked still ends: tear down by prefix and exit.
    grace = setTimeout(() => {
      void (async () => {
        try {
          if (active) await teardownPrefix(active.prefix);
        } finally {
          process.stderr.write(INTERRUPTED_LINE);
          process.exit(exitCodeOf(received));
        }
      })();
    }, TEARDOWN_GRACE_MS);
    grace.unref();
  };
  // A promise some step forgot to await that rejects: stop the run as a signal would, so its
  // own `finally` tears down, then report it as the failure it is.
  let stray: unknown;
  const onStrayRejection = (reason: unknown): void => {
    if (stray === undefined) stray = reason ?? new Error('a promise rejected without a reason');
    if (controller.signal.aborted) return;
    controller.abort();
    active?.processes.stop();
  };
  for (const s of STOP_SIGNALS) process.on(s, handler);
  process.on('unhandledRejection', onStrayRejection);
  let outcome: T | undefined;
  let failure: unknown;
  let failed = false;
  try {
    outcome = await work({
      signal: controller.signal,
      onStart: (run) => {
        active = run;
        if (controller.signal.aborted) run.processes.stop();
      },
    });
  } catch (err) {
    failed = true;
    failure = err;
  } finally {
    for (const s of STOP_SIGNALS) process.off(s, handler);
    process.off('unhandledRejection', onStrayRejection);
    if (grace) clearTimeout(grace);
  }
  if (stray !== undefined) throw stray;
  if (controller.signal.aborted) {
    process.stderr.write(INTERRUPTED_LINE);
    process.exit(exitCodeOf(received));
  }
  if (failed) throw failure;
  return outcome as T;
}
