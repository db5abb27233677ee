/**
 * What drawing costs beside what predicting costs, for the same topology: the HTML page
 * (layout, SVG, tables) and the Markdown for the seed and for a large VPC (6 AZs, a NAT
 * Gateway per AZ, 8 clients per private subnet), each against `predict` on that topology.
 */
import type { Benchmark, BenchmarkResult } from './index';
import { predict } from '../lib/model/predict';
import type { Topology } from '../lib/model/types';
import { layout, renderHtml, renderMarkdown } from '../lib/report';
import { seedTopology } from '../lib/sources';

/** A VPC with `azs` AZs, a public and a private subnet each, one NAT per AZ, `clients` per private subnet. */
export function largeTopology(azs: number, clients: number): Topology {
  const seed = seedTopology();
  const letters = 'abcdefghij';
  const vpc = 'vpc-large';
  const az = (i: number) => `us-east-1${letters[i]}`;
  const subnets = Array.from({ length: azs }, (_, i) => [
    { id: `subnet-pub-${i}`, vpc, cidr: `10.2.${2 * i}.0/24`, az: az(i), routeTable: 'rtb-public' },
    { id: `subnet-priv-${i}`, vpc, cidr: `10.2.${2 * i + 1}.0/24`, az: az(i), routeTable: `rtb-private-${i}` },
  ]).flat();
  const local = { destination: '10.2.0.0/16', target: { kind: 'local' as const } };
  const hosts = Array.from({ length: azs }, (_, i) =>
    Array.from({ length: clients }, (_, k) => ({ id: `c-${i}-${k}`, name: `c-${i}-${k}`, kind: 'instance' as const, subnet: `subnet-priv-${i}`, privateIp: `10.2.${2 * i + 1}.${10 + k}`, securityGroups: ['sg-clients'] })),
  ).flat();
  const eips = Array.from({ length: azs }, (_, i) => `198.51.100.${20 + i}`);
  return {
    ...seed,
    name: `large-${azs}az`,
    vpcs: [{ id: vpc, cidrs: ['10.2.0.0/16'], mainRouteTable: 'rtb-public' }],
    subnets,
    routeTables: [
      { id: 'rtb-public', vpc, routes: [local, { destination: '0.0.0.0/0', target: { kind: 'igw', id: 'igw-large' } }] },
      ...Array.from({ length: azs }, (_, i) => ({ id: `rtb-private-${i}`, vpc, routes: [local, { destination: '0.0.0.0/0', target: { kind: 'nat' as const, id: `nat-${i}` } }] })),
    ],
    natGateways: Array.from({ length: azs }, (_, i) => ({ id: `nat-${i}`, vpc, subnet: `subnet-pub-${i}`, connectivity: 'public' as const, availabilityMode: 'zonal' as const, addresses: [{ privateIp: `10.2.${2 * i}.100`, publicIp: eips[i], isPrimary: true }] })),
    internetGateways: [{ id: 'igw-large', vpc }],
    hosts: [...hosts, seed.hosts.find((h) => h.kind === 'server')!],
    securityGroups: [
      { ...seed.securityGroups[0], vpc },
      { id: 'sg-server', ingress: eips.map((ip) => ({ protocol: 'tcp' as const, fromPort: 8080, toPort: 8080, cidr: `${ip}/32` })), egress: [{ protocol: 'all', cidr: '0.0.0.0/0' }] },
    ],
    networkAcls: [],
    flows: hosts.map((h) => ({ name: h.id, protocol: 'tcp' as const, from: h.id, sourcePort: 32222, to: { host: 'server', port: 8080 } })),
  };
}

/** Median milliseconds per call over `n` calls (after one warm-up). */
function perCall(n: number, fn: () => unknown): number {
  fn();
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    fn();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

function measure(name: string, topology: Topology, n: number): BenchmarkResult[] {
  const predictMs = perCall(n, () => predict(topology));
  const input = predict(topology);
  const htmlMs = perCall(n, () => renderHtml(input));
  const layoutMs = perCall(n, () => layout(input));
  const mdMs = perCall(n, () => renderMarkdown(input));
  const kb = Buffer.byteLength(renderHtml(input)) / 1024;
  return [
    { name: `report.${name}.html`, value: htmlMs, unit: 'ms/page', note: `predict on the same topology: ${predictMs.toFixed(2)} ms (${(htmlMs / predictMs).toFixed(1)}x)` },
    { name: `report.${name}.layout`, value: layoutMs, unit: 'ms' },
    { name: `report.${name}.markdown`, value: mdMs, unit: 'ms' },
    { name: `report.${name}.html-size`, value: kb, unit: 'KiB' },
  ];
}

export const benchmarks: Benchmark[] = [
  { title: 'report: seed page', run: () => measure('seed', seedTopology(), 50) },
  { title: 'report: 6 AZs, 48 clients', run: () => measure('large-6az-48', largeTopology(6, 8), 10) },
];
