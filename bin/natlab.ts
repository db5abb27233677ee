#!/usr/bin/env node
/** natlab's command line: see README.md, "CLI reference", and DESIGN.md section 4. */
import { Command } from 'commander';
import { commands } from '../lib/cli';
import { reportError } from '../lib/cli/common';
import { guardOutputStreams } from '../lib/cli/output';

// A reader that goes away (`| head`) must end the command quietly, not with a stack trace.
guardOutputStreams();

const program = new Command('natlab')
  .description('See where NAT happens: walk, predict, run and verify packets through an AWS NAT Gateway and Internet Gateway.')
  // One line, in the same form as natlab's own errors: "natlab: <what is wrong>".
  .configureOutput({ outputError: (str, write) => write(`natlab: ${str.replace(/^error: /, '')}`) });
program.exitOverride((err) => {
  // commander's own usage errors (unknown option, missing argument) are bad input: exit 2.
  process.exit(err.exitCode === 0 ? 0 : 2);
});
for (const register of commands) register(program);

program.parseAsync(process.argv).catch((err) => {
  process.exitCode = reportError(err);
});
