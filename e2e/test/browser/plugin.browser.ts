/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * The Grafana app plugin in a real browser on the Grafana stand-in: Debian's Chromium (never a
 * downloaded one) opens Grafana as the repository deploys it — the compose grafana service, the image's
 * files (grafana.ini, provisioning, plugin/dist), served under /grafana/ — and the provisioned data
 * source reaches a live datasource-server in simulation mode through the stand-in's data-source proxy.
 */
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { REPO, startApiServer, type ApiServer, type Frame } from './support/api-server';
import { APP_ID, PAGE_DIST, PANEL_ID, PLUGIN_DIST, startGrafana, type RunningGrafana } from './support/grafana';

const API_PORT = 5101;
const GRAFANA_PORT = 5102;
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SCREENSHOTS = path.join(REPO, 'docs/screenshots');

const PAGES = [
  {
    route: 'overview',
    container: 'mwva-overview',
    shot: 'executive-overview',
    heading: 'Active call volume',
    title: 'Executive overview',
  },
  {
    route: 'beast-mode',
    container: 'mwva-beast-mode',
    shot: 'beast-mode',
    heading: 'Beast Mode progress',
    title: 'Beast Mode',
  },
  { route: 'calls', container: 'mwva-calls', shot: 'calls', heading: 'Recent calls', title: 'Calls' },
  {
    route: 'learning',
    container: 'mwva-learning',
    shot: 'learning-graph',
    heading: 'Top objections',
    title: 'Learning graph',
  },
  {
    route: 'operations',
    container: 'mwva-operations',
    shot: 'operations',
    heading: 'Capacity utilisation',
    title: 'Operations',
  },
];

interface Captured {
  body: { range: unknown; intervalMs: number; maxDataPoints: number; queries: Array<Record<string, unknown>> };
  response: { results: Record<string, { frames?: Frame[]; error?: string }> };
  authorization?: string;
}

let api: ApiServer;
let grafana: RunningGrafana;
let browser: Browser;
let context: BrowserContext;

/** Opens a Grafana page; records console errors, every request URL and every data-source query. */
async function open(urlPath: string) {
  const page = await context.newPage();
  const errors: string[] = [];
  const requests: string[] = [];
  const queries: Captured[] = [];
  page.on('console', (m) => m.type() === 'error' && errors.push(`${m.text()} ${m.location().url ?? ''}`.trim()));
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('request', (r) => requests.push(r.url()));
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
  await page.goto(`${grafana.url}${urlPath}`);
  return { page, errors, requests, queries };
}

const text = (page: Page, testId: string) => page.getByTestId(testId).innerText();

/**
 * Waits until the page has sent its data-source queries and their answers are in: the first answer,
 * then no new one for a second. (networkidle alone fires early while the browser is busy evaluating.)
 */
async function settled(page: Page, queries: Captured[]): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (queries.length === 0 && Date.now() < deadline) await page.waitForTimeout(200);
  await page.waitForLoadState('networkidle');
  let seen = -1;
  while (seen !== queries.length && Date.now() < deadline) {
    seen = queries.length;
    await page.waitForTimeout(1000);
  }
}

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

/** Replaces the running stand-in by a variant of the same deployment on the same port. */
async function restartGrafana(variant: Parameters<typeof startGrafana>[2] = {}) {
  await grafana.close();
  grafana = await startGrafana(api, GRAFANA_PORT, variant);
}

