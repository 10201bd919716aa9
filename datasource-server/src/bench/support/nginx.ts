import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PORTS, repoPath } from './paths';
import { spawnChild, stopChild, waitFor } from './proc';

const execFileAsync = promisify(execFile);
const TEMPLATES = ['00-http.conf', '10-https.conf'];

export interface BenchNginx {
  url: string;
  ca: string;
  accessLog: string;
  pid: () => number[];
  stop(): Promise<void>;
}

/**
 * Debian's nginx running the repository's own templates (deploy/nginx), rendered as the compose
 * image renders them (envsubst of ${NGINX_*}), in front of `upstreams`, HTTPS with a self-signed
 * certificate for localhost. Same parameters as compose (least_conn, max_fails=1 fail_timeout=5s).
 */
export async function startNginx(dir: string, upstreams: number[]): Promise<BenchNginx> {
  const conf = join(dir, 'conf.d');
  const temp = join(dir, 'temp');
  mkdirSync(conf, { recursive: true });
  mkdirSync(temp, { recursive: true });
  chmodSync(temp, 0o777);
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  await execFileAsync('openssl', [
    ...['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'],
    ...['-keyout', key, '-out', cert, '-days', '2', '-subj', '/CN=localhost'],
    ...['-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1'],
  ]);
  const vars: Record<string, string> = {
    NGINX_API_SERVERS: upstreams.map((p) => `server 127.0.0.1:${p} max_fails=1 fail_timeout=5s;`).join('\n    '),
    NGINX_GRAFANA_SERVER: `127.0.0.1:${PORTS.noGrafana}`,
    NGINX_RESOLVER: '127.0.0.1',
    NGINX_SERVER_NAME: 'localhost',
    NGINX_HTTP_LISTEN: `127.0.0.1:${PORTS.nginxHttp}`,
    NGINX_HTTPS_LISTEN: `127.0.0.1:${PORTS.nginxHttps}`,
    NGINX_HTTPS_PORT: String(PORTS.nginxHttps),
    NGINX_ACME_WEBROOT: join(dir, 'acme'),
    NGINX_TLS_CERT: cert,
    NGINX_TLS_KEY: key,
    NGINX_LOG_DIR: dir,
    NGINX_SNIPPETS: repoPath('deploy/nginx/snippets'),
  };
  for (const name of TEMPLATES) {
    const text = readFileSync(repoPath('deploy/nginx/templates', `${name}.template`), 'utf8');
    writeFileSync(
      join(conf, name),
      text.replace(/\$\{(NGINX_[A-Z0-9_]+)\}/g, (_, v: string) => {
        if (vars[v] === undefined) throw new Error(`nginx template variable ${v} has no value`);
        return vars[v];
      }),
    );
  }
  const main = join(dir, 'nginx.conf');
  writeFileSync(
    main,
    [
      'worker_processes 2;',
      `pid ${dir}/nginx.pid;`,
      `error_log ${dir}/error.log warn;`,
      'events { worker_connections 4096; }',
      'http {',
      ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((t) => `  ${t}_temp_path ${temp}/${t};`),
      '  default_type application/octet-stream;',
      `  include ${conf}/*.conf;`,
      '}',
      '',
    ].join('\n'),
  );
  const args = ['-p', dir, '-c', main, '-e', join(dir, 'error.log')];
  await execFileAsync('nginx', [...args, '-t', '-q']);
  const proc = spawnChild('nginx', [...args, '-g', 'daemon off;'], process.env);
  await waitFor(async () => (existsSync(join(dir, 'nginx.pid')) ? true : undefined), 10_000, 'nginx to start');
  return {
    url: `https://localhost:${PORTS.nginxHttps}`,
    ca: readFileSync(cert, 'utf8'),
    accessLog: join(dir, 'access.log'),
    pid: () => {
      // master + workers: the master's children
      try {
        const kids = readFileSync(`/proc/${proc.pid}/task/${proc.pid}/children`, 'utf8').trim().split(/\s+/);
        return [proc.pid, ...kids.filter(Boolean).map(Number)];
      } catch {
        return [proc.pid];
      }
    },
    stop: () => stopChild(proc),
  };
}
