/** Topology sources: the built-in seed, scenario files, templates, describe dumps, a live account. */
import type { TopologySourceOptions } from '../cli/common';
import { InputError } from '../errors';
import type { Topology } from '../model/types';
import seed from '../../scenarios/seed.json';

/** The article's topology, exactly as DESIGN.md section 1 gives it. */
export function seedTopology(): Topology {
  return structuredClone(seed) as Topology;
}

/** Loads the one topology source the options name (the seed when none is named). */
export async function loadTopology(opts: TopologySourceOptions): Promise<Topology> {
  const named = [opts.scenario && '--scenario', opts.template?.length && '--template', opts.awsDump && '--aws-dump', opts.aws && '--aws'].filter(Boolean);
  if (named.length > 1) throw new InputError(`choose one topology source, not ${named.join(' and ')}`);
  if (named.length === 0) return seedTopology();
  throw new InputError(`${named[0]} is not available yet`);
}
