import { readFileSync } from 'node:fs';
import { parse, parseAllDocuments } from 'yaml';
import { repoPath } from './paths';

/** Parses a YAML file of the repository; compose files use YAML merge keys (<<). */
export function loadYaml(path: string): unknown {
  return parse(readFileSync(repoPath(path), 'utf8'), { merge: true });
}

export function parseYamlStream(text: string): Array<Record<string, unknown>> {
  return parseAllDocuments(text)
    .map((d) => d.toJS() as Record<string, unknown> | null)
    .filter((d): d is Record<string, unknown> => d !== null);
}
