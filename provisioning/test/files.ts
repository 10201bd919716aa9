import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

export const PROVISIONING_DIR = join(__dirname, '..');

export const readText = (path: string) => readFileSync(join(PROVISIONING_DIR, path), 'utf8');
export const readYaml = (path: string): unknown => parse(readText(path));
export const readJson = (path: string): unknown => JSON.parse(readText(path));
