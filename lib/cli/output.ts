/**
 * The one home of the CLI's standard output. A reader that goes away (`natlab predict --json |
 * head -c 10`) ends the command quietly with exit 0, as `head` users expect, at any output
 * size: the EPIPE is noted, later writes are dropped, and the command still finishes what it
 * owns (files, teardown) before it exits.
 */
let stdoutClosed = false;
let guarded = false;

function isClosedPipe(err: NodeJS.ErrnoException): boolean {
  return err.code === 'EPIPE' || err.code === 'ERR_STREAM_DESTROYED';
}

/**
 * Installs the EPIPE handling on stdout and stderr (once, at start-up). A closed stderr only
 * silences progress lines; any other stream error still surfaces.
 */
export function guardOutputStreams(): void {
  if (guarded) return;
  guarded = true;
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (!isClosedPipe(err)) throw err;
    stdoutClosed = true;
  });
  process.stderr.on('error', (err: NodeJS.ErrnoException) => {
    if (!isClosedPipe(err)) throw err;
  });
}

/** True once stdout's reader went away: the command's exit code is then 0. */
export function isStdoutClosed(): boolean {
  return stdoutClosed;
}

/** Marks stdout closed (a written-through `/dev/stdout` found the pipe gone). */
export function markStdoutClosed(): void {
  stdoutClosed = true;
}

/** Writes text to stdout, or nothing once its reader went away. */
export function writeStdout(text: string): void {
  if (stdoutClosed) return;
  try {
    process.stdout.write(text);
  } catch (err) {
    if (!isClosedPipe(err as NodeJS.ErrnoException)) throw err;
    stdoutClosed = true;
  }
}

/** Resolves once everything written so far has reached stdout or failed (so EPIPE is known). */
export async function flushStdout(): Promise<void> {
  const out = process.stdout;
  if (!stdoutClosed && !out.destroyed && out.writableLength > 0) {
    await new Promise<void>((resolve) => {
      const done = (): void => {
        out.off('drain', done).off('close', done).off('error', done);
        resolve();
      };
      out.on('drain', done).on('close', done).on('error', done);
    });
  }
  // A failed write reports its EPIPE on a later turn of the event loop.
  await new Promise((resolve) => setImmediate(resolve));
}

/** Prints exactly one JSON document on stdout. */
export function printJson(value: unknown): void {
  writeStdout(JSON.stringify(value, null, 2) + '\n');
}
