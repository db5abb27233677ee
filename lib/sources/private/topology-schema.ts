/**
 * The scenario file's schema: the `Topology` of lib/model/types.ts, with optional arrays and
 * the defaults a person writing a scenario by hand would expect. Unknown keys are errors, so
 * a typo (`cidrr`) is reported instead of silently ignored.
 */
import { z } from 'zod';
import type { Topology } from '../../model/types';

const port = z.number().int().min(0).max(65535);
/** An ICMP type or code of a rule: -1 (any, as AWS writes it) or 0-255. */
const icmpValue = z.number().int().min(-1).max(255);
const protocol = z.enum(['tcp', 'udp', 'icmp']);
const ruleProtocol = z.enum(['tcp', 'udp', 'icmp', 'all']);

const vpc = z.strictObject({
  id: z.string().min(1),
  name: z.string().optional(),
  cidrs: z.array(z.string()).min(1),
  mainRouteTable: z.string().optional(),
  defaultNetworkAcl: z.string().optional(),
});

const subnet = z.strictObject({
  id: z.string().min(1),
  name: z.string().optional(),
  vpc: z.string(),
  cidr: z.string(),
  az: z.string(),
  routeTable: z.string().optional(),
  networkAcl: z.string().optional(),
  mapPublicIp: z.boolean().optional(),
});

const withId = (kind: string) => z.strictObject({ kind: z.literal(kind), id: z.string().min(1) });
const routeTarget = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('local') }),
  withId('igw'),
  withId('nat'),
  withId('eni'),
  withId('instance'),
  withId('peering'),
  withId('tgw'),
  withId('vgw'),
  withId('egress-only-igw'),
  z.strictObject({ kind: z.literal('blackhole') }),
  z.strictObject({ kind: z.literal('other'), id: z.string().min(1), type: z.string() }),
]);

const routeTable = z.strictObject({
  id: z.string().min(1),
  name: z.string().optional(),
  vpc: z.string(),
  routes: z.array(z.strictObject({ destination: z.string(), target: routeTarget })).default([]),
});

const natAddress = z.strictObject({
  privateIp: z.string(),
  publicIp: z.string().optional(),
  allocationId: z.string().optional(),
  isPrimary: z.boolean().optional(),
  az: z.string().optional(),
});

const natGateway = z
  .strictObject({
    id: z.string().min(1),
    name: z.string().optional(),
    vpc: z.string(),
    subnet: z.string().optional(),
    connectivity: z.enum(['public', 'private']).default('public'),
    availabilityMode: z.enum(['zonal', 'regional']).default('zonal'),
    addresses: z.array(natAddress).min(1).max(8),
    eniId: z.string().optional(),
  })
  // When no address says which is primary, the first one is.
  .transform((nat) => {
    const anyPrimary = nat.addresses.some((a) => a.isPrimary);
    return { ...nat, addresses: nat.addresses.map((a, i) => ({ ...a, isPrimary: a.isPrimary ?? (!anyPrimary && i === 0) })) };
  });

const internetGateway = z.strictObject({ id: z.string().min(1), name: z.string().optional(), vpc: z.string().optional() });

const host = z.strictObject({
  id: z.string().min(1),
  name: z.string().optional(),
  kind: z.enum(['instance', 'lambda', 'server', 'external']).default('instance'),
  subnet: z.string().optional(),
  privateIp: z.string(),
  publicIp: z.string().optional(),
  securityGroups: z.array(z.string()).default([]),
  instanceId: z.string().optional(),
  eniId: z.string().optional(),
  aliases: z.array(z.string()).optional(),
});

/** An ICMP rule written with ports (AWS's habit for security groups) would silently match every type. */
function icmpTakesNoPorts(rule: { protocol: string; fromPort?: number; toPort?: number }, ctx: z.RefinementCtx): void {
  if (rule.protocol !== 'icmp') return;
  for (const key of ['fromPort', 'toPort'] as const) {
    if (rule[key] !== undefined) ctx.addIssue({ code: 'custom', path: [key], message: 'an icmp rule takes icmpType and icmpCode, not ports' });
  }
}

const sgRule = z.strictObject({
  protocol: ruleProtocol,
  fromPort: port.optional(),
  toPort: port.optional(),
  cidr: z.string().optional(),
  securityGroup: z.string().optional(),
  prefixList: z.string().optional(),
  description: z.string().optional(),
  icmpType: icmpValue.optional(),
  icmpCode: icmpValue.optional(),
}).superRefine(icmpTakesNoPorts);

const securityGroup = z.strictObject({
  id: z.string().min(1),
  name: z.string().optional(),
  vpc: z.string().optional(),
  ingress: z.array(sgRule).default([]),
  egress: z.array(sgRule).default([]),
});

