/**
 * Network isolation (the seed's firewall rules) on the running stack: the edge cannot reach any
 * store — neither from nginx nor from another container on the edge network, by name or by
 * address; no store port is published on the host (only nginx, on 127.0.0.1); the data network
 * has no route out; the API containers reach every store. Every negative probe has a positive
 * control with the same probe, so a probe that could never connect would fail the test.
 */
import { createServer, type AddressInfo, type Server } from 'node:net';
import { record } from './support/results';
import { containerOf, containers, containersOf, docker, inspect, stackInfo } from './support/stack';

const STORES: Array<[service: string, port: number]> = [
  ['postgres', 5432],
  ['mongodb', 27017],
  ['neo4j', 7687],
  ['chroma', 8000],
  ['redis', 6379],
];
const TEST_LABEL = 'mwva.compose-test';
const network = (name: string) => `${stackInfo().project}_${name}`;

/** bash's /dev/tcp with a 3 s bound: "open" or the failure. */
const probe = (host: string, port: number) =>
  `if timeout 3 bash -c 'exec 3<>/dev/tcp/${host}/${port}' 2>/dev/null; then echo "${host}:${port} open"; else echo "${host}:${port} closed"; fi`;

async function dataAddress(service: string): Promise<string> {
  const c = await containerOf(service);
  const i = await inspect(c.name);
  return i.NetworkSettings.Networks[network('data')].IPAddress as string;
}

async function probesFrom(
  target: { exec: string } | { network: string },
  checks: Array<[string, number]>,
): Promise<string[]> {
  const script = checks.map(([h, p]) => probe(h, p)).join('; ');
  const args =
    'exec' in target
      ? ['exec', target.exec, 'bash', '-c', script]
      : [
          'run',
          '--rm',
          '--label',
          `${TEST_LABEL}=1`,
          '--network',
          target.network,
          stackInfo().baseImage,
          'bash',
          '-c',
          script,
        ];
  return (await docker(args, { timeoutMs: 120_000 })).trim().split('\n');
}

