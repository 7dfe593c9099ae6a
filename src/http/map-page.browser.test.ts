import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadGeocoders, type Geocoders } from '../geocode/geocoders.js';
import { buildDistrictDatabase } from '../store/build-district.js';
import { Store } from '../store/store.js';
import { HOUSES_LAYER_ID } from '../tiles/style.js';
import { TileService } from '../tiles/tile-service.js';
import { createApp } from './app.js';
import { mapStart } from './map-page.js';
import { startServer, type RunningServer } from './serve.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const HAVE_CHROMIUM = existsSync(CHROMIUM);
/** Screenshots land here for a human to look at (git-ignored). */
const OUTPUT_DIR = fileURLToPath(new URL('../../test-output/', import.meta.url));
const SCREENSHOT = join(OUTPUT_DIR, 'map-page.png');

// SwiftShader WebGL; without the networking flags Chromium keeps calling out to the internet
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--use-angle=swiftshader',
  '--enable-unsafe-swiftshader',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];
const IDLE_TIMEOUT_MS = 20_000;

/** The little of MapLibre's Map the page functions below touch (they run in the browser). */
interface PageMap {
  once(type: 'idle', listener: () => void): void;
  triggerRepaint(): void;
  queryRenderedFeatures(options: { layers: string[] }): unknown[];
}
type PageGlobals = { map: PageMap };

// a developer machine without Chromium skips; CI installs it, so there a missing browser fails
const suite = HAVE_CHROMIUM || process.env.CI ? describe : describe.skip;

