import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../../lib/errors';
import { loadTopology, seedTopology } from '../../lib/sources';

describe('loadTopology: at most one source, the seed by default', () => {
  test('no source: the built-in seed', async () => {
    expect(await loadTopology({})).toEqual(seedTopology());
    expect(seedTopology().name).toBe('seed');
  });

  test.each([
    [{ scenario: 'scenarios/multi-az.yaml' }, 'multi-az'],
    [{ awsDump: 'test/fixtures/aws-dump/seed-lab' }, 'seed-lab'],
    [{ awsDump: 'test/fixtures/aws-dump/multi-region', region: 'eu-west-1' }, 'multi-region'],
    [{ template: ['test/fixtures/templates/seed-lab.yaml'] }, 'seed-lab'],
    [{ template: ['test/fixtures/templates/network.json', 'test/fixtures/templates/app.yaml'] }, 'network+app'],
  ])('%j', async (opts, name) => {
    expect((await loadTopology(opts)).name).toBe(name);
  });

  test('options reach the source: --region for templates, --vpc for dumps', async () => {
    expect((await loadTopology({ template: ['test/fixtures/templates/seed-lab.yaml'], region: 'eu-west-1' })).region).toBe('eu-west-1');
    expect((await loadTopology({ awsDump: 'test/fixtures/aws-dump/seed-lab', vpc: 'vpc-0a1b2c3d4e5f60718' })).vpcs).toHaveLength(1);
  });

  test.each([
    [{ scenario: 'a.yaml', awsDump: 'dir' }, 'choose one topology source, not --scenario and --aws-dump'],
    [{ template: ['t.json'], aws: true, scenario: 's.json' }, 'choose one topology source, not --scenario and --template and --aws'],
    [{ scenario: 'scenarios/seed.json', vpc: 'vpc-1' }, '--vpc applies only to --aws and --aws-dump'],
    [{ awsDump: 'dir', profile: 'lab' }, '--profile applies only to --aws'],
    [{ region: 'us-east-1' }, '--region applies only to --aws, --aws-dump and --template'],
  ])('%j is refused', async (opts, message) => {
    await expect(loadTopology(opts)).rejects.toThrow(new InputError(message));
  });

  test('an empty --template list is no source', async () => {
    expect((await loadTopology({ template: [] })).name).toBe('seed');
  });
});

describe('layering: sources stand below the CLI and the AWS harness', () => {
  test('no module under lib/sources imports from lib/cli or lib/aws', () => {
    const root = join(__dirname, '..', '..', 'lib', 'sources');
    const files = readdirSync(root, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
    expect(files.length).toBeGreaterThan(5);
    const offenders = files.filter((f) => /from '(\.\.\/)+(cli|aws)(\/|')/.test(readFileSync(join(root, f), 'utf8')));
    expect(offenders).toEqual([]);
  });
});
