/**
 * Each healthcheck really fails when its service is broken. Every process of every container is
 * stopped (SIGSTOP from the host; a stopped server keeps its sockets, so probes hang and time out
 * — the hardest failure for a healthcheck to see) and each container must turn `unhealthy` by its
 * own healthcheck; then SIGCONT, and each must turn `healthy` again. certbot's check is about its
 * last successful issuance or renewal (a stopped loop changes nothing for hours), so its marker
 * file is aged instead. Last in the suite: it leaves every service recovering.
 */
import { record } from './support/results';
import { sleep } from '@mwva/testkit';
import { containers, docker, healthOf, type Container } from './support/stack';

/** The slowest check (Neo4j: 10 retries of 15 s + 10 s timeouts) needs about 4 min. */
const UNHEALTHY_WITHIN_MS = 420_000;
const HEALTHY_AGAIN_WITHIN_MS = 300_000;

async function pidsOf(c: Container): Promise<number[]> {
  const out = await docker(['top', c.name, '-eo', 'pid']);
  return out
    .trim()
    .split('\n')
    .slice(1)
    .map(Number)
    .filter((n) => n > 0);
}

function signal(pids: number[], sig: NodeJS.Signals): void {
  for (const pid of pids) {
    try {
      process.kill(pid, sig);
    } catch {
      // exited meanwhile
    }
  }
}

/** Polls every container until `want`; returns ms from `t0` per container (null: not reached). */
async function watch(
  names: string[],
  want: string,
  t0: number,
  timeoutMs: number,
): Promise<Record<string, number | null>> {
  const out: Record<string, number | null> = Object.fromEntries(names.map((n) => [n, null]));
  while (Date.now() - t0 < timeoutMs && names.some((n) => out[n] === null)) {
    for (const n of names) if (out[n] === null && (await healthOf(n)) === want) out[n] = Date.now() - t0;
    await sleep(2000);
  }
  return out;
}

describe('healthchecks fail when their service is broken', () => {
  test('every container turns unhealthy while its processes are stopped, and healthy again after', async () => {
    const all = await containers();
    expect(all.every((c) => c.health === 'healthy')).toBe(true);
    const frozen = all.filter((c) => c.service !== 'certbot');
    const certbot = all.find((c) => c.service === 'certbot')!;
    const pids = new Map<string, number[]>();
    for (const c of frozen) pids.set(c.name, await pidsOf(c));

    const t0 = Date.now();
    for (const c of frozen) signal(pids.get(c.name)!, 'SIGSTOP');
    await docker(['exec', certbot.name, 'touch', '-d', '2 days ago', '/tmp/certbot-ok']);
    let unhealthy: Record<string, number | null>;
    try {
      unhealthy = await watch(
        all.map((c) => c.name),
        'unhealthy',
        t0,
        UNHEALTHY_WITHIN_MS,
      );
    } finally {
      for (const c of frozen) signal(pids.get(c.name)!, 'SIGCONT');
    }
    const t1 = Date.now();
    await docker(['exec', certbot.name, 'touch', '/tmp/certbot-ok']);
    const healthyAgain = await watch(
      all.map((c) => c.name),
      'healthy',
      t1,
      HEALTHY_AGAIN_WITHIN_MS,
    );
    const s = (ms: number | null) => (ms === null ? null : Math.round(ms / 100) / 10);
    record('healthchecks-fail', {
      secondsToUnhealthy: Object.fromEntries(Object.entries(unhealthy).map(([n, ms]) => [n, s(ms)])),
      secondsToHealthyAgain: Object.fromEntries(Object.entries(healthyAgain).map(([n, ms]) => [n, s(ms)])),
    });
    expect(Object.entries(unhealthy).filter(([, ms]) => ms === null)).toEqual([]);
    expect(Object.entries(healthyAgain).filter(([, ms]) => ms === null)).toEqual([]);
  });
});
