/**
 * `predict`: walks every flow a topology defines. Flows translated by the same NAT address
 * towards the same destination cannot share a port, so their predicted ranges say so
 * (`distinctFrom` lists each other's flow names).
 */
import type { PortPrediction, PredictResult, Topology, Walk } from './types';
import { type WalkOptions, walk } from './walk';

/** Walks every FlowSpec of the topology (forward and reply). */
export function predict(topology: Topology, options: WalkOptions = {}): PredictResult {
  const walks = topology.flows.map((flow) => walk(topology, flow, options));
  return { kind: 'predict', topology, walks: markDistinctPorts(walks) };
}

/**
 * Adds `distinctFrom` to the NAT port ranges of walks whose translations share a NAT address,
 * protocol and destination: a symmetric NAT gives each of them its own port.
 */
export function markDistinctPorts(walks: Walk[]): Walk[] {
  const groups = new Map<string, Array<{ walk: number; port: PortPrediction }>>();
  walks.forEach((w, i) => {
    for (const t of w.translations ?? []) {
      if ('exact' in t.outside.port) continue;
      const key = `${t.component}|${t.outside.ip}|${t.protocol}|${t.destination.ip}|${t.destination.port}`;
      const list = groups.get(key) ?? [];
      list.push({ walk: i, port: t.outside.port });
      groups.set(key, list);
    }
  });
  const replacements = walks.map(() => new Map<object, PortPrediction>());
  for (const members of groups.values()) {
    const names = [...new Set(members.map((m) => walks[m.walk].flow.name))];
    if (names.length < 2) continue;
    for (const m of members) {
      const own = walks[m.walk].flow.name;
      if ('exact' in m.port) continue;
      replacements[m.walk].set(m.port, { min: m.port.min, max: m.port.max, distinctFrom: names.filter((n) => n !== own) });
    }
  }
  return walks.map((w, i) => (replacements[i].size === 0 ? w : (replaceObjects(w, replacements[i]) as Walk)));
}

/** Deep copy that swaps the given objects (by identity) for their replacements. */
function replaceObjects(value: unknown, map: Map<object, unknown>): unknown {
  if (value === null || typeof value !== 'object') return value;
  const swapped = map.get(value);
  if (swapped !== undefined) return swapped;
  if (Array.isArray(value)) return value.map((v) => replaceObjects(v, map));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = replaceObjects(v, map);
  return out;
}
