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
  // Templates deploy into a dumped VPC: `--template app.yaml --aws-dump dump/` is one topology.
  const templatesIntoDump = named.length === 2 && named[0] === '--template' && named[1] === '--aws-dump';
  if (named.length > 1 && !templatesIntoDump) throw new InputError(`choose one topology source, not ${named.join(' and ')}`);
  const source = templatesIntoDump ? '--template' : named[0];
  if (opts.vpc && !opts.aws && !opts.awsDump) throw new InputError('--vpc applies only to --aws and --aws-dump');
  if (opts.profile !== undefined && source !== '--aws') throw new InputError('--profile applies only to --aws');
  if ((opts.parameter?.length || opts.parameters) && source !== '--template') throw new InputError(`${opts.parameters ? '--parameters' : '--parameter'} applies only to --template`);
  if (opts.region !== undefined || opts.profile !== undefined) {
    const { checkProfile, checkRegion } = await import('./private/aws-settings');
    checkRegion(opts.region);
    if (source === '--aws') checkProfile(opts.profile);
  }
  switch (source) {
    case '--scenario':
      return (await import('./scenario')).loadScenario(opts.scenario!);
    case '--template': {
      const { loadTemplates } = await import('./template');
      const { parameterArgs, readParametersFile } = await import('./private/cfn-parameters');
      const parameters = [...(opts.parameters ? await readParametersFile(opts.parameters) : []), ...parameterArgs(opts.parameter ?? [])];
      const base = opts.awsDump ? await (await import('./aws-dump')).loadAwsDump(opts.awsDump, { region: opts.region, vpc: opts.vpc, note: opts.note }) : undefined;
      return loadTemplates(opts.template!, { region: opts.region ?? base?.region, parameters, ...(base ? { base } : {}), ...(opts.note ? { note: opts.note } : {}) });
    }
    case '--aws-dump':
      return (await import('./aws-dump')).loadAwsDump(opts.awsDump!, { region: opts.region, vpc: opts.vpc, note: opts.note });
    case '--aws':
      return (await import('./aws-live')).loadLiveTopology({ region: opts.region, profile: opts.profile, vpcIds: opts.vpc ? [opts.vpc] : undefined, note: opts.note });
    default:
      if (opts.region !== undefined) throw new InputError('--region applies only to --aws, --aws-dump and --template');
      return seedTopology();
  }
}
