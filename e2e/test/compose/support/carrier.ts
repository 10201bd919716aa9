/**
 * The Telnyx side for the compose stack: voice-core's carrier simulator in its own process (the
 * bench's CarrierProcess, compiled: run `npm run build` first), listening on the Docker bridge's
 * address — the API containers reach it as carrier.mwva.test (host-gateway) — and posting signed
 * webhooks to nginx over HTTPS, verified against Pebble's root.
 */
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { CarrierProcess } from '@mwva/bench/dist/support/carrier';
import type { Secrets } from '@mwva/bench/dist/support/replicas';
import { baseUrl, pebbleRoot } from './https';
import { stackEnv, stackInfo } from './stack';

/** The stack's Telnyx settings (.env) and the simulator's signing key (.stack/telnyx-sim.pem). */
export function carrierSecrets(): Secrets {
  const env = stackEnv();
  const privateKeyPem = readFileSync(stackInfo().simKeyFile, 'utf8');
  const privateKey = createPrivateKey(privateKeyPem);
  const publicKeyBase64 = (createPublicKey(privateKey).export({ format: 'der', type: 'spki' }) as Buffer)
    .subarray(-32)
    .toString('base64');
  return {
    apiToken: env.API_TOKEN!,
    telnyxApiKey: env.TELNYX_API_KEY!,
    connectionId: env.TELNYX_CONNECTION_ID!,
    privateKey,
    privateKeyPem,
    publicKeyBase64,
  };
}

/**
 * The host's address on Docker's default bridge (docker0): what `host-gateway` means to the
 * containers. (`docker network inspect bridge` leaves the default bridge's gateway empty, and
 * Node lists no address of a bridge without a running container on it.)
 */
export function bridgeGateway(): string {
  const out = execFileSync('ip', ['-4', '-o', 'addr', 'show', 'dev', 'docker0'], { encoding: 'utf8' });
  const address = /inet (\d+\.\d+\.\d+\.\d+)\//.exec(out)?.[1];
  if (!address) throw new Error(`no IPv4 address on docker0 (is the stack's engine running?): ${out}`);
  return address;
}

export async function startCarrier(opts: {
  timeScale: number;
  dialRate?: number;
  seed?: number;
}): Promise<CarrierProcess> {
  const secrets = carrierSecrets();
  if (secrets.publicKeyBase64 !== stackEnv().TELNYX_PUBLIC_KEY) {
    throw new Error('.stack/telnyx-sim.pem does not match TELNYX_PUBLIC_KEY in .stack/.env');
  }
  const { file } = await pebbleRoot();
  const { domain, carrierPort } = stackInfo();
  return CarrierProcess.start({
    host: bridgeGateway(),
    port: carrierPort,
    webhookUrl: `${baseUrl()}/telnyx/webhooks`,
    secrets,
    timeScale: opts.timeScale,
    dialRate: opts.dialRate ?? 30,
    seed: opts.seed,
    caFile: file,
    nodeArgs: ['--require', join(__dirname, 'resolve-stack-domain.cjs')],
    env: { MWVA_RESOLVE: `${domain}=127.0.0.1` },
  });
}
