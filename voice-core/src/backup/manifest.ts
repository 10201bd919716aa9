import { readFile, realpath } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { z } from 'zod';

export const MANIFEST_FILE = 'manifest.json';
export const BACKUP_FORMAT = 'mwva-backup';
export const BACKUP_FORMAT_VERSION = 1;

/** The parts of a backup: one per store actually holding data (Redis holds only live state). */
export const BACKUP_STORES = ['postgres', 'embedded', 'mongodb', 'neo4j', 'chroma'] as const;
export type BackupStoreName = (typeof BACKUP_STORES)[number];

const fileEntry = z.object({
  path: z.string().min(1),
  bytes: z.number().int().nonnegative(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  records: z.number().int().nonnegative().optional(),
});

/** One table / collection / record kind: how many records and their content digest. */
const dataset = z.object({
  name: z.string().min(1),
  records: z.number().int().nonnegative(),
  /** ContentDigest of the canonical records (order-independent). */
  digest: z.string().regex(/^[0-9a-f]{64}$/),
  /** The archive holding the records (absent when a pg_dump file holds them). */
  file: z.string().optional(),
  /** Store-specific: SQL columns, Chroma collection settings, … */
  meta: z.record(z.string(), z.unknown()).optional(),
});

const section = z.object({
  store: z.enum(BACKUP_STORES),
  /** 'pg_dump': a custom-format dump; 'logical': JSONL archives through the driver. */
  method: z.enum(['pg_dump', 'logical']),
  startedAt: z.string(),
  finishedAt: z.string(),
  datasets: z.array(dataset),
  files: z.array(fileEntry),
  /** Schema facts needed to restore: SQL migrations, Neo4j constraints and indexes, … */
  schema: z.record(z.string(), z.unknown()),
});

export const manifestSchema = z.object({
  format: z.literal(BACKUP_FORMAT),
  formatVersion: z.literal(BACKUP_FORMAT_VERSION),
  id: z.string().min(1),
  createdAt: z.string(),
  finishedAt: z.string(),
  software: z.object({ name: z.string(), version: z.string(), node: z.string() }),
  /** Which store served each role when the backup was taken. */
  roles: z.record(z.string(), z.string()),
  playbookVersion: z.string().nullable(),
  /** The order stores were read in (the consistency guarantee depends on it). */
  order: z.array(z.enum(BACKUP_STORES)),
  sections: z.array(section),
  notes: z.array(z.string()),
});

export type FileEntryJson = z.infer<typeof fileEntry>;
export type DatasetEntry = z.infer<typeof dataset>;
export type ManifestSection = z.infer<typeof section>;
export type Manifest = z.infer<typeof manifestSchema>;

export class BackupInvalidError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BackupInvalidError';
  }
}

/** Reads and validates `manifest.json`; a missing, unparsable or malformed manifest throws. */
export async function readManifest(dir: string): Promise<Manifest> {
  let text: string;
  try {
    text = await readFile(join(dir, MANIFEST_FILE), 'utf8');
  } catch (err) {
    throw new BackupInvalidError(`${dir}: no readable ${MANIFEST_FILE} (${(err as Error).message})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new BackupInvalidError(`${dir}/${MANIFEST_FILE} is not valid JSON: ${(err as Error).message}`);
  }
  const parsed = manifestSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new BackupInvalidError(
      `${dir}/${MANIFEST_FILE} is not a backup manifest: ${issue?.path.join('.')}: ${issue?.message}`,
    );
  }
  return parsed.data;
}

/** Whether `child` (absolute) is `dir` itself or below it. */
const inside = (dir: string, child: string): boolean => {
  const rel = relative(dir, child);
  return rel !== '' && rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel);
};

/**
 * The absolute path of a file a manifest names, or a problem when the name could reach outside
 * the backup folder: an absolute path, a `..` that climbs out, or a symbolic link (of the file
 * or a folder on the way) that leads out. A restore must only ever read the backup itself.
 */
export async function entryPath(dir: string, rel: string): Promise<{ abs: string } | { problem: string }> {
  const abs = resolve(dir, rel);
  if (isAbsolute(rel) || rel.includes('\\') || !inside(dir, abs))
    return { problem: `manifest entry "${rel}" points outside the backup folder; refusing it` };
  const real = await realpath(abs).catch(() => null);
  const realDir = await realpath(dir).catch(() => dir);
  if (real !== null && !inside(realDir, real))
    return { problem: `manifest entry "${rel}" is a link to ${real}, outside the backup folder; refusing it` };
  return { abs };
}
