import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execFileAsync } from './processes';

export interface TestCa {
  caCert: string;
  /** Issues a leaf certificate for localhost/127.0.0.1; returns [cert, key] paths. */
  issue(name: string, opts?: { days?: number }): Promise<{ cert: string; key: string }>;
}

/** A throwaway CA made with openssl, for nginx in the failover test and Pebble's own listener. */
export async function createTestCa(dir: string): Promise<TestCa> {
  const caKey = join(dir, 'ca.key');
  const caCert = join(dir, 'ca.pem');
  await execFileAsync('openssl', [
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    caKey,
    '-out',
    caCert,
    '-days',
    '2',
    '-subj',
    '/CN=mwva deploy test CA',
  ]);
  const ext = join(dir, 'leaf.ext');
  writeFileSync(ext, 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  return {
    caCert,
    async issue(name, opts = {}) {
      const key = join(dir, `${name}.key`);
      const csr = join(dir, `${name}.csr`);
      const cert = join(dir, `${name}.pem`);
      await execFileAsync('openssl', [
        'req',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        key,
        '-out',
        csr,
        '-subj',
        '/CN=localhost',
      ]);
      await execFileAsync('openssl', [
        'x509',
        '-req',
        '-in',
        csr,
        '-CA',
        caCert,
        '-CAkey',
        caKey,
        '-CAcreateserial',
        '-out',
        cert,
        '-days',
        String(opts.days ?? 2),
        '-extfile',
        ext,
      ]);
      return { cert, key };
    },
  };
}
