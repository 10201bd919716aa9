import type { Spawned } from './process';

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Polls `probe` every `everyMs` until it returns a value (not undefined) or the deadline passes;
 * then throws naming `what` and the last error the probe threw. `gaveUp` ends the wait early
 * when it returns a reason (a process that exited will never become ready).
 */
export async function waitFor<T>(
  probe: () => Promise<T | undefined>,
  timeoutMs: number,
  what: string,
  everyMs = 50,
  gaveUp: () => string | undefined = () => undefined,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    const reason = gaveUp();
    if (reason !== undefined) throw new Error(`gave up waiting for ${what}: ${reason}`);
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (err) {
      lastError = err;
    }
    await sleep(everyMs);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? `: ${String(lastError)}` : ''}`);
}

/** waitFor a process we started to be ready; fails at once, with its output's tail, if it exits. */
export async function waitForProcess<T>(
  p: Spawned,
  probe: () => Promise<T | undefined>,
  timeoutMs: number,
  what: string,
  everyMs = 250,
): Promise<T> {
  const exitCode = () => p.child.exitCode ?? p.child.signalCode;
  try {
    return await waitFor(probe, timeoutMs, what, everyMs, () => {
      const code = exitCode();
      return code === null ? undefined : `it exited (${code})`;
    });
  } catch (err) {
    throw new Error(`${(err as Error).message}\n${p.output().slice(-2000)}`, { cause: err });
  }
}
