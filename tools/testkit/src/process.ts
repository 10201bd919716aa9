import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

/** A child process we started, with its combined output kept for failure messages. */
export interface Spawned {
  child: ChildProcess;
  pid: number;
  output: () => string;
  exited: Promise<number | null>;
}

/** Output beyond this many characters is trimmed from the front: a long run keeps its tail. */
const KEEP_CHARS = 200_000;

/** Spawns a long-running process; stdout and stderr are kept together for error messages. */
export function spawnLogged(command: string, args: string[], env: NodeJS.ProcessEnv): Spawned {
  const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const keep = (d: Buffer) => {
    out += d.toString();
    if (out.length > KEEP_CHARS) out = out.slice(-KEEP_CHARS / 2);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, pid: child.pid ?? -1, output: () => out, exited };
}

/** Stops a process we started: SIGTERM, then SIGKILL after graceMs. Already gone is fine. */
export async function stopProcess(p: Spawned | undefined, graceMs = 10_000): Promise<void> {
  if (!p || p.child.exitCode !== null || p.child.signalCode !== null) return;
  p.child.kill('SIGTERM');
  const timer = setTimeout(() => p.child.kill('SIGKILL'), graceMs);
  await p.exited;
  clearTimeout(timer);
}

/** A TCP port nobody listens on right now (the kernel's choice on 127.0.0.1). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}