const aclRule = z.strictObject({
  ruleNumber: z.number().int().min(1).max(32766),
  protocol: ruleProtocol,
  action: z.enum(['allow', 'deny']),
  cidr: z.string(),
  fromPort: port.optional(),
  toPort: port.optional(),
  icmpType: icmpValue.optional(),
  icmpCode: icmpValue.optional(),
}).superRefine(icmpTakesNoPorts);

const networkAcl = z.strictObject({
  id: z.string().min(1),
  name: z.string().optional(),
  vpc: z.string(),
  isDefault: z.boolean().default(false),
  ingress: z.array(aclRule).default([]),
  egress: z.array(aclRule).default([]),
});

const flow = z
  .strictObject({
    name: z.string().min(1),
    protocol: protocol.default('tcp'),
    from: z.string().min(1),
    sourcePort: z.union([port, z.literal('any')], { error: 'must be a port (0-65535) or "any"' }).default('any'),
    // An ICMP echo has no port (its sourcePort is the echo identifier).
    to: z.strictObject({ host: z.string().min(1), port: port.optional() }),
    group: z.string().optional(),
    expect: z.enum(['delivered', 'dropped']).optional(),
  })
  .superRefine((f, ctx) => {
    if (f.protocol !== 'icmp' && f.to.port === undefined) ctx.addIssue({ code: 'custom', path: ['to', 'port'], message: `is required for a ${f.protocol} flow` });
  })
  .transform((f) => ({ ...f, to: { host: f.to.host, port: f.to.port ?? 0 } }));

/** A scenario file: a `Topology` whose name and source default to the file's. */
export const scenarioSchema = z.strictObject({
  name: z.string().optional(),
  source: z.string().optional(),
  region: z.string().optional(),
  vpcs: z.array(vpc).min(1),
  subnets: z.array(subnet).default([]),
  routeTables: z.array(routeTable).default([]),
  natGateways: z.array(natGateway).default([]),
  internetGateways: z.array(internetGateway).default([]),
  hosts: z.array(host).default([]),
  securityGroups: z.array(securityGroup).default([]),
  networkAcls: z.array(networkAcl).default([]),
  flows: z.array(flow).default([]),
});

export type ScenarioInput = z.infer<typeof scenarioSchema>;

/** One problem in an input: where (a path like `subnets[1].cidr`) and what is wrong. */
export interface Problem {
  readonly path: string;
  readonly message: string;
}

/** `['subnets', 1, 'cidr']` -> `subnets[1].cidr`. */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const part of path) out += typeof part === 'number' ? `[${part}]` : out ? `.${String(part)}` : String(part);
  return out || '(top level)';
}

/** Rewrites zod's issues into short sentences ("is missing", "must be one of ..."). */
export function problemsFromZod(error: z.ZodError): Problem[] {
  return error.issues.map((issue) => {
    const path = formatPath(issue.path);
    switch (issue.code) {
      case 'invalid_type':
        return { path, message: /received undefined/.test(issue.message) ? `is missing (expected ${issue.expected})` : `must be ${article(issue.expected)}${received(issue)}` };
      case 'unrecognized_keys':
        // JSON quoting keeps a key that is really a mistyped multi-line value on one line.
        return { path, message: `has unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => JSON.stringify(k)).join(', ')}` };
      case 'invalid_value':
        return { path, message: `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}` };
      case 'invalid_union':
        if ('options' in issue && Array.isArray(issue.options)) return { path, message: `must be one of ${(issue.options as unknown[]).map((v) => JSON.stringify(v)).join(', ')}` };
        return { path, message: issue.message === 'Invalid input' ? 'matches none of the allowed shapes' : issue.message };
      case 'too_small':
        return { path, message: issue.origin === 'array' ? `needs at least ${issue.minimum} entr${issue.minimum === 1 ? 'y' : 'ies'}` : issue.origin === 'string' ? 'must not be empty' : `must be at least ${issue.minimum}` };
      case 'too_big':
        return { path, message: issue.origin === 'array' ? `has more than ${issue.maximum} entries` : `must be at most ${issue.maximum}` };
      default:
        return { path, message: issue.message.replace(/^Invalid input: /, '') };
    }
  });
}

function article(expected: string): string {
  return /^[aeiou]/.test(expected) ? `an ${expected}` : `a ${expected}`;
}

function received(issue: z.core.$ZodIssue): string {
  const m = /received (\w+)/.exec(issue.message);
  return m ? `, got ${m[1]}` : '';
}

/** The validated scenario as a `Topology` (name and source filled in by the caller). */
export function toTopology(input: ScenarioInput, name: string, source: string): Topology {
  return { ...input, name: input.name ?? name, source: input.source ?? source } as Topology;
}
