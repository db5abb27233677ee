/**
 * Walks in a VPC the model did not grow up with (the picnic templates): addresses chosen at
 * deploy taken symbolically, hosts named by logical id or Name tag, instance-to-instance flows
 * (local route, both subnets' ACLs, both groups), flows to another instance's public IP (out
 * through a NAT and back in), ICMP to the internet, and an internet address outside the
 * topology answering.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cidrMatches, isPrivateIp, symbolicBlock, symbolicIp } from '../../lib/model/address';
import { resolveHost } from '../../lib/model/hosts';
import { walk } from '../../lib/model/walk';
import { parseTemplate } from '../../lib/sources/private/cfn-parse';
import { topologyFromTemplates } from '../../lib/sources/template';

const DIR = join(__dirname, '..', 'fixtures', 'templates', 'picnic');
const topology = topologyFromTemplates(
  ['network', 'security', 'app'].map((stack) => {
    const file = join(DIR, `${stack}.yaml`);
    return { file, stack, template: parseTemplate(readFileSync(file, 'utf8'), file) };
  }),
);

describe('addresses chosen at deploy', () => {
  const ip = symbolicIp('AppA private IP', '10.20.10.0/24');

  it('are written with their block and read back', () => {
    expect(ip).toBe('<AppA private IP: any address of 10.20.10.0/24>');
    expect(symbolicBlock(ip)?.text).toBe('10.20.10.0/24');
    expect(symbolicBlock('<EIP X.PublicIp, known after deploy>')).toBeUndefined();
    expect(symbolicBlock('10.20.10.5')).toBeUndefined();
  });

  it('match a block that holds their whole subnet, miss one that holds none of it, and are unknown to one that cuts it', () => {
    expect(cidrMatches('10.20.0.0/16', ip)).toBe(true);
    expect(cidrMatches('10.20.10.0/24', ip)).toBe(true);
    expect(cidrMatches('10.20.11.0/24', ip)).toBe(false);
    expect(cidrMatches('192.168.0.0/16', ip)).toBe(false);
    expect(cidrMatches('10.20.10.0/25', ip)).toBe('unknown');
    expect(cidrMatches('10.20.10.7/32', ip)).toBe('unknown');
    expect(cidrMatches('0.0.0.0/0', ip)).toBe(true);
  });

  it('are private when their block is', () => {
    expect(isPrivateIp(ip)).toBe(true);
    expect(isPrivateIp(symbolicIp('x', '100.64.1.0/24'))).toBe(true);
    expect(isPrivateIp(symbolicIp('x', '198.51.100.0/24'))).toBe(false);
  });

  it('come from the template for instances with no PrivateIpAddress, and the walk says so', () => {
    const appA = resolveHost(topology, 'EC2InstanceAppA');
    expect(appA.privateIp).toBe('<EC2InstanceAppA private IP: any address of 10.20.10.0/24>');
    const w = walk(topology, { protocol: 'tcp', from: 'EC2InstanceAppA', sourcePort: 'any', to: { host: 'picnic-instance-appb', port: 22 } });
    expect(w.hops[0].detail).toContain('its private IP is chosen at deploy, so the model takes it as any address of network/SubnetAppA (picnic-app-a) 10.20.10.0/24');
  });
});

describe('the three stacks read as one VPC', () => {
  it('resolves !Join, !If on a condition over a parameter default, !Select [n, !GetAZs \'\'], and !ImportValue of !Sub exports', () => {
    expect(topology.internetGateways).toEqual([{ id: 'network/InternetGateway', name: 'picnic-igw', vpc: 'network/Vpc' }]);
    const azs = ['SubnetAppA', 'SubnetAppB', 'SubnetAppC'].map((id) => topology.subnets.find((x) => x.id === `network/${id}`)!.az);
    expect(azs).toEqual(['us-east-1a', 'us-east-1b', 'us-east-1c']);
    // WithNatC defaults to 'yes': NatGatewayC exists and RouteTablePrivateC points at it.
    expect(topology.routeTables.find((t) => t.id === 'network/RouteTablePrivateC')!.routes).toContainEqual({ destination: '0.0.0.0/0', target: { kind: 'nat', id: 'network/NatGatewayC' } });
    // The app stack's instances sit in the network stack's subnets, in the security stack's groups.
    expect(resolveHost(topology, 'EC2InstanceAppA')).toMatchObject({ subnet: 'network/SubnetAppA', securityGroups: ['security/SgApp'] });
    expect(topology.securityGroups.find((g) => g.id === 'security/SgApp')?.ingress).toContainEqual({ protocol: 'tcp', fromPort: 22, toPort: 22, securityGroup: 'security/SgBastion' });
  });
});

describe('hosts named by logical id or Name tag across stacks', () => {
  it.each([
    ['EC2InstanceAppB', 'app/EC2InstanceAppB'],
    ['picnic-instance-appb', 'app/EC2InstanceAppB'],
    ['app/EC2InstanceAppB', 'app/EC2InstanceAppB'],
  ])('%s', (ref, id) => {
    expect(resolveHost(topology, ref).id).toBe(id);
  });
});

describe('instance to instance inside the VPC', () => {
  it('takes the local route and passes both subnets\' ACLs and both security groups, and the reply comes back', () => {
    // The bastion may ssh to the worker in AZ b (SgWorker admits tcp/22 from SgBastion).
    const w = walk(topology, { protocol: 'tcp', from: 'EC2InstanceBastion', sourcePort: 'any', to: { host: 'picnic-instance-appb', port: 22 } });
    expect(w.verdict).toBe('delivered');
    const route = w.hops.find((h) => h.component.kind === 'route-table')!;
    expect(route.matched).toBe('10.20.0.0/16 -> local');
    const acls = w.hops.filter((h) => h.component.kind === 'network-acl').map((h) => h.component.name);
    expect(acls).toEqual(['network/SubnetAppA egress', 'network/SubnetAppB ingress']);
    const groups = w.hops.filter((h) => h.component.kind === 'security-group').map((h) => h.matched);
    expect(groups).toEqual(['security/SgBastion egress all traffic to 0.0.0.0/0', 'security/SgWorker ingress tcp 22 from security/SgBastion']);
    expect(w.reply?.verdict).toBe('delivered');
  });

  it('is dropped at the receiver\'s group when it admits the port only from another group, naming both', () => {
    const w = walk(topology, { protocol: 'tcp', from: 'EC2InstanceAppC', sourcePort: 'any', to: { host: 'EC2InstanceAppB', port: 22 } });
    expect(w.verdict).toBe('dropped');
    expect(w.dropped?.component).toBe('security/SgWorker');
    expect(w.dropped?.reason).toContain('tcp/22 from security/SgBastion');
  });

  it('to another instance\'s public IP: out through the NAT gateway and the internet gateway, back in, and the reply the same way', () => {
    const web = resolveHost(topology, 'picnic-web-c');
    const w = walk(topology, { protocol: 'tcp', from: 'EC2InstanceBastion', sourcePort: 'any', to: { host: web.publicIp!, port: 443 } });
    expect(w.verdict).toBe('delivered');
    const kinds = w.hops.filter((h) => h.action === 'translate').map((h) => h.component.id);
    expect(kinds).toEqual(['network/NatGatewayA', 'network/InternetGateway', 'network/InternetGateway']);
    expect(w.observedAtDestination?.srcIp).toBe('<EIP NatEipA.PublicIp, known after deploy>');
    expect(w.hops.find((h) => h.component.kind === 'internet')?.detail).toContain('a hairpin');
    expect(w.reply?.verdict).toBe('delivered');
    expect(w.reply?.hops.some((h) => h.component.id === 'network/NatGatewayA' && h.action === 'translate')).toBe(true);
  });
});

describe('a route that cuts a deploy-time address\'s subnet', () => {
  it('leaves the model instead of letting a shorter route win', () => {
    const cut = structuredClone(topology);
    cut.routeTables.find((t) => t.id === 'network/RouteTablePrivateA')!.routes.push({ destination: '10.20.11.0/25', target: { kind: 'peering', id: 'pcx-1' } });
    const w = walk(cut, { protocol: 'tcp', from: 'EC2InstanceBastion', sourcePort: 'any', to: { host: 'EC2InstanceAppB', port: 22 } });
    expect(w.verdict).toBe('left-model');
    expect(w.leftModel?.reason).toContain('10.20.11.0/25 -> pcx-1 (peering) may or may not hold <EC2InstanceAppB private IP: any address of 10.20.11.0/24>');
    // A route that holds the whole subnet, or none of it, still decides.
    const whole = structuredClone(topology);
    whole.routeTables.find((t) => t.id === 'network/RouteTablePrivateA')!.routes.push({ destination: '10.20.12.0/25', target: { kind: 'peering', id: 'pcx-1' } });
    expect(walk(whole, { protocol: 'tcp', from: 'EC2InstanceBastion', sourcePort: 'any', to: { host: 'EC2InstanceAppB', port: 22 } }).verdict).toBe('delivered');
  });
});

describe('addresses no route table carries', () => {
  it.each([
    ['169.254.169.254', 'is a link-local address; the instance\'s own host answers it (instance metadata at 169.254.169.254'],
    ['127.0.0.1', 'is a loopback address; it never leaves the host'],
    ['224.0.0.5', 'is a multicast address; VPC route tables do not carry it'],
    ['255.255.255.255', 'is a reserved (or broadcast) address'],
    ['0.0.0.0', 'is a "this network" address'],
  ])('%s leaves the model at the sender, never "delivered" to an assumed internet host', (ip, reason) => {
    const w = walk(topology, { protocol: 'tcp', from: 'EC2InstanceBastion', sourcePort: 'any', to: { host: ip, port: 80 } });
    expect(w.verdict).toBe('left-model');
    expect(w.leftModel?.component).toBe('app/EC2InstanceBastion');
    expect(w.leftModel?.reason).toContain(`${ip} ${reason}`);
  });
});

describe('ICMP and the internet', () => {
  it('an echo from a private host leaves through its NAT, to an internet address outside the topology that answers', () => {
    const w = walk(topology, { protocol: 'icmp', from: 'EC2InstanceBastion', sourcePort: 'any', to: { host: '8.8.8.8', port: 0 } });
    expect(w.verdict).toBe('delivered');
    expect(w.hops.find((h) => h.component.kind === 'internet')?.detail).toContain('8.8.8.8, a host outside the topology, which the model assumes accepts the connection and answers');
    expect(w.reply?.verdict).toBe('delivered');
    expect(w.translations?.[0].component).toBe('network/NatGatewayA');
  });

  it('an echo from the web subnet dies on the reply path at its network ACL, and the walk says so', () => {
    const w = walk(topology, { protocol: 'icmp', from: 'picnic-web-c', sourcePort: 'any', to: { host: '8.8.8.8', port: 0 } });
    expect(w.verdict).toBe('delivered');
    expect(w.reply?.verdict).toBe('dropped');
    expect(w.reply?.dropped?.component).toBe('security/NaclWebC');
    expect(w.reply?.dropped?.fault).toBe('network ACL security/NaclWebC (picnic-nacl-webc) inbound rule 100 denies icmp');
  });
});
