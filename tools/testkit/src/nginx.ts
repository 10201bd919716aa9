import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync, mkdirSync, chmodSync, existsSync, renameSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { repoPath } from './paths';
import { spawnLogged, stopProcess, type Spawned } from './process';
import { waitFor } from './wait';

const execFileAsync = promisify(execFile);

export const TEMPLATES = ['00-http.conf', '10-https.conf'] as const;

/**
 * envsubst as the nginx image does it with NGINX_ENVSUBST_FILTER=^NGINX_: every ${NGINX_…}
 * is replaced, nothing else (nginx's own $variables stay). A variable without a value is an
 * error here, where the image would silently render an empty string.
 */
export function renderTemplate(text: string, vars: Record<string, string>): string {
  return text.replace(/\$\{(NGINX_[A-Z0-9_]+)\}/g, (_, name: string) => {
    const value = vars[name];
    if (value === undefined) throw new Error(`template variable ${name} has no value`);
    return value;
  });
}

export function readTemplate(name: (typeof TEMPLATES)[number]): string {
  return readFileSync(repoPath('deploy/nginx/templates', `${name}.template`), 'utf8');
}

/**
 * Template variables for the repository's nginx on 127.0.0.1: `servers` as the API upstream
 * (the passive-check parameters of docker-compose.yml's NGINX_API_SERVERS), HTTPS with `tls`, nothing behind /grafana/ (a closed port).
 */
export function localNginxVars(o: {
  servers: number[];
  ports: { http: number; https: number; noGrafana: number };
  tls: { cert: string; key: string };
  acmeWebroot: string;
}): Record<string, string> {
  return {
    NGINX_API_SERVERS: o.servers.map((p) => `server 127.0.0.1:${p} max_fails=1 fail_timeout=5s;`).join('\n    '),
    NGINX_GRAFANA_SERVER: `127.0.0.1:${o.ports.noGrafana}`,
    NGINX_RESOLVER: '127.0.0.1',
    NGINX_SERVER_NAME: 'localhost',
    NGINX_HTTP_LISTEN: `127.0.0.1:${o.ports.http}`,
    NGINX_HTTPS_LISTEN: `127.0.0.1:${o.ports.https}`,
    NGINX_HTTPS_PORT: String(o.ports.https),
    NGINX_ACME_WEBROOT: o.acmeWebroot,
    NGINX_TLS_CERT: o.tls.cert,
    NGINX_TLS_KEY: o.tls.key,
  };
}

export interface LocalNginx {
  dir: string;
  accessLog: string;
  /** Graceful reload: new workers with the new config/certificate; old ones finish their connections. */
  reload(): Promise<void>;
  stop(): Promise<void>;
  output(): string;
  /** The master and its workers (for /proc sampling). */
  pids(): number[];
  /** Enables or disables the HTTPS server file (as 40-tls-watch.sh does in the image). */
  setHttps(enabled: boolean): void;
}

/**
 * Runs Debian's nginx with the repository's templates, rendered like the compose image renders
 * them, under a private prefix (own pid, logs and temp folders; master in the foreground).
 */
export async function startNginx(dir: string, vars: Record<string, string>, https = true): Promise<LocalNginx> {
  const conf = join(dir, 'conf.d');
  const temp = join(dir, 'temp');
  mkdirSync(conf, { recursive: true });
  mkdirSync(temp, { recursive: true });
  chmodSync(temp, 0o777); // workers run as nobody when the master is root
  const all = { NGINX_LOG_DIR: dir, NGINX_SNIPPETS: repoPath('deploy/nginx/snippets'), ...vars };
  for (const name of TEMPLATES) writeFileSync(join(conf, name), renderTemplate(readTemplate(name), all));
  const main = join(dir, 'nginx.conf');
  writeFileSync(
    main,
    [
      'worker_processes 2;',
      `pid ${dir}/nginx.pid;`,
      `error_log ${dir}/error.log info;`,
      // 1000 concurrent calls through one nginx (the benchmarks) need more than the default.
      'events { worker_connections 4096; }',
      'http {',
      `  client_body_temp_path ${temp}/body;`,
      `  proxy_temp_path ${temp}/proxy;`,
      `  fastcgi_temp_path ${temp}/fastcgi;`,
      `  uwsgi_temp_path ${temp}/uwsgi;`,
      `  scgi_temp_path ${temp}/scgi;`,
      '  default_type application/octet-stream;',
      `  include ${conf}/*.conf;`,
      '}',
      '',
    ].join('\n'),
  );
  const args = ['-p', dir, '-c', main, '-e', join(dir, 'error.log')];
  const setHttps = (enabled: boolean) => {
    const on = join(conf, '10-https.conf');
    const off = `${on}.waiting`;
    if (enabled && existsSync(off)) renameSync(off, on);
    if (!enabled && existsSync(on)) renameSync(on, off);
  };
  if (!https) setHttps(false);
  await execFileAsync('nginx', [...args, '-t', '-q']);
  const proc: Spawned = spawnLogged('nginx', [...args, '-g', 'daemon off;'], process.env);
  await waitFor(
    async () => (existsSync(join(dir, 'nginx.pid')) ? true : undefined),
    10_000,
    `nginx to start\n${proc.output()}`,
  );
  // The pid file is not the end of startup: wait until every address it serves accepts.
  const listens = [vars.NGINX_HTTP_LISTEN, https ? vars.NGINX_HTTPS_LISTEN : undefined].filter(Boolean) as string[];
  for (const address of listens) {
    await waitFor(() => accepts(address), 10_000, `nginx to accept on ${address}\n${proc.output()}`);
  }
  return {
    dir,
    accessLog: join(dir, 'access.log'),
    output: () => proc.output() + safeRead(join(dir, 'error.log')),
    setHttps,
    pids: () => {
      try {
        const workers = readFileSync(`/proc/${proc.pid}/task/${proc.pid}/children`, 'utf8').trim().split(/\s+/);
        return [proc.pid, ...workers.filter(Boolean).map(Number)];
      } catch {
        return [proc.pid];
      }
    },
    async reload() {
      await execFileAsync('nginx', [...args, '-t', '-q']);
      await execFileAsync('nginx', [...args, '-s', 'reload']);
    },
    async stop() {
      await stopProcess(proc);
    },
  };
}

/** True once a TCP connection to host:port succeeds. */
function accepts(address: string): Promise<true | undefined> {
  const [host, port] = [
    address.slice(0, address.lastIndexOf(':')),
    Number(address.slice(address.lastIndexOf(':') + 1)),
  ];
  return new Promise((resolve) => {
    const socket = createConnection({ host, port }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(undefined));
  });
}

function safeRead(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

/** Lines of the JSON access log (log_format edge_json). */
export interface AccessEntry {
  time: string;
  request: string;
  status: number;
  upstream: string;
  upstream_status: string;
  rt: number;
}

export function readAccessLog(file: string): AccessEntry[] {
  return safeRead(file)
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as AccessEntry);
}
