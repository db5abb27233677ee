/** Topology sources: the built-in seed, scenario files, templates, describe dumps, a live account. */
import { InputError } from '../errors';
import type { Topology } from '../model/types';
import seed from '../../scenarios/seed.json';
import type { TopologySourceOptions } from './options';

export type { DescribeOutputs } from './aws-describe';
export type { TopologySourceOptions } from './options';

/** The article's topology, exactly as DESIGN.md section 1 gives it. */
export function seedTopology(): Topology {
  return structuredClone(seed) as Topology;
}

/**
 * Loads the one topology source the options name (the seed when none is named). Each source
 * module loads only when used, so `natlab predict` on the seed never loads YAML or the AWS SDK.
 */
export async function loadTopology(opts: TopologySourceOptions): Promise<Topology> {
  const named = [opts.scenario && '--scenario', opts.template?.length && '--template', opts.awsDump && '--aws-dump', opts.aws && '--aws'].filter(
    (x): x is string => typeof x === 'string',
  );
  if (named.length > 1) throw new InputError(`choose one topology source, not ${named.join(' and ')}`);
  const source = named[0];
  if (opts.vpc && source !== '--aws' && source !== '--aws-dump') throw new InputError('--vpc applies only to --aws and --aws-dump');
  if (opts.profile !== undefined && source !== '--aws') throw new InputError('--profile applies only to --aws');
  if (opts.region !== undefined || opts.profile !== undefined) {
    const { checkProfile, checkRegion } = await import('./private/aws-settings');
    checkRegion(opts.region);
    if (source === '--aws') checkProfile(opts.profile);
  }
  switch (source) {
    case '--scenario':
      return (await import('./scenario')).loadScenario(opts.scenario!);
    case '--template':
      return (await import('./template')).loadTemplates(opts.template!, { region: opts.region });
    case '--aws-dump':
      return (await import('./aws-dump')).loadAwsDump(opts.awsDump!, { region: opts.region, vpc: opts.vpc });
    case '--aws':
      return (await import('./aws-live')).loadLiveTopology({ region: opts.region, profile: opts.profile, vpcIds: opts.vpc ? [opts.vpc] : undefined });
    default:
      if (opts.region !== undefined) throw new InputError('--region applies only to --aws, --aws-dump and --template');
      return seedTopology();
  }
}
