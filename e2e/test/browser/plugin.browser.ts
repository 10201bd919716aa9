/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * The Grafana app plugin in a real browser: Debian's Chromium (never a downloaded one) opens the
 * host page, which loads plugin/dist as Grafana does and talks, through a Grafana-like data-source
 * proxy, to a live datasource-server in simulation mode.
 */
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { REPO, startApiServer, type ApiServer, type Frame } from './support/api-server';
import { APP_ID, startHost, type Host } from './support/host-server';

const API_PORT = 5101;
const HOST_PORT = 5102;
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SCREENSHOTS = path.join(REPO, 'docs/screenshots');
const PLUGIN_DIST = path.join(REPO, 'plugin/dist');
const HOST_DIST = path.join(REPO, 'e2e/host/dist');

const PAGES = [
  { route: 'overview', container: 'mwva-overview', shot: 'executive-overview', heading: 'Active call volume' },
  { route: 'beast-mode', container: 'mwva-beast-mode', shot: 'beast-mode', heading: 'Beast Mode progress' },
  { route: 'calls', container: 'mwva-calls', shot: 'calls', heading: 'Recent calls' },
  { route: 'learning', container: 'mwva-learning', shot: 'learning-graph', heading: 'Top objections' },
  { route: 'operations', container: 'mwva-operations', shot: 'operations', heading: 'Capacity utilisation' },
];

interface Captured {
  body: { range: unknown; intervalMs: number; maxDataPoints: number; queries: Array<Record<string, unknown>> };
  response: { results: Record<string, { frames?: Frame[]; error?: string }> };
  authorization?: string;
}

let api: ApiServer;
let host: Host;
let browser: Browser;
let context: BrowserContext;

/** Opens a host page; records console errors and every data-source query the page sent and got. */
async function open(urlPath: string) {
  const page = await context.newPage();
  const errors: string[] = [];
  const queries: Captured[] = [];
  page.on('console', (m) => m.type() === 'error' && errors.push(`${m.text()} ${m.location().url ?? ''}`.trim()));
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('response', (r) => {
    if (!r.url().includes('/api/grafana/query')) {
      return;
    }
    const request = r.request();
    // Headers as the browser sent them (no token may be among them).
    const authorization = request.headers().authorization;
    r.json()
      .then((response) => queries.push({ body: request.postDataJSON(), response, authorization }))
      .catch(() => undefined); // the page closed before the body was read
  });
  await page.goto(`${host.url}${urlPath}`);
  return { page, errors, queries };
}

const text = (page: Page, testId: string) => page.getByTestId(testId).innerText();

/** The value of the first number field's last entry, as the page's helpers read it. */
function lastNumber(frame?: Frame): number | null {
  const i = frame?.schema.fields.findIndex((f) => f.type === 'number') ?? -1;
  const column = i >= 0 ? (frame!.data.values[i] ?? []) : [];
  for (let j = column.length - 1; j >= 0; j--) {
    if (typeof column[j] === 'number') {
      return column[j] as number;
    }
  }
  return null;
}

function sumNumbers(frames: Frame[] = []): number {
  let total = 0;
  for (const frame of frames) {
    frame.schema.fields.forEach((f, i) => {
      if (f.type === 'number') {
        for (const v of frame.data.values[i] ?? []) {
          total += typeof v === 'number' ? v : 0;
        }
      }
    });
  }
  return total;
}

const integer = (s: string) => Number(s.replace(/[^0-9.-]/g, ''));

async function waitForTraffic(): Promise<void> {
  // The simulator starts calls at 60 a minute; rollups count a call when it ends. Wait until
  // some calls have ended so that every page has data (bounded: the page tests then say what is missing).
  const wanted = Number(process.env.BROWSER_MIN_CALLS ?? 20);
  const deadline = Date.now() + 120_000;
  for (;;) {
    const now = new Date();
    const res = await api.query({
      range: { from: new Date(now.getTime() - 3_600_000).toISOString(), to: now.toISOString() },
      intervalMs: 3_600_000,
      maxDataPoints: 100,
      queries: [{ refId: 'V', kind: 'call_volume', groupBy: 'none' }],
    });
    if (sumNumbers(res.results.V?.frames) >= wanted || Date.now() > deadline) {
      return;
    }
    await new Promise((r) => setTimeout(r, 2000));
  }
}

