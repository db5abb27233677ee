/**
 * `natlab predict --template cdk.out/NatGatewayLab.template.json`: the lab the CDK app
 * deploys, synthesized in-process, read back as a template, predicts the seed's walks.
 */
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { NatGatewayLabStack } from '../../lib/construct';
import { predict } from '../../lib/model';
import type { Topology } from '../../lib/model/types';
import { seedTopology } from '../../lib/sources';
import type { CfnTemplate } from '../../lib/sources/private/cfn-parse';
import { topologyFromTemplates } from '../../lib/sources/template';
import { walkShape } from './walk-shape';

let topology: Topology;
let template: CfnTemplate;
beforeAll(() => {
  const app = new App();
  const stack = new NatGatewayLabStack(app, 'NatGatewayLab');
  template = Template.fromStack(stack).toJSON() as CfnTemplate;
  topology = topologyFromTemplates([{ file: 'cdk.out/NatGatewayLab.template.json', stack: 'NatGatewayLab', template }]);
});

/** The logical id of the one resource of a type whose id starts with `prefix`. */
function logicalId(type: string, prefix: string): string {
  const ids = Object.entries(template.Resources)
    .filter(([id, r]) => r.Type === type && id.startsWith(prefix))
    .map(([id]) => id);
  expect(ids).toHaveLength(1);
  return ids[0];
}

test('the synthesized lab predicts the same walks as the built-in seed, with the EIPs named instead of invented', () => {
  const natEip = `<EIP ${logicalId('AWS::EC2::EIP', 'LabVpcPublicSubnet1EIP')}.PublicIp, known after deploy>`;
  const directEip = `<EIP ${logicalId('AWS::EC2::EIP', 'LabDirectClientEip')}.PublicIp, known after deploy>`;
  const seed = predict(seedTopology()).walks;
  const walks = predict(topology).walks;
  expect(walks.map((w) => w.flow.name)).toEqual(seed.map((w) => w.flow.name));
  walks.forEach((w, i) => expect(walkShape(w)).toEqual(walkShape(seed[i])));
  expect(walks.map((w) => w.observedAtDestination)).toEqual([
    { ...seed[0].observedAtDestination, srcIp: natEip },
    { ...seed[1].observedAtDestination, srcIp: natEip },
    { ...seed[2].observedAtDestination, srcIp: directEip },
  ]);
  // Step 3 of the article: the NAT rewrites to its pinned private IP, exactly as in the seed.
  const translate = (w: (typeof walks)[0]) => w.hops.find((h) => h.component.kind === 'nat-gateway' && h.action === 'translate')!.after.srcIp;
  expect(translate(walks[0])).toBe('10.0.0.226');
});

test('the flows come from the natlab:flows metadata the construct writes', () => {
  expect(topology.flows).toEqual(
    seedTopology().flows.map((f) => ({ ...f, from: { 'client-a': '10.0.1.32', 'client-b': '10.0.1.123', direct: '10.0.0.10' }[f.from] })),
  );
});

test('the topology matches the seed: CIDRs, pinned addresses, routes, and the server on the internet', () => {
  const seed = seedTopology();
  expect(topology.subnets.filter((s) => s.id.startsWith('LabVpc')).map((s) => [s.cidr, s.az])).toEqual(seed.subnets.map((s) => [s.cidr, s.az]));
  expect(topology.natGateways.map((n) => n.addresses.map((a) => a.privateIp))).toEqual([['10.0.0.226']]);
  expect(topology.hosts.map((h) => [h.name, h.kind, h.privateIp.startsWith('<') ? 'unresolved' : h.privateIp])).toEqual([
    ['client-a', 'instance', '10.0.1.32'],
    ['client-b', 'instance', '10.0.1.123'],
    ['direct', 'instance', '10.0.0.10'],
    ['server', 'server', 'unresolved'],
    [expect.stringMatching(/^LabProbe/), 'lambda', 'unresolved'],
  ]);
  const byTarget = (kind: string) => topology.routeTables.filter((r) => r.routes.some((x) => x.destination === '0.0.0.0/0' && x.target.kind === kind)).length;
  expect(byTarget('nat')).toBe(1);
  expect(byTarget('igw')).toBe(2); // the lab's public subnet and the server's "internet" VPC
});

test('with a given EIP allocation (eipAllocationId), the NAT and the server security group name the same address', () => {
  const app = new App();
  const stack = new NatGatewayLabStack(app, 'NatGatewayLab', { lab: { eipAllocationId: 'eipalloc-0123456789abcdef0' } });
  const t = topologyFromTemplates([{ file: 'NatGatewayLab.template.json', stack: 'NatGatewayLab', template: Template.fromStack(stack).toJSON() as CfnTemplate }]);
  const given = '<Elastic IP eipalloc-0123456789abcdef0, address known after deploy>';
  expect(t.natGateways[0].addresses[0]).toMatchObject({ allocationId: 'eipalloc-0123456789abcdef0', publicIp: given });
  const walks = predict(t).walks;
  expect(walks.map((w) => [w.flow.name, w.verdict, w.observedAtDestination?.srcIp])).toEqual([
    ['client-a', 'delivered', given],
    ['client-b', 'delivered', given],
    ['direct', 'delivered', expect.stringMatching(/^<EIP LabDirectClientEip\w+\.PublicIp, known after deploy>$/)],
  ]);
});
