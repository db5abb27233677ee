import type { Walk } from '../../lib/model/types';

/** What a walk does (steps, component kinds, actions, verdicts) without the ids that differ between sources. */
export function walkShape(w: Walk): unknown {
  return {
    verdict: w.verdict,
    hops: w.hops.map((h) => [h.step, h.component.kind, h.action]),
    reply: w.reply && { verdict: w.reply.verdict, hops: w.reply.hops.map((h) => [h.step, h.component.kind, h.action]) },
  };
}
