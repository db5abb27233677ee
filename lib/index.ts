/**
 * natlab's public API, listed name by name: the model (walk, predict, findings, compare, the
 * NAT table and the AWS rules it honours), the topology sources, flow logs, the local twin,
 * the report and the CDK constructs. Internals (component classes, the trace, helpers) stay
 * out of sight; a new kind of component is added through `ComponentRegistry`.
 */

// The model's vocabulary.
export {
  type Check,
  type CompareResult,
  type ComponentKind,
  type EgressOnlyInternetGateway,
  type Fault,
  type FaultDestination,
  type FlowRef,
  type FlowSpec,
  type FlowVerdict,
  type Header,
  type Hop,
  type HopAction,
  type HopMatch,
  type Host,
  type HostInterface,
  type HostKind,
  type InternetGateway,
  type IpValue,
  type LeaveCause,
  type NatAddress,
  type NatConnectivity,
  type NatGateway,
  type NetworkAcl,
  type NetworkAclRule,
  type Observation,
  type ObservationSource,
  type ObservedAt,
  type ObservedTranslation,
  type PortPrediction,
  type PredictResult,
  type Prediction,
  type PrefixList,
  type Protocol,
  type ReplyWalk,
  type Route,
  type RouteTable,
  type RouteTarget,
  type RuleProtocol,
  type RunResult,
  type SecurityGroup,
  type SecurityGroupRule,
  type StandIn,
  type Subnet,
  type Topology,
  type TranslationEntry,
  type Vpc,
  type VpcEndpoint,
  type Walk,
  type WalkEnd,
  type WalkVerdict,
} from './model/types';

// Walking packets, predicting flows, finding faults, comparing with observations.
export { walk, natSimulation, type WalkRequest, type WalkOptions, type NatSimulation } from './model/walk';
export { predict } from './model/predict';
export { findings, type FindingsOptions, type FindingsResult, type FindingFlow, type FindingCause, type FindingDrop, type DropStage } from './model/findings';
export { compareWalk, compareHops, compareTranslations, compareResult, distinctPortsCheck, headerMatches, portMatches, predictedHeaderAt, type CompareWalkOptions, type ObservedHeader, type ObservedHop } from './model/compare';
export { explainFault, faultKey } from './model/faults';
export { headerText, endpointText, portText } from './model/header-text';

// The NAT Gateway's translation table, for simulations.
export { NatTable, NAT_DEFAULTS, type NatTableOptions, type NatTableStats, type NatEntry, type FiveTuple, type OutboundResult, type InboundResult, type ExpiredEntry } from './model/nat-table';

// AWS rules and constants, one home each.
export {
  NAT_PORT_RANGE,
  NAT_IDLE_TIMEOUT_SECONDS,
  NAT_PER_DESTINATION_LIMIT,
  NAT_MAX_ADDRESSES,
  routeTableForSubnet,
  mainRouteTable,
  networkAclForSubnet,
  routeTargetOwner,
  type SubnetRouteTable,
  type RouteTargetOwner,
} from './model/rules';
export { lookupRoute, routeText } from './model/routing';
export { evaluateNetworkAcl, evaluateSecurityGroups, type FilterResult } from './model/filters';
export { resolveHost, findHosts } from './model/hosts';
export { parseCidr, cidrContains, cidrOverlap, cidrSize, isIpv4, isPrivateIp, isUnresolvedIp, subnetReserved, type Cidr, type ReservedAddresses } from './model/address';

// Extending the walk: component kinds by reference.
export { ComponentRegistry, DEFAULT_REGISTRY, type ComponentFactory } from './model/components/registry';
export type { Component, ComponentRef, Decision, Packet, Arrival, Trace, HopComponent, Milestone, NatState, WalkTranslation } from './model/components/component';

// Flow logs.
export {
  analyzeNatFlowLogs,
  analyzeFlowLogFile,
  analyzeFlowLogStream,
  parseFlowLogRecords,
  parseFlowLogFormat,
  parseRecordLine,
  renderFlowLogs,
  eniFromLogStream,
  protocolName,
  FlowLogAnalyzer,
  FlowLogLineParser,
  LogEventsScanner,
  LogEventsSyntaxError,
  DEFAULT_FLOW_LOG_FORMAT,
  FLOW_LOG_FIELDS,
  MAX_LISTED_SKIPPED,
  type AnalyzeOptions,
  type FlowLogEndpoint,
  type FlowLogEventLike,
  type FlowLogFormat,
  type FlowLogLeg,
  type FlowLogRecord,
  type FlowLogSkipped,
  type FlowLogTranslation,
  type FlowLogUnmatched,
  type FlowLogUnsolicited,
  type FlowLogsResult,
  type LogEvent,
  type PairingConfidence,
  type ParseFlowLogOptions,
  type ParsedFlowLogs,
  type RecordContext,
} from './observe';

// The CDK constructs.
export { NatGatewayLab, LAB_DEFAULTS, FLOWS_METADATA_KEY, validateLabProps, type NatGatewayLabProps, type LabClient } from './construct/nat-gateway-lab';
export { NatProbe, type NatProbeProps } from './construct/nat-probe';
export { NatGatewayLabStack, labPropsFromContext, LAB_CONTEXT_KEYS, type NatGatewayLabStackProps, type LabContext } from './construct/lab-stack';
export { LabOutputs } from './construct/outputs';
export { LAB_FLOW_LOG_FIELDS, LAB_FLOW_LOG_FORMAT } from './construct/flow-log-format';
export { NagTreePlugin, acknowledge, type Acknowledgment } from './construct/private/nag';
export { grantInAccountVerify, type VerifyGrantTarget } from './construct/private/verify-permissions';
export { VERIFY_READ_ACTIONS } from './construct/verify-actions';

// The local twin.
export { planTwin, DEFAULT_NAT_PORT_RANGE, type TwinPlan, type TwinDecisions, type TwinNamespace, type TwinLink, type TwinHost, type CapturePoint, type TwinTamper, type PlanOptions } from './lab/plan';
export { applyPlan, teardownPrefix, cleanupLeftovers, listTwinNamespaces } from './lab/apply';
export { runLab, teardownRun, type LabOptions, type LabOutcome, type ActiveRun } from './lab/run';
export { runLabInterruptibly, LabInterrupted, type InterruptControls } from './lab/interrupt';
export { runScale, modelScale, type ScaleOptions, type ScaleOutcome, type ScaleFigures } from './lab/scale';
export { compareTwin, type FlowComparison, type HopObservation } from './lab/compare';
export { renderLabText, renderScaleText } from './lab/render';
export { chooseStandIns, assertTwinAddress, StandInMap } from './lab/standins';
export { missingPrerequisites, assertTwinPrerequisites, INSTALL_HINT } from './lab/prereq';
export { newRunPrefix, RUN_PREFIX_PATTERN } from './lab/names';

// Topology sources.
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
