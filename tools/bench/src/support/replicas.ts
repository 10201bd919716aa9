import { generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { CLI } from './paths';
import { spawnLogged, stopProcess, waitFor, type Spawned, type StoreEnv } from '@mwva/testkit';

export { storeEnvFromProcess, type StoreEnv } from '@mwva/testkit';

/** What the replicas and the simulated carrier share: webhook signing keys, API key, token. */
export interface Secrets {
  apiToken: string;
  telnyxApiKey: string;
  connectionId: string;
  privateKey: KeyObject;
  privateKeyPem: string;
  publicKeyBase64: string;
}

export function newSecrets(): Secrets {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    apiToken: randomBytes(24).toString('hex'),
    telnyxApiKey: `KEYbench_${randomBytes(8).toString('hex')}`,
    connectionId: 'bench-connection',
    privateKey,
    privateKeyPem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    publicKeyBase64: (publicKey.export({ format: 'der', type: 'spki' }) as Buffer).subarray(-32).toString('base64'),
  };
}

export interface ReplicaOptions {
  dir: string;
  port: number;
  stores: StoreEnv;
  secrets: Secrets;
  carrierUrl: string;
  extraEnv?: Record<string, string>;
  /** Extra node flags, e.g. --cpu-prof --cpu-prof-dir=… */
  nodeArgs?: string[];
}

export interface Replica {
  port: number;
  url: string;
  proc: Spawned;
}

export function startReplica(o: ReplicaOptions): Replica {
  const dataDir = join(o.dir, `replica-${o.port}`);
  mkdirSync(dataDir, { recursive: true });
  const proc = spawnLogged(process.execPath, [...(o.nodeArgs ?? []), CLI, 'serve'], {
    PATH: process.env.PATH ?? '',
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    PORT: String(o.port),
    LOG_LEVEL: 'warn',
    DATA_DIR: dataDir,
    API_TOKEN: o.secrets.apiToken,
    ...o.stores,
    TELNYX_API_KEY: o.secrets.telnyxApiKey,
    TELNYX_PUBLIC_KEY: o.secrets.publicKeyBase64,
    TELNYX_CONNECTION_ID: o.secrets.connectionId,
    TELNYX_BASE_URL: `${o.carrierUrl}/v2`,
    TELNYX_FROM_NUMBER: '+15550100000',
    SHUTDOWN_DELAY_MS: '2000',
    ...o.extraEnv,
  });
  return { port: o.port, url: `http://127.0.0.1:${o.port}`, proc };
}

export async function waitReady(r: Replica, timeoutMs = 90_000): Promise<void> {
  await waitFor(
    async () => {
      if (r.proc.child.exitCode !== null)
        throw new Error(`replica :${r.port} exited:\n${r.proc.output().slice(-3000)}`);
      const res = await fetch(`${r.url}/readyz`, { signal: AbortSignal.timeout(2000) });
      return res.ok ? true : undefined;
    },
    timeoutMs,
    `replica :${r.port} /readyz`,
  );
}

export async function stopReplicas(replicas: Array<Replica | undefined>, graceMs = 20_000): Promise<void> {
  await Promise.all(replicas.map((r) => stopProcess(r?.proc, graceMs)));
}
