/**
 * natlab's CDK constructs: the whole lab (NatGatewayLab) and the drop-in probe (NatProbe).
 * Published as `natlab/constructs`: it loads aws-cdk-lib and constructs (the app's own copies,
 * peer dependencies) and no AWS SDK, CLI, schema or bundler code.
 */
export { NatGatewayLab, LAB_DEFAULTS, FLOWS_METADATA_KEY, validateLabProps, type NatGatewayLabProps, type LabClient, type DirectLabClient } from './nat-gateway-lab';
export { NatProbe, type NatProbeProps } from './nat-probe';
export { NatGatewayLabStack, labPropsFromContext, LAB_CONTEXT_KEYS, type NatGatewayLabStackProps, type LabContext } from './lab-stack';
export { EchoServerHost, type EchoServerHostProps, type AllowedSource } from './private/echo-server-host';
export { LabOutputs } from './outputs';
export { LAB_FLOW_LOG_FIELDS, LAB_FLOW_LOG_FORMAT } from './flow-log-format';
export { NagTreePlugin, acknowledge, type Acknowledgment, type IScopeValidator } from './private/nag';
export { grantInAccountVerify, type VerifyGrantTarget } from './private/verify-permissions';
export { VERIFY_READ_ACTIONS } from './verify-actions';
