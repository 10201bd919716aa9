import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listeningPid, treeCpuSeconds } from '@mwva/testkit';
import { CpuLedger, storeOpsPerCall } from '../src/support/cpu-ledger';
import { parsePrometheus } from '../src/support/prometheus';

/**
 * A real process tree: a parent that listens on a port and forks a child that burns CPU on
 * request. The ledger must find the parent by its port and charge it the child's CPU.
 */
const PARENT = `
const { fork } = require('node:child_process');
const http = require('node:http');
const child = process.argv[2] === 'child';
if (child) {
    // Burns CPU time, not wall time: on a busy machine a wall-clock loop gets only a share of a core.
  const cpuMs = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
  process.on('message', (ms) => { const end = cpuMs() + ms; while (cpuMs() < end); process.send('done'); });
} else {
  const worker = fork(__filename, ['child']);
  const server = http.createServer((req, res) => {
    worker.once('message', () => res.end('ok'));
    worker.send(Number(new URL(req.url, 'http://x').searchParams.get('ms')));
  });
  server.listen(0, '127.0.0.1', () => process.stdout.write(server.address().port + '\\n'));
}
`;

describe('CPU ledger (from /proc)', () => {
  let parent: ChildProcess;
  let port: number;

  beforeAll(async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'ledger-')), 'tree.cjs');
    writeFileSync(file, PARENT);
    parent = spawn(process.execPath, [file], { stdio: ['ignore', 'pipe', 'inherit'] });
    const [chunk] = (await once(parent.stdout!, 'data')) as [Buffer];
    port = Number(chunk.toString().trim());
  });

  afterAll(() => {
    parent.kill('SIGKILL');
  });

  test('finds the process listening on a port, and nothing on a closed one', () => {
    expect(listeningPid(port)).toBe(parent.pid);
    expect(listeningPid(1)).toBeNull();
  });

  test("charges a process its children's CPU", async () => {
    const ledger = new CpuLedger([{ name: 'tree', pids: () => [listeningPid(port)!] }]);
    const before = ledger.snapshot();
    const res = await fetch(`http://127.0.0.1:${port}/?ms=600`);
    expect(await res.text()).toBe('ok');
    const [row] = ledger.perCall(before, ledger.snapshot(), 3);
    // The child burned 600 ms of CPU; the parent itself did almost nothing.
    expect(row!.cpuSeconds).toBeGreaterThanOrEqual(0.55);
    expect(row!.cpuMsPerCall).toBeCloseTo((row!.cpuSeconds * 1000) / 3, 0);
    expect(treeCpuSeconds(parent.pid!)).toBeGreaterThanOrEqual(row!.cpuSeconds);
  });

  test('a gone process counts as null, not as an error', () => {
    expect(treeCpuSeconds(2 ** 22 + 1)).toBeNull();
  });
});

test('store operations per call from two scrapes, summed over replicas', () => {
  const scrape = (n: number) =>
    parsePrometheus(
      [
        `voice_store_duration_seconds_count{store="chroma",op="query",result="ok"} ${n * 5}`,
        `voice_store_duration_seconds_count{store="chroma",op="query",result="error"} ${n}`,
        `voice_store_duration_seconds_count{store="neo4j",op="edges",result="ok"} ${n * 2}`,
        `voice_store_duration_seconds_count{store="redis",op="get",result="ok"} 7`,
      ].join('\n'),
    );
  const ops = storeOpsPerCall([scrape(10), scrape(10)], [scrape(20), scrape(30)], 10);
  expect(ops).toEqual([
    { store: 'chroma', op: 'query', perCall: 18 }, // (50+10) + (100+20) ... minus the before: 180 / 10
    { store: 'neo4j', op: 'edges', perCall: 6 },
  ]);
});
