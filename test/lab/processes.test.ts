/** The parent's bound on a probe process: a probe that never ends is killed and named. */
import { spawn } from 'node:child_process';
import { probeLines } from '../../lib/lab/processes';

describe('probeLines', () => {
  it('kills a probe that outlives its deadline and rejects saying so', async () => {
    const child = spawn('sleep', ['30'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise<NodeJS.Signals | null>((ok) => child.on('exit', (_code, signal) => ok(signal)));
    await expect(probeLines(child, 'nltest-client', 300)).rejects.toThrow('probe in nltest-client did not finish within 300 ms');
    expect(await exited).toBe('SIGKILL');
  });

  it('returns the result lines of a probe that ends in time, in connection order', async () => {
    const lines = [{ index: 1 }, { index: 0 }].map((l) => JSON.stringify(l)).join('\n');
    const child = spawn(process.execPath, ['-e', `console.log(${JSON.stringify(lines)}); console.log('not json')`], { stdio: ['ignore', 'pipe', 'pipe'] });
    expect((await probeLines(child, 'nltest-client', 30_000)).map((l) => l.index)).toEqual([0, 1]);
  });
});
