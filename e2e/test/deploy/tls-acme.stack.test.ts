/**
 * Let's Encrypt flow against Pebble (Debian `pebble`, the ACME test CA), with the same pieces as
 * docker-compose.yml: certbot obtains a certificate by HTTP-01 through nginx's
 * /.well-known/acme-challenge/ webroot (Pebble really fetches the token from nginx), nginx
 * serves it, a forced renewal reloads nginx (certbot --deploy-hook) and the new serial is
 * served while requests keep succeeding (one is in flight during the reload); then
 * deploy/tls/check-cert-expiry.sh reports a healthy, a near-expiry and an unreachable endpoint.
 * Run: npx jest e2e/test/deploy/tls-acme --selectProjects stack
 */
import { X509Certificate } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { Agent, request } from 'node:https';
import { connect } from 'node:tls';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  localNginxVars,
  readAccessLog,
  sleep,
  spawnLogged,
  startNginx,
  stopProcess,
  waitFor,
  type LocalNginx,
  type Spawned,
} from '@mwva/testkit';
import { PORTS, repoPath } from './support/paths';
import { execFileAsync } from './support/processes';
import { createTestCa } from './support/test-ca';
import { ensureTools } from './support/tools';

jest.setTimeout(180_000);

const HTTPS = `localhost:${PORTS.nginxHttps}`;
/** A stand-in API: answers /readyz after SLOW_MS so a request is in flight during the reload. */
const SLOW_MS = 1_500;