describe('network isolation', () => {
  let storeChecks: Array<[string, number]> = [];

  beforeAll(async () => {
    const byAddress = await Promise.all(STORES.map(async ([s, p]) => [await dataAddress(s), p] as [string, number]));
    storeChecks = [...STORES, ...byAddress];
  });

  test('from the nginx container, every store port is closed (by name and by address); the API is open', async () => {
    const nginx = await containerOf('nginx');
    const lines = await probesFrom({ exec: nginx.name }, [['voice-agent-api', 5000], ...storeChecks]);
    expect(lines[0]).toBe('voice-agent-api:5000 open');
    expect(lines.slice(1).filter((l) => !l.endsWith(' closed'))).toEqual([]);
    expect(lines).toHaveLength(1 + storeChecks.length);
  });

  test('from another container on the edge network, every store port is closed; nginx is open', async () => {
    const lines = await probesFrom({ network: network('edge') }, [['nginx', 80], ...storeChecks]);
    expect(lines[0]).toBe('nginx:80 open');
    expect(lines.slice(1).filter((l) => !l.endsWith(' closed'))).toEqual([]);
    expect(lines).toHaveLength(1 + storeChecks.length);
  });

  test('no store publishes a port on the host; only nginx does, on 127.0.0.1', async () => {
    const published: Record<string, string[]> = {};
    for (const c of await containers()) {
      const i = await inspect(c.name);
      const ports = (i.NetworkSettings.Ports ?? {}) as Record<
        string,
        Array<{ HostIp: string; HostPort: string }> | null
      >;
      const bound = Object.entries(ports).flatMap(([p, b]) => (b ?? []).map((x) => `${x.HostIp}:${x.HostPort}->${p}`));
      if (bound.length) published[c.service] = bound;
    }
    const { httpPort, httpsPort } = stackInfo();
    expect(published).toEqual({
      nginx: expect.arrayContaining([`127.0.0.1:${httpPort}->80/tcp`, `127.0.0.1:${httpsPort}->443/tcp`]),
    });
    expect(published.nginx).toHaveLength(2);
    record('isolation-published', { published });
  });

  test('the data network is internal: nothing beyond it is reachable; its stores are', async () => {
    const data = JSON.parse(await docker(['network', 'inspect', network('data')]))[0];
    expect(data.Internal).toBe(true);
    // Beyond the data network: containers on the other networks (the same firewall rule drops
    // anything bound for the internet; that is not probed: no traffic leaves this machine).
    const address = async (service: string, net: string) =>
      (await inspect((await containerOf(service)).name)).NetworkSettings.Networks[network(net)].IPAddress as string;
    const beyond: Array<[string, number]> = [
      [await address('nginx', 'edge'), 80],
      [await address('prometheus', 'app'), 9090],
      [await address('pebble', 'edge'), 14000],
    ];
    const run = (net: string, checks: Array<[string, number]>) =>
      docker(
        [
          'run',
          '--rm',
          '--label',
          `${TEST_LABEL}=1`,
          '--network',
          network(net),
          stackInfo().baseImage,
          'bash',
          '-c',
          checks.map(([h, p]) => probe(h, p)).join('; '),
        ],
        { timeoutMs: 120_000 },
      ).then((o) => o.trim().split('\n'));
    const fromData = await run('data', [['postgres', 5432], ...beyond]);
    expect(fromData[0]).toBe('postgres:5432 open');
    expect(fromData.slice(1)).toEqual(beyond.map(([h, p]) => `${h}:${p} closed`));
    // Control: the same probes from the app network reach what is on the app network.
    const fromApp = await run('app', [beyond[1]!]);
    expect(fromApp).toEqual([`${beyond[1]![0]}:${beyond[1]![1]} open`]);

    // The host's own addresses: Docker filters only forwarding, so stack.sh adds a host INPUT rule
    // for the data bridge. Listeners on the app, edge and data gateways are closed to the data
    // network; the app network (no such rule) reaches its own, so the probe works.
    const gateways = await Promise.all(
      [network('app'), network('edge'), network('data')].map(async (n) =>
        (await docker(['network', 'inspect', n, '-f', '{{(index .IPAM.Config 0).Gateway}}'])).trim(),
      ),
    );
    const servers = await Promise.all(
      gateways.map(
        (g) =>
          new Promise<Server>((resolve, reject) => {
            const srv = createServer((sock) => sock.end()).listen(0, g, () => resolve(srv));
            srv.on('error', reject);
          }),
      ),
    );
    try {
      const hostTargets = servers.map(
        (srv, i) => [gateways[i]!, (srv.address() as AddressInfo).port] as [string, number],
      );
      const route = await docker([
        'run',
        '--rm',
        '--label',
        `${TEST_LABEL}=1`,
        '--network',
        network('data'),
        stackInfo().baseImage,
        'bash',
        '-c',
        'awk \'NR > 1 && $2 == "00000000" { f = 1 } END { print f ? "default route" : "no default route" }\' /proc/net/route',
      ]);
      const hostFromData = await run('data', hostTargets);
      const hostFromApp = await run('app', [hostTargets[0]!]);
      record('isolation-data-network', {
        beyondTheNetwork: fromData.slice(1),
        routeTable: route.trim(),
        hostListenersFromData: hostFromData,
        hostListenerFromApp: hostFromApp,
      });
      expect(hostFromData).toEqual(hostTargets.map(([h, p]) => `${h}:${p} closed`));
      expect(hostFromApp).toEqual([`${hostTargets[0]![0]}:${hostTargets[0]![1]} open`]);
    } finally {
      for (const srv of servers) srv.close();
    }
  });

  test('every API container reaches every store, and its /readyz says so', async () => {
    const apis = await containersOf('voice-agent-api');
    expect(apis).toHaveLength(3);
    const js =
      'const net=require("net");const t=' +
      JSON.stringify(STORES) +
      ';Promise.all(t.map(([h,p])=>new Promise(r=>{const s=net.connect(p,h,()=>{s.end();r(h+":"+p+" open")});s.setTimeout(3000,()=>{s.destroy();r(h+":"+p+" timeout")});s.on("error",e=>r(h+":"+p+" "+e.code))}))).then(l=>console.log(l.join("\\n")))';
    for (const api of apis) {
      const lines = (await docker(['exec', api.name, 'node', '-e', js])).trim().split('\n');
      expect(lines).toEqual(STORES.map(([h, p]) => `${h}:${p} open`));
      const ready = await docker([
        'exec',
        api.name,
        'node',
        '-e',
        'fetch("http://127.0.0.1:5000/readyz").then(async r=>console.log(r.status, await r.text()))',
      ]);
      expect(ready.trim()).toMatch(/^200 /);
    }
  });
});
