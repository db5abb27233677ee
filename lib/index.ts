/** natlab's public API: the model, the topology sources and the CDK constructs. */
export * from './model';
export * from './observe';
export * from './construct';
export * from './lab';
export { seedTopology, loadTopology } from './sources';
export { loadScenario, parseScenario } from './sources/scenario';
export { loadAwsDump, type AwsDumpOptions } from './sources/aws-dump';
export { topologyFromDescribe, type DescribeOutputs, type DescribeOptions } from './sources/aws-describe';
export { loadLiveTopology, type LiveTopologyOptions } from './sources/aws-live';
export { loadTemplates, topologyFromTemplates, type TemplateOptions } from './sources/template';
export { renderHtml, renderMarkdown, renderSvg, renderFindings, layout, parseReportInput, type ReportInput } from './report';
export {
  runVerify,
  verifyExitCode,
  renderVerifyResult,
  createAwsClients,
  readLabStack,
  invokeVerifyInAccount,
  verifyInLambda,
  type AwsClients,
  type VerifyOptions,
  type VerifyDeps,
  type VerifyEvent,
  type LabStack,
} from './aws';
