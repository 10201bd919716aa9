import { generateKeyPairSync, sign, verify } from 'node:crypto';
import { join } from 'node:path';
import { spawnLogged, stopProcess, waitFor, type Spawned } from '@mwva/testkit';

/**
 * The crypto ceiling: Ed25519 verifications per second on one core (node:crypto verify in a loop
 * over a webhook-sized message), i.e. what one replica could verify if it did nothing else.
 */
export function ed25519VerifyRate(seconds = 2): { perSecondOneCore: number; samples: number } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const message = Buffer.from(`${Math.floor(Date.now() / 1000)}|${'x'.repeat(600)}`);
  const signature = sign(null, message, privateKey);
  let n = 0;
  const t0 = performance.now();
  const until = t0 + seconds * 1000;
  while (performance.now() < until) {
    for (let i = 0; i < 200; i++) if (verify(null, message, publicKey, signature)) n++;
  }
  const elapsed = (performance.now() - t0) / 1000;
  return { perSecondOneCore: Math.round(n / elapsed), samples: n };
}

/** The HTTP ceiling: bare node:http servers (support/bare-server.ts) on the given ports. */
export async function startBareServers(ports: readonly number[]): Promise<{ pids: number[]; stop(): Promise<void> }> {
  const children: Spawned[] = ports.map((p) =>
    spawnLogged(process.execPath, [join(__dirname, 'bare-server.js'), String(p)], { PATH: process.env.PATH ?? '' }),
  );
  await Promise.all(
    children.map((c, i) =>
      waitFor(async () => (c.output().includes('listening') ? true : undefined), 10_000, `bare server :${ports[i]}`),
    ),
  );
  return {
    pids: children.map((c) => c.pid),
    stop: async () => void (await Promise.all(children.map((c) => stopProcess(c)))),
  };
}
