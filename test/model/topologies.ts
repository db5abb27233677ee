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
