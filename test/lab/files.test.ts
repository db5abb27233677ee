/** Output files of the twin's commands: refused early when unwritable, written atomically, no leftovers. */
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assertWritableTarget, writeFileAtomic } from '../../lib/files';
import { InputError } from '../../lib/errors';
import { writeLabReport } from '../../lib/lab/report-file';
import { predict } from '../../lib/model/predict';
import type { RunResult } from '../../lib/model/types';
import { seedTopology } from '../../lib/sources';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'natlab-files-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('output files', () => {
  it('refuses a directory or a missing folder before any work, naming the flag', () => {
    const sub = join(dir, 'adir');
    mkdirSync(sub);
    expect(() => assertWritableTarget(sub, '--html')).toThrow(new InputError(`--html ${sub}: it is a directory; give a file name`));
    expect(() => assertWritableTarget(join(dir, 'missing', 'x.html'), '--html')).toThrow(/--html .*cannot write into .*missing: no such file or directory/);
    expect(() => assertWritableTarget(join(dir, 'x.html'), '--html')).not.toThrow();
  });

  it('a failed atomic write is an InputError and leaves no temporary file', async () => {
    const sub = join(dir, 'adir');
    mkdirSync(sub);
    expect(() => writeFileAtomic(sub, 'x')).toThrow(InputError);
    const topology = seedTopology();
    const result: RunResult = {
      kind: 'lab',
      topology,
      walks: predict(topology).walks,
      observations: [],
      translations: { predicted: [], observed: [] },
      compare: { ok: true, flows: [] },
      notes: [],
      startedAt: new Date(0).toISOString(),
      durationMs: 0,
    };
    await expect(writeLabReport(result, sub)).rejects.toBeInstanceOf(InputError);
    expect(readdirSync(dir)).toEqual(['adir']);
  });
});
