import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { localNginxVars, startNginx as startRepositoryNginx } from '@mwva/testkit';
import { PORTS } from './paths';

const execFileAsync = promisify(execFile);

export interface BenchNginx {
  url: string;
  ca: string;
  accessLog: string;
  pid: () => number[];
  stop(): Promise<void>;
}

/**
 * The repository's nginx (testkit: deploy/nginx's templates rendered as the compose image does)
 * in front of `upstreams`, HTTPS with a self-signed certificate for localhost, with compose's
 * upstream parameters (least_conn, max_fails=1 fail_timeout=5s).
 */
export async function startNginx(dir: string, upstreams: number[]): Promise<BenchNginx> {
  mkdirSync(dir, { recursive: true });
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  await execFileAsync('openssl', [
    ...['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'],
    ...['-keyout', key, '-out', cert, '-days', '2', '-subj', '/CN=localhost'],
    ...['-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1'],
  ]);
  const nginx = await startRepositoryNginx(
    dir,
    localNginxVars({
      servers: upstreams,
      ports: { http: PORTS.nginxHttp, https: PORTS.nginxHttps, noGrafana: PORTS.noGrafana },
      tls: { cert, key },
      acmeWebroot: join(dir, 'acme'),
    }),
  );
  return {
    url: `https://localhost:${PORTS.nginxHttps}`,
    ca: readFileSync(cert, 'utf8'),
    accessLog: nginx.accessLog,
    pid: () => nginx.pids(),
    stop: () => nginx.stop(),
  };
}
