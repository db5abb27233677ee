/**
 * `--scenario FILE`: a topology written by hand, JSON or YAML, validated by a schema and by
 * referential checks. Every problem names the file, the path inside it and what is wrong.
 */
import { readFile } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { parseDocument } from 'yaml';
import { InputError } from '../errors';
import { withoutBom } from './private/bom';
import { describeFsError } from './private/fs-error';
import type { Topology } from '../model/types';
import { checkTopology } from './private/check-topology';
import { problemsError } from './private/problems';
import { problemsFromZod, scenarioSchema, toTopology } from './private/topology-schema';

/** Reads, parses and validates a scenario file. */
export async function loadScenario(file: string): Promise<Topology> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new InputError(`${file}: cannot read the scenario file (${describeFsError(err)})`);
  }
  return parseScenario(text, file);
}

/** Parses scenario text (JSON is YAML, so one parser serves both); `file` names it in errors. */
export function parseScenario(text: string, file: string): Topology {
  const data = parseYamlOrJson(withoutBom(text), file);
  const parsed = scenarioSchema.safeParse(data);
  if (!parsed.success) throw problemsError(file, problemsFromZod(parsed.error));
  const topology = toTopology(parsed.data, basename(file, extname(file)), file);
  const problems = checkTopology(topology);
  if (problems.length) throw problemsError(file, problems);
  return topology;
}

function parseYamlOrJson(text: string, file: string): unknown {
  // JSON.parse is a thousand times faster than the YAML parser; YAML (a superset) then
  // serves YAML files and finds the line and column of a JSON mistake.
  const isJson = /\.json$/i.test(file);
  let jsonError: string | undefined;
  if (isJson || /^\s*[{[]/.test(text)) {
    try {
      return JSON.parse(text);
    } catch (err) {
      // V8 quotes the text around the mistake, newlines included: one line for the message.
      jsonError = (err as Error).message.replace(/\s*\n\s*/g, ' ');
    }
  }
  const doc = parseDocument(text, { uniqueKeys: true });
  const error = doc.errors[0];
  // A .json file must be JSON, even where YAML would be lenient (a trailing comma).
  if (!error && isJson && jsonError) throw new InputError(`${file}: not valid JSON: ${jsonError}`);
  if (error) {
    const line = error.linePos?.[0];
    const where = line ? `line ${line.line}, column ${line.col}` : 'somewhere';
    const format = /\.json$/i.test(file) ? 'JSON' : 'YAML';
    throw new InputError(`${file}: not valid ${format} at ${where}: ${firstSentence(error.message)}`);
  }
  if (doc.contents === null) throw new InputError(`${file}: the scenario file is empty`);
  try {
    // maxAliasCount bounds an alias bomb; an alias before its anchor is an error here too.
    return doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    throw new InputError(`${file}: not valid YAML: ${firstSentence((err as Error).message)}`);
  }
}

function firstSentence(message: string): string {
  return message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
}
