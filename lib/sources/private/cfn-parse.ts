/**
 * CloudFormation templates as data: JSON, or YAML with the short-form intrinsic tags
 * (`!Ref`, `!GetAtt`, `!Sub`, ...) turned into their long form (`{ "Fn::GetAtt": [...] }`).
 */
import { parseDocument, type Tags } from 'yaml';
import { withoutBom } from './bom';
import { InputError } from '../../errors';

/** The parts of a template natlab reads. */
export interface CfnTemplate {
  readonly Parameters?: Record<string, { Type?: string; Default?: unknown; AllowedValues?: unknown[] }>;
  readonly Mappings?: Record<string, Record<string, Record<string, unknown>>>;
  readonly Conditions?: Record<string, unknown>;
  readonly Metadata?: Record<string, unknown>;
  readonly Resources: Record<string, CfnResource>;
  readonly Outputs?: Record<string, { Value?: unknown; Export?: { Name?: unknown } }>;
}

export interface CfnResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly Metadata?: Record<string, unknown>;
  readonly Condition?: string;
}

/** Short tag -> long form key; `!GetAtt A.B` is split into [A, B]. */
const SHORT_FORMS: Record<string, string> = {
  Ref: 'Ref',
  Condition: 'Condition',
  GetAtt: 'Fn::GetAtt',
  Sub: 'Fn::Sub',
  Select: 'Fn::Select',
  GetAZs: 'Fn::GetAZs',
  Join: 'Fn::Join',
  Split: 'Fn::Split',
  ImportValue: 'Fn::ImportValue',
  FindInMap: 'Fn::FindInMap',
  Base64: 'Fn::Base64',
  Cidr: 'Fn::Cidr',
  If: 'Fn::If',
  Equals: 'Fn::Equals',
  Not: 'Fn::Not',
  And: 'Fn::And',
  Or: 'Fn::Or',
  Transform: 'Fn::Transform',
  Length: 'Fn::Length',
  ToJsonString: 'Fn::ToJsonString',
};

const CUSTOM_TAGS: Tags = Object.entries(SHORT_FORMS).flatMap(([short, long]) =>
  (['scalar', 'seq', 'map'] as const).map((collection) => ({
    tag: `!${short}`,
    ...(collection === 'scalar' ? {} : { collection }),
    resolve: (value: unknown) => {
      const data = collection === 'scalar' ? value : (value as { toJSON(): unknown }).toJSON();
      if (short === 'GetAtt' && typeof data === 'string') {
        const dot = data.indexOf('.');
        return { [long]: dot < 0 ? [data] : [data.slice(0, dot), data.slice(dot + 1)] };
      }
      return { [long]: data };
    },
  })),
) as Tags;

/** CloudFormation refuses a template body past 1 MB; natlab reads up to 8 MB before calling it bad input. */
export const MAX_TEMPLATE_BYTES = 8 * 1024 * 1024;
/** Deeper than any real template (CloudFormation's own nest a dozen levels); bounds every recursive walk. */
export const MAX_TEMPLATE_DEPTH = 200;
/** YAML aliases one document may expand (the yaml library's default): an alias bomb stops here. */
const MAX_ALIAS_COUNT = 100;

