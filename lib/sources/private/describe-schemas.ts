/**
 * The shape of each describe output natlab reads, checked on the fields the conversion uses
 * (a `CidrBlock: null` or `Associations: "x"` is a clear error naming the file and the path,
 * not a crash later). Every other field passes through untouched, so a newer CLI's additions
 * are never an error.
 */
import { z } from 'zod';
import type { ReadKind } from './describe-kinds';

const str = z.string();
/** Resource ids: never empty. */
const id = z.string().min(1);
const optStr = z.string().optional();
const optBool = z.boolean().optional();
const list = <T extends z.ZodType>(item: T) => z.array(item).optional();
const obj = <T extends z.ZodRawShape>(shape: T) => z.looseObject(shape);

const tags = list(obj({ Key: optStr, Value: optStr }));
/** Ports and ICMP type/code: -1 means "all", as AWS writes it. */
const port = z.number().int().min(-1).max(65535).optional();
const state = obj({ State: optStr }).optional();
const cidrAssociations = list(obj({ CidrBlock: optStr, CidrBlockState: state }));
const ipv6Associations = list(obj({ Ipv6CidrBlock: optStr, Ipv6CidrBlockState: state }));
const association = obj({ PublicIp: optStr }).optional();
const groups = list(obj({ GroupId: optStr, GroupName: optStr }));
const privateIps = list(obj({ PrivateIpAddress: optStr, Primary: optBool, Association: association }));
const ipv6Addresses = list(obj({ Ipv6Address: optStr }));

/** What an ENI carries, in describe-network-interfaces and inside describe-instances. */
const eniFields = {
  SubnetId: optStr,
  VpcId: optStr,
  PrivateIpAddress: optStr,
  PrivateIpAddresses: privateIps,
  Association: association,
  Groups: groups,
  Ipv6Addresses: ipv6Addresses,
  Attachment: obj({ InstanceId: optStr, DeviceIndex: z.number().int().min(0).optional() }).optional(),
  Description: optStr,
  InterfaceType: optStr,
  RequesterManaged: optBool,
  Status: optStr,
};

const permission = obj({
  IpProtocol: optStr,
  FromPort: port,
  ToPort: port,
  IpRanges: list(obj({ CidrIp: str, Description: optStr })),
  Ipv6Ranges: list(obj({ CidrIpv6: str, Description: optStr })),
  UserIdGroupPairs: list(obj({ GroupId: optStr, Description: optStr })),
  PrefixListIds: list(obj({ PrefixListId: id, Description: optStr })),
});

const route = obj({
  DestinationCidrBlock: optStr,
  DestinationIpv6CidrBlock: optStr,
  DestinationPrefixListId: optStr,
  GatewayId: optStr,
  NatGatewayId: optStr,
  TransitGatewayId: optStr,
  VpcPeeringConnectionId: optStr,
  EgressOnlyInternetGatewayId: optStr,
  NetworkInterfaceId: optStr,
  InstanceId: optStr,
  LocalGatewayId: optStr,
  CarrierGatewayId: optStr,
  CoreNetworkArn: optStr,
  State: optStr,
});

const ITEM: Record<ReadKind, z.ZodType> = {
  Vpcs: obj({ VpcId: id, CidrBlock: str, CidrBlockAssociationSet: cidrAssociations, Ipv6CidrBlockAssociationSet: ipv6Associations, OwnerId: optStr, Tags: tags }),
  Subnets: obj({
    SubnetId: id,
    VpcId: str,
    CidrBlock: str,
    AvailabilityZone: str,
    MapPublicIpOnLaunch: optBool,
    AssignIpv6AddressOnCreation: optBool,
    Ipv6CidrBlockAssociationSet: ipv6Associations,
    Tags: tags,
  }),
  RouteTables: obj({
    RouteTableId: id,
    VpcId: str,
    Associations: list(obj({ Main: optBool, SubnetId: optStr, AssociationState: state })),
    Routes: list(route),
    Tags: tags,
  }),
  NatGateways: obj({
    NatGatewayId: id,
    VpcId: str,
    SubnetId: optStr,
    State: optStr,
    ConnectivityType: optStr,
    AvailabilityMode: optStr,
    NatGatewayAddresses: list(obj({ PrivateIp: optStr, PublicIp: optStr, AllocationId: optStr, NetworkInterfaceId: optStr, IsPrimary: optBool, Status: optStr, AvailabilityZone: optStr })),
    Tags: tags,
  }),
  InternetGateways: obj({ InternetGatewayId: id, Attachments: list(obj({ State: optStr, VpcId: optStr })), Tags: tags }),
  NetworkInterfaces: obj({ NetworkInterfaceId: id, ...eniFields, TagSet: tags }),
  Reservations: obj({
    ReservationId: id,
    Instances: list(
      obj({
        InstanceId: id,
        VpcId: optStr,
        SubnetId: optStr,
        PrivateIpAddress: optStr,
        PublicIpAddress: optStr,
        Ipv6Address: optStr,
        State: obj({ Name: optStr }).optional(),
        SecurityGroups: groups,
        NetworkInterfaces: list(obj({ NetworkInterfaceId: optStr, ...eniFields })),
        Tags: tags,
      }),
    ),
  }),
  SecurityGroups: obj({ GroupId: id, GroupName: optStr, VpcId: optStr, IpPermissions: list(permission), IpPermissionsEgress: list(permission) }),
  NetworkAcls: obj({
    NetworkAclId: id,
    VpcId: str,
    IsDefault: optBool,
    Associations: list(obj({ SubnetId: optStr })),
    Entries: list(
      obj({
        // 32767 and 32768 are the implicit IPv4 and IPv6 "*" rules.
        RuleNumber: z.number().int().min(1).max(32768),
        Egress: optBool,
        Protocol: optStr,
        RuleAction: z.enum(['allow', 'deny']).optional(),
        CidrBlock: optStr,
        Ipv6CidrBlock: optStr,
        PortRange: obj({ From: port, To: port }).optional(),
        IcmpTypeCode: obj({ Type: z.number().int().optional(), Code: z.number().int().optional() }).optional(),
      }),
    ),
    Tags: tags,
  }),
  Addresses: obj({ PublicIp: id, AllocationId: optStr, InstanceId: optStr, NetworkInterfaceId: optStr, PrivateIpAddress: optStr }),
  PrefixLists: obj({ PrefixListId: id, PrefixListName: optStr, Cidrs: list(str), AddressFamily: optStr, State: optStr, OwnerId: optStr, Tags: tags }),
  VpcEndpoints: obj({
    VpcEndpointId: id,
    VpcEndpointType: optStr,
    VpcId: str,
    ServiceName: optStr,
    State: optStr,
    RouteTableIds: list(str),
    SubnetIds: list(str),
    NetworkInterfaceIds: list(str),
    Tags: tags,
  }),
  EgressOnlyInternetGateways: obj({ EgressOnlyInternetGatewayId: id, Attachments: list(obj({ State: optStr, VpcId: optStr })), Tags: tags }),
  Entries: obj({ Cidr: str, Description: optStr }),
};

/** The schema of one describe output's list (`Vpcs`, `Reservations`, ...). */
export function describeListSchema(kind: ReadKind): z.ZodType<Record<string, unknown>[]> {
  return z.array(ITEM[kind]) as unknown as z.ZodType<Record<string, unknown>[]>;
}