beforeAll(async () => {
  for (const [what, dir, how] of [
    ['plugin build', PLUGIN_DIST, 'npm run build -w plugin'],
    ['stand-in page build', PAGE_DIST, 'npm run build:host -w e2e'],
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
  grafana = await startGrafana(api, GRAFANA_PORT);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
  context = await browser.newContext({ viewport: { width: 1440, height: 1000 }, deviceScaleFactor: 1 });
  await waitForTraffic();
}, 600_000);

afterAll(async () => {
  await context?.close();
  await browser?.close();
  await grafana?.close();
  await api?.stop();
});

describe('Grafana as deployed', () => {
  it('starts from the repository files: Grafana 12.4.10 of the image, served under /grafana/', () => {
    expect(grafana.deployment.grafanaVersion).toBe('12.4.10');
    expect(grafana.url).toBe(`http://127.0.0.1:${GRAFANA_PORT}/grafana`);
    expect(grafana.standIn.config.configFile).toEqual({ path: '/etc/grafana/grafana.ini', found: true });
    expect(grafana.standIn.registry.errors).toEqual([]);
    expect([...grafana.standIn.registry.plugins.keys()].sort()).toEqual(
      [APP_ID, 'magnificentworldwide-voiceagent-datasource', PANEL_ID].sort(),
    );
    expect(grafana.standIn.datasources.byUid('mwva-voice-agent')).toMatchObject({
      readOnly: true,
      jsonData: { url: 'http://voice-agent-api:5000' },
    });
  });

  it('sends users to the app as home page (grafana.ini users.home_page)', async () => {
    const { page, errors } = await open('/');
    await page.getByTestId('mwva-overview').waitFor();
    expect(new URL(page.url()).pathname).toMatch(new RegExp(`^/grafana/a/${APP_ID}/?$`));
    expect(errors).toEqual([]);
    await page.close();
  });
});

describe.each(PAGES)('the $route page', ({ route, container, shot, heading, title }) => {
  it("loads in Grafana's chrome without console errors, shows its data and is screenshotted", async () => {
    const { page, errors, requests, queries } = await open(`/a/${APP_ID}/${route}?refresh=0`);
    await page.getByTestId(container).waitFor();
    await expect(page.getByText(heading, { exact: false }).first().isVisible()).resolves.toBe(true);
    await settled(page, queries);
    await page.evaluate(() => document.fonts.ready.then(() => undefined));
    // PluginPage: Grafana's page header carries the active nav item's title; the breadcrumbs the app.
    await expect(page.getByTestId('standin-page-header').locator('h1').innerText()).resolves.toBe(title);
    await expect(page.getByTestId('standin-breadcrumbs').innerText()).resolves.toMatch(
      new RegExp(`Home\\s+Apps\\s+Magnificent Worldwide\\s+${title}`),
    );
    expect(queries.length).toBeGreaterThan(0);
    // Every query the page sent answered without a per-refId error.
    const failed = queries.flatMap((q) =>
      Object.entries(q.response.results ?? {})
        .filter(([, r]) => r.error)
        .map(([refId, r]) => `${refId}: ${r.error}`),
    );
    expect(failed).toEqual([]);
    await expect(page.getByText('Some numbers could not be loaded').count()).resolves.toBe(0);
    // Everything the page loads stays below the sub path.
    const local = requests.filter((u) => u.startsWith(`http://127.0.0.1:${GRAFANA_PORT}/`));
    expect(local.filter((u) => !u.startsWith(`${grafana.url}/`))).toEqual([]);
    // The screenshot shows the demo history: the widest range the app offers.
    await page.getByTestId('mwva-range').getByRole('button', { name: '30d' }).click();
    await settled(page, queries);
    await page.screenshot({ path: path.join(SCREENSHOTS, `${shot}.png`), fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  });
});

it("applies Grafana's global styles and theme around the app", async () => {
  const { page } = await open(`/a/${APP_ID}/overview?refresh=0`);
  await page.getByTestId('mwva-overview').waitFor();
  const body = await page.evaluate(() => ({
    font: getComputedStyle(document.body).fontFamily,
    background: getComputedStyle(document.body).backgroundColor,
  }));
  // @grafana/ui GlobalStyles with the dark theme: Inter first, the canvas background.
  expect(body.font.split(',')[0]!.replace(/['"]/g, '').trim()).toBe('Inter');
  expect(body.background).toBe('rgb(17, 18, 23)');
  const menu = await page.getByTestId('standin-mega-menu').innerText();
  for (const name of PAGES.map((p) => p.title)) expect(menu).toContain(name);
  await page.close();
});

it('shows live numbers that match the API, through the proxy route with the token added server-side', async () => {
  const { page, errors, queries } = await open(`/a/${APP_ID}/overview?refresh=0`);
  await page.getByTestId('mwva-overview').waitFor();
  await settled(page, queries);
  const callsToday = queries.find((q) => q.body.queries.some((x) => x.refId === 'today_volume'));
  const active = queries.find((q) => q.body.queries.some((x) => x.refId === 'active'));
  expect(callsToday && active).toBeTruthy();

  // Calls today: the calls that ended today in the server's answer to the page, plus those it
  // answered are in progress. The server, asked again directly with the token for the same range,
  // agrees on the ended ones up to the calls that ended since (rollups count a call when it ends,
  // in the minute it started: the count only grows).
  const finished = sumNumbers(callsToday!.response.results.today_volume?.frames);
  const inProgress = lastNumber(active!.response.results.active?.frames?.[0]) ?? 0;
  const shownToday = integer(await text(page, 'mwva-calls-today'));
  expect(shownToday).toBe(finished + inProgress);
  expect(shownToday).toBeGreaterThan(0);
  const direct = sumNumbers((await api.query(callsToday!.body)).results.today_volume?.frames);
  expect(direct).toBeGreaterThanOrEqual(finished);
  expect(direct - finished).toBeLessThanOrEqual(10);

  // Active calls change every second: the page shows what the server answered it, and the server
  // answers a number within capacity when asked directly.
  const shown = integer(await text(page, 'mwva-active-calls'));
  expect(shown).toBe(lastNumber(active!.response.results.active?.frames?.[0]));
  const now = await api.query({ ...active!.body, queries: [{ refId: 'active', kind: 'active_calls' }] });
  expect(lastNumber(now.results.active?.frames?.[0])).toBeGreaterThanOrEqual(0);

  // The browser never holds the token; the provisioned route rendered {{ .JsonData.url }}.
  expect(queries.every((q) => q.authorization === undefined)).toBe(true);
  const query = grafana.standIn.proxied.find((p) => p.proxyPath === 'voiceagent/api/grafana/query' && p.status === 200);
  expect(query).toMatchObject({ uid: 'mwva-voice-agent', renderedRouteUrl: 'http://voice-agent-api:5000' });
  expect(errors).toEqual([]);
  await page.close();
});

it('navigates between the pages from the app nav, below /grafana/', async () => {
  const { page, errors } = await open(`/a/${APP_ID}/overview?refresh=0`);
  await page.getByTestId('mwva-overview').waitFor();
  for (const target of [PAGES[1]!, PAGES[2]!, PAGES[3]!, PAGES[4]!, PAGES[0]!]) {
    await page.getByTestId('mwva-nav').getByRole('link', { name: target.title, exact: true }).click();
    await page.getByTestId(target.container).waitFor();
    expect(new URL(page.url()).pathname).toBe(`/grafana/a/${APP_ID}/${target.route}`);
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
  // Scoped: Grafana's chrome keeps its own font.
  expect(fonts.outside).not.toContain('Poppins');
  expect(fonts.loaded.some((f) => f.startsWith('Orbitron'))).toBe(true);
  expect(fonts.loaded.some((f) => f.startsWith('Poppins'))).toBe(true);
  expect(fonts.orbitron && fonts.poppins).toBe(true);
  // The brand fonts come from the plugin's own folder below the sub path, not a CDN; the only
  // other web fonts are Grafana's Inter, from Grafana's public/fonts.
  const fromPlugin = fonts.sources.filter((s) => s.startsWith(`${grafana.url}/public/plugins/${APP_ID}/`));
  expect(fromPlugin.length).toBeGreaterThan(0);
  expect(
    fonts.sources.filter((s) => !fromPlugin.includes(s) && !s.startsWith(`${grafana.url}/public/fonts/inter/`)),
  ).toEqual([]);
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
  const query = encodeURIComponent(JSON.stringify({ refId: 'A', kind: 'beast_mode', mode: 'current', skill: 'all' }));
  const options = encodeURIComponent(JSON.stringify({ view: 'overall', expertBar: 85, warnBelow: 50 }));
  const { page, errors, queries } = await open(`/standin/panel/${PANEL_ID}?query=${query}&options=${options}`);
  await page.getByTestId('mwva-beast-panel-score').waitFor();
  const frames = queries[0]!.response.results.A?.frames ?? [];
  expect(frames.length).toBeGreaterThan(0);
  const shown = Number(await text(page, 'mwva-beast-panel-score'));
  expect(shown).toBeGreaterThanOrEqual(0);
  expect(shown).toBeLessThanOrEqual(100);
  await page.getByTestId('standin-panel').screenshot({ path: path.join(SCREENSHOTS, 'beast-mode-panel.png') });
  expect(errors).toEqual([]);
  await page.close();
});

it('shows the provisioned data source as read-only on the configuration page; Grafana refuses a save with 403', async () => {
  const { page, errors } = await open(`/plugins/${APP_ID}`);
  await page.getByTestId('mwva-config-read-only').waitFor();
  await page.waitForFunction(() => (document.getElementById('mwva-config-url') as HTMLInputElement | null)?.value);
  await expect(page.getByTestId('mwva-config-url').inputValue()).resolves.toBe('http://voice-agent-api:5000');
  await page.getByTestId('mwva-config-test').click();
  await page.getByTestId('mwva-config-status').waitFor();
  await expect(text(page, 'mwva-config-status')).resolves.toContain('Connected');
  // What a save gets: 403, and the provisioning keeps its settings.
  const r = await fetch(`${grafana.url}/api/datasources/uid/mwva-voice-agent`, {
    method: 'PUT',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({
      name: 'x',
      type: 'magnificentworldwide-voiceagent-datasource',
      access: 'proxy',
      jsonData: { url: 'http://elsewhere' },
    }),
  });
  expect({ status: r.status, body: await r.json() }).toEqual({
    status: 403,
    body: { message: 'Cannot update read-only data source' },
  });
  expect(grafana.standIn.datasources.byUid('mwva-voice-agent')!.jsonData.url).toBe('http://voice-agent-api:5000');
  await page.screenshot({ path: path.join(SCREENSHOTS, 'configuration.png'), fullPage: true });
  expect(errors).toEqual([]);
  await page.close();
});

describe('variants of the same deployment', () => {
  afterAll(async () => {
    await restartGrafana();
  });

  it('creates the data source from the configuration page on a Grafana without provisioned data sources', async () => {
    await restartGrafana({ withoutProvisionedDataSources: true });
    const { page, errors } = await open(`/plugins/${APP_ID}`);
    await page.getByTestId('mwva-config-url').fill(`${api.url}/`);
    await page.getByTestId('mwva-config-token').fill(api.token);
    await page.getByRole('button', { name: /Create data source and test/ }).click();
    await page.getByTestId('mwva-config-status').waitFor();
    await expect(text(page, 'mwva-config-status')).resolves.toContain('Connected');
    const [created] = grafana.standIn.datasources.list();
    expect(created).toMatchObject({
      readOnly: false,
      jsonData: { url: `${api.url}/` },
      secureJsonData: { apiToken: api.token },
    });
    expect(errors).toEqual([]);
    await page.close();
  });

  it('on a Grafana older than grafanaDependency, loads the app as Grafana does and says so loudly', async () => {
    // Grafana does not check grafanaDependency when it loads a plugin from its plugins folder (only the
    // catalog installer does); the plugin then fails wherever it uses what the older Grafana lacks.
    await restartGrafana({ grafanaVersion: '12.2.1' });
    expect(grafana.standIn.registry.plugins.has(APP_ID)).toBe(true);
    expect(grafana.logs.join('\n')).toMatch(/grafanaDependency ">=12.3.0", which Grafana 12.2.1 does not satisfy/);
    const { page } = await open(`/a/${APP_ID}/overview?refresh=0`);
    await page.getByTestId('mwva-overview').waitFor();
    await expect(page.getByTestId('standin-startup-notices').innerText()).resolves.toContain(
      'declares grafanaDependency ">=12.3.0", which Grafana 12.2.1 does not satisfy',
    );
    await page.close();
  });

  it('refuses to start, as Grafana does, when the plugin is unsigned and not allowed, or missing', async () => {
    await expect(restartGrafana({ composeEnv: { GRAFANA_UNSIGNED_PLUGINS: '' } })).rejects.toThrow(
      'app provisioning error: plugin not installed: "magnificentworldwide-voiceagent-app"',
    );
    grafana = await startGrafana(api, GRAFANA_PORT);
    await expect(restartGrafana({ withoutPlugin: true })).rejects.toThrow(
      'app provisioning error: plugin not installed: "magnificentworldwide-voiceagent-app"',
    );
    grafana = await startGrafana(api, GRAFANA_PORT);
  });
});
