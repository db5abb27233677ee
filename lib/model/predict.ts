/**
 * `predict`: walks every flow a topology defines. Flows translated by the same NAT address
 * towards the same destination cannot share a port, so their predicted ranges say so
 * (`distinctFrom` lists each other's flow names).
 */
import { natPortKey } from './components/trace';
import type { PredictResult, Topology, Walk } from './types';
import { type WalkOptions, walk, walkWithPorts } from './walk';

/** Walks every FlowSpec of the topology (forward and reply). */
export function predict(topology: Topology, options: WalkOptions = {}): PredictResult {
  const walks = topology.flows.map((flow) => walk(topology, flow, options));
  // Live NAT tables allocate exact ports (nothing to mark), and walking again would allocate twice.
  if (options.nat) return { kind: 'predict', topology, walks };
  const others = distinctPortGroups(walks);
  return { kind: 'predict', topology, walks: walks.map((w, i) => (others[i].size === 0 ? w : walkWithPorts(topology, topology.flows[i], options, others[i]))) };
}

/**
 * For each walk, the flows its NAT port ranges must differ from, by translation key: walks
 * whose translations share a NAT address, protocol and destination (a symmetric NAT gives
 * each of them its own port). Walks with such flows are walked again with them, so that the
 * NAT itself predicts `{ min, max, distinctFrom }`.
 */
function distinctPortGroups(walks: readonly Walk[]): Array<Map<string, string[]>> {
  const groups = new Map<string, number[]>();
  walks.forEach((w, i) => {
    for (const t of w.translations ?? []) {
      if ('exact' in t.outside.port) continue;
      const key = natPortKey(t.component, t.outside.ip, t.protocol, t.destination.ip, t.destination.port);
      groups.set(key, [...(groups.get(key) ?? []), i]);
    }
  });
  const out = walks.map(() => new Map<string, string[]>());
  for (const [key, members] of groups) {
    const names = [...new Set(members.map((m) => walks[m].flow.name))];
    if (names.length < 2) continue;
    for (const m of members) out[m].set(key, names.filter((n) => n !== walks[m].flow.name));
  }
  return out;
}
