/**
 * The stack outputs the harness reads (`natlab verify`), named once for the construct and the
 * harness alike. Pure: no CDK imports, so the CLI can use it without loading aws-cdk-lib.
 */
export const LabOutputs = {
  /** Marker: present on every natlab lab stack; its value is the natlab version. */
  marker: 'NatlabLab',
  vpcId: 'VpcId',
  serverPublicIp: 'ServerPublicIp',
  serverPort: 'ServerPort',
  elasticIp: 'ElasticIp',
  natGatewayId: 'NatGatewayId',
  natPrivateIp: 'NatPrivateIp',
  natEniId: 'NatNetworkInterfaceId',
  /** Comma-separated, in the order of the `clientIps` prop. */
  clientInstanceIds: 'ClientInstanceIds',
  clientPrivateIps: 'ClientPrivateIps',
  directClientInstanceId: 'DirectClientInstanceId',
  directClientPrivateIp: 'DirectClientPrivateIp',
  directClientPublicIp: 'DirectClientPublicIp',
  sourcePort: 'SourcePort',
  probeFunctionName: 'ProbeFunctionName',
  /** The in-account verifier function; absent when the lab is deployed without `inAccountVerify`. */
  verifierFunctionName: 'VerifierFunctionName',
  flowLogGroupName: 'FlowLogGroupName',
} as const;
