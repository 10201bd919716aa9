/**
 * The running offline stack (`npm run stack:up`), as the compose tests see it: its state file
 * (.stack/stack.json), docker and docker compose with the stack's engine and files, container
 * lookups, health, and SQL through the Postgres container (no store port reaches the host).
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { waitFor } from '@mwva/testkit';

export const REPO = join(__dirname, '..', '..', '..', '..');

export interface StackInfo {
  repo: string;
  project: string;
  dockerHost: string;
  composeFiles: string[];
  envFile: string;
  domain: string;
  httpPort: number;
  httpsPort: number;
  carrierPort: number;
  simKeyFile: string;
  pebbleCaFile: string;
  baseImage: string;
}

let cached: StackInfo | undefined;

/** The stack's state; a missing stack fails the suite (never skips it). */
export function stackInfo(): StackInfo {
  if (cached) return cached;
  const file = join(REPO, '.stack', 'stack.json');
  if (!existsSync(file)) throw new Error(`${file} not found: start the stack first with \`npm run stack:up\``);
  cached = JSON.parse(readFileSync(file, 'utf8')) as StackInfo;
  return cached;
}

/** The generated .env (secrets included), parsed. */
export function stackEnv(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of readFileSync(stackInfo().envFile, 'utf8').split('\n')) {
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(line);
    if (m) out[m[1]!] = m[2]!;
  }
  return out;
}

/**
 * This process's environment without the variables the stack's .env defines: compose prefers
 * the shell's value, and a shell that ran `eval "$(deploy/local/services.sh up)"` (as CI does)
 * holds other stores' URLs and an empty NEO4J_PASSWORD. Overrides are passed explicitly (`env`).
 */
function callerEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const name of Object.keys(stackEnv())) delete env[name];
  return env;
}

export interface Exec {
  stdout: string;
  stderr: string;
  code: number;
}

/** Runs a command with the stack's DOCKER_HOST; resolves with its exit code (never rejects on one). */
export function run(
  cmd: string,
  args: string[],
  opts: { input?: string; timeoutMs?: number; env?: NodeJS.ProcessEnv } = {},
): Promise<Exec> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      cmd,
      args,
      {
        env: { ...callerEnv(), ...opts.env, DOCKER_HOST: stackInfo().dockerHost, DOCKER_BUILDKIT: '0' },
        maxBuffer: 64 * 1024 * 1024,
        timeout: opts.timeoutMs ?? 120_000,
        cwd: REPO,
      },
      (err, stdout, stderr) => {
        if (!err) return resolve({ stdout, stderr, code: 0 });
        const e = err as Error & { code?: number | string; killed?: boolean };
        if (e.killed) return resolve({ stdout, stderr: `${stderr}\n(timed out)`, code: 124 });
        if (typeof e.code === 'number') return resolve({ stdout, stderr, code: e.code });
        reject(err);
      },
    );
    if (opts.input !== undefined) child.stdin!.end(opts.input);
  });
}

/** docker …; rejects with the output on a non-zero exit. */
export async function docker(args: string[], opts: { input?: string; timeoutMs?: number } = {}): Promise<string> {
  const r = await run('docker', args, opts);
  if (r.code !== 0) throw new Error(`docker ${args.join(' ')} exited ${r.code}: ${r.stderr || r.stdout}`);
  return r.stdout;
}

export function composeArgs(...args: string[]): string[] {
  const s = stackInfo();
  return [
    'compose',
    '--project-directory',
    s.repo,
    '--env-file',
    s.envFile,
    ...s.composeFiles.flatMap((f) => ['-f', f]),
    ...args,
  ];
}

