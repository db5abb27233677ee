/**
 * The VPC Flow Log record format the lab writes for the NAT Gateway's ENI, shared with the
 * harness (`natlab verify`, `natlab flowlogs --format`). Pure: no CDK imports.
 *
 * The ten fields DESIGN.md section 2 needs come first (ENI-level addresses and ports, then the
 * original packet addresses), then the interface, the action and the direction so records of
 * other interfaces or rejected packets can be told apart.
 */
export const LAB_FLOW_LOG_FIELDS = [
  'srcaddr',
  'srcport',
  'dstaddr',
  'dstport',
  'pkt-srcaddr',
  'pkt-dstaddr',
  'protocol',
  'tcp-flags',
  'start',
  'end',
  'interface-id',
  'action',
  'flow-direction',
] as const;

/** `${srcaddr} ${srcport} ...`: the custom format string as VPC Flow Logs takes it. */
export const LAB_FLOW_LOG_FORMAT = LAB_FLOW_LOG_FIELDS.map((f) => '${' + f + '}').join(' ');
