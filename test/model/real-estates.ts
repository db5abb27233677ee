/**
 * Hand-built topologies shaped like real `describe-*` dumps (issue 12): an instance with three
 * network interfaces (an Elastic IP on the second), an internet-facing network load balancer
 * with its interfaces in two subnets, an interface endpoint, an S3 gateway endpoint with its
 * prefix list, and a VPC shared by two accounts. Ids and addresses are written the way AWS
 * writes them; the public addresses stand in documentation and AWS-owned ranges.
 */
import type { Topology } from '../../lib/model/types';

/** The account that owns the shared VPC, and the participant that launched the app instance. */
export const OWNER_ACCOUNT = '111122223333';
export const PARTICIPANT_ACCOUNT = '444455556666';

/** Entries of the S3 managed prefix list in us-east-1, as `get-managed-prefix-list-entries` lists them (a few). */
export const S3_PREFIX_LIST_CIDRS = ['3.5.0.0/19', '16.182.0.0/16', '18.34.0.0/19', '52.216.0.0/15', '54.231.0.0/16'];

/** An address inside the S3 prefix list (52.217.x.x is in 52.216.0.0/15). */
export const S3_ADDRESS = '52.217.44.110';

/**
 * One shared VPC (10.60.0.0/16) in us-east-1 with a public and two private subnets:
 * - `i-0aa1b2c3d4e5f6a7b` (appliance) has eth0 in private-a, eth1 in public-a with an Elastic
 *   IP, eth2 in private-b, each with its own security group; eth0 has a secondary address;
 * - an internet-facing NLB `net/web-nlb/3f1c9a0b2d4e5f61` with one ENI in each public subnet,
 *   the first with a public IP;
 * - an SSM interface endpoint with its ENI in private-a;
 * - an S3 gateway endpoint on the private route table, with pl-63a5400a's entries;
 * - a client instance in private-b launched by the participant account.
 */
