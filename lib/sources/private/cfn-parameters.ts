/**
 * Template parameter values, as the AWS CLI takes them: `--parameter Key=Value` (repeatable,
 * like `aws cloudformation deploy --parameter-overrides`) and `--parameters FILE` (the JSON
 * `aws cloudformation create-stack --parameters` takes: `[{"ParameterKey", "ParameterValue"}]`;
 * `["Key=Value"]` as `deploy` reads it is accepted too). `--parameter` wins over the file.
 */
import { readFile } from 'node:fs/promises';
import { InputError } from '../../errors';
import { describe, isObject } from './cfn-parse';
import type { StackInput } from './cfn-resolve';
import { describeFsError } from './fs-error';

/** One given value and where it was given (for errors). */
export interface ParameterValue {
  readonly key: string;
  readonly value: string;
  /** `--parameter Key=Value`, or `params.json: [2]`. */
  readonly origin: string;
}

/** A parameters file is a few lines; anything past this is not one. */
const MAX_PARAMETERS_FILE_BYTES = 1024 * 1024;

/** `Key=Value` arguments; the value may itself hold `=` and may be empty. */
export function parameterArgs(args: readonly string[]): ParameterValue[] {
  return args.map((arg) => {
    const eq = arg.indexOf('=');
    if (eq <= 0) throw new InputError(`--parameter ${JSON.stringify(arg)}: expected Key=Value`);
    return { key: arg.slice(0, eq), value: arg.slice(eq + 1), origin: `--parameter ${arg}` };
  });
}

/** Reads a parameters file (JSON, the forms the AWS CLI takes). */
export async function readParametersFile(file: string): Promise<ParameterValue[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new InputError(`${file}: cannot read the parameters file (${describeFsError(err)})`);
  }
  if (text.length > MAX_PARAMETERS_FILE_BYTES) throw new InputError(`${file}: the parameters file is larger than 1 MB`);
  let data: unknown;
  try {
    data = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (err) {
    throw new InputError(`${file}: not valid JSON (${(err as Error).message})`);
  }
  if (!Array.isArray(data)) throw new InputError(`${file}: expected a list of {"ParameterKey": ..., "ParameterValue": ...}, got ${describe(data)}`);
  return data.flatMap((entry, i): ParameterValue[] => {
    const where = `${file}: [${i}]`;
    if (typeof entry === 'string') return parameterArgs([entry]).map((p) => ({ ...p, origin: where }));
    if (!isObject(entry)) throw new InputError(`${where}: expected {"ParameterKey": ..., "ParameterValue": ...}, got ${describe(entry)}`);
    if (typeof entry.ParameterKey !== 'string' || entry.ParameterKey === '') throw new InputError(`${where}.ParameterKey: expected a parameter name, got ${describe(entry.ParameterKey)}`);
    // `UsePreviousValue` keeps a deployed stack's value, which natlab cannot see: the parameter stays unset.
    if (entry.ParameterValue === undefined && entry.UsePreviousValue === true) return [];
    const value = entry.ParameterValue;
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') throw new InputError(`${where}.ParameterValue: expected a text, got ${describe(value)}`);
    return [{ key: entry.ParameterKey, value: String(value), origin: where }];
  });
}

/**
 * Gives each template the values of the parameters it declares; a name no template declares,
 * or a value outside a parameter's AllowedValues, is bad input (CloudFormation refuses both).
 */
export function withParameters(stacks: readonly StackInput[], values: readonly ParameterValue[]): StackInput[] {
  for (const p of values) {
    const declaring = stacks.filter((s) => s.template.Parameters?.[p.key] !== undefined);
    if (!declaring.length) throw new InputError(`${p.origin}: no given template declares parameter "${p.key}"`);
    for (const s of declaring) {
      const allowed = s.template.Parameters![p.key].AllowedValues;
      if (Array.isArray(allowed) && !allowed.map(String).includes(p.value)) {
        throw new InputError(`${p.origin}: "${p.value}" is not one of the AllowedValues of ${s.file} Parameters.${p.key} (${allowed.map(String).join(', ')})`);
      }
    }
  }
  return stacks.map((s) => {
    const own = values.filter((p) => s.template.Parameters?.[p.key] !== undefined);
    return own.length ? { ...s, parameters: Object.fromEntries(own.map((p) => [p.key, p.value])) } : s;
  });
}
