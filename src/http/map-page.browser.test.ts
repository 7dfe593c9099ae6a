import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../auth/api-keys.js';
import { loadGeocoders, type Geocoders } from '../geocode/geocoders.js';
import { startLive, type LiveService } from '../live.js';
import { Store } from '../store/store.js';
import { areaLabel } from '../tiles/labels.js';
import { HOUSES_LAYER_ID, LABEL_MAXZOOMS, labelLayerId } from '../tiles/style.js';
import { latOf, lngOf } from '../tiles/tile-coords.js';
import { TileService } from '../tiles/tile-service.js';
import { createApp } from './app.js';
import { API_KEY_STORAGE, mapStart } from './map-page.js';
import { startServer, type RunningServer } from './serve.js';
import { defaultDistrictAt } from '../test-helpers/district-file.js';

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
  queryRenderedFeatures(options: { layers: string[] }): { properties: Record<string, unknown> }[];
  jumpTo(options: { center: [number, number]; zoom: number; pitch: number; bearing: number }): void;
  project(lngLat: [number, number]): { x: number; y: number };
  getContainer(): { clientWidth: number; clientHeight: number };
}
type PageGlobals = { map: PageMap; sessionStorage: { getItem(name: string): string | null; setItem(name: string, value: string): void } };

/** Whether the page made its MapLibre map (`window.map` is the map div until then: ids of elements are globals). */
function mapStarted(): boolean {
  return typeof (globalThis as unknown as { map?: { once?: unknown } }).map?.once === 'function';
}

/** Resolves once the map has drawn everything it is loading (a repaint ends in `idle`, so this also works when it is idle already). */
async function mapIdle(page: Page): Promise<void> {
  await page.waitForFunction(mapStarted);
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
}

