/** Test topologies: the seed with one thing changed per case. */
import type { Topology } from '../../lib/model/types';
import { seedTopology } from '../../lib/sources';

/** A deeply writable copy of a type, so a test can edit one field of the seed. */
export type Writable<T> = T extends ReadonlyArray<infer U> ? Array<Writable<U>> : T extends object ? { -readonly [K in keyof T]: Writable<T[K]> } : T;

/** The seed, changed by `edit`. */
export function seedWith(edit: (t: Writable<Topology>) => void): Topology {
  const t = seedTopology() as Writable<Topology>;
  edit(t);
  return t as Topology;
}

/** A route table of the seed, by id, for editing. */
export function table(t: Writable<Topology>, id: string) {
  const found = t.routeTables.find((r) => r.id === id);
  if (!found) throw new Error(`no route table ${id}`);
  return found;
}

/** Replaces the 0.0.0.0/0 route of a table. */
export function setDefaultRoute(t: Writable<Topology>, id: string, target: Writable<Topology>['routeTables'][number]['routes'][number]['target'] | null): void {
  const rt = table(t, id);
  rt.routes = rt.routes.filter((r) => r.destination !== '0.0.0.0/0');
  if (target) rt.routes.push({ destination: '0.0.0.0/0', target });
}

/**
 * The seed with a regional NAT Gateway (one address per AZ) as the private table's default
 * route, and client-c in a second private subnet in us-east-1b that routes to it too.
 */
export function addRegionalNat(t: Writable<Topology>): void {
  t.natGateways.push({
    id: 'nat-regional',
    vpc: 'vpc-lab',
    connectivity: 'public',
    availabilityMode: 'regional',
    addresses: [
      { privateIp: '10.0.200.10', publicIp: '3.224.9.60', az: 'us-east-1a', isPrimary: true },
      { privateIp: '10.0.200.11', publicIp: '3.224.9.61', az: 'us-east-1b', isPrimary: false },
    ],
  });
  t.subnets.push({ id: 'subnet-private-b', vpc: 'vpc-lab', cidr: '10.0.2.0/24', az: 'us-east-1b', routeTable: 'rtb-private-b' });
  t.routeTables.push({ id: 'rtb-private-b', vpc: 'vpc-lab', routes: [{ destination: '10.0.0.0/16', target: { kind: 'local' } }, { destination: '0.0.0.0/0', target: { kind: 'nat', id: 'nat-regional' } }] });
  t.hosts.push({ id: 'client-c', name: 'client-c', kind: 'instance', subnet: 'subnet-private-b', privateIp: '10.0.2.40', securityGroups: ['sg-clients'] });
  setDefaultRoute(t, 'rtb-private', { kind: 'nat', id: 'nat-regional' });
}
