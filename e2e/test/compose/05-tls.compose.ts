/**
 * TLS on the stack: certbot (its compose service, the loop of deploy/tls/certbot-loop.sh) got
 * the certificate from Pebble by a real HTTP-01 validation through nginx's ACME webroot; nginx
 * serves it and the chain verifies against Pebble's root; a forced renewal replaces it and nginx
 * reloads (deploy/nginx/docker-entrypoint.d/40-tls-watch.sh) while HTTPS requests keep
 * succeeding; deploy/tls/check-cert-expiry.sh reports the served certificate.
 */
import { Agent, request } from 'node:https';
import { baseUrl, pebbleRoot, servedCertificate } from './support/https';
import { record } from './support/results';
import { sleep, waitFor } from '@mwva/testkit';
import { REPO, compose, containerOf, docker, run, stackInfo } from './support/stack';

/**
 * HTTPS GET /readyz through nginx until stopped (bounded: at most 3000 requests or 180 s), by 2
 * workers, on new connections or on kept-alive ones.
 */
function requestLoop(ca: string, keepAlive: boolean) {
  const agent = new Agent({ keepAlive, maxSockets: 2, ca });
  const result = { ok: 0, failed: [] as string[] };
  let running = true;
  const deadline = Date.now() + 180_000;
  const one = () =>
    new Promise<void>((resolve) => {
      const req = request(`${baseUrl()}/readyz`, { agent }, (res) => {
        res.resume();
        res.on('end', () => {
          if (res.statusCode === 200) result.ok++;
          else result.failed.push(String(res.statusCode));
          resolve();
        });
      });
      req.setTimeout(10_000, () => req.destroy(new Error('timeout')));
      req.on('error', (e) => {
        result.failed.push(e.message);
        resolve();
      });
      req.end();
    });
  const workers = Array.from({ length: 2 }, async () => {
    while (running && Date.now() < deadline && result.ok + result.failed.length < 3000) {
      await one();
      await sleep(50);
    }
  });
  return {
    result,
    stop: async () => {
      running = false;
      await Promise.all(workers);
      agent.destroy();
      return result;
    },
  };
}

describe('TLS: Pebble issuance through nginx, renewal with a reload, expiry report', () => {
  let root = '';

  beforeAll(async () => {
    root = (await pebbleRoot()).pem;
  });

  test('nginx serves the certificate certbot obtained from Pebble for the domain; the chain verifies', async () => {
    const cert = await servedCertificate(root);
    expect(cert.authorized).toBe(true);
    expect(cert.authorizationError).toBeNull();
    expect(cert.subjectAltName).toContain(`DNS:${stackInfo().domain}`);
    expect(cert.issuer).toMatch(/Pebble/i);
    // Not trusted without Pebble's root (the check really checks).
    const untrusted = await servedCertificate('');
    expect(untrusted.authorized).toBe(false);
    // certbot's view: the certificate lineage under /etc/letsencrypt/live/<domain>.
    const certbot = await containerOf('certbot');
    const files = await docker(['exec', certbot.name, 'ls', `/etc/letsencrypt/live/${stackInfo().domain}`]);
    expect(files).toMatch(/fullchain\.pem/);
    record('tls-issued', { serial: cert.serial, issuer: cert.issuer, validTo: cert.validTo });
  });

  test('the HTTP-01 challenge was fetched by Pebble from nginx and answered 200', async () => {
    const nginx = await containerOf('nginx');
    const logs = await docker(['logs', nginx.name]);
    const challenges = logs
      .split('\n')
      .filter((l) => l.includes('/.well-known/acme-challenge/'))
      .map((l) => JSON.parse(l.slice(l.indexOf('{'))) as { status: number; remote: string });
    expect(challenges.some((c) => c.status === 200)).toBe(true);
    const pebble = JSON.parse(await docker(['inspect', (await containerOf('pebble')).name]))[0];
    const pebbleIp = (Object.values(pebble.NetworkSettings.Networks) as Array<{ IPAddress: string }>)[0]!.IPAddress;
    expect(challenges.filter((c) => c.status === 200).map((c) => c.remote)).toContain(pebbleIp);
  });

  test('a forced renewal replaces the certificate and nginx reloads without a failed request', async () => {
    const before = await servedCertificate(root);
    const loop = requestLoop(root, false);
    // Kept-alive connections too: a graceful reload closes the idle ones, and a request sent on
    // one at that moment fails (HTTP/1.1 keep-alive; clients retry such requests). Recorded.
    const kept = requestLoop(root, true);
    await sleep(2_000);
    const t0 = Date.now();
    const renew = await compose(
      [
        'exec',
        '-T',
        'certbot',
        'sh',
        '-c',
        'certbot renew --force-renewal --no-random-sleep-on-renew --non-interactive --webroot -w /var/www/acme --server "$ACME_SERVER"',
      ],
      { timeoutMs: 180_000 },
    );
    const renewedAt = Date.now();
    const after = await waitFor(
      async () => {
        const c = await servedCertificate(root);
        return c.serial !== before.serial ? c : undefined;
      },
      60_000,
      'nginx to serve the renewed certificate',
      500,
    );
    const servedAt = Date.now();
    await sleep(2_000);
    const result = await loop.stop();
    const keptResult = await kept.stop();
    const nginxLogs = (await run('docker', ['logs', (await containerOf('nginx')).name])).stderr;
    record('tls-renewal', {
      serialBefore: before.serial,
      serialAfter: after.serial,
      renewSeconds: Math.round((renewedAt - t0) / 100) / 10,
      renewedToServedSeconds: Math.round((servedAt - renewedAt) / 100) / 10,
      newConnections: { requests: result.ok + result.failed.length, failed: result.failed.length },
      keptAliveConnections: { requests: keptResult.ok + keptResult.failed.length, failed: keptResult.failed },
    });
    expect(renew).toMatch(/renew/i);
    expect(after.authorized).toBe(true);
    expect(result.failed).toEqual([]);
    expect(result.ok).toBeGreaterThan(20);
    // On kept-alive connections only closed idle connections may fail, never an HTTP error.
    expect(keptResult.failed.filter((f) => !/socket hang up|ECONNRESET/.test(f))).toEqual([]);
    expect(nginxLogs).toMatch(/tls-watch: certificate changed; nginx reloaded/);
  });

  test('check-cert-expiry.sh reports the served certificate as ok, with its serial', async () => {
    const { domain, httpsPort } = stackInfo();
    const served = await servedCertificate(root);
    const r = await run('bash', [`${REPO}/deploy/tls/check-cert-expiry.sh`, `127.0.0.1:${httpsPort}`, domain]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^ok: 127\.0\.0\.1:\d+ serial=/);
    expect(r.stdout.replace(/.*serial=([0-9A-F]+).*/s, '$1').toLowerCase()).toBe(served.serial.toLowerCase());
  });
});