describe('TLS: certbot + Pebble issuance, renewal and expiry reporting through nginx', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mwva-tls-'));
  const le = join(dir, 'letsencrypt');
  const webroot = join(dir, 'acme');
  let pebble: Spawned | undefined;
  let nginx: LocalNginx | undefined;
  let api: Server | undefined;
  let pebbleRoots = '';
  let nginxArgs: string[] = [];

  const certbot = (args: string[]) =>
    execFileAsync(
      'certbot',
      [
        ...args,
        '--non-interactive',
        '--config-dir',
        join(le, 'config'),
        '--work-dir',
        join(le, 'work'),
        '--logs-dir',
        join(le, 'logs'),
      ],
      { env: { ...process.env, REQUESTS_CA_BUNDLE: join(dir, 'ca.pem') }, timeout: 120_000 },
    );
  const liveCert = () => join(le, 'config', 'live', 'localhost', 'fullchain.pem');
  const serialOfFile = (file: string) => new X509Certificate(readFileSync(file)).serialNumber;

  /** The serial nginx serves, verified against Pebble's root (so it is the ACME certificate). */
  function servedSerial(ca: string): Promise<string> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port: PORTS.nginxHttps, servername: 'localhost', ca }, () => {
        const serial = socket.getPeerCertificate().serialNumber;
        socket.end();
        resolve(serial);
      });
      socket.on('error', reject);
    });
  }

  function get(path: string, ca: string): Promise<number> {
    return new Promise((resolve, reject) => {
      const req = request(
        `https://${HTTPS}${path}`,
        { agent: new Agent({ keepAlive: false, ca }), headers: { host: 'localhost' } },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        },
      );
      req.on('error', reject);
      req.end();
    });
  }

  const checkExpiry = async (args: string[]) => {
    try {
      const { stdout } = await execFileAsync('bash', [repoPath('deploy/tls/check-cert-expiry.sh'), ...args]);
      return { code: 0, out: stdout.trim() };
    } catch (err) {
      const e = err as { code: number; stdout: string };
      return { code: e.code, out: String(e.stdout).trim() };
    }
  };

  beforeAll(async () => {
    ensureTools('nginx', 'pebble', 'certbot', 'openssl');
    chmodSync(dir, 0o755); // nginx workers (nobody) read the webroot below it
    mkdirSync(webroot, { recursive: true });
    const ca = await createTestCa(dir);
    const listener = await ca.issue('pebble-listener');
    const config = join(dir, 'pebble.json');
    writeFileSync(
      config,
      JSON.stringify({
        pebble: {
          listenAddress: `127.0.0.1:${PORTS.pebble}`,
          managementListenAddress: `127.0.0.1:${PORTS.pebbleManagement}`,
          certificate: listener.cert,
          privateKey: listener.key,
          httpPort: PORTS.nginxHttp, // HTTP-01 validation goes to nginx
          tlsPort: PORTS.pebbleTls,
          ocspResponderURL: '',
          externalAccountBindingRequired: false,
        },
      }),
    );
    pebble = spawnLogged('pebble', ['-config', config], { ...process.env, PEBBLE_VA_NOSLEEP: '1' });
    await waitFor(
      async () => {
        if (pebble!.child.exitCode !== null) throw new Error(`pebble exited:\n${pebble!.output()}`);
        return /Listening on/.test(pebble!.output()) ? true : undefined;
      },
      20_000,
      'pebble',
    );

    api = createServer((_req, res) => {
      setTimeout(() => res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ready"}'), SLOW_MS);
    });
    await new Promise<void>((r) => api!.listen(PORTS.replicas[0], '127.0.0.1', r));

    const nginxDir = join(dir, 'nginx');
    nginx = await startNginx(
      nginxDir,
      localNginxVars({
        servers: [PORTS.replicas[0]],
        ports: { http: PORTS.nginxHttp, https: PORTS.nginxHttps, noGrafana: PORTS.noGrafana },
        tls: { cert: liveCert(), key: join(le, 'config', 'live', 'localhost', 'privkey.pem') },
        acmeWebroot: webroot,
      }),
      false, // no certificate yet: HTTP only, as 40-tls-watch.sh starts it in compose
    );
    nginxArgs = ['-p', nginxDir, '-c', join(nginxDir, 'nginx.conf'), '-e', join(nginxDir, 'error.log')];
  }, 120_000);

  afterAll(async () => {
    await nginx?.stop();
    await new Promise<void>((r) => (api ? api.close(() => r()) : r()));
    await stopProcess(pebble);
  });

  test('issues by HTTP-01 through nginx, serves it, renews with a reload, reports expiry', async () => {
    // HTTP redirects to HTTPS, except the ACME webroot.
    const redirect = await fetch(`http://127.0.0.1:${PORTS.nginxHttp}/api/calls`, { redirect: 'manual' });
    expect(redirect.status).toBe(301);
    expect(redirect.headers.get('location')).toBe(`https://127.0.0.1:${PORTS.nginxHttps}/api/calls`);

    await certbot([
      'certonly',
      '--agree-tos',
      '--register-unsafely-without-email',
      '--server',
      `https://localhost:${PORTS.pebble}/dir`,
      '--webroot',
      '-w',
      webroot,
      '-d',
      'localhost',
      '--cert-name',
      'localhost',
    ]);
    const challenges = readAccessLog(nginx!.accessLog).filter((e) =>
      e.request.includes('/.well-known/acme-challenge/'),
    );
    expect(challenges.some((e) => e.status === 200)).toBe(true);

    // Pebble's issuing root changes every start: fetch it from its management API.
    const roots = await execFileAsync('curl', [
      '-fsS',
      '--cacert',
      join(dir, 'ca.pem'),
      `https://localhost:${PORTS.pebbleManagement}/roots/0`,
    ]);
    pebbleRoots = roots.stdout;
    writeFileSync(join(dir, 'pebble-root.pem'), pebbleRoots);

    nginx!.setHttps(true);
    await nginx!.reload();
    const first = serialOfFile(liveCert());
    await waitFor(async () => ((await servedSerial(pebbleRoots)) === first ? true : undefined), 10_000, 'first cert');
    const hsts = await new Promise<string | undefined>((resolve, reject) => {
      request(`https://${HTTPS}/readyz`, { ca: pebbleRoots }, (res) => {
        res.resume();
        resolve(res.headers['strict-transport-security'] as string | undefined);
      })
        .on('error', reject)
        .end();
    });
    expect(hsts).toMatch(/max-age=\d+/);

    // Renewal while requests flow; one request is in flight across the reload.
    let stopLoad = false;
    const statuses: Array<number | string> = [];
    const loop = (async () => {
      while (!stopLoad) statuses.push(await get('/healthz', pebbleRoots).catch((e: Error) => e.message));
    })();
    const inFlight = get('/readyz', pebbleRoots);
    await sleep(200);
    const reload = `nginx ${nginxArgs.join(' ')} -s reload`;
    await certbot([
      'renew',
      '--force-renewal',
      '--no-random-sleep-on-renew',
      '--cert-name',
      'localhost',
      '--deploy-hook',
      reload,
    ]);
    const second = serialOfFile(liveCert());
    expect(second).not.toBe(first);
    await waitFor(async () => ((await servedSerial(pebbleRoots)) === second ? true : undefined), 10_000, 'renewed');
    expect(await inFlight).toBe(200);
    await sleep(SLOW_MS);
    stopLoad = true;
    await loop;
    expect(statuses.length).toBeGreaterThan(0);
    expect(statuses.filter((s) => s !== 200)).toEqual([]);

    // Expiry reporting: the ACME certificate is fine (Pebble issues long-lived ones).
    const metrics = join(dir, 'tls.prom');
    const ok = await checkExpiry(['--textfile', metrics, HTTPS]);
    expect(ok.code).toBe(0);
    expect(ok.out).toMatch(/^ok: /);
    expect(ok.out.toLowerCase()).toContain(`serial=${second.toLowerCase()}`);
    expect(readFileSync(metrics, 'utf8')).toMatch(
      /tls_certificate_not_after_timestamp_seconds\{target="localhost:\d+",serial="[0-9A-F]+"} \d+/,
    );

    // A certificate one day from expiry is reported (exit 1), an unreachable endpoint too (exit 2).
    const ca = await createTestCa(mkdtempSync(join(dir, 'short-')));
    const short = await ca.issue('short', { days: 1 });
    const shortStatus = await checkExpiry(['--warn-days', '14', '--file', short.cert]);
    expect(shortStatus.code).toBe(1);
    expect(shortStatus.out).toMatch(/^expiring: .* \(in [01] days, under 14\)/);
    const down = await checkExpiry([`127.0.0.1:${PORTS.noGrafana}`, 'localhost']);
    expect(down.code).toBe(2);
    expect(nginx!.output()).not.toMatch(/\[emerg\]/);
  });
});
