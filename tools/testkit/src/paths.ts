import { join } from 'node:path';

/** Repository root (this file is tools/testkit/{src,dist}/paths.{ts,js}). */
export const REPO = join(__dirname, '..', '..', '..');
export const repoPath = (...parts: string[]): string => join(REPO, ...parts);
