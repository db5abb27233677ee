/**
 * Scale runs that cannot finish within a limit of the machine stop with one line naming it:
 * open files (checked before anything is built) and time (a probe past its deadline, which
 * used to be an unhandled rejection that killed natlab with the twin still up).
 */
import { InputError } from '../../lib/errors';
import * as processes from '../../lib/lab/processes';
import { checkOpenFiles, openFileLimit, runScale, ScaleLimitError } from '../../lib/lab/scale';
import { newRunPrefix } from '../../lib/lab/names';
import { seedTopology } from '../../lib/sources';
import { describeRoot, namespacesWith, processesWith, requireTwinPrerequisites } from './root';

jest.mock('../../lib/lab/processes', () => {
  const actual = jest.requireActual('../../lib/lab/processes');
  return { ...actual, runProbe: jest.fn(actual.runProbe) };
});

// /proc/self/limits as Linux prints it.
const LIMITS = `Limit                     Soft Limit           Hard Limit           Units
Max cpu time              unlimited            unlimited            seconds
Max open files            1024                 4096                 files
Max locked memory         8388608              8388608              bytes
`;

describe('open files', () => {
  it('reads the hard limit Node raises its soft limit to', () => {
    expect(openFileLimit(LIMITS)).toBe(4096);
    expect(openFileLimit(LIMITS.replace('4096 ', 'unlimited '))).toBe(Number.POSITIVE_INFINITY);
    expect(openFileLimit('')).toBeUndefined();
  });

  it('refuses a run the echo server cannot hold open, naming the limit', () => {
    expect(() => checkOpenFiles(100, 1000, 4096)).toThrow(ScaleLimitError);
    expect(() => checkOpenFiles(100, 1000, 4096)).toThrow('--clients 100 --connections 1000: 100 x 1000 = 100000 connections held open at once need about 100064 open files in the echo server, past this machine\'s limit of 4096 (ulimit -n); lower --clients or --connections');
    expect(() => checkOpenFiles(3, 30, 4096)).not.toThrow();
    expect(new ScaleLimitError('x')).toBeInstanceOf(InputError);
  });
});

describeRoot('a scale run past its deadline', () => {
  requireTwinPrerequisites();
  jest.setTimeout(120_000);

  it('stops with one line naming the time limit, and tears the twin down', async () => {
    // The first client's probe fails at once, as one does when 100 node processes start on
    // two cores and miss the parent's deadline; the others run for real.
    const runProbe = processes.runProbe as jest.MockedFunction<typeof processes.runProbe>;
    runProbe.mockImplementationOnce(() => Promise.reject(new Error('probe in nlx-scale-1 did not finish within 21000 ms (its own deadline plus 10000 ms); it was killed')));
    const prefix = newRunPrefix();
    const run = runScale(seedTopology(), { clients: 3, connections: 2, prefix, timeoutMs: 3000 });
    await expect(run).rejects.toThrow(ScaleLimitError);
    await expect(run).rejects.toThrow(/^1 of 3 scale clients did not finish within their deadline \(--timeout 3000 ms per connection, plus 10000 ms to start\)/);
    expect(namespacesWith(prefix)).toEqual([]);
    expect(processesWith(prefix)).toEqual([]);
  });
});
