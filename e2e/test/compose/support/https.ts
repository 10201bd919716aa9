/**
 * HTTPS to the stack as its clients see it: https://<domain>:<published port>, the name resolved
 * to 127.0.0.1 (resolve-stack-domain.cjs), the certificate verified against Pebble's root.
 */
import { X509Certificate } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { REPO, compose, stackInfo } from './stack';

export const baseUrl = (): string => `https://${stackInfo().domain}:${stackInfo().httpsPort}`;

/**
 * Pebble's issuing root (new at every Pebble start), read from its management API inside the
 * stack; also written to .stack/pebble-root.pem for child processes (NODE_EXTRA_CA_CERTS).
 */
export async function pebbleRoot(): Promise<{ pem: string; file: string }> {
  const pem = await compose([
    'exec',
    '-T',
    'pebble',
    'wget',
    '-q',
    '-O',
    '-',
    '--ca-certificate=/etc/pebble/tls/ca.pem',
    'https://localhost:15000/roots/0',
  ]);
  if (!pem.includes('BEGIN CERTIFICATE')) throw new Error(`no root from Pebble: ${pem.slice(0, 200)}`);
  const file = join(REPO, '.stack', 'pebble-root.pem');
  writeFileSync(file, pem);
  return { pem, file };
}

export interface ServedCertificate {
  serial: string;
  subjectAltName: string;
  issuer: string;
  authorized: boolean;
  authorizationError: string | null;
  validTo: string;
}

/** The certificate nginx serves for the domain, and whether it verifies against `ca`. */
export function servedCertificate(ca: string): Promise<ServedCertificate> {
  const { domain, httpsPort } = stackInfo();
  return new Promise((resolve, reject) => {
    const socket = connect(
      { host: '127.0.0.1', port: httpsPort, servername: domain, ca, rejectUnauthorized: false },
      () => {
        const peer = socket.getPeerCertificate(true);
        const x509 = new X509Certificate(peer.raw);
        resolve({
          serial: peer.serialNumber,
          subjectAltName: x509.subjectAltName ?? '',
          issuer: x509.issuer,
          authorized: socket.authorized,
          authorizationError: socket.authorizationError ? String(socket.authorizationError) : null,
          validTo: x509.validTo,
        });
        socket.end();
      },
    );
    socket.setTimeout(10_000, () => socket.destroy(new Error('TLS handshake timed out')));
    socket.on('error', reject);
  });
}
