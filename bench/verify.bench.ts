/**
 * `verify.offline`: one whole `natlab verify` run (stack outputs, ten describe calls, model,
 * SSM, probe, flow log fetch and analysis, verdict) against aws-sdk-client-mock with an instant
 * clock, i.e. natlab's own cost per verification, without AWS's waits. Beside it,
 * `verify.predict`: the model's share (predict on the same live topology).
 */
import type { Benchmark } from './index';

async function measure(runs: number, fn: () => Promise<unknown>): Promise<number> {
  await fn();
  const start = process.hrtime.bigint();
  for (let i = 0; i < runs; i++) await fn();
  return Number(process.hrtime.bigint() - start) / 1e6 / runs;
}

export const benchmarks: Benchmark[] = [
  {
    title: 'verify (mocked AWS, instant clock)',
    run: async () => {
      const { createAwsClients } = await import('../lib/aws/clients');
      const { runVerify } = await import('../lib/aws/verify');
      const { predict } = await import('../lib/model/predict');
      const fx = await import('../test/fixtures/aws/lab');
      const { HEALTHY, mockLab, resetMocks } = await import('../test/aws/lab-mocks');
      const { fakeClock } = await import('../test/aws/fake-clock');
      const clients = createAwsClients({ region: fx.REGION });
      let topology: Parameters<typeof predict>[0] | undefined;
      const perRun = await measure(20, async () => {
        resetMocks();
        mockLab(HEALTHY);
        const result = await runVerify({ stackName: fx.STACK, region: fx.REGION }, { clients, clock: fakeClock() });
        if (!result.compare.ok) throw new Error('the benchmark lab did not verify');
        topology = result.topology;
      });
      const predictMs = await measure(200, async () => predict(topology as Parameters<typeof predict>[0]));
      resetMocks();
      return [
        { name: 'verify.offline', value: perRun, unit: 'ms per verification', note: 'AWS answered by aws-sdk-client-mock; a real run is bounded by SSM and flow log delivery (minutes)' },
        { name: 'verify.predict', value: predictMs, unit: 'ms per predict of the same topology' },
      ];
    },
  },
];