/** How many times each name (or other property) a label layer placed on screen, after moving the map (flat, north up) and letting it settle. */
async function placedLabels(page: Page, layer: string, center: [number, number], zoom: number, property = 'name'): Promise<Record<string, number>> {
  await page.evaluate(([c, z]) => (globalThis as unknown as PageGlobals).map.jumpTo({ center: c, zoom: z, pitch: 0, bearing: 0 }), [center, zoom] as const);
  await mapIdle(page);
  const names = await page.evaluate(
    ([id, key]) => (globalThis as unknown as PageGlobals).map.queryRenderedFeatures({ layers: [id] }).map((f) => String(f.properties[key])),
    [layer, property] as const,
  );
  const counts: Record<string, number> = {};
  for (const name of names) counts[name] = (counts[name] ?? 0) + 1;
  return counts;
}

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
    defaultDistrictAt(path);
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
    await mapIdle(page);
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

  describe('under --reads-need-key', () => {
    let keyStore: Store;
    let live: LiveService;
    let closedServer: RunningServer;
    let keyPage: Page;
    let secret: string;
    /** every answer from the key-protected server after the key was accepted, with whether the request carried it */
    const answers: { url: string; status: number; withKey: boolean }[] = [];
    const keyPageErrors: string[] = [];

    beforeAll(async () => {
      keyStore = Store.open(join(dir, 'district.db'));
      live = startLive(keyStore);
      secret = createApiKey(keyStore, { name: '地图页测试', scope: '110101' }).secret;
      closedServer = await startServer(createApp({ store: keyStore, geocoders: live.geocoders, tiles: live.tiles, writes: live.writes, readsNeedKey: true }), {
        host: '127.0.0.1',
        port: 0,
      });
      // tall enough for the whole district at z12 (about 320 × 880 pixels: MapLibre zooms count 512-pixel tiles)
      keyPage = await browser.newPage({ viewport: { width: 800, height: 1000 } });
      keyPage.on('pageerror', (error) => keyPageErrors.push(`pageerror: ${error.message}`));
      keyPage.on('response', async (response) => {
        const headers = await response.request().allHeaders();
        answers.push({ url: response.url(), status: response.status(), withKey: headers.authorization === `Bearer ${secret}` });
      });
    }, 60_000);

    afterAll(async () => {
      await keyPage?.close();
      await closedServer?.close();
      live?.stop();
      keyStore?.close();
    });

    it('asks for a key, refuses a wrong one, keeps the right one for the tab and sends it with every request: tiles 200, no 401', async () => {
      await keyPage.goto(`${closedServer.url}/`);
      await keyPage.locator('#api-key-input').waitFor({ state: 'visible', timeout: 5_000 });
      expect(await keyPage.evaluate(mapStarted)).toBe(false);

      await keyPage.fill('#api-key-input', 'wg_not-a-key');
      await keyPage.press('#api-key-input', 'Enter');
      await expect.poll(() => keyPage.locator('#api-key-status').textContent(), { timeout: 5_000 }).toContain('the API key is unknown or revoked');
      expect(answers.filter((a) => a.status === 401).map((a) => new URL(a.url).pathname)).toEqual(['/tiles/wangge.json']);

      answers.length = 0;
      await keyPage.fill('#api-key-input', secret);
      await keyPage.press('#api-key-input', 'Enter');
      await mapIdle(keyPage);
      expect(await keyPage.locator('#api-key').isHidden()).toBe(true);
      expect(await keyPage.evaluate((name) => (globalThis as unknown as PageGlobals).sessionStorage.getItem(name), API_KEY_STORAGE)).toBe(secret);
      const tileAnswers = answers.filter((a) => /\/tiles\/wangge\/\d+\/\d+\/\d+/.test(a.url));
      expect(tileAnswers.length).toBeGreaterThan(0);
      expect(tileAnswers.filter((a) => ![200, 204].includes(a.status))).toEqual([]);
      expect(await keyPage.evaluate((layer) => (globalThis as unknown as PageGlobals).map.queryRenderedFeatures({ layers: [layer] }).length, HOUSES_LAYER_ID)).toBeGreaterThan(0);

      // reverse geocoding behind the key too
      await keyPage.mouse.click(400, 500);
      await expect.poll(() => keyPage.locator('.maplibregl-popup dd[data-field="unitGrid"]').textContent(), { timeout: 5_000 }).toMatch(/^\d{15}$/);
      // suggestions behind the key
      await keyPage.locator('#search-query').pressSequentially('dsbdj', { delay: 30 });
      await expect.poll(() => keyPage.locator('#search-suggestions li .text').first().textContent(), { timeout: 5_000 }).toBe('东四北大街');
      await keyPage.press('#search-query', 'Escape');

      // the tab keeps the key: a reload opens the map without asking
      await keyPage.reload();
      await mapIdle(keyPage);
      expect(await keyPage.locator('#api-key').isHidden()).toBe(true);

      const ownAnswers = answers.filter((a) => /\/(tiles|v1)\//.test(new URL(a.url).pathname));
      expect(ownAnswers.map((a) => new URL(a.url).pathname)).toEqual(expect.arrayContaining(['/tiles/wangge.json', '/v1/reverse', '/v1/autocomplete']));
      expect(ownAnswers.filter((a) => !a.withKey || a.status === 401)).toEqual([]);
      expect(answers.filter((a) => a.status >= 400)).toEqual([]);
      expect(keyPageErrors).toEqual([]);
    });

    it('draws each street name once at z12, each community name once at z15 and each unit-grid code once at z17', async () => {
      const { bounds } = tiles.metadata('wangge');
      const districtCentre: [number, number] = [(bounds[0] + bounds[2]) / 2, (bounds[1] + bounds[3]) / 2];
      const streets = new Map<string, [number, number]>();
      const communities = new Map<string, [number, number]>();
      for (const area of store.iterate('areas')) {
        const label = areaLabel(area);
        if (label?.type !== 1) continue;
        (area.level === 'street' ? streets : communities).set(area.name, [lngOf(label.points[0]!), latOf(label.points[1]!)]);
      }
      expect(LABEL_MAXZOOMS.street).toBeGreaterThan(12);
      // the key as the tab keeps it, so this test does not depend on the one before
      await keyPage.goto(`${closedServer.url}/`);
      await keyPage.evaluate(([name, key]) => (globalThis as unknown as PageGlobals).sessionStorage.setItem(name, key), [API_KEY_STORAGE, secret] as const);
      await keyPage.reload();

      const streetCounts = await placedLabels(keyPage, labelLayerId('street'), districtCentre, 12);
      console.log(`street labels placed at z12: ${Object.values(streetCounts).reduce((a, b) => a + b, 0)} for ${streets.size} streets`);
      expect(streetCounts).toEqual(Object.fromEntries([...streets.keys()].map((name) => [name, 1])));

      // at z15 the view holds part of the district: every community whose label point is on screen, once
      const communityCentre = streets.get('东四街道')!;
      const communityCounts = await placedLabels(keyPage, labelLayerId('community'), communityCentre, 15);
      // where each community's label point is on screen now
      const spots = new Map(
        await keyPage.evaluate(
          (points) => points.map(([name, p]) => [name, (globalThis as unknown as PageGlobals).map.project(p)] as const),
          [...communities],
        ),
      );
      const { width, height } = keyPage.viewportSize()!;
      const within = (margin: number) => [...spots].filter(([, { x, y }]) => x >= -margin && x < width + margin && y >= -margin && y < height + margin).map(([name]) => name);
      const placed = Object.keys(communityCounts);
      console.log(`community labels placed at z15: ${placed.length}, ${within(0).length} communities with their label point on screen`);
      expect(within(0).length).toBeGreaterThan(10);
      expect(Object.values(communityCounts).every((count) => count === 1)).toBe(true);
      // every community whose point is on screen is named; a name whose point is just off screen may show in part
      expect(placed).toEqual(expect.arrayContaining(within(0)));
      expect(within(100)).toEqual(expect.arrayContaining(placed));

      // unit-grid codes once each at z17 (from the polygons they showed once per tile piece: 63 for 40 grids)
      const unitCounts = await placedLabels(keyPage, labelLayerId('unit_grid'), communityCentre, 17, 'code');
      console.log(`unit-grid labels placed at z17: ${Object.values(unitCounts).reduce((a, b) => a + b, 0)} for ${Object.keys(unitCounts).length} grids`);
      expect(Object.keys(unitCounts).length).toBeGreaterThan(5);
      expect(Object.values(unitCounts).every((count) => count === 1)).toBe(true);
      expect(keyPageErrors).toEqual([]);
    });
  });
});
