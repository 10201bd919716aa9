import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

/** A short command's output (openssl, curl); long-running processes come from @mwva/testkit. */
export const execFileAsync = promisify(execFile);
