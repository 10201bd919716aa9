#!/usr/bin/env node
/**
 * Writes every generated provisioning file (or, with --check, fails listing the files whose
 * committed content differs from a fresh generation).
 *   npm run generate -w provisioning            # SCALING_THRESHOLD / API_MEMORY_LIMIT_BYTES override defaults
 *   npm run check -w provisioning
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { settingsFromEnv } from '../config';
import { generateAll } from '../output';

const ROOT = resolve(__dirname, '..', '..');

function read(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

async function main(): Promise<number> {
  const check = process.argv.includes('--check');
  const files = await generateAll(settingsFromEnv(process.env));
  const stale = files.filter((f) => read(join(ROOT, f.path)) !== f.content);
  if (check) {
    for (const f of stale) console.error(`out of date: provisioning/${f.path}`);
    if (stale.length > 0) console.error('run: npm run generate -w provisioning');
    return stale.length > 0 ? 1 : 0;
  }
  for (const f of files) {
    mkdirSync(dirname(join(ROOT, f.path)), { recursive: true });
    writeFileSync(join(ROOT, f.path), f.content);
  }
  console.log(`wrote ${files.length} files (${stale.length} changed) under provisioning/`);
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exitCode = 1;
  },
);
