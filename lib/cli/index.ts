/** The CLI's commands: each module registers one command on the program. */
import type { Command } from 'commander';
import { registerWalk } from './walk';
import { registerFindings } from './findings';
import { registerPredict } from './predict';
import { registerFlowLogs } from './flowlogs';
import { registerLab } from './lab';
import { registerStart } from './start';
import { registerReport } from './report';
import { registerVerify } from './verify';

/**
 * Command registrations, in the order `natlab --help` lists them. A command module imports
 * heavy packages (AWS SDK, aws-cdk-lib, Chromium drivers) inside its action, never at the top,
 * so that `natlab predict` starts fast.
 */
export const commands: Array<(program: Command) => void> = [
  registerWalk,
  registerFindings,
  registerPredict,
  registerFlowLogs,
  registerLab,
  registerStart,
  registerReport,
  registerVerify,
];