/** docker compose with the stack's files and .env; rejects on a non-zero exit. */
export function compose(args: string[], opts: { timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): Promise<string> {
  return run('docker', composeArgs(...args), opts).then((r) => {
    if (r.code !== 0) throw new Error(`docker compose ${args.join(' ')} exited ${r.code}: ${r.stderr || r.stdout}`);
    return r.stdout;
  });
}

export interface Container {
  id: string;
  name: string;
  service: string;
  state: string;
  health: string;
}

/** Every container of the stack (running or not). */
export async function containers(): Promise<Container[]> {
  const out = await docker([
    'ps',
    '-a',
    '--filter',
    `label=com.docker.compose.project=${stackInfo().project}`,
    '--format',
    '{{.ID}}\t{{.Names}}\t{{.Label "com.docker.compose.service"}}\t{{.State}}',
  ]);
  const rows = out.trim().split('\n').filter(Boolean);
  return Promise.all(
    rows.map(async (row) => {
      const [id, name, service, state] = row.split('\t') as [string, string, string, string];
      return { id, name, service, state, health: await healthOf(name) };
    }),
  ).then((list) => list.sort((a, b) => a.name.localeCompare(b.name)));
}

export async function containersOf(service: string): Promise<Container[]> {
  return (await containers()).filter((c) => c.service === service);
}

/** The one container of a single-instance service. */
export async function containerOf(service: string): Promise<Container> {
  const list = await containersOf(service);
  if (list.length !== 1) throw new Error(`expected one container of ${service}, found ${list.length}`);
  return list[0]!;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function inspect(name: string): Promise<any> {
  return (JSON.parse(await docker(['inspect', name])) as unknown[])[0];
}

export async function healthOf(name: string): Promise<string> {
  return (
    await docker(['inspect', '-f', '{{if .State.Health}}{{.State.Health.Status}}{{else}}none{{end}}', name])
  ).trim();
}

/** The host pid of a container's main process (PID 1 inside it). */
export async function hostPid(name: string): Promise<number> {
  return Number((await docker(['inspect', '-f', '{{.State.Pid}}', name])).trim());
}

/** Waits until a container reports `status` (healthy/unhealthy); resolves with when it did. */
export function waitHealth(name: string, status: string, timeoutMs: number): Promise<number> {
  return waitFor(
    async () => ((await healthOf(name)) === status ? Date.now() : undefined),
    timeoutMs,
    `${name} ${status}`,
    1000,
  );
}

/** SQL on the stack's Postgres as the app's role, through the container (unix socket). */
export async function psql(sql: string): Promise<string> {
  const pg = await containerOf('postgres');
  return docker(
    [
      'exec',
      '-i',
      pg.name,
      'psql',
      '-X',
      '-q',
      '-A',
      '-t',
      '-v',
      'ON_ERROR_STOP=1',
      '-U',
      'voice',
      '-d',
      'voice',
      '-f',
      '-',
    ],
    {
      input: sql,
      timeoutMs: 120_000,
    },
  ).then((out) => out.trim());
}

/** `docker stats` streamed while `fn` runs: the peak memory of each container and its limit. */
export interface MemoryPeak {
  container: string;
  peakMiB: number;
  limitMiB: number;
  peakPercent: number;
}

export async function withDockerStats<T>(fn: () => Promise<T>): Promise<{ result: T; peaks: MemoryPeak[] }> {
  const child = spawn('docker', ['stats', '--format', '{{json .}}'], {
    env: { ...process.env, DOCKER_HOST: stackInfo().dockerHost },
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const peaks = new Map<string, MemoryPeak>();
  let buf = '';
  child.stdout.on('data', (d: Buffer) => {
    buf += d.toString();
    const lines = buf.split(/\r?\n/);
    buf = lines.pop() ?? '';
    for (const raw of lines) {
      // docker stats redraws the screen with ANSI sequences between rounds.
      // eslint-disable-next-line no-control-regex -- ANSI escape sequences are control characters
      const line = raw.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '').trim();
      if (!line.startsWith('{')) continue;
      try {
        const s = JSON.parse(line) as { Name: string; MemUsage: string; MemPerc: string };
        const [used, limit] = s.MemUsage.split('/').map((x) => mib(x.trim())) as [number, number];
        const prev = peaks.get(s.Name);
        if (!prev || used > prev.peakMiB)
          peaks.set(s.Name, {
            container: s.Name,
            peakMiB: round1(used),
            limitMiB: round1(limit),
            peakPercent: round1((100 * used) / limit),
          });
      } catch {
        // a line cut in the middle
      }
    }
  });
  try {
    const result = await fn();
    return { result, peaks: [...peaks.values()].sort((a, b) => a.container.localeCompare(b.container)) };
  } finally {
    child.kill('SIGTERM');
  }
}

const round1 = (x: number) => Math.round(x * 10) / 10;

function mib(text: string): number {
  const m = /^([\d.]+)\s*([KMGT]?i?B)$/.exec(text);
  if (!m) return NaN;
  const n = Number(m[1]);
  const unit = m[2]!;
  const factor: Record<string, number> = {
    B: 1 / 2 ** 20,
    KiB: 1 / 1024,
    MiB: 1,
    GiB: 1024,
    TiB: 1024 * 1024,
    kB: 1 / 1024,
    MB: 1,
    GB: 1024,
  };
  return n * (factor[unit] ?? NaN);
}