/** Parses template text; `file` names it in errors. */
export function parseTemplate(withMark: string, file: string): CfnTemplate {
  if (withMark.length > MAX_TEMPLATE_BYTES) throw new InputError(`${file}: the template is larger than ${MAX_TEMPLATE_BYTES / 1024 / 1024} MB`);
  // A UTF-8 byte order mark, as Windows editors write it, is no part of the template.
  const text = withoutBom(withMark);
  let data: unknown;
  if (/^\s*\{/.test(text)) {
    try {
      data = JSON.parse(text);
    } catch (err) {
      throw new InputError(`${file}: not valid JSON (${(err as Error).message})`);
    }
  } else {
    data = parseYaml(text, file);
  }
  const tooDeep = pathDeeperThan(data, MAX_TEMPLATE_DEPTH);
  if (tooDeep !== undefined) throw new InputError(`${file}: ${tooDeep}: nested deeper than ${MAX_TEMPLATE_DEPTH} levels`);
  if (typeof data !== 'object' || data === null || Array.isArray(data)) throw new InputError(`${file}: not a CloudFormation template (expected an object with "Resources")`);
  const resources = (data as { Resources?: unknown }).Resources;
  if (!isObject(resources)) throw new InputError(`${file}: not a CloudFormation template (no "Resources" section)`);
  for (const [id, r] of Object.entries(resources)) {
    if (!isObject(r) || typeof r.Type !== 'string') throw new InputError(`${file}: Resources.${id}: has no "Type"`);
    for (const key of ['Properties', 'Metadata'] as const) {
      if (r[key] !== undefined && r[key] !== null && !isObject(r[key])) throw new InputError(`${file}: Resources.${id}.${key}: expected a mapping, got ${describe(r[key])}`);
    }
    if (r.Condition !== undefined && typeof r.Condition !== 'string') throw new InputError(`${file}: Resources.${id}.Condition: expected a condition name, got ${describe(r.Condition)}`);
  }
  checkSections(data as Record<string, unknown>, file);
  return data as CfnTemplate;
}

function parseYaml(text: string, file: string): unknown {
  const doc = parseDocument(text, { customTags: CUSTOM_TAGS, uniqueKeys: true, logLevel: 'error' });
  // An unknown tag (`!Foo`, a typo of `!Ref`) would otherwise be read as plain text.
  const problem = doc.errors[0] ?? doc.warnings.find((w) => w.code === 'TAG_RESOLVE_FAILED');
  if (problem) {
    const line = problem.linePos?.[0];
    const message = problem.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
    throw new InputError(`${file}: not valid YAML${line ? ` at line ${line.line}, column ${line.col}` : ''}: ${problem.code === 'TAG_RESOLVE_FAILED' ? `${message} (not a CloudFormation tag)` : message}`);
  }
  try {
    return doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (err) {
    // The yaml library throws a ReferenceError when aliases expand past maxAliasCount.
    if (/alias/i.test((err as Error).message)) throw new InputError(`${file}: YAML aliases expand past ${MAX_ALIAS_COUNT} (a resource exhaustion attack, or a template natlab cannot read)`);
    throw new InputError(`${file}: not valid YAML: ${(err as Error).message}`);
  }
}

/** The sections besides Resources: each entry of the shape CloudFormation requires, so no later step meets a null. */
function checkSections(data: Record<string, unknown>, file: string): void {
  for (const section of ['Parameters', 'Mappings', 'Conditions', 'Outputs', 'Metadata'] as const) {
    const value = data[section];
    if (value === undefined || value === null) continue;
    if (!isObject(value)) throw new InputError(`${file}: ${section}: expected a mapping, got ${describe(value)}`);
    if (section === 'Metadata') continue;
    for (const [name, entry] of Object.entries(value)) {
      if (!isObject(entry)) throw new InputError(`${file}: ${section}.${name}: expected a mapping, got ${describe(entry)}`);
      if (section === 'Conditions' && Object.keys(entry).length !== 1) throw new InputError(`${file}: Conditions.${name}: expected one condition function (Fn::Equals, Fn::And, ...)`);
      if (section === 'Parameters' && entry.Type !== undefined && typeof entry.Type !== 'string') throw new InputError(`${file}: Parameters.${name}.Type: expected a string, got ${describe(entry.Type)}`);
      if (section === 'Outputs' && entry.Export !== undefined && !isObject(entry.Export)) throw new InputError(`${file}: Outputs.${name}.Export: expected a mapping with Name, got ${describe(entry.Export)}`);
      if (section === 'Mappings') {
        for (const [key, second] of Object.entries(entry)) if (!isObject(second)) throw new InputError(`${file}: Mappings.${name}.${key}: expected a mapping, got ${describe(second)}`);
      }
    }
  }
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A value as an error message shows it: short, one line. */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** The path of the first value nested deeper than `limit`, found without recursion (so depth itself cannot overflow the stack). */
function pathDeeperThan(data: unknown, limit: number): string | undefined {
  const stack: Array<{ value: unknown; depth: number; path: string }> = [{ value: data, depth: 0, path: '' }];
  while (stack.length) {
    const { value, depth, path } = stack.pop()!;
    if (typeof value !== 'object' || value === null) continue;
    if (depth > limit) return path.length > 80 ? `${path.slice(0, 77)}...` : path;
    const entries = Array.isArray(value) ? value.map((v, i) => [`[${i}]`, v] as const) : Object.entries(value).map(([k, v]) => [path ? `.${k}` : k, v] as const);
    for (const [key, child] of entries) if (typeof child === 'object' && child !== null) stack.push({ value: child, depth: depth + 1, path: `${path}${key}` });
  }
  return undefined;
}
