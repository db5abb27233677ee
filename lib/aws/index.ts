/** The harness against a deployed lab in AWS (`natlab verify`): stack outputs, SSM, probe, flow logs, verdict. */
export { createAwsClients, type AwsClients, type AwsClientOptions } from './clients';
export { systemClock, formatDuration, type Clock } from './clock';
export { AwsError, awsCall, describeAwsError } from './errors';
export { analyzeFlowLogEvents, candidateTranslations, findTranslation, readFlowLogFormat } from './flowlog-table';
export { invokeVerifyInAccount, verifyInLambda, LAMBDA_RESERVE_MS, type InLambdaDeps, type VerifyEvent, type VerifyErrorResult } from './in-account';
export { fetchLogEventPages, fetchLogEvents, MAX_LOG_PAGES, waitForLogEvents, type LogEvent, type LogEventPages, type LogQuery } from './logs';
export { observeLab, curlCommand, DEFAULT_TIMINGS, type LabObservations, type ObserveTimings, type ServerSaw } from './observe';
export { invokeJson, lambdaProbeTransport, type ProbeEvent, type ProbeTransport } from './probe';
export { stderrProgress, silentProgress, type Progress } from './progress';
export { runShellCommand, waitForInstancesOnline, type NamedInstance } from './ssm';
export { labStackFromOutputs, readLabStack, type LabStack, type LabClient as LabStackClient } from './stack';
export { buildVerdicts } from './verdicts';
export { renderVerifyResult } from './verdict-table';
export { labTopology, runVerify, verifyExitCode, PROBE_FLOW, SEED_GROUP, type VerifyDeps, type VerifyOptions } from './verify';
/** The read-only actions verify calls (the construct grants them; plain data, no CDK). */
export { VERIFY_READ_ACTIONS } from '../construct/verify-actions';
