/**
 * Recognises what a `--json` file holds (a walk, a prediction, a lab or verify run) and checks
 * the fields the report reads, so a wrong file is one clear sentence instead of a crash later.
 */
import { z } from 'zod';
import { InputError } from '../errors';
import type { Topology } from '../model/types';
import type { ReportInput } from './view';

const port = z.union([z.looseObject({ exact: z.number() }), z.looseObject({ min: z.number(), max: z.number() })]);
const header = z.looseObject({ protocol: z.string(), srcIp: z.string(), srcPort: port, dstIp: z.string(), dstPort: port });
const hop = z.looseObject({
  index: z.number(),
  step: z.number().optional(),
  component: z.looseObject({ id: z.string(), kind: z.string() }),
  action: z.string(),
  detail: z.string(),
  before: header,
  after: header,
});
const end = z.looseObject({ component: z.string(), reason: z.string() }).nullable().optional();
const walk = z.looseObject({
  flow: z.looseObject({ name: z.string(), protocol: z.string(), from: z.looseObject({ host: z.string(), ip: z.string(), port }), to: z.looseObject({ ip: z.string(), port: z.number() }) }),
  verdict: z.enum(['delivered', 'dropped', 'left-model']),
  dropped: end,
  hops: z.array(hop),
  reply: z.looseObject({ verdict: z.string(), hops: z.array(hop) }).nullable(),
});
const topology = z.looseObject({
  name: z.string(),
  source: z.string(),
  vpcs: z.array(z.looseObject({ id: z.string(), cidrs: z.array(z.string()) })),
  subnets: z.array(z.looseObject({ id: z.string(), vpc: z.string(), cidr: z.string(), az: z.string() })),
  routeTables: z.array(z.looseObject({ id: z.string(), routes: z.array(z.looseObject({ destination: z.string(), target: z.looseObject({ kind: z.string() }) })) })),
  natGateways: z.array(z.looseObject({ id: z.string(), vpc: z.string(), addresses: z.array(z.looseObject({ privateIp: z.string() })) })),
  internetGateways: z.array(z.looseObject({ id: z.string() })),
  hosts: z.array(z.looseObject({ id: z.string(), kind: z.string(), privateIp: z.string() })),
});
const predict = z.looseObject({ kind: z.literal('predict'), topology, walks: z.array(walk) });
const run = z.looseObject({
  kind: z.enum(['lab', 'verify']),
  topology,
  walks: z.array(walk),
  observations: z.array(z.looseObject({ flow: z.string(), source: z.string() })),
  translations: z.looseObject({ predicted: z.array(z.looseObject({})), observed: z.array(z.looseObject({})) }),
  compare: z.looseObject({ ok: z.boolean(), flows: z.array(z.looseObject({ name: z.string(), checks: z.array(z.looseObject({ name: z.string(), ok: z.boolean() })) })) }),
  notes: z.array(z.string()),
});

function problem(error: z.ZodError): string {
  const issue = error.issues[0];
  const path = issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('') || 'the document';
  return `${path.replace(/^\./, '')}: ${issue.message}`;
}

/**
 * Turns parsed JSON into a report input. `what` names the input in errors (a file name);
 * a lone walk has no topology, so it is drawn on `topologyForWalk`.
 */
export function parseReportInput(value: unknown, what: string, topologyForWalk?: Topology): ReportInput {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new InputError(`${what} is not a natlab result: expected the JSON object printed by walk, predict, lab or verify with --json`);
  }
  const kind = (value as { kind?: unknown }).kind;
  const check = <T>(schema: z.ZodType<T>, label: string): T => {
    const parsed = schema.safeParse(value);
    if (!parsed.success) throw new InputError(`${what} looks like a ${label} result but ${problem(parsed.error)}`);
    return parsed.data;
  };
  if (kind === 'predict') return check(predict, 'predict') as unknown as ReportInput;
  if (kind === 'lab' || kind === 'verify') return check(run, kind) as unknown as ReportInput;
  if (kind === undefined && 'hops' in value && 'flow' in value) {
    const w = check(walk, 'walk');
    if (!topologyForWalk) throw new InputError(`${what} is a single walk, which carries no topology: name the topology it was walked on`);
    return { kind: 'walk', topology: topologyForWalk, walks: [w] } as unknown as ReportInput;
  }
  throw new InputError(`${what} is not a natlab result: expected "kind" to be predict, lab or verify, or a walk with "flow" and "hops" (found ${kind === undefined ? 'no kind' : JSON.stringify(kind)})`);
}
