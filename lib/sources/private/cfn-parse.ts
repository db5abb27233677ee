/**
 * CloudFormation templates as data: JSON, or YAML with the short-form intrinsic tags
 * (`!Ref`, `!GetAtt`, `!Sub`, ...) turned into their long form (`{ "Fn::GetAtt": [...] }`).
 */
import { parseDocument, type Tags } from 'yaml';
import { withoutBom } from './bom';
import { InputError } from '../../errors';

/** The parts of a template natlab reads. */
export interface CfnTemplate {
  readonly Parameters?: Record<string, { Type?: string; Default?: unknown }>;
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

/** Parses template text; `file` names it in errors. */
export function parseTemplate(withMark: string, file: string): CfnTemplate {
  const text = withoutBom(withMark);
  let data: unknown;
  if (/^\s*\{/.test(text)) {
    try {
      data = JSON.parse(text);
    } catch (err) {
      throw new InputError(`${file}: not valid JSON (${(err as Error).message})`);
    }
  } else {
    const doc = parseDocument(text, { customTags: CUSTOM_TAGS, uniqueKeys: true });
    const error = doc.errors[0];
    if (error) {
      const line = error.linePos?.[0];
      throw new InputError(`${file}: not valid YAML${line ? ` at line ${line.line}, column ${line.col}` : ''}: ${error.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '')}`);
    }
    data = doc.toJS();
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) throw new InputError(`${file}: not a CloudFormation template (expected an object with "Resources")`);
  const resources = (data as { Resources?: unknown }).Resources;
  if (typeof resources !== 'object' || resources === null || Array.isArray(resources)) throw new InputError(`${file}: not a CloudFormation template (no "Resources" section)`);
  for (const [id, r] of Object.entries(resources)) {
    if (typeof r !== 'object' || r === null || typeof (r as { Type?: unknown }).Type !== 'string') throw new InputError(`${file}: Resources.${id}: has no "Type"`);
  }
  return data as CfnTemplate;
}
