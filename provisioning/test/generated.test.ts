import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { DEFAULT_SETTINGS, settingsFromEnv } from '../src/config';
import { generateAll } from '../src/output';
import { PROVISIONING_DIR, readText } from './files';

/** Files under the generated folders; everything there must come from the generator. */
function listFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? listFiles(path) : [relative(PROVISIONING_DIR, path)];
  });
}

describe('generated provisioning files', () => {
  let files: Awaited<ReturnType<typeof generateAll>> = [];
  beforeAll(async () => {
    files = await generateAll(DEFAULT_SETTINGS);
  });

  it('matches a fresh generation, file by file (npm run generate -w provisioning)', () => {
    expect(files.length).toBeGreaterThan(10);
    const stale = files.filter((f) => readText(f.path) !== f.content).map((f) => f.path);
    expect(stale).toEqual([]);
  });

  it('leaves no stale hand-written or orphaned file in the generated folders', () => {
    const generated = new Set(files.map((f) => f.path));
    const onDisk = [
      'grafana/plugins',
      'grafana/datasources',
      'grafana/dashboards',
      'grafana/alerting',
      'prometheus',
      'alertmanager',
    ].flatMap((d) => listFiles(join(PROVISIONING_DIR, d)));
    expect(onDisk.filter((p) => !generated.has(p))).toEqual([]);
  });

  it('is deterministic', async () => {
    expect(await generateAll(DEFAULT_SETTINGS)).toEqual(files);
  });
});

describe('generation settings', () => {
  it('default to the server defaults (SCALING_THRESHOLD 80)', () => {
    expect(settingsFromEnv({})).toEqual(DEFAULT_SETTINGS);
  });

  it('take SCALING_THRESHOLD from the environment and carry it into rules and dashboards', async () => {
    const files = await generateAll(settingsFromEnv({ SCALING_THRESHOLD: '65' }));
    const alerts = files.find((f) => f.path === 'prometheus/rules/alerts.yml')!.content;
    expect(alerts).toContain('voice:capacity_utilization:max > 0.65');
    const ops = files.find((f) => f.path.endsWith('operations.json'))!.content;
    expect(ops).toContain('SCALING_THRESHOLD (65 %)');
  });

  it.each([
    ['SCALING_THRESHOLD', '0'],
    ['SCALING_THRESHOLD', '101'],
    ['SCALING_THRESHOLD', 'many'],
    ['API_MEMORY_LIMIT_BYTES', '-1'],
  ])('rejects %s=%s naming the variable', (name, value) => {
    expect(() => settingsFromEnv({ [name]: value })).toThrow(new RegExp(`^${name}: `));
  });
});
