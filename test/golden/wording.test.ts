/**
 * A few golden texts for wording: for every scenario and fixture topology, the causes
 * `natlab findings` reports (the fault sentence beside its typed form, the component, the
 * paths, the number of flows) and the seed walk's text. Rewording a fault shows here; the
 * model's behaviour is asserted on structure elsewhere.
 */
import { findings } from '../../lib/model/findings';
import { walk } from '../../lib/model/walk';
import { renderWalk } from '../../lib/report/text';
import { seedTopology } from '../../lib/sources';
import { goldenSources } from './record';

describe('golden wording', () => {
  it.each(goldenSources().map((s) => [s.name, s] as const))('%s: findings causes', async (_name, source) => {
    const result = findings(await source.load(), { reasons: 'first-per-cause' });
    expect(result.causes.map((c) => ({ fault: c.fault, cause: c.cause, component: c.component, stage: c.stage, paths: c.paths, flows: c.flows.length }))).toMatchSnapshot();
  });

  it('the seed walk of client-a, as text', () => {
    expect(renderWalk(walk(seedTopology(), seedTopology().flows[0]))).toMatchSnapshot();
  });
});