suite('map page in Chromium', () => {
  let dir: string;
  let store: Store;
  let geocoders: Geocoders;
  let tiles: TileService;
  let server: RunningServer;
  let browser: Browser;
  let page: Page;
  const tileStatuses: { url: string; status: number }[] = [];
  const pageErrors: string[] = [];
  const foreignRequests: string[] = [];

  beforeAll(async () => {
    if (!HAVE_CHROMIUM) throw new Error(`no Chromium at ${CHROMIUM}: apt-get install -y chromium, or set CHROMIUM_PATH`);
    dir = mkdtempSync(join(tmpdir(), 'wangge-map-page-'));
    const path = join(dir, 'district.db');
    buildDistrictDatabase(path);
    store = Store.open(path, { readonly: true });
    geocoders = loadGeocoders(store);
    tiles = TileService.fromStore(store);
    server = await startServer(createApp({ store, geocoders, tiles }), { host: '127.0.0.1', port: 0 });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    page = await browser.newPage({ viewport: { width: 800, height: 600 } });
    page.on('pageerror', (error) => pageErrors.push(`pageerror: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error') pageErrors.push(`console: ${message.text()}`);
    });
    page.on('requestfailed', (request) => {
      // MapLibre aborts the tiles it no longer needs when the map moves on
      const reason = request.failure()?.errorText;
      if (reason !== 'net::ERR_ABORTED') pageErrors.push(`request failed: ${request.url()} ${reason}`);
    });
    page.on('request', (request) => {
      const url = request.url();
      if (!url.startsWith(`${server.url}/`) && !/^(data|blob):/.test(url)) foreignRequests.push(url);
    });
    page.on('response', (response) => {
      if (response.url().includes('/tiles/')) tileStatuses.push({ url: response.url(), status: response.status() });
      // the console only says "Failed to load resource"; this names the URL
      else if (response.status() >= 400) pageErrors.push(`HTTP ${response.status()}: ${response.url()}`);
    });
    await page.goto(`${server.url}/`);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    store?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('draws 2.5D houses from the server’s own tiles, with no errors and nothing fetched elsewhere', async () => {
    await page.waitForFunction(() => 'map' in globalThis);
    // a repaint ends in `idle` once nothing is loading, so this also works if the map is idle already
    await page.evaluate(
      (timeoutMs) =>
        new Promise<void>((resolve, reject) => {
          const { map } = globalThis as unknown as PageGlobals;
          const timer = setTimeout(() => reject(new Error(`the map was not idle after ${timeoutMs} ms`)), timeoutMs);
          map.once('idle', () => {
            clearTimeout(timer);
            resolve();
          });
          map.triggerRepaint();
        }),
      IDLE_TIMEOUT_MS,
    );
    mkdirSync(OUTPUT_DIR, { recursive: true });
    await page.screenshot({ path: SCREENSHOT });

    const houses = await page.evaluate((layer) => (globalThis as unknown as PageGlobals).map.queryRenderedFeatures({ layers: [layer] }).length, HOUSES_LAYER_ID);
    expect(houses).toBeGreaterThan(0);
    expect(tileStatuses.some(({ url }) => url.endsWith('/tiles/wangge.json'))).toBe(true);
    expect(tileStatuses.filter(({ url }) => /\/tiles\/wangge\/\d+\/\d+\/\d+/.test(url)).length).toBeGreaterThan(0);
    expect(tileStatuses.filter(({ status }) => ![200, 204, 304].includes(status))).toEqual([]);
    expect(pageErrors).toEqual([]);
    expect(foreignRequests).toEqual([]);
  });

  it('shows the codes of a clicked point in a popup', async () => {
    // the map opens on the tileset's centre, and the viewport's middle is the map's centre
    const start = mapStart(tiles.metadata('wangge'));
    await page.mouse.click(400, 300);
    const unitGrid = page.locator('.maplibregl-popup dd[data-field="unitGrid"]');
    await unitGrid.waitFor({ timeout: 5_000 });
    const expected = geocoders.reverse.resolve(start.center[0], start.center[1]);
    const shown = await unitGrid.textContent();
    expect(shown).toMatch(/^\d{15}$/);
    expect(shown).toBe(expected.unitGrid?.code);
    expect(await page.locator('.maplibregl-popup dd[data-field="community"]').textContent()).toContain(expected.community?.name);
    expect(pageErrors).toEqual([]);
  });

  it('finds an address, marks it and says when nothing is found', async () => {
    let address = '';
    // break closes the iteration, which the store needs before it can close
    for (const house of store.iterate('houses')) {
      address = house.address ?? '';
      break;
    }
    const best = geocoders.forward.geocode(address, { limit: 1 })[0];
    expect(best?.level).toBe('door');
    await page.fill('#search-query', address);
    await page.press('#search-query', 'Enter');
    await page.locator('.maplibregl-marker').waitFor({ timeout: 5_000 });
    await expect.poll(() => page.locator('.maplibregl-popup h3').textContent()).toBe(address);
    expect(await page.locator('.maplibregl-popup dd[data-field="unitGrid"]').textContent()).toBe(best?.unitGrid?.code);

    await page.fill('#search-query', '火星');
    await page.press('#search-query', 'Enter');
    await expect.poll(() => page.locator('#search-status').textContent()).toMatch(/not found/);
    expect(await page.locator('.maplibregl-marker').count()).toBe(0);
    expect(pageErrors).toEqual([]);
  });

  it('suggests as the user types: a pinyin abbreviation chosen with the keyboard, a door plate with a click', async () => {
    const [road] = geocoders.autocomplete.suggest('dsbdj');
    expect(road?.text).toBe('东四北大街');
    await page.fill('#search-query', '');
    await page.locator('#search-query').pressSequentially('dsbdj', { delay: 30 });
    const first = page.locator('#search-suggestions li').first();
    await expect.poll(() => first.locator('.text').textContent(), { timeout: 5_000 }).toBe('东四北大街');
    await page.press('#search-query', 'ArrowDown');
    expect(await first.getAttribute('aria-selected')).toBe('true');
    await page.press('#search-query', 'Enter');
    await expect.poll(() => page.locator('.maplibregl-popup dd[data-field="unitGrid"]').textContent(), { timeout: 5_000 }).toBe(
      geocoders.reverse.resolve(road!.lng, road!.lat).unitGrid?.code,
    );
    expect(await page.locator('.maplibregl-popup h3').textContent()).toBe('东四北大街');
    expect(await page.inputValue('#search-query')).toBe('东四北大街');
    expect(await page.locator('#search-suggestions').isHidden()).toBe(true);

    const [door] = geocoders.autocomplete.suggest('多福巷12');
    expect(door?.text).toBe('多福巷12号');
    await page.fill('#search-query', '多福巷12');
    await expect.poll(() => first.locator('.text').textContent(), { timeout: 5_000 }).toBe('多福巷12号');
    await first.click();
    await expect.poll(() => page.locator('.maplibregl-popup h3').textContent(), { timeout: 5_000 }).toBe('多福巷12号');
    await expect.poll(() => page.locator('.maplibregl-popup dd[data-field="socialGrid"]').textContent()).toContain(
      geocoders.reverse.resolve(door!.lng, door!.lat).socialGrid?.staticCode,
    );
    expect(await page.locator('.maplibregl-popup dd[data-field="unitGrid"]').textContent()).toBe(geocoders.reverse.resolve(door!.lng, door!.lat).unitGrid?.code);
    expect(pageErrors).toEqual([]);
    expect(foreignRequests).toEqual([]);
  });
});
