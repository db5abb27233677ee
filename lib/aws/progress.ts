/** Progress lines for long steps: on stderr, so stdout stays one JSON document. */

/** Receives one human-readable line per step or poll. */
export type Progress = (line: string) => void;

/** Writes `natlab verify: <line>` to stderr. */
export function stderrProgress(prefix = 'natlab verify'): Progress {
  return (line) => {
    process.stderr.write(`${prefix}: ${line}\n`);
  };
}

/** Drops every line (for callers that only want the result). */
export const silentProgress: Progress = () => undefined;
