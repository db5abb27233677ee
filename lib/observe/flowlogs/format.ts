/**
 * VPC Flow Logs record formats: the field names AWS defines (versions 2 to 8), the default
 * version 2 format, and the parsing of a custom format string as written in AWS
 * (`${srcaddr} ${dstport} ...`, fields in any order).
 */
import { InputError } from '../../errors';

/** Every field name a VPC flow log format may use, with the version that introduced it. */
export const FLOW_LOG_FIELDS: Readonly<Record<string, number>> = {
  version: 2,
  'account-id': 2,
  'interface-id': 2,
  srcaddr: 2,
  dstaddr: 2,
  srcport: 2,
  dstport: 2,
  protocol: 2,
  packets: 2,
  bytes: 2,
  start: 2,
  end: 2,
  action: 2,
  'log-status': 2,
  'vpc-id': 3,
  'subnet-id': 3,
  'instance-id': 3,
  'tcp-flags': 3,
  type: 3,
  'pkt-srcaddr': 3,
  'pkt-dstaddr': 3,
  region: 4,
  'az-id': 4,
  'sublocation-type': 4,
  'sublocation-id': 4,
  'pkt-src-aws-service': 5,
  'pkt-dst-aws-service': 5,
  'flow-direction': 5,
  'traffic-path': 5,
  'ecs-cluster-arn': 7,
  'ecs-cluster-name': 7,
  'ecs-container-instance-arn': 7,
  'ecs-container-instance-id': 7,
  'ecs-container-id': 7,
  'ecs-second-container-id': 7,
  'ecs-service-name': 7,
  'ecs-task-definition-arn': 7,
  'ecs-task-arn': 7,
  'ecs-task-id': 7,
  'reject-reason': 8,
};

const FIELD_NAMES: ReadonlySet<string> = new Set(Object.keys(FLOW_LOG_FIELDS));

/** The default format (version 2), as AWS writes it. */
export const DEFAULT_FLOW_LOG_FORMAT =
  '${version} ${account-id} ${interface-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} ${packets} ${bytes} ${start} ${end} ${action} ${log-status}';

/** Fields without which a record says nothing about traffic (AWS's own examples may omit the rest). */
const REQUIRED_FIELDS = ['srcaddr', 'dstaddr'];

/** Fields without which no NAT translation can be rebuilt: ports, protocol and the packet-level addresses. */
export const TRANSLATION_FIELDS: readonly string[] = ['srcport', 'dstport', 'protocol', 'pkt-srcaddr', 'pkt-dstaddr'];

/** A parsed record format: field names in record order. */
export interface FlowLogFormat {
  /** Field names in the order they appear in each record. */
  readonly fields: readonly string[];
  /** The format as AWS writes it (`${a} ${b} ...`). */
  readonly text: string;
  /** Column index of each field present; absent fields are missing from the map. */
  readonly index: Readonly<Record<string, number>>;
}

/**
 * Parses a format string as written in AWS (`${srcaddr} ${dstport} ...`); bare names
 * separated by spaces (an S3 header line) are accepted too. Absent or empty: the default
 * version 2 format. Throws InputError naming an unknown or repeated field, or a missing
 * field the translation table needs.
 */
export function parseFlowLogFormat(format?: string, what = '--format'): FlowLogFormat {
  const text = format === undefined || format.trim() === '' ? DEFAULT_FLOW_LOG_FORMAT : format.trim();
  const tokens = text.split(/\s+/);
  const fields: string[] = [];
  for (const token of tokens) {
    const m = /^\$\{([^}]*)\}$/.exec(token);
    const name = m ? m[1] : token;
    if (!/^[a-z0-9-]+$/.test(name) && !m) {
      throw new InputError(`${what}: "${token}" is not a field; write fields as \${name} separated by spaces`);
    }
    if (!FIELD_NAMES.has(name)) {
      throw new InputError(`${what}: unknown flow log field "${name}" (known: ${Object.keys(FLOW_LOG_FIELDS).join(', ')})`);
    }
    if (fields.includes(name)) throw new InputError(`${what}: field "${name}" appears twice`);
    fields.push(name);
  }
  const missing = REQUIRED_FIELDS.filter((f) => !fields.includes(f));
  if (missing.length) {
    throw new InputError(`${what}: lacks ${missing.map((f) => `\${${f}}`).join(' ')}, needed to read any traffic`);
  }
  const index: Record<string, number> = {};
  fields.forEach((f, i) => (index[f] = i));
  return { fields, text: fields.map((f) => `\${${f}}`).join(' '), index };
}

/**
 * True when a line is a header (the field-name line S3 delivery writes at the top of each
 * object): every token is a known field name.
 */
export function isHeaderLine(tokens: readonly string[]): boolean {
  if (tokens.length === 0) return false;
  for (const t of tokens) if (!FIELD_NAMES.has(t)) return false;
  return true;
}

/** True when two formats list the same fields in the same order. */
export function sameFormat(a: FlowLogFormat, b: FlowLogFormat): boolean {
  return a.fields.length === b.fields.length && a.fields.every((f, i) => f === b.fields[i]);
}