beforeAll(async () => {
  for (const [what, dir, how] of [
    ['plugin build', PLUGIN_DIST, 'npm run build -w plugin'],
    ['host page build', HOST_DIST, 'npm run build:host -w e2e'],
  ]) {
    if (!existsSync(dir!)) {
      throw new Error(`${what} missing at ${dir}: run \`${how}\` first`);
    }
  }
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} not found: apt-get install chromium (never a downloaded browser)`);
  }
  mkdirSync(SCREENSHOTS, { recursive: true });
  api = await startApiServer(API_PORT);
  host = await startHost({
    port: HOST_PORT,
    hostDist: HOST_DIST,
    pluginDist: PLUGIN_DIST,
    datasource: { url: api.url, apiToken: api.token },
  });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  context = await browser.newContext({ viewport: { width: 1440, height: 1000 }, deviceScaleFactor: 1 });
  await waitForTraffic();
}, 240_000);

afterAll(async () => {
  await context?.close();
  await browser?.close();
  await host?.close();
  await api?.stop();
});

describe.each(PAGES)('the $route page', ({ route, container, shot, heading }) => {
  it('loads without console errors, shows its data and is screenshotted', async () => {
    const { page, errors, queries } = await open(`/a/${APP_ID}/${route}?refresh=0`);
    await page.getByTestId(container).waitFor();
    await expect(page.getByText(heading, { exact: false }).first().isVisible()).resolves.toBe(true);
    await page.waitForLoadState('networkidle');
    await page.evaluate(() => document.fonts.ready.then(() => undefined));
    expect(queries.length).toBeGreaterThan(0);
    // Every query the page sent answered without a per-refId error.
    const failed = queries.flatMap((q) =>
      Object.entries(q.response.results ?? {})
        .filter(([, r]) => r.error)
        .map(([refId, r]) => `${refId}: ${r.error}`),
    );
    expect(failed).toEqual([]);
    await expect(page.getByText('Some numbers could not be loaded').count()).resolves.toBe(0);
    await page.screenshot({ path: path.join(SCREENSHOTS, `${shot}.png`), fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  });
});

it('shows live numbers that match the API', async () => {
  const { page, errors, queries } = await open(`/a/${APP_ID}/overview?refresh=0`);
  await page.waitForLoadState('networkidle');
  const callsToday = queries.find((q) => q.body.queries.some((x) => x.refId === 'today_volume'));
  const active = queries.find((q) => q.body.queries.some((x) => x.refId === 'active'));
  expect(callsToday && active).toBeTruthy();

  // Calls today: the page shows exactly the count in the server's answer to it, and the server,
  // asked again directly with the token for the same range, agrees up to the calls that ended
  // since (rollups count a call when it ends, in the minute it started: the count only grows).
  const shownToday = integer(await text(page, 'mwva-calls-today'));
  expect(shownToday).toBe(sumNumbers(callsToday!.response.results.today_volume?.frames));
  expect(shownToday).toBeGreaterThan(0);
  const direct = sumNumbers((await api.query(callsToday!.body)).results.today_volume?.frames);
  expect(direct).toBeGreaterThanOrEqual(shownToday);
  expect(direct - shownToday).toBeLessThanOrEqual(10);

  // Active calls change every second: the page shows what the server answered it, and the server
  // answers a number within capacity when asked directly.
  const shown = integer(await text(page, 'mwva-active-calls'));
  expect(shown).toBe(lastNumber(active!.response.results.active?.frames?.[0]));
  const now = await api.query({ ...active!.body, queries: [{ refId: 'active', kind: 'active_calls' }] });
  expect(lastNumber(now.results.active?.frames?.[0])).toBeGreaterThanOrEqual(0);

  // The browser never holds the token: the proxy adds it on the server side.
  expect(queries.every((q) => q.authorization === undefined)).toBe(true);
  expect(host.proxied.some((p) => p.path === '/api/grafana/query' && p.status === 200)).toBe(true);
  expect(errors).toEqual([]);
  await page.close();
});

it('navigates between the pages from the app nav', async () => {
  const { page, errors } = await open(`/a/${APP_ID}/overview?refresh=0`);
  await page.getByTestId('mwva-overview').waitFor();
  for (const target of [PAGES[1]!, PAGES[2]!, PAGES[3]!, PAGES[4]!, PAGES[0]!]) {
    const title = {
      overview: 'Executive overview',
      'beast-mode': 'Beast Mode',
      calls: 'Calls',
      learning: 'Learning graph',
      operations: 'Operations',
    }[target.route]!;
    await page.getByTestId('mwva-nav').getByRole('link', { name: title, exact: true }).click();
    await page.getByTestId(target.container).waitFor();
    expect(new URL(page.url()).pathname).toBe(`/a/${APP_ID}/${target.route}`);
  }
  expect(errors).toEqual([]);
  await page.close();
});

it('renders headers in Orbitron and body text in Poppins, bundled with the plugin', async () => {
  const { page } = await open(`/a/${APP_ID}/overview?refresh=0`);
  await page.getByTestId('mwva-overview').waitFor();
  await page.waitForLoadState('networkidle');
  const fonts = await page.evaluate(async () => {
    await document.fonts.ready;
    const root = document.querySelector('.mwva-root')!;
    const heading = root.querySelector('h3')!;
    const loaded = [...document.fonts]
      .filter((f) => f.status === 'loaded')
      .map((f) => `${f.family.replace(/"/g, '')} ${f.weight}`);
    return {
      heading: getComputedStyle(heading).fontFamily,
      body: getComputedStyle(root).fontFamily,
      outside: getComputedStyle(document.body).fontFamily,
      loaded,
      orbitron: document.fonts.check('700 16px Orbitron'),
      poppins: document.fonts.check('400 16px Poppins'),
      sources: performance
        .getEntriesByType('resource')
        .map((e) => e.name)
        .filter((n) => /\.woff2?$/.test(n)),
    };
  });
  expect(fonts.heading.split(',')[0]!.replace(/['"]/g, '').trim()).toBe('Orbitron');
  expect(fonts.body.split(',')[0]!.replace(/['"]/g, '').trim()).toBe('Poppins');
  // Scoped: the host page (Grafana's chrome) keeps its own font.
  expect(fonts.outside).not.toContain('Poppins');
  expect(fonts.loaded.some((f) => f.startsWith('Orbitron'))).toBe(true);
  expect(fonts.loaded.some((f) => f.startsWith('Poppins'))).toBe(true);
  expect(fonts.orbitron && fonts.poppins).toBe(true);
  // Served from the plugin's own dist, not a CDN.
  expect(fonts.sources.length).toBeGreaterThan(0);
  expect(fonts.sources.every((s) => s.startsWith(`${host.url}/public/plugins/${APP_ID}/`))).toBe(true);
  await page.close();
});

it('opens a call transcript from the recent calls table', async () => {
  const { page, errors } = await open(`/a/${APP_ID}/calls?refresh=0`);
  const table = page.getByTestId('mwva-calls-table');
  await table.locator('tbody tr').first().waitFor();
  // A call in conversation has turns (a ringing or unanswered one has none yet).
  await table.locator('tbody tr', { hasText: 'answered' }).first().click();
  await page.getByTestId('mwva-transcript').locator('li').first().waitFor({ timeout: 20_000 });
  expect(await page.getByTestId('mwva-transcript').locator('li').count()).toBeGreaterThan(0);
  expect(errors).toEqual([]);
  await page.close();
});

it('shows the Beast Mode panel with the score the data source returned', async () => {
  const { page, errors, queries } = await open('/panel');
  await page.getByTestId('mwva-beast-panel-score').waitFor();
  const frames = queries[0]!.response.results.A?.frames ?? [];
  expect(frames.length).toBeGreaterThan(0);
  const shown = Number(await text(page, 'mwva-beast-panel-score'));
  expect(shown).toBeGreaterThanOrEqual(0);
  expect(shown).toBeLessThanOrEqual(100);
  await page.getByTestId('host-panel').screenshot({ path: path.join(SCREENSHOTS, 'beast-mode-panel.png') });
  expect(errors).toEqual([]);
  await page.close();
});

it('saves the server URL and token from the configuration page and tests the connection', async () => {
  const { page, errors } = await open(`/plugins/${APP_ID}`);
  const url = page.getByTestId('mwva-config-url');
  // The page reads the existing data source first.
  await page.waitForFunction(() => (document.getElementById('mwva-config-url') as HTMLInputElement | null)?.value);
  await expect(url.inputValue()).resolves.toBe(api.url);
  await url.fill(`${api.url}/`);
  await page.getByRole('button', { name: /Save and test/ }).click();
  await page.getByTestId('mwva-config-status').waitFor();
  await expect(text(page, 'mwva-config-status')).resolves.toContain('Connected');
  expect(host.datasources[0]!.jsonData.url).toBe(`${api.url}/`);
  // The untouched token was not resent and still works.
  expect(host.datasources[0]!.secureJsonData.apiToken).toBe(api.token);
  await page.screenshot({ path: path.join(SCREENSHOTS, 'configuration.png'), fullPage: true });
  expect(errors).toEqual([]);
  await page.close();
});
