import type { ArchiveMetadata } from '../tiles/archive.js';

/** Where the map opens: a centre, a zoom close enough for 2.5D houses (tiles from z13), a pitch. */
export interface MapStart {
  center: readonly [number, number];
  zoom: number;
  pitch: number;
}

/** The opening view over a tileset: its centre (the middle of the district by default) at z15, 45° pitch. */
export function mapStart(metadata: Pick<ArchiveMetadata, 'center'>): MapStart {
  return { center: [metadata.center[0], metadata.center[1]], zoom: 15, pitch: 45 };
}

/** Path prefix the MapLibre files are served under (see routes/map.ts). */
export const MAPLIBRE_PATH = '/assets/maplibre-gl';

export interface MapPageOptions {
  /** the served maplibre-gl version, appended to its URLs so an upgrade is never read from cache */
  maplibreVersion: string;
  start: MapStart;
  /**
   * Under `--reads-need-key`: a path the page asks with the key a user types, to check it before
   * the map starts (the TileJSON the map loads first). Null: reads are open and the page asks for no key.
   */
  keyCheckPath: string | null;
}

/** The sessionStorage entry holding the API key the page sends: kept for the tab, gone when it closes. */
export const API_KEY_STORAGE = 'wangge.apiKey';

/**
 * The map page served at `/`: a full-window MapLibre map on `/styles/default.json`, a click popup
 * with the codes `/v1/reverse` finds there, and a search box that suggests places as the user
 * types (`/v1/autocomplete`, debounced; arrow keys, Enter or a click choose one) and geocodes the
 * text on Enter without a choice (`/v1/geocode`). Everything it loads comes from this server.
 * When reads need a key, it first asks for one, checks it, keeps it for the tab (sessionStorage)
 * and sends it with every request to this server, the map's included (`transformRequest`); a key
 * the server stops accepting is forgotten and asked for again.
 * `window.map` is the MapLibre map, for tests and the console.
 */
