/**
 * Ctrl-C during a twin run: the signal handler only raises a flag and kills the run's
 * processes; the run notices the flag between its steps and its own `finally` tears the twin
 * down. Only then does the CLI exit 130, with one line.
 */
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

/** How long the run gets to tear itself down after a signal before the handler does it. */
const TEARDOWN_GRACE_MS = 20_000;

/**
 * Runs `work` (a runLab/runScale call given the controls) with SIGINT/SIGTERM handlers. On a
 * signal: abort, kill the run's processes, wait for `work` to settle (its `finally` tears
 * down), print one line and exit 130. Without a signal it returns or throws what `work` does.
 */
export async function runLabInterruptibly<T>(work: (controls: InterruptControls) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  let active: ActiveRun | undefined;
  let grace: NodeJS.Timeout | undefined;
  const handler = (): void => {
    if (controller.signal.aborted) return;
    controller.abort();
    active?.processes.stop();
    // A run stuck somewhere the flag is not checked still ends: tear down by prefix and exit.
    grace = setTimeout(() => {
      void (async () => {
        try {
          if (active) await teardownPrefix(active.prefix);
        } finally {
          process.stderr.write(INTERRUPTED_LINE);
          process.exit(130);
        }
      })();
    }, TEARDOWN_GRACE_MS);
    grace.unref();
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
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
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
    if (grace) clearTimeout(grace);
  }
  if (controller.signal.aborted) {
    process.stderr.write(INTERRUPTED_LINE);
    process.exit(130);
  }
  if (failed) throw failure;
  return outcome as T;
}
