/**
 * Recognises what a `--json` file holds (a walk, a prediction, a lab or verify run) and checks
 * the fields the report reads, so a wrong file is one clear sentence instead of a crash later.
 */
import { z } from 'zod';
import { InputError } from '../errors';
import type { Topology } from '../model/types';
import type { ReportInput } from './view';

const port = z.union([
  z.looseObject({ exact: z.number() }),
  z.looseObject({ min: z.number(), max: z.number(), distinctFrom: z.array(z.string()).optional() }),
]);
const header = z.looseObject({ protocol: z.string(), srcIp: z.string(), srcPort: port, dstIp: z.string(), dstPort: port });
const hop = z.looseObject({
  index: z.number(),
  step: z.number().optional(),
  component: z.looseObject({ id: z.string(), kind: z.string(), name: z.string().optional() }),
  action: z.string(),
  detail: z.string(),
  matched: z.string().optional(),
  before: header,
  after: header,
});
const end = z.looseObject({ component: z.string(), reason: z.string() }).nullable().optional();
const ipPort = z.looseObject({ ip: z.string(), port: z.number() });
const translationEntry = z.looseObject({
  component: z.string(),
  protocol: z.string(),
  inside: z.looseObject({ ip: z.string(), port }),
  outside: z.looseObject({ ip: z.string(), port }),
  destination: ipPort,
});
const walk = z.looseObject({
  flow: z.looseObject({ name: z.string(), protocol: z.string(), from: z.looseObject({ host: z.string(), ip: z.string(), port }), to: ipPort }),
  verdict: z.enum(['delivered', 'dropped', 'left-model']),
  dropped: end,
  leftModel: end,
  hops: z.array(hop),
  observedAtDestination: z.looseObject({ srcIp: z.string(), srcPort: port }).nullable().optional(),
  reply: z.looseObject({ verdict: z.string(), hops: z.array(hop), dropped: end, leftModel: end }).nullable(),
  translations: z.array(translationEntry).optional(),
});
const topology = z.looseObject({
  name: z.string(),
  source: z.string(),
  vpcs: z.array(z.looseObject({ id: z.string(), cidrs: z.array(z.string()) })),
  subnets: z.array(z.looseObject({ id: z.string(), vpc: z.string(), cidr: z.string(), az: z.string() })),
  routeTables: z.array(z.looseObject({ id: z.string(), routes: z.array(z.looseObject({ destination: z.string(), target: z.looseObject({ kind: z.string() }) })) })),
  natGateways: z.array(z.looseObject({ id: z.string(), vpc: z.string(), addresses: z.array(z.looseObject({ privateIp: z.string(), publicIp: z.string().optional() })) })),
  internetGateways: z.array(z.looseObject({ id: z.string(), vpc: z.string().optional() })),
  hosts: z.array(z.looseObject({ id: z.string(), kind: z.string(), privateIp: z.string(), publicIp: z.string().optional(), subnet: z.string().optional(), name: z.string().optional() })),
});
const predict = z.looseObject({ kind: z.literal('predict'), topology, walks: z.array(walk) });
const observedTranslation = z.looseObject({
  flow: z.string().optional(),
  source: z.string(),
  protocol: z.string(),
  inside: ipPort,
  outside: ipPort,
  destination: ipPort,
});
const run = z.looseObject({
  kind: z.enum(['lab', 'verify']),
  topology,
  walks: z.array(walk),
  observations: z.array(z.looseObject({ flow: z.string(), source: z.string(), srcIp: z.string(), srcPort: z.number() })),
  translations: z.looseObject({ predicted: z.array(translationEntry), observed: z.array(observedTranslation) }),
  compare: z.looseObject({
    ok: z.boolean(),
    flows: z.array(
      z.looseObject({
        name: z.string(),
        ok: z.boolean(),
        observed: z.looseObject({ srcIp: z.string(), srcPort: z.number() }).nullable().optional(),
        checks: z.array(z.looseObject({ name: z.string(), ok: z.boolean() })),
      }),
    ),
  }),
  standIns: z.array(z.looseObject({ real: z.string(), standIn: z.string(), what: z.string() })).optional(),
  notes: z.array(z.string()),
  startedAt: z.string(),
  durationMs: z.number(),
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
