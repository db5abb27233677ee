/**
 * Describe dumps at the sizes collectors produce: the whole-region fixture (39 files, most of
 * them kinds the model reads past) and a generated large account (2,000 instances with two
 * interfaces each, 500 load balancer interfaces, 100 subnets) split over two accounts' folders.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Benchmark, BenchmarkResult } from './index';
import { loadAwsDump } from '../lib/sources/aws-dump';

const SUBNETS = 100;
const INSTANCES_PER_SUBNET = 20;
const NLB_PER_SUBNET = 5;
const quiet = { note: () => undefined };

async function msPerLoad(name: string, note: string, dir: string, rounds: number): Promise<BenchmarkResult> {
  await loadAwsDump(dir, quiet); // warm up
  const start = performance.now();
  for (let i = 0; i < rounds; i++) await loadAwsDump(dir, quiet);
  return { name, value: (performance.now() - start) / rounds, unit: 'ms/load', note };
}

const hex = (n: number, width = 17) => n.toString(16).padStart(width, '0');

/** A large account, written as an owner's and a participant's dump of one shared VPC. */
function writeLargeAccount(dir: string): void {
  const vpc = 'vpc-0' + hex(1, 16);
  const subnetId = (s: number) => `subnet-${hex(s + 1)}`;
  const subnets = Array.from({ length: SUBNETS }, (_, s) => ({ SubnetId: subnetId(s), VpcId: vpc, CidrBlock: `10.0.${s}.0/24`, AvailabilityZone: `us-east-1${'abc'[s % 3]}`, MapPublicIpOnLaunch: false, AvailableIpAddressCount: 200, State: 'available' }));
  const enis: object[] = [];
  const instances: object[] = [];
  for (let s = 0; s < SUBNETS; s++) {
    for (let k = 0; k < INSTANCES_PER_SUBNET; k++) {
      const n = s * INSTANCES_PER_SUBNET + k;
      const id = `i-${hex(n + 1)}`;
      const legs = [
        { NetworkInterfaceId: `eni-${hex(2 * n + 1)}`, SubnetId: subnetId(s), VpcId: vpc, PrivateIpAddress: `10.0.${s}.${10 + k}`, Groups: [{ GroupId: 'sg-0' + hex(1, 16) }], Attachment: { DeviceIndex: 0, InstanceId: id, Status: 'attached' }, InterfaceType: 'interface', Status: 'in-use' },
        { NetworkInterfaceId: `eni-${hex(2 * n + 2)}`, SubnetId: subnetId((s + 1) % SUBNETS), VpcId: vpc, PrivateIpAddress: `10.0.${(s + 1) % SUBNETS}.${100 + k}`, Groups: [{ GroupId: 'sg-0' + hex(1, 16) }], Attachment: { DeviceIndex: 1, InstanceId: id, Status: 'attached' }, InterfaceType: 'interface', Status: 'in-use' },
      ];
      enis.push(...legs);
      instances.push({ InstanceId: id, VpcId: vpc, SubnetId: subnetId(s), PrivateIpAddress: legs[0].PrivateIpAddress, State: { Name: 'running' }, NetworkInterfaces: legs.map(({ Attachment, ...e }) => ({ ...e, Attachment: { DeviceIndex: Attachment.DeviceIndex } })), SecurityGroups: [{ GroupId: 'sg-0' + hex(1, 16) }], Tags: [{ Key: 'Name', Value: `app-${n}` }] });
    }
    for (let k = 0; k < NLB_PER_SUBNET; k++) {
      enis.push({ NetworkInterfaceId: `eni-${hex(1_000_000 + s * NLB_PER_SUBNET + k)}`, SubnetId: subnetId(s), VpcId: vpc, PrivateIpAddress: `10.0.${s}.${200 + k}`, Groups: [], InterfaceType: 'network_load_balancer', Description: `ELB net/nlb-${k}/${hex(s, 16)}`, Status: 'in-use' });
    }
  }
  const owner = join(dir, 'accounts', '111111111111', 'us-east-1');
  const participant = join(dir, 'accounts', '222222222222', 'us-east-1');
  mkdirSync(owner, { recursive: true });
  mkdirSync(participant, { recursive: true });
  for (const folder of [owner, participant]) {
    writeFileSync(join(folder, 'vpcs.json'), JSON.stringify({ Vpcs: [{ VpcId: vpc, CidrBlock: '10.0.0.0/16', OwnerId: '111111111111', State: 'available' }] }, null, 4));
    writeFileSync(join(folder, 'subnets.json'), JSON.stringify({ Subnets: subnets }, null, 4));
    writeFileSync(join(folder, 'network-interfaces.json'), JSON.stringify({ NetworkInterfaces: enis }, null, 4));
  }
  writeFileSync(join(owner, 'security-groups.json'), JSON.stringify({ SecurityGroups: [{ GroupId: 'sg-0' + hex(1, 16), VpcId: vpc, IpPermissions: [], IpPermissionsEgress: [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] }] }] }, null, 4));
  writeFileSync(join(participant, 'instances.json'), JSON.stringify({ Reservations: [{ ReservationId: 'r-0' + hex(1, 16), Instances: instances }] }, null, 4));
}

export const benchmarks: Benchmark[] = [
  {
    title: 'sources: describe dumps as collectors write them',
    run: async () => {
      const dir = mkdtempSync(join(tmpdir(), 'natlab-bench-dump-'));
      try {
        writeLargeAccount(dir);
        return [
          await msPerLoad('sources.aws-dump.full-region', 'test/fixtures/aws-dump/full-region: 39 files, 23 kinds read past', 'test/fixtures/aws-dump/full-region', 30),
          await msPerLoad(
            'sources.aws-dump.large-shared',
            `two accounts' dumps of one VPC: ${SUBNETS * INSTANCES_PER_SUBNET} instances x 2 interfaces, ${SUBNETS * NLB_PER_SUBNET} NLB interfaces, each seen twice`,
            dir,
            3,
          ),
        ];
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  },
];
