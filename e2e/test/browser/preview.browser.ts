/// <reference lib="dom" />
/**
 * The preview a newcomer gets from `npm start` (e2e/host/server/preview.ts), as a process: a week of
 * `voice-agent demo` data, then the server with the app on the Grafana stand-in beside its API, opened
 * in Debian's Chromium from the URL the start-up banner prints.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { freePort, spawnLogged, stopProcess, waitFor, type Spawned } from '@mwva/testkit';
import { REPO } from './support/api-server';
import { APP_ID } from './support/grafana';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CLI = path.join(REPO, 'datasource-server/dist/cli/main.js');
const PREVIEW = path.join(REPO, 'e2e/host/dist/server/preview.js');

let dataDir: string;
let preview: Spawned;
let browser: Browser;
let previewUrl: string;
let port: number;

const baseEnv = () => ({ PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', DATA_DIR: dataDir });

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'mwva-preview-'));
  const demo = spawnLogged(
    process.execPath,
    [CLI, 'demo', '--days', '7', '--calls-per-day', '20', '--data-dir', dataDir],
    baseEnv(),
  );
  if ((await demo.exited) !== 0) throw new Error(`voice-agent demo failed:\n${demo.output()}`);

  port = await freePort();
  preview = spawnLogged(process.execPath, [PREVIEW], { ...baseEnv(), PORT: String(port), LOG_LEVEL: 'warn' });
  // The URL a newcomer is told to open, from the banner.
  previewUrl = await waitFor(
    async () => /Preview of the Magnificent Worldwide app\s+(\S+)/.exec(preview.output())?.[1],
    60_000,
    'the preview banner',
    100,
    () => (preview.child.exitCode !== null ? `the preview exited:\n${preview.output()}` : undefined),
  );
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu'] });
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await stopProcess(preview);
  rmSync(dataDir, { recursive: true, force: true });
});

it('prints the preview URL: the server itself, which a browser opening it sends to the app', () => {
  expect(previewUrl).toBe(`http://127.0.0.1:${port}/`);
  expect(preview.output()).toMatch(/a Grafana stand-in for development, not Grafana; simulated calls/);
});

it('shows the Executive overview with the demo history, labelled as a preview', async () => {
  const page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(previewUrl);
  await page.getByTestId('mwva-overview').waitFor();
  expect(new URL(page.url()).pathname).toBe(`/grafana/a/${APP_ID}/overview`);
  await expect(page.getByTestId('standin-preview-label').innerText()).resolves.toMatch(/Preview/);

  await page.getByTestId('mwva-range').getByRole('button', { name: '7d' }).click();
  // A week of calls and a learning curve: the KPIs carry numbers, and the volume chart has data.
  await page.waitForFunction(() => !document.body.innerText.includes('No data in this range yet'), undefined, {
    timeout: 30_000,
  });
  const beastMode = await page.getByTestId('mwva-overview-beast-mode').innerText();
  expect(Number(/(\d+\.\d)/.exec(beastMode)?.[1])).toBeGreaterThan(0);
  expect(errors).toEqual([]);
  await page.close();
});

it('leaves the API as it was: clients at / get the endpoint index, and the API still asks for its token', async () => {
  const index = await fetch(previewUrl, { headers: { accept: 'application/json' } });
  expect(index.status).toBe(200);
  expect(((await index.json()) as { name: string }).name).toBe('voice-agent-api');
  const query = await fetch(`${previewUrl}api/grafana/query`, { method: 'POST' });
  expect(query.status).toBe(401);
});

it('is refused in production', async () => {
  const run = spawnLogged(process.execPath, [PREVIEW], {
    ...baseEnv(),
    PORT: String(await freePort()),
    NODE_ENV: 'production',
    API_TOKEN: 'production-token-0123456789',
  });
  expect(await run.exited).toBe(2);
  expect(run.output()).toMatch(/no preview with NODE_ENV=production/);
});
