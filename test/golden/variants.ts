/**
 * Seed variants for the golden record: one fault or feature per topology, so that every kind
 * of drop, leave and translation the model speaks of appears in the recorded outputs.
 */
import type { Topology } from '../../lib/model/types';
import { addRegionalNat, seedWith, setDefaultRoute, table } from '../model/topologies';

/** A named topology of the golden set. */
export interface GoldenVariant {
  readonly name: string;
  readonly topology: Topology;
}

/** The variants, each the seed with one thing changed. */
export function goldenSeedVariants(): GoldenVariant[] {
  return [
    {
      name: 'public-ip-behind-nat',
      topology: seedWith((t) => {
        t.hosts.push({ id: 'web', name: 'web', kind: 'instance', subnet: 'subnet-private', privateIp: '10.0.1.50', publicIp: '203.0.113.50', securityGroups: ['sg-web'] });
        t.securityGroups.push({ id: 'sg-web', vpc: 'vpc-lab', ingress: [{ protocol: 'tcp', fromPort: 22, toPort: 22, cidr: '0.0.0.0/0' }], egress: [{ protocol: 'all', cidr: '0.0.0.0/0' }] });
      }),
    },
    {
      name: 'acl-partial-ephemeral',
      topology: seedWith((t) => {
        t.subnets.find((s) => s.id === 'subnet-public')!.networkAcl = 'acl-public';
        t.networkAcls.push({
          id: 'acl-public',
          vpc: 'vpc-lab',
          isDefault: false,
          ingress: [
            { ruleNumber: 100, protocol: 'all', action: 'allow', cidr: '10.0.0.0/16' },
            { ruleNumber: 110, protocol: 'tcp', action: 'allow', cidr: '0.0.0.0/0', fromPort: 60000, toPort: 65535 },
            { ruleNumber: 120, protocol: 'tcp', action: 'allow', cidr: '0.0.0.0/0', fromPort: 2000, toPort: 2999 },
          ],
          egress: [{ ruleNumber: 100, protocol: 'all', action: 'allow', cidr: '0.0.0.0/0' }],
        });
      }),
    },
    { name: 'acl-deny-egress', topology: seedWith((t) => void t.networkAcls[0].egress.push({ ruleNumber: 90, protocol: 'tcp', action: 'deny', cidr: '44.198.164.163/32', fromPort: 8080, toPort: 8080 })) },
    {
      name: 'no-acl',
      topology: seedWith((t) => {
        t.networkAcls = [];
        delete t.vpcs[0].defaultNetworkAcl;
      }),
    },
    { name: 'nat-subnet-no-default', topology: seedWith((t) => setDefaultRoute(t, 'rtb-public', null)) },
    {
      name: 'nat-own-subnet',
      topology: seedWith((t) => {
        table(t, 'rtb-public').routes.push({ destination: '44.198.164.163/32', target: { kind: 'nat', id: 'nat-xxx' } });
        t.hosts.push({ id: 'nopub', name: 'nopub', kind: 'instance', subnet: 'subnet-public', privateIp: '10.0.0.20', securityGroups: ['sg-clients'] });
      }),
    },
    { name: 'main-table', topology: seedWith((t) => void delete t.subnets.find((s) => s.id === 'subnet-private')!.routeTable) },
    { name: 'blackhole', topology: seedWith((t) => setDefaultRoute(t, 'rtb-private', { kind: 'blackhole' })) },
    { name: 'nat-gone', topology: seedWith((t) => setDefaultRoute(t, 'rtb-private', { kind: 'nat', id: 'nat-gone' })) },
    { name: 'tgw', topology: seedWith((t) => setDefaultRoute(t, 'rtb-private', { kind: 'tgw', id: 'tgw-0abc' })) },
    { name: 'nat-instance', topology: seedWith((t) => setDefaultRoute(t, 'rtb-private', { kind: 'instance', id: 'i-nat-instance' })) },
    { name: 'other-gateway', topology: seedWith((t) => setDefaultRoute(t, 'rtb-private', { kind: 'other', id: 'cagw-1', type: 'carrier gateway' })) },
    {
      name: 'nat-by-eni',
      topology: seedWith((t) => {
        t.natGateways[0].eniId = 'eni-nat';
        setDefaultRoute(t, 'rtb-private', { kind: 'eni', id: 'eni-nat' });
      }),
    },
    { name: 'igw-no-public', topology: seedWith((t) => void t.hosts.push({ id: 'nopub', name: 'nopub', kind: 'instance', subnet: 'subnet-public', privateIp: '10.0.0.20', securityGroups: ['sg-clients'] })) },
    {
      name: 'private-nat',
      topology: seedWith((t) => {
        t.natGateways[0].connectivity = 'private';
        delete t.natGateways[0].addresses[0].publicIp;
      }),
    },
    {
      name: 'regional-nat',
      topology: seedWith(addRegionalNat),
    },
    {
      name: 'sg-server-closed',
      topology: seedWith((t) => {
        const sg = t.securityGroups.find((g) => g.id === 'sg-server')!;
        sg.ingress = sg.ingress.filter((r) => r.cidr !== '3.224.9.52/32');
      }),
    },
    {
      name: 'sg-reference',
      topology: seedWith((t) => {
        t.securityGroups.find((g) => g.id === 'sg-clients')!.ingress.push({ protocol: 'tcp', fromPort: 22, toPort: 22, securityGroup: 'sg-clients' });
        t.hosts.push({ id: 'other', name: 'other', kind: 'instance', subnet: 'subnet-private', privateIp: '10.0.1.60', securityGroups: ['sg-other'] });
        t.securityGroups.push({ id: 'sg-other', vpc: 'vpc-lab', ingress: [], egress: [{ protocol: 'all', cidr: '0.0.0.0/0' }] });
      }),
    },
    { name: 'sg-prefix-list', topology: seedWith((t) => void (t.securityGroups.find((g) => g.id === 'sg-server')!.ingress = [{ protocol: 'tcp', fromPort: 8080, toPort: 8080, prefixList: 'pl-123' }])) },
    { name: 'lambda', topology: seedWith((t) => void t.hosts.push({ id: 'probe', name: 'probe', kind: 'lambda', subnet: 'subnet-private', privateIp: '10.0.1.77', eniId: 'eni-hyperplane', securityGroups: ['sg-clients'] })) },
    {
      name: 'server-in-vpc',
      topology: seedWith((t) => {
        t.vpcs.push({ id: 'vpc-internet', cidrs: ['172.31.0.0/16'], mainRouteTable: 'rtb-internet' });
        t.subnets.push({ id: 'subnet-internet', vpc: 'vpc-internet', cidr: '172.31.0.0/24', az: 'us-east-1a' });
        t.routeTables.push({ id: 'rtb-internet', vpc: 'vpc-internet', routes: [{ destination: '172.31.0.0/16', target: { kind: 'local' } }, { destination: '0.0.0.0/0', target: { kind: 'igw', id: 'igw-internet' } }] });
        t.internetGateways.push({ id: 'igw-internet', vpc: 'vpc-internet' });
        const server = t.hosts.find((h) => h.id === 'server')!;
        server.subnet = 'subnet-internet';
        server.privateIp = '172.31.0.10';
        server.publicIp = '44.198.164.163';
      }),
    },
    {
      name: 'acl-isdefault-without-vpc-default',
      topology: seedWith((t) => {
        delete t.vpcs[0].defaultNetworkAcl;
      }),
    },
    {
      name: 'route-target-alias',
      topology: seedWith((t) => {
        t.hosts.push({ id: 'appliance', name: 'appliance', kind: 'instance', subnet: 'subnet-public', privateIp: '10.0.0.30', publicIp: '203.0.113.30', instanceId: 'i-0appliance', eniId: 'eni-0appliance', aliases: ['Appliance'], securityGroups: ['sg-clients'] });
        table(t, 'rtb-private').routes.push({ destination: '10.0.0.30/32', target: { kind: 'eni', id: 'Appliance' } });
      }),
    },
  ];
}