export function realEstate(options: { readonly prefixListEntries?: boolean } = {}): Topology {
  const entriesKnown = options.prefixListEntries ?? true;
  return {
    name: 'real-estate',
    source: 'hand-built (test/model/real-estates.ts)',
    vpcs: [{ id: 'vpc-0c1d2e3f4a5b6c7d8', name: 'shared-vpc', cidrs: ['10.60.0.0/16'], mainRouteTable: 'rtb-0main00000000000', defaultNetworkAcl: 'acl-0default00000000', ownerId: OWNER_ACCOUNT }],
    subnets: [
      { id: 'subnet-0pub0a0000000000a', name: 'public-a', vpc: 'vpc-0c1d2e3f4a5b6c7d8', cidr: '10.60.0.0/24', az: 'us-east-1a', routeTable: 'rtb-0public000000000' },
      { id: 'subnet-0pub0b0000000000b', name: 'public-b', vpc: 'vpc-0c1d2e3f4a5b6c7d8', cidr: '10.60.1.0/24', az: 'us-east-1b', routeTable: 'rtb-0public000000000' },
      { id: 'subnet-0prv0a0000000000a', name: 'private-a', vpc: 'vpc-0c1d2e3f4a5b6c7d8', cidr: '10.60.10.0/24', az: 'us-east-1a', routeTable: 'rtb-0private00000000' },
      { id: 'subnet-0prv0b0000000000b', name: 'private-b', vpc: 'vpc-0c1d2e3f4a5b6c7d8', cidr: '10.60.11.0/24', az: 'us-east-1b', routeTable: 'rtb-0private00000000' },
    ],
    routeTables: [
      { id: 'rtb-0main00000000000', vpc: 'vpc-0c1d2e3f4a5b6c7d8', routes: [{ destination: '10.60.0.0/16', target: { kind: 'local' } }] },
      {
        id: 'rtb-0public000000000',
        name: 'public',
        vpc: 'vpc-0c1d2e3f4a5b6c7d8',
        routes: [
          { destination: '10.60.0.0/16', target: { kind: 'local' } },
          { destination: '0.0.0.0/0', target: { kind: 'igw', id: 'igw-0e1f2a3b4c5d6e7f8' } },
        ],
      },
      {
        id: 'rtb-0private00000000',
        name: 'private',
        vpc: 'vpc-0c1d2e3f4a5b6c7d8',
        routes: [
          { destination: '10.60.0.0/16', target: { kind: 'local' } },
          { destination: '0.0.0.0/0', target: { kind: 'nat', id: 'nat-0f1e2d3c4b5a69788' } },
          { destination: 'pl-63a5400a', destinationKind: 'prefix-list', target: { kind: 'vpc-endpoint', id: 'vpce-0s3gateway000000' } },
          { destination: '::/0', destinationKind: 'ipv6', target: { kind: 'egress-only-igw', id: 'eigw-0a1b2c3d4e5f60718' } },
        ],
      },
    ],
    natGateways: [
      { id: 'nat-0f1e2d3c4b5a69788', vpc: 'vpc-0c1d2e3f4a5b6c7d8', subnet: 'subnet-0pub0a0000000000a', connectivity: 'public', availabilityMode: 'zonal', addresses: [{ privateIp: '10.60.0.200', publicIp: '198.51.100.200', isPrimary: true }], eniId: 'eni-0nat0000000000000' },
    ],
    internetGateways: [{ id: 'igw-0e1f2a3b4c5d6e7f8', vpc: 'vpc-0c1d2e3f4a5b6c7d8' }],
    egressOnlyInternetGateways: [{ id: 'eigw-0a1b2c3d4e5f60718', vpc: 'vpc-0c1d2e3f4a5b6c7d8' }],
    prefixLists: [{ id: 'pl-63a5400a', name: 'com.amazonaws.us-east-1.s3', cidrs: entriesKnown ? S3_PREFIX_LIST_CIDRS : [], entriesKnown }],
    vpcEndpoints: [
      { id: 'vpce-0s3gateway000000', vpc: 'vpc-0c1d2e3f4a5b6c7d8', type: 'gateway', serviceName: 'com.amazonaws.us-east-1.s3', routeTables: ['rtb-0private00000000'], prefixList: 'pl-63a5400a' },
      { id: 'vpce-0ssm00000000000a', vpc: 'vpc-0c1d2e3f4a5b6c7d8', type: 'interface', serviceName: 'com.amazonaws.us-east-1.ssm', networkInterfaces: ['eni-0vpce0000000000a'] },
    ],
    hosts: [
      {
        id: 'i-0aa1b2c3d4e5f6a7b',
        name: 'appliance',
        kind: 'instance',
        subnet: 'subnet-0prv0a0000000000a',
        privateIp: '10.60.10.10',
        secondaryPrivateIps: ['10.60.10.11'],
        securityGroups: ['sg-0eth0000000000000'],
        instanceId: 'i-0aa1b2c3d4e5f6a7b',
        eniId: 'eni-0eth0000000000000',
        interfaces: [
          { eniId: 'eni-0eth1000000000000', subnet: 'subnet-0pub0a0000000000a', privateIp: '10.60.0.10', publicIp: '203.0.113.10', securityGroups: ['sg-0eth1000000000000'], deviceIndex: 1 },
          { eniId: 'eni-0eth2000000000000', subnet: 'subnet-0prv0b0000000000b', privateIp: '10.60.11.10', securityGroups: ['sg-0eth2000000000000'], deviceIndex: 2 },
        ],
      },
      { id: 'i-0client00000000000', name: 'client', kind: 'instance', subnet: 'subnet-0prv0b0000000000b', privateIp: '10.60.11.50', securityGroups: ['sg-0client0000000000'], instanceId: 'i-0client00000000000', eniId: 'eni-0client0000000000' },
      { id: 'eni-0nlb0a0000000000a', kind: 'load-balancer', subnet: 'subnet-0pub0a0000000000a', privateIp: '10.60.0.100', publicIp: '203.0.113.100', securityGroups: [], eniId: 'eni-0nlb0a0000000000a', service: 'ELB net/web-nlb/3f1c9a0b2d4e5f61' },
      { id: 'eni-0nlb0b0000000000b', kind: 'load-balancer', subnet: 'subnet-0pub0b0000000000b', privateIp: '10.60.1.100', securityGroups: [], eniId: 'eni-0nlb0b0000000000b', service: 'ELB net/web-nlb/3f1c9a0b2d4e5f61' },
      { id: 'eni-0vpce0000000000a', kind: 'interface-endpoint', subnet: 'subnet-0prv0a0000000000a', privateIp: '10.60.10.200', securityGroups: ['sg-0endpoint00000000'], eniId: 'eni-0vpce0000000000a', service: 'vpce-0ssm00000000000a (com.amazonaws.us-east-1.ssm)' },
    ],
    securityGroups: [
      { id: 'sg-0eth0000000000000', name: 'appliance-inside', vpc: 'vpc-0c1d2e3f4a5b6c7d8', ingress: [{ protocol: 'tcp', fromPort: 22, toPort: 22, cidr: '10.60.0.0/16' }], egress: [{ protocol: 'all', cidr: '0.0.0.0/0' }] },
      { id: 'sg-0eth1000000000000', name: 'appliance-outside', vpc: 'vpc-0c1d2e3f4a5b6c7d8', ingress: [{ protocol: 'tcp', fromPort: 443, toPort: 443, cidr: '0.0.0.0/0' }], egress: [{ protocol: 'all', cidr: '0.0.0.0/0' }] },
      { id: 'sg-0eth2000000000000', name: 'appliance-mgmt', vpc: 'vpc-0c1d2e3f4a5b6c7d8', ingress: [{ protocol: 'tcp', fromPort: 8443, toPort: 8443, securityGroup: 'sg-0client0000000000' }], egress: [{ protocol: 'all', cidr: '0.0.0.0/0' }] },
      { id: 'sg-0client0000000000', name: 'client', vpc: 'vpc-0c1d2e3f4a5b6c7d8', ingress: [], egress: [{ protocol: 'all', cidr: '0.0.0.0/0' }] },
      { id: 'sg-0endpoint00000000', name: 'endpoint', vpc: 'vpc-0c1d2e3f4a5b6c7d8', ingress: [{ protocol: 'tcp', fromPort: 443, toPort: 443, cidr: '10.60.0.0/16' }], egress: [] },
    ],
    networkAcls: [
      {
        id: 'acl-0default00000000',
        vpc: 'vpc-0c1d2e3f4a5b6c7d8',
        isDefault: true,
        ingress: [{ ruleNumber: 100, protocol: 'all', action: 'allow', cidr: '0.0.0.0/0' }],
        egress: [{ ruleNumber: 100, protocol: 'all', action: 'allow', cidr: '0.0.0.0/0' }],
      },
    ],
    flows: [],
  };
}
