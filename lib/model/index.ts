/**
 * The model: pure TypeScript that walks a packet hop by hop through a VPC and predicts what the
 * other end sees. Its public names, listed one by one (lib/index.ts lists the same for the package).
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
} from './types';

// Walking packets, predicting flows, finding faults, comparing with observations.
export { walk, natSimulation, type WalkRequest, type WalkOptions, type NatSimulation } from './walk';
export { predict } from './predict';
export { findings, type FindingsOptions, type FindingsResult, type FindingFlow, type FindingCause, type FindingDrop, type DropStage } from './findings';
export { compareWalk, compareHops, compareTranslations, compareResult, distinctPortsCheck, headerMatches, portMatches, predictedHeaderAt, type CompareWalkOptions, type ObservedHeader, type ObservedHop } from './compare';
export { explainFault, faultKey } from './faults';
export { headerText, endpointText, portText } from './header-text';

// The NAT Gateway's translation table, for simulations.
export { NatTable, NAT_DEFAULTS, type NatTableOptions, type NatTableStats, type NatEntry, type FiveTuple, type OutboundResult, type InboundResult, type ExpiredEntry } from './nat-table';

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
} from './rules';
export { lookupRoute, routeText } from './routing';
export { evaluateNetworkAcl, evaluateSecurityGroups, type FilterResult } from './filters';
export { resolveHost, findHosts } from './hosts';
export { parseCidr, cidrContains, cidrOverlap, cidrSize, isIpv4, isPrivateIp, isUnresolvedIp, subnetReserved, type Cidr, type ReservedAddresses } from './address';

// Extending the walk: component kinds by reference.
export { ComponentRegistry, DEFAULT_REGISTRY, type ComponentFactory } from './components/registry';
export type { Component, ComponentRef, Decision, Packet, Arrival, Trace, HopComponent, Milestone, NatState, WalkTranslation } from './components/component';
