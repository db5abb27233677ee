/**
 * The describe outputs a dump folder holds, by top-level key: the ones natlab reads (each with
 * the id field its items carry and the list of `DescribeOutputs` it fills) and well-known ones
 * it reads past, named by their CLI command for the "not used" note.
 */
import type { DescribeOutputs } from '../aws-describe';

/** Kinds natlab reads: top-level key -> list, id field, CLI command. */
export const READ_KINDS = {
  Vpcs: { list: 'vpcs', id: 'VpcId', command: 'describe-vpcs' },
  Subnets: { list: 'subnets', id: 'SubnetId', command: 'describe-subnets' },
  RouteTables: { list: 'routeTables', id: 'RouteTableId', command: 'describe-route-tables' },
  NatGateways: { list: 'natGateways', id: 'NatGatewayId', command: 'describe-nat-gateways' },
  InternetGateways: { list: 'internetGateways', id: 'InternetGatewayId', command: 'describe-internet-gateways' },
  NetworkInterfaces: { list: 'networkInterfaces', id: 'NetworkInterfaceId', command: 'describe-network-interfaces' },
  Reservations: { list: 'reservations', id: 'ReservationId', command: 'describe-instances' },
  SecurityGroups: { list: 'securityGroups', id: 'GroupId', command: 'describe-security-groups' },
  NetworkAcls: { list: 'networkAcls', id: 'NetworkAclId', command: 'describe-network-acls' },
  Addresses: { list: 'addresses', id: 'PublicIp', command: 'describe-addresses' },
  /**
   * Both `describe-prefix-lists` (AWS service lists, with `Cidrs`) and `describe-managed-prefix-lists`
   * (any managed list, with `AddressFamily`, `OwnerId` but no entries) answer under this key.
   */
  PrefixLists: { list: 'prefixLists', id: 'PrefixListId', command: 'describe-prefix-lists / describe-managed-prefix-lists' },
  VpcEndpoints: { list: 'vpcEndpoints', id: 'VpcEndpointId', command: 'describe-vpc-endpoints' },
  EgressOnlyInternetGateways: { list: 'egressOnlyInternetGateways', id: 'EgressOnlyInternetGatewayId', command: 'describe-egress-only-internet-gateways' },
  /** `get-managed-prefix-list-entries`: its items carry no list id; the file's path (or a top-level PrefixListId) names the list. */
  Entries: { list: 'prefixListEntries', id: 'Cidr', command: 'get-managed-prefix-list-entries' },
} as const satisfies Record<string, { list: keyof DescribeOutputs; id: string; command: string }>;

export type ReadKind = keyof typeof READ_KINDS;

export function isReadKind(key: string): key is ReadKind {
  return Object.prototype.hasOwnProperty.call(READ_KINDS, key);
}

/**
 * Describe outputs a collector gathers that the model has no use for (yet), by top-level key ->
 * command. Any other PascalCase key holding a list is treated the same way and named by its key.
 */
export const KNOWN_UNUSED: Readonly<Record<string, string>> = {
  AvailabilityZones: 'ec2 describe-availability-zones',
  Regions: 'ec2 describe-regions',
  TransitGateways: 'ec2 describe-transit-gateways',
  TransitGatewayAttachments: 'ec2 describe-transit-gateway-attachments',
  TransitGatewayVpcAttachments: 'ec2 describe-transit-gateway-vpc-attachments',
  TransitGatewayRouteTables: 'ec2 describe-transit-gateway-route-tables',
  TransitGatewayPeeringAttachments: 'ec2 describe-transit-gateway-peering-attachments',
  VpcPeeringConnections: 'ec2 describe-vpc-peering-connections',
  LoadBalancers: 'elbv2 describe-load-balancers',
  LoadBalancerDescriptions: 'elb describe-load-balancers',
  TargetGroups: 'elbv2 describe-target-groups',
  Listeners: 'elbv2 describe-listeners',
  TargetHealthDescriptions: 'elbv2 describe-target-health',
  VpnGateways: 'ec2 describe-vpn-gateways',
  CustomerGateways: 'ec2 describe-customer-gateways',
  VpnConnections: 'ec2 describe-vpn-connections',
  DhcpOptions: 'ec2 describe-dhcp-options',
  KeyPairs: 'ec2 describe-key-pairs',
  Images: 'ec2 describe-images',
  Volumes: 'ec2 describe-volumes',
  Snapshots: 'ec2 describe-snapshots',
  FlowLogs: 'ec2 describe-flow-logs',
  SecurityGroupRules: 'ec2 describe-security-group-rules',
  LaunchTemplates: 'ec2 describe-launch-templates',
  PlacementGroups: 'ec2 describe-placement-groups',
  CarrierGateways: 'ec2 describe-carrier-gateways',
  ClientVpnEndpoints: 'ec2 describe-client-vpn-endpoints',
  ServiceDetails: 'ec2 describe-vpc-endpoint-services',
  InstanceStatuses: 'ec2 describe-instance-status',
  Tags: 'ec2 describe-tags',
  AccountAttributes: 'ec2 describe-account-attributes',
};

/** A top-level key that looks like an AWS API output member (`Vpcs`, `TargetGroups`). */
export const API_MEMBER = /^[A-Z][A-Za-z0-9]*$/;
