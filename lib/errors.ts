/**
 * Errors a user can act on. The CLI prints `message` as one line and exits with `exitCode`
 * (2: bad input, per DESIGN.md section 4); anything else is an internal error.
 */
export class InputError extends Error {
  readonly exitCode: number;
  constructor(message: string, exitCode = 2) {
    super(message);
    this.name = 'InputError';
    this.exitCode = exitCode;
  }
}

/** A prerequisite of the environment is missing (root, a command, credentials). */
export class PrerequisiteError extends InputError {
  constructor(message: string) {
    super(message, 2);
    this.name = 'PrerequisiteError';
  }
}