export function mapPage({ maplibreVersion, start, keyCheckPath }: MapPageOptions): string {
  const version = encodeURIComponent(maplibreVersion);
  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>wangge 网格 · 东城区</title>
<!-- an empty icon, so the browser does not ask the server for /favicon.ico -->
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${MAPLIBRE_PATH}/maplibre-gl.css?v=${version}">
<style>
  html, body, #map { margin: 0; width: 100%; height: 100%; }
  body { font: 14px/1.4 system-ui, sans-serif; }
  #search { position: absolute; top: 10px; left: 10px; z-index: 1; display: flex; flex-wrap: wrap; gap: 4px;
    max-width: calc(100% - 80px); padding: 6px; background: #fff; border-radius: 4px; box-shadow: 0 0 0 2px rgb(0 0 0 / 10%); }
  #search input { width: 18em; max-width: 60vw; padding: 4px 6px; font: inherit; }
  #search button { font: inherit; }
  #search-status { flex-basis: 100%; margin: 0; color: #a93226; }
  #search-suggestions { flex-basis: 100%; margin: 0; padding: 0; list-style: none; max-height: 50vh; overflow-y: auto; }
  #search-suggestions li { display: flex; justify-content: space-between; gap: 12px; padding: 3px 6px; cursor: pointer; border-radius: 3px; }
  #search-suggestions li[aria-selected="true"], #search-suggestions li:hover { background: #e8eef7; }
  #search-suggestions .context { color: #666; font-size: 12px; white-space: nowrap; }
  #search-status:empty { display: none; }
  .place h3 { margin: 0 0 4px; font-size: 14px; }
  .place .note { margin: 0 0 4px; color: #666; font-size: 12px; }
  .place dl { display: grid; grid-template-columns: auto 1fr; gap: 2px 8px; margin: 0; }
  .place dt { color: #666; }
  .place dd { margin: 0; font-variant-numeric: tabular-nums; }
  .place .error { color: #a93226; }
  #api-key { position: absolute; inset: 0; z-index: 2; display: grid; place-content: center; gap: 8px; background: #f4f2ee; }
  #api-key[hidden] { display: none; }
  #api-key input { width: 22em; padding: 6px; font: inherit; }
  #api-key-status { margin: 0; color: #a93226; }
  #api-key-status:empty { display: none; }
</style>
</head>
<body>
<form id="search" role="search">
  <input id="search-query" type="search" name="q" placeholder="地址、地名或拼音，如 多福巷12号、dsbdj" aria-label="地址" autocomplete="off"
    role="combobox" aria-autocomplete="list" aria-controls="search-suggestions" aria-expanded="false">
  <button type="submit">搜索</button>
  <ul id="search-suggestions" role="listbox" aria-label="建议" hidden></ul>
  <p id="search-status" role="status"></p>
</form>
<form id="api-key" hidden>
  <label for="api-key-input">此服务器的数据需要 API 密钥 (this server needs an API key)</label>
  <input id="api-key-input" type="password" name="key" placeholder="wg_…" autocomplete="off" required>
  <button type="submit">打开地图</button>
  <p id="api-key-status" role="alert"></p>
</form>
<div id="map"></div>
<script type="module">
${clientScript(version, start, keyCheckPath)}
</script>
</body>
</html>
`;
}

// the page's own code, kept free of backticks so it can sit in this template literal
function clientScript(version: string, start: MapStart, keyCheckPath: string | null): string {
  return `import * as M from '${MAPLIBRE_PATH}/maplibre-gl.mjs?v=${version}';
const maplibregl = M.default ?? M;

const KEY_STORAGE = ${JSON.stringify(API_KEY_STORAGE)};
const KEY_CHECK_PATH = ${JSON.stringify(keyCheckPath)};
const apiKey = KEY_CHECK_PATH === null ? null : (sessionStorage.getItem(KEY_STORAGE) ?? (await askForKey()));

// the key goes to this server only, never to another origin a URL might name
function withKey(url, headers = {}) {
  if (apiKey === null || new URL(url, location.href).origin !== location.origin) return headers;
  return { ...headers, Authorization: 'Bearer ' + apiKey };
}

// shows the key form until the server accepts a key (checked on KEY_CHECK_PATH), then keeps it for the tab
function askForKey() {
  const form = document.getElementById('api-key');
  const input = document.getElementById('api-key-input');
  const keyStatus = document.getElementById('api-key-status');
  form.hidden = false;
  input.focus();
  return new Promise((resolve) => {
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      const key = input.value.trim();
      keyStatus.textContent = '';
      const response = await fetch(KEY_CHECK_PATH, { headers: { Accept: 'application/json', Authorization: 'Bearer ' + key } }).catch(() => null);
      if (!response?.ok) {
        const body = await response?.json().catch(() => null);
        keyStatus.textContent = '密钥无效 (key refused)：' + (body?.detail ?? (response ? 'HTTP ' + response.status : 'no answer'));
        return;
      }
      sessionStorage.setItem(KEY_STORAGE, key);
      form.hidden = true;
      resolve(key);
    });
  });
}

// a kept key the server no longer accepts (revoked, or the server restarted with other keys): ask again
let forgotten = false;
function forgetKey() {
  if (apiKey === null || forgotten) return;
  forgotten = true;
  sessionStorage.removeItem(KEY_STORAGE);
  location.reload();
}

const map = new maplibregl.Map({
  container: 'map',
  style: '/styles/default.json',
  center: ${JSON.stringify(start.center)},
  zoom: ${start.zoom},
  pitch: ${start.pitch},
  // the default attribution links to maplibre.org; this page names it without leaving the server
  attributionControl: { compact: true, customAttribution: 'MapLibre · wangge' },
  // style, TileJSON and tiles: MapLibre asks for them all through here, its worker's tile fetches included
  transformRequest: (url) => (apiKey === null ? undefined : { url, headers: withKey(url) }),
});
window.map = map;
map.addControl(new maplibregl.NavigationControl({ visualizePitch: true }), 'top-right');
map.on('error', (event) => {
  if (event.error?.status === 401) forgetKey();
});

// an answer's JSON, or an Error carrying the problem+json detail the server sent
async function getJson(url) {
  const response = await fetch(url, { headers: withKey(url, { Accept: 'application/json' }) });
  if (response.status === 401) forgetKey();
  const body = await response.json().catch(() => null);
  if (!response.ok) throw new Error(body?.detail ?? 'HTTP ' + response.status);
  return body;
}

function element(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  if (className !== undefined) node.className = className;
  return node;
}

const named = (area) => (area ? area.name + ' ' + area.code : '—');

// the codes of a place (a reverse or geocode answer); textContent escapes everything shown
function placeDetails(title, place, note) {
  const box = element('div', undefined, 'place');
  box.append(element('h3', title));
  if (note !== undefined) box.append(element('p', note, 'note'));
  const list = element('dl');
  const rows = [
    ['街道', 'street', named(place.street)],
    ['社区', 'community', named(place.community)],
    ['社会网格', 'socialGrid', place.socialGrid ? place.socialGrid.staticCode + '-' + place.socialGrid.dynamicCode + ' ' + place.socialGrid.name : '—'],
    ['单元网格', 'unitGrid', place.unitGrid ? place.unitGrid.code : '—'],
  ];
  for (const [label, field, value] of rows) {
    const dd = element('dd', value);
    dd.dataset.field = field;
    list.append(element('dt', label), dd);
  }
  box.append(list);
  return box;
}

function failure(text) {
  const box = element('div', undefined, 'place');
  box.append(element('p', text, 'error'));
  return box;
}

let clickPopup = null;
map.on('click', async (event) => {
  const { lng, lat } = event.lngLat;
  clickPopup?.remove();
  const popup = new maplibregl.Popup({ maxWidth: '360px' }).setLngLat(event.lngLat).setDOMContent(element('p', '查询中…')).addTo(map);
  clickPopup = popup;
  try {
    const place = await getJson('/v1/reverse?lng=' + lng.toFixed(7) + '&lat=' + lat.toFixed(7));
    popup.setDOMContent(placeDetails(lng.toFixed(6) + ', ' + lat.toFixed(6), place));
  } catch (error) {
    popup.setDOMContent(failure('查询失败：' + error.message));
  }
});

// a match only as precise as a street or the district is shown with its surroundings
const LEVEL_ZOOMS = { door: 17, road: 16, community: 15, street: 14, district: 12 };
const form = document.getElementById('search');
const query = document.getElementById('search-query');
const status = document.getElementById('search-status');
const marker = new maplibregl.Marker({ color: '#a93226' });
form.addEventListener('submit', async (event) => {
  event.preventDefault();
  closeSuggestions();
  const q = query.value.trim();
  if (q === '') return;
  status.textContent = '';
  marker.remove();
  clickPopup?.remove();
  try {
    const best = (await getJson('/v1/geocode?limit=1&q=' + encodeURIComponent(q))).results[0];
    if (!best) {
      status.textContent = '未找到 (not found)：' + q;
      return;
    }
    map.flyTo({ center: [best.lng, best.lat], zoom: LEVEL_ZOOMS[best.level] ?? 15 });
    const popup = new maplibregl.Popup({ offset: 30, maxWidth: '360px' }).setDOMContent(placeDetails(best.address, best, '匹配 ' + best.level + ' · ' + best.score));
    marker.setLngLat([best.lng, best.lat]).setPopup(popup).addTo(map);
    marker.togglePopup();
  } catch (error) {
    status.textContent = '搜索失败：' + error.message;
  }
});

// suggestions as the user types: asked 150 ms after the last keystroke; an answer to an older text is dropped
const SUGGEST_DELAY_MS = 150;
const KIND_NAMES = { street: '街道', community: '社区', road: '道路', poi: '地点', grid: '网格', door: '门牌' };
const KIND_ZOOMS = { street: 14, community: 15, road: 16, poi: 17, grid: 16, door: 17 };
const list = document.getElementById('search-suggestions');
let suggestions = [];
let active = -1;
let typingTimer = 0;
let asked = 0;

query.addEventListener('input', () => {
  clearTimeout(typingTimer);
  typingTimer = setTimeout(suggest, SUGGEST_DELAY_MS);
});

async function suggest() {
  const q = query.value.trim();
  const ticket = ++asked;
  if (q === '') return showSuggestions([]);
  try {
    const body = await getJson('/v1/autocomplete?limit=8&q=' + encodeURIComponent(q));
    if (ticket === asked) showSuggestions(body.suggestions);
  } catch (error) {
    if (ticket === asked) showSuggestions([]);
  }
}

function closeSuggestions() {
  clearTimeout(typingTimer);
  asked++;
  showSuggestions([]);
}

// what a suggestion is and where: 道路 · 东四街道 / 隆福寺社区, 网格 · 110101001001001
function context(s) {
  const where = [s.street, s.community].filter((name) => name).join(' / ');
  return [KIND_NAMES[s.kind] ?? s.kind, s.kind === 'grid' ? s.code : where].filter((part) => part).join(' · ');
}

function showSuggestions(items) {
  suggestions = items;
  active = -1;
  list.replaceChildren();
  items.forEach((s, k) => {
    const item = element('li');
    item.id = 'search-suggestion-' + k;
    item.setAttribute('role', 'option');
    item.setAttribute('aria-selected', 'false');
    item.dataset.kind = s.kind;
    item.append(element('span', s.text, 'text'), element('span', context(s), 'context'));
    // mousedown, not click: the input keeps its focus and the list is still there when the click lands
    item.addEventListener('mousedown', (event) => {
      event.preventDefault();
      choose(k);
    });
    list.append(item);
  });
  list.hidden = items.length === 0;
  query.setAttribute('aria-expanded', String(items.length > 0));
  query.removeAttribute('aria-activedescendant');
}

function highlight(k) {
  active = k;
  list.querySelectorAll('li').forEach((item, n) => item.setAttribute('aria-selected', String(n === k)));
  const item = document.getElementById('search-suggestion-' + k);
  query.setAttribute('aria-activedescendant', item.id);
  item.scrollIntoView({ block: 'nearest' });
}

query.addEventListener('keydown', (event) => {
  if (list.hidden) return;
  if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
    event.preventDefault();
    const step = event.key === 'ArrowDown' ? 1 : suggestions.length - 1;
    highlight(active < 0 && step !== 1 ? suggestions.length - 1 : (active + step) % suggestions.length);
  } else if (event.key === 'Enter' && active >= 0) {
    // a highlighted suggestion is the choice; Enter without one searches the text (the form's submit)
    event.preventDefault();
    choose(active);
  } else if (event.key === 'Escape') {
    closeSuggestions();
  }
});
query.addEventListener('blur', () => closeSuggestions());

// flies to the suggestion and shows the codes there, as a search answer does
async function choose(k) {
  const s = suggestions[k];
  closeSuggestions();
  if (!s) return;
  query.value = s.text;
  status.textContent = '';
  clickPopup?.remove();
  map.flyTo({ center: [s.lng, s.lat], zoom: KIND_ZOOMS[s.kind] ?? 15 });
  const popup = new maplibregl.Popup({ offset: 30, maxWidth: '360px' }).setDOMContent(element('p', '查询中…'));
  marker.setLngLat([s.lng, s.lat]).setPopup(popup).addTo(map);
  if (!popup.isOpen()) marker.togglePopup();
  try {
    const place = await getJson('/v1/reverse?lng=' + s.lng.toFixed(7) + '&lat=' + s.lat.toFixed(7));
    popup.setDOMContent(placeDetails(s.text, place, context(s)));
  } catch (error) {
    popup.setDOMContent(failure('查询失败：' + error.message));
  }
}`;
}
