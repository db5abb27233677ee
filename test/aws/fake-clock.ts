/** A clock whose sleep returns at once and advances time, so waits run instantly in tests. */
import type { Clock } from '../../lib/aws/clock';

export interface FakeClock extends Clock {
  /** Every sleep asked for, in milliseconds. */
  readonly sleeps: number[];
}

export function fakeClock(start = Date.parse('2026-11-23T22:49:00.000Z')): FakeClock {
  let now = start;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => now,
    sleep: async (ms) => {
      sleeps.push(ms);
      now += ms;
    },
  };
}
