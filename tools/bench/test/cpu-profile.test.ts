import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatProfiles, summariseProfile } from '../src/support/cpu-profile';

describe('CPU profile summary', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mwva-prof-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('splits self time into idle, packages, our modules and node internals', () => {
    const frame = (functionName: string, url: string) => ({ functionName, url, lineNumber: 9, columnNumber: 0 });
    const file = join(dir, 'replica-0.cpuprofile');
    writeFileSync(
      file,
      JSON.stringify({
        startTime: 0,
        endTime: 1_000_000, // 1 s in µs
        nodes: [
          { id: 1, callFrame: frame('(root)', ''), hitCount: 0 },
          { id: 2, callFrame: frame('(idle)', ''), hitCount: 50 },
          { id: 3, callFrame: frame('parse', 'file:///app/node_modules/pg-protocol/dist/parser.js'), hitCount: 20 },
          { id: 4, callFrame: frame('verify', 'file:///app/node_modules/@noble/ed25519/index.js'), hitCount: 10 },
          { id: 5, callFrame: frame('ingest', 'file:///app/voice-core/dist/calls/engine.js'), hitCount: 15 },
          { id: 6, callFrame: frame('writeGeneric', 'node:internal/stream_base_commons'), hitCount: 5 },
        ],
      }),
    );
    const s = summariseProfile(file);
    expect(s.durationS).toBe(1);
    expect(s.busyShare).toBe(50);
    expect(s.byArea.map((e) => [e.name, e.share, e.selfMs])).toEqual([
      ['pg-protocol', 20, 200],
      ['voice-core/calls', 15, 150],
      ['@noble/ed25519', 10, 100],
      ['node internals', 5, 50],
    ]);
    expect(s.byFunction[0]!.name).toBe('parse node_modules/pg-protocol/dist/parser.js:10');
    expect(formatProfiles([s])).toMatch(/busy 50 % of samples/);
  });
});
